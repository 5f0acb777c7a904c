#include "core/hashing/model_hasher.h"
#include "core/models/record_store.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QtTest>

#include <atomic>

using namespace atelier;
using namespace atelier::models;
using namespace atelier::hashing;

namespace {

void writeRandom(const QString &path, qint64 size, quint32 seed)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QRandomGenerator random(seed);
    QByteArray chunk(1 << 20, Qt::Uninitialized);
    for (qint64 written = 0; written < size;) {
        const qint64 n = std::min<qint64>(chunk.size(), size - written);
        random.fillRange(reinterpret_cast<quint32 *>(chunk.data()), chunk.size() / 4);
        QCOMPARE(file.write(chunk.constData(), n), n);
        written += n;
    }
}

QString sha256sum(const QString &path)
{
    QProcess process;
    process.start(QStringLiteral("sha256sum"), {path});
    process.waitForFinished(-1);
    return QString::fromLatin1(process.readAllStandardOutput()).section(QLatin1Char(' '), 0, 0);
}

} // namespace

class TestHashing : public QObject
{
    Q_OBJECT
private slots:
    void matchesSha256sum_data()
    {
        QTest::addColumn<qint64>("size");
        for (qint64 size : {0LL, 1LL, 55LL, 63LL, 64LL, 65LL, 4194303LL, 4194304LL, 4194305LL, 10485767LL})
            QTest::newRow(qPrintable(QString::number(size))) << size;
    }

