// Mutated model files must never crash a reader or escape as anything but the engine's own errors. Runs
// thousands of random mutations (bit flips, truncations, overwritten runs) of valid files, each through the
// reader alone and through tensor creation (every tensor read to its last element, as loading a model does);
// under the asan preset this also checks every read stays in bounds.

// libtorch before Qt: Qt's `slots` keyword macro breaks libtorch's headers.
#include "core/engine/io/state_dict.h"

#include "checkpoint_writer.h"
#include "core/engine/error.h"
#include "core/engine/io/safetensors.h"
#include "core/engine/io/torch_checkpoint.h"

#include <QRandomGenerator>
#include <QtTest>

using namespace atelier::engine;

namespace {

QByteArray validSafetensors()
{
    const QByteArray header = R"({"__metadata__": {"format": "pt"},
        "model.diffusion_model.input_blocks.0.0.weight": {"dtype": "F16", "shape": [4, 4, 3, 3], "data_offsets": [0, 288]},
        "caf\u00e9": {"dtype": "F32", "shape": [2], "data_offsets": [288, 296]}})";
    QByteArray file(8, '\0');
    const quint64 length = quint64(header.size());
    for (int i = 0; i < 8; ++i)
        file[i] = char((length >> (8 * i)) & 0xff);
    return file + header + QByteArray(296, '\x11');
}

QByteArray mutate(QByteArray bytes, QRandomGenerator &random)
{
    switch (random.bounded(4)) {
    case 0:  // flip bits
        for (int i = 0, n = int(random.bounded(1, 8)); i < n && !bytes.isEmpty(); ++i)
            bytes[int(random.bounded(bytes.size()))] ^= char(1 << random.bounded(8));
        break;
    case 1:  // truncate
        bytes.truncate(int(random.bounded(bytes.size() + 1)));
        break;
    case 2:  // overwrite a run with random bytes
        if (!bytes.isEmpty()) {
            const int at = int(random.bounded(bytes.size()));
            for (int i = at; i < std::min<int>(int(bytes.size()), at + int(random.bounded(1, 64))); ++i)
                bytes[i] = char(random.bounded(256));
        }
        break;
    default:  // set a byte to an interesting value
        if (!bytes.isEmpty()) {
            static const char interesting[] = {'\0', '\xff', '"', '\\', '{', '}', '[', ']', ',', '9', '-', '\x7f', '\x80'};
            bytes[int(random.bounded(bytes.size()))] = interesting[random.bounded(int(sizeof interesting))];
        }
        break;
    }
    return bytes;
}

// Reads `bytes` with `read`; returns false when something other than an engine error escaped.
template <typename Read>
bool survives(const QString &path, const QByteArray &bytes, Read read, QString &escaped)
{
    if (!writeBytes(path, bytes))
        return false;
    try {
        read(path.toStdString());
    } catch (const Error &) {
        // the expected outcome for most mutations
    } catch (const std::exception &other) {
        escaped = QString::fromUtf8(other.what());
        return false;
    }
    return true;
}

// Loads the file as the engine does and reads every element of every tensor it yields.
void readEveryTensor(const std::string &path)
{
    const StateDict weights = loadWeights(path);
    for (const auto &[name, tensor] : weights.tensors)
        if (tensor.numel() > 0)
            (void)tensor.to(torch::kFloat64).sum().item<double>();
}

} // namespace

class TestReaderRobustness : public QObject
{
    Q_OBJECT
private slots:
    void mutatedSafetensorsFailCleanly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.safetensors"));
        const QByteArray valid = validSafetensors();
        QVERIFY(writeBytes(path, valid));
        QCOMPARE(int(SafetensorsFile(path.toStdString()).tensors().size()), 2);
        QRandomGenerator random(20261123);
        for (int i = 0; i < 3000; ++i) {
            QString escaped;
            const QByteArray mutated = mutate(valid, random);
            const bool mapped = survives(path, mutated, [](const std::string &p) { SafetensorsFile file(p); }, escaped);
            const bool headerOnly = survives(path, mutated, [](const std::string &p) { SafetensorsFile::readHeader(p); }, escaped);
            const bool tensors = survives(path, mutated, readEveryTensor, escaped);
            QVERIFY2(mapped && headerOnly && tensors,
                     qPrintable(QStringLiteral("mutation %1: %2").arg(i).arg(escaped)));
        }
    }

    void mutatedCheckpointsFailCleanly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.ckpt"));
        const QByteArray valid = checkpointBytes({{"model.diffusion_model.input_blocks.0.0.weight", "HalfStorage", {4, 4, 3, 3}},
                                                  {"cond_stage_model.transformer.x", "FloatStorage", {3}}});
        QVERIFY(writeBytes(path, valid));
        QCOMPARE(int(TorchCheckpoint(path.toStdString()).tensors().size()), 2);
        QRandomGenerator random(1123);
        for (int i = 0; i < 3000; ++i) {
            QString escaped;
            const QByteArray mutated = mutate(valid, random);
            QVERIFY2(survives(
                         path, mutated, [](const std::string &p) { TorchCheckpoint checkpoint(p); }, escaped) &&
                         survives(path, mutated, readEveryTensor, escaped),
                     qPrintable(QStringLiteral("mutation %1: %2").arg(i).arg(escaped)));
        }
    }
};

QTEST_GUILESS_MAIN(TestReaderRobustness)
#include "test_reader_robustness.moc"