    void matchesSha256sum()
    {
        QFETCH(qint64, size);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("weights.bin"));
        writeRandom(path, size, quint32(size) + 1);
        const Result<QString> sha256 = sha256OfFile(path);
        QVERIFY2(sha256.ok(), qPrintable(sha256.error()));
        QCOMPARE(sha256.value(), sha256sum(path));
        QCOMPARE(autoV2(sha256.value()), sha256.value().left(10));
        const Result<PathHashes> hashes = ModelHasher().hash(path);
        QCOMPARE(hashes->sha256, sha256.value());
        QCOMPARE(hashes->size, size);
        QCOMPARE(hashes->fileCount, 1);
    }

    void fastHashFollowsTheSampledBytes()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a")), b = dir.filePath(QStringLiteral("b"));
        writeRandom(a, 3 << 20, 7);
        QVERIFY(QFile::copy(a, b));
        QCOMPARE(fastIdentityHash(a).value(), fastIdentityHash(b).value());
        QCOMPARE(fastIdentityHash(a)->size(), 32);
        // A change in the middle sample shows; so does a change of size.
        QFile file(b);
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.seek((3 << 20) / 2);
        file.write("x");
        file.close();
        QVERIFY(fastIdentityHash(a).value() != fastIdentityHash(b).value());
        QVERIFY(QFile::resize(b, (3 << 20) + 1) && QFile::copy(a, dir.filePath(QStringLiteral("c"))));
        QVERIFY(fastIdentityHash(a).value() != fastIdentityHash(b).value());
        // Small files are hashed whole: any byte counts.
        writeRandom(dir.filePath(QStringLiteral("small")), 1000, 1);
        const QString before = fastIdentityHash(dir.filePath(QStringLiteral("small"))).value();
        QFile small(dir.filePath(QStringLiteral("small")));
        QVERIFY(small.open(QIODevice::ReadWrite));
        small.seek(500);
        small.write("!");
        small.close();
        QVERIFY(fastIdentityHash(dir.filePath(QStringLiteral("small"))).value() != before);
    }

    void folderHashCoversNamesAndContents()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("model"));
        writeRandom(folder + QStringLiteral("/unet/diffusion_pytorch_model.safetensors"), 300000, 1);
        writeRandom(folder + QStringLiteral("/vae/diffusion_pytorch_model.safetensors"), 200000, 2);
        writeRandom(folder + QStringLiteral("/model_index.json"), 500, 3);
        const PathHashes first = ModelHasher().hash(folder).value();
        QVERIFY(first.folder);
        QCOMPARE(first.fileCount, 3);
        QCOMPARE(first.size, qint64(500500));
        QCOMPARE(first.sha256.size(), 64);

        // The same files written in another order hash the same; hidden files do not count.
        const QString copy = dir.filePath(QStringLiteral("copy"));
        writeRandom(copy + QStringLiteral("/model_index.json"), 500, 3);
        writeRandom(copy + QStringLiteral("/vae/diffusion_pytorch_model.safetensors"), 200000, 2);
        writeRandom(copy + QStringLiteral("/unet/diffusion_pytorch_model.safetensors"), 300000, 1);
        writeRandom(copy + QStringLiteral("/.cache/huggingface/download.lock"), 10, 9);
        QCOMPARE(ModelHasher().hash(copy)->sha256, first.sha256);
        QCOMPARE(ModelHasher().hash(copy)->fast, first.fast);

        // A renamed file changes it.
        QVERIFY(QFile::rename(copy + QStringLiteral("/model_index.json"), copy + QStringLiteral("/model_index2.json")));
        QVERIFY(ModelHasher().hash(copy)->sha256 != first.sha256);

        QDir().mkpath(dir.filePath(QStringLiteral("empty")));
        QCOMPARE(ModelHasher().hash(dir.filePath(QStringLiteral("empty"))).errorType(), QStringLiteral("NoWeights"));
        QCOMPARE(ModelHasher().hash(dir.filePath(QStringLiteral("absent"))).errorType(), QStringLiteral("NotFound"));
    }

    void folderProgressReachesTheTotal()
    {
        QTemporaryDir dir;
        for (int i = 0; i < 8; ++i)
            writeRandom(dir.filePath(QStringLiteral("m/part-%1.safetensors").arg(i)), (i + 1) * 1000000, quint32(i));
        std::atomic<qint64> last{0};
        std::atomic<int> calls{0};
        qint64 reportedTotal = 0;
        QMutex mutex;
        ModelHasher::Options options;
        options.progress = [&](qint64 done, qint64 total) {
            QMutexLocker lock(&mutex);
            last = std::max<qint64>(last, done);
            reportedTotal = total;
            ++calls;
        };
        const PathHashes hashes = ModelHasher().hash(dir.filePath(QStringLiteral("m")), options).value();
        QCOMPARE(reportedTotal, hashes.size);
        QCOMPARE(last.load(), hashes.size);
        QVERIFY(calls.load() >= 8);
    }

    void cancellationStopsWithCancelled()
    {
        QTemporaryDir dir;
        writeRandom(dir.filePath(QStringLiteral("m/a.safetensors")), 20 << 20, 1);
        writeRandom(dir.filePath(QStringLiteral("m/b.safetensors")), 20 << 20, 2);
        CancelFlag cancel{false};
        ModelHasher::Options options;
        options.cancel = &cancel;
        options.progress = [&](qint64 done, qint64) {
            if (done > (4 << 20))
                cancel = true;
        };
        const Result<PathHashes> hashes = ModelHasher().hash(dir.filePath(QStringLiteral("m")), options);
        QVERIFY(!hashes.ok());
        QCOMPARE(hashes.errorType(), QStringLiteral("Cancelled"));
    }

    void neverReadsItsOwnCacheDatabase()
    {
        // Hashing the root that holds the library must not touch the library's files (it would drop their locks).
        QTemporaryDir dir;
        RecordStore store(dir.filePath(QStringLiteral("atelier.db")));
        QVERIFY(store.open());
        writeRandom(dir.filePath(QStringLiteral("models/a.safetensors")), 5000, 1);
        const ModelHasher hasher(&store);
        const PathHashes hashes = hasher.hash(dir.path()).value();
        QCOMPARE(hashes.fileCount, 1);
        QVERIFY(store.rememberFileHash(*identifyFile(dir.filePath(QStringLiteral("models/a.safetensors"))), hashes.sha256).ok());
        QCOMPARE(hasher.hash(dir.path())->cachedFiles, 1);
    }

    void cacheSkipsUnchangedFilesOnly()
    {
        QTemporaryDir dir;
        RecordStore store(dir.filePath(QStringLiteral("atelier.db")));
        QVERIFY(store.open());
        const QString folder = dir.filePath(QStringLiteral("model"));
        writeRandom(folder + QStringLiteral("/a.safetensors"), 100000, 1);
        writeRandom(folder + QStringLiteral("/b.safetensors"), 100000, 2);
        const ModelHasher hasher(&store);
        const PathHashes first = hasher.hash(folder).value();
        QCOMPARE(first.cachedFiles, 0);
        const PathHashes second = hasher.hash(folder).value();
        QCOMPARE(second.cachedFiles, 2);
        QCOMPARE(second.sha256, first.sha256);
        // Rewrite one file with other contents: its identity changes, so it is hashed again.
        QTest::qWait(20);
        writeRandom(folder + QStringLiteral("/b.safetensors"), 100000, 3);
        const PathHashes third = hasher.hash(folder).value();
        QCOMPARE(third.cachedFiles, 1);
        QVERIFY(third.sha256 != first.sha256);
        QCOMPARE(third.sha256, ModelHasher().hash(folder)->sha256);
    }
};

QTEST_GUILESS_MAIN(TestHashing)
#include "test_hashing.moc"
