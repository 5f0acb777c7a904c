// Every aMUSEd training case of the shared fixture index (diffusers' train_amused.py, recorded step by step): the
// training set's tokens and conditioning, then each step replayed from its recorded batch order and masking draws,
// against the reference's masks, per-token losses, loss, gradients, gradient norm, weights, average and LoRA, within
// the index's tolerances.
#include "tests/engine/fixture_cases.h"

#include "core/engine/pipeline/amused.h"
#include "core/engine/training/amused_trainer.h"
#include "core/engine/training/masked_objective.h"

#include <QImage>
#include <QTest>

using namespace atelier;
using namespace atelier::test;

namespace {

void addRows()
{
    QTest::addColumn<QJsonObject>("fixture");
    const QJsonArray cases = casesOfKind(QStringLiteral("amused_train_step"));
    for (const QJsonValue &value : cases)
        QTest::newRow(qPrintable(value.toObject().value(QStringLiteral("id")).toString())) << value.toObject();
    if (cases.isEmpty())
        QTest::newRow("index has no case of this kind") << QJsonObject();
}

// An optional file of the case (the hidden set stores fewer), as tensors by name; empty when the case has none.
std::map<std::string, torch::Tensor> optionalFile(const QJsonObject &fixture, const char *key)
{
    const QString relative = fixture.value(QLatin1String(key)).toString();
    std::map<std::string, torch::Tensor> tensors;
    if (relative.isEmpty())
        return tensors;
    const engine::StateDict file = engine::loadWeights(fixturePath(relative).toStdString());
    for (const auto &[name, value] : file.tensors)
        tensors[name] = value;
    return tensors;
}

engine::TrainerSettings settingsOf(const QJsonObject &fixture)
{
    engine::TrainerSettings settings;
    const QJsonObject optimizer = fixture.value(QStringLiteral("optimizer")).toObject();
    settings.optimizer.learningRate = optimizer.value(QStringLiteral("lr")).toDouble();
    settings.optimizer.beta1 = optimizer.value(QStringLiteral("betas")).toArray().at(0).toDouble();
    settings.optimizer.beta2 = optimizer.value(QStringLiteral("betas")).toArray().at(1).toDouble();
    settings.optimizer.epsilon = optimizer.value(QStringLiteral("eps")).toDouble();
    settings.optimizer.weightDecay = optimizer.value(QStringLiteral("weight_decay")).toDouble();
    settings.maxGradNorm = fixture.value(QStringLiteral("max_grad_norm")).toDouble(0);
    if (fixture.contains(QStringLiteral("ema"))) {
        settings.averageWeights = true;
        settings.averageDecay =
            fixture.value(QStringLiteral("ema")).toObject().value(QStringLiteral("decay")).toDouble();
    }
    if (fixture.contains(QStringLiteral("lora"))) {
        const QJsonObject lora = fixture.value(QStringLiteral("lora")).toObject();
        engine::LoraShape shape;
        shape.rank = lora.value(QStringLiteral("r")).toInt();
        shape.alpha = lora.value(QStringLiteral("alpha")).toDouble();
        shape.targets.clear();
        for (const QJsonValue &target : lora.value(QStringLiteral("target_modules")).toArray())
            shape.targets.push_back(target.toString().toStdString());
        settings.lora = shape;
    }
    settings.labelSmoothing = fixture.value(QStringLiteral("label_smoothing")).toDouble();
    return settings;
}

torch::Tensor imageTensor(const QString &path)
{
    const QImage image = QImage(path).convertToFormat(QImage::Format_RGB888);
    torch::Tensor pixels = torch::empty({image.height(), image.width(), 3}, torch::kUInt8);
    for (int y = 0; y < image.height(); ++y)
        std::memcpy(pixels[y].data_ptr(), image.constScanLine(y), std::size_t(image.width()) * 3);
    return pixels.permute({2, 0, 1}).to(torch::kFloat32).div(255.0).unsqueeze(0);
}

// The case's images encoded to tokens [n, h, w] and its captions to conditioning, in dataset order.
struct EncodedSet
{
    torch::Tensor tokens, hidden, pooled;
    std::vector<std::string> captions;
};

EncodedSet encodedSet(engine::AmusedModel &model, const QJsonObject &fixture)
{
    EncodedSet set;
    std::vector<torch::Tensor> tokens;
    const QJsonArray images = fixture.value(QStringLiteral("images")).toArray();
    for (int i = 0; i < images.size(); ++i) {
        tokens.push_back(model.encode(imageTensor(fixturePath(images.at(i).toString()))));
        set.captions.push_back(fixture.value(QStringLiteral("captions")).toArray().at(i).toString().toStdString());
    }
    set.tokens = torch::cat(tokens);
    // Outside inference mode, so that the transformer's backward may keep them.
    const engine::AmusedPromptEncoding encodings = engine::encodeAmusedPrompts(*model.text, set.captions);
    set.hidden = encodings.hidden.clone();
    set.pooled = encodings.pooled.clone();
    return set;
}

// The largest gradient difference relative to the largest gradient, over every tensor named in `reference`.
double relativeGradientDifference(const std::map<std::string, torch::Tensor> &actual,
                                  const std::map<std::string, torch::Tensor> &reference)
{
    double difference = 0, largest = 0;
    for (const auto &[name, value] : reference) {
        const auto found = actual.find(name);
        if (found == actual.end())
            return std::numeric_limits<double>::infinity();
        difference = std::max(difference, maxAbsDifference(found->second, value));
        largest = std::max(largest, value.abs().max().item<double>());
    }
    return difference / largest;
}

void compareWeights(const std::map<std::string, torch::Tensor> &actual,
                    const std::map<std::string, torch::Tensor> &reference, double bound, const QString &what)
{
    QVERIFY2(!reference.empty(), qPrintable(what + ": the reference file is empty"));
    for (const auto &[name, value] : reference) {
        const auto found = actual.find(name);
        QVERIFY2(found != actual.end(), qPrintable(what + QStringLiteral(": no \"%1\"").arg(name.c_str())));
        COMPARE_CLOSE(found->second, value, bound, what + QStringLiteral(" \"%1\"").arg(name.c_str()));
    }
}

} // namespace

class TestAmusedTraining : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { torch::set_num_threads(1); }

    // The training set as the reference read it: tokens from the VQ-GAN, caption ids and conditioning from the
    // text encoder, micro-conditioning from the sizes.
    void trainingSet_data() { addRows(); }
    void trainingSet()
    {
        QFETCH(QJsonObject, fixture);
        SKIP_IF_EMPTY(fixture);
        engine::AmusedModel &model = loadedAmused(fixture.value(QStringLiteral("model")).toString());
        const engine::StateDict reference = expected(fixture);
        const double conditioningBound = tolerance(fixture, "conditioning_max_abs");
        const EncodedSet set = encodedSet(model, fixture);
        const int side = fixture.value(QStringLiteral("resolution")).toInt();
        for (std::int64_t i = 0; i < set.tokens.size(0); ++i) {
            QVERIFY2(torch::equal(set.tokens[i].reshape({-1}), reference.at("image_tokens")[i]),
                     qPrintable(QStringLiteral("image %1's tokens").arg(i)));
            QVERIFY(torch::equal(engine::amusedTokenIds(*model.text, set.captions[std::size_t(i)])[0],
                                 reference.at("caption_input_ids")[i]));
            COMPARE_CLOSE(set.hidden[i], reference.at("encoder_hidden_states")[i], conditioningBound,
                          QStringLiteral("caption %1's hidden states").arg(i));
            COMPARE_CLOSE(set.pooled[i], reference.at("pooled_text_emb")[i], conditioningBound,
                          QStringLiteral("caption %1's pooled embedding").arg(i));
            QVERIFY(torch::equal(engine::amusedMicroConditions(side, side, {0, 0}, 6.0)[0],
                                 reference.at("micro_conds")[i]));
        }
    }

    // Each step from the recorded batch order and draws, on our own tokens and conditioning.
    void steps_data() { addRows(); }
    void steps()
    {
        QFETCH(QJsonObject, fixture);
        SKIP_IF_EMPTY(fixture);
        engine::AmusedModel &model = loadedAmused(fixture.value(QStringLiteral("model")).toString());
        const engine::StateDict reference = expected(fixture);
        const EncodedSet set = encodedSet(model, fixture);
        const torch::Tensor allTokens = set.tokens, hidden = set.hidden, pooled = set.pooled;
        const int side = fixture.value(QStringLiteral("resolution")).toInt();

        const auto parts =
            engine::readAmusedFolder(amusedFolder(fixture.value(QStringLiteral("model")).toString()).toStdString());
        engine::AmusedTrainer trainer(engine::loadAmusedTransformer(parts, torch::kCPU, torch::kFloat32)->network,
                                      settingsOf(fixture), torch::make_generator<at::CPUGeneratorImpl>(0));
        if (trainer.lora())
            trainer.lora()->load(optionalFile(fixture, "lora_init"));

        const int steps = fixture.value(QStringLiteral("steps")).toInt();
        for (int step = 1; step <= steps; ++step) {
            const std::string k = "step" + std::to_string(step) + ".";
            const QString at = QStringLiteral("step %1").arg(step);
            const torch::Tensor order = reference.at(k + "dataset_index");
            const engine::MaskedTokens masked =
                engine::maskTokens(allTokens.index_select(0, order), reference.at(k + "timestep_uniform"),
                                   reference.at(k + "mask_uniform"), parts.architecture.maskId);
            QVERIFY2(torch::equal(masked.inputIds, reference.at(k + "input_ids")), qPrintable(at + " input ids"));
            QVERIFY2(torch::equal(masked.labels, reference.at(k + "labels")), qPrintable(at + " labels"));
            QVERIFY2(torch::equal(masked.maskedCount, reference.at(k + "num_token_masked")),
                     qPrintable(at + " masked counts"));
            engine::TrainingBatch batch{
                masked.inputIds, masked.labels, hidden.index_select(0, order), pooled.index_select(0, order),
                engine::amusedMicroConditions(side, side, {0, 0}, 6.0).expand({order.size(0), 5})};
            {
                torch::NoGradGuard noGrad;
                const torch::Tensor logits = trainer.logits(batch);
                if (trainer.lora())
                    trainer.lora()->detach();
                COMPARE_CLOSE(engine::maskedTokenNll(logits, masked.labels), reference.at(k + "nll"),
                              tolerance(fixture, "nll_max_abs"), at + " per-token loss");
                COMPARE_CLOSE(engine::maskedTokenLoss(logits, masked.labels, 0.1).reshape({1}),
                              reference.at(k + "loss_label_smoothing_0.1"), tolerance(fixture, "loss_abs"),
                              at + " loss with label smoothing 0.1");
            }
            const double loss = trainer.accumulate({batch});
            QVERIFY2(
                std::abs(loss - reference.at(k + "loss").item<double>()) <= tolerance(fixture, "loss_abs"),
                qPrintable(
                    at +
                    QStringLiteral(" loss %1, reference %2").arg(loss).arg(reference.at(k + "loss").item<double>())));
            if (step == 1) {
                const auto recorded = optionalFile(fixture, trainer.lora() ? "lora_grads_step1" : "grads_step1");
                if (!recorded.empty()) {
                    const double difference = relativeGradientDifference(trainer.gradients(), recorded);
                    QVERIFY2(difference <= tolerance(fixture, "grads_max_abs_rel"),
                             qPrintable(QStringLiteral("step 1 gradients: relative difference %1").arg(difference)));
                }
            }
            const double norm = trainer.update(
                fixture.value(QStringLiteral("optimizer")).toObject().value(QStringLiteral("lr")).toDouble());
            const double referenceNorm = reference.at(k + "grad_norm").item<double>();
            QVERIFY2(std::abs(norm - referenceNorm) <= tolerance(fixture, "grad_norm_rel") * referenceNorm,
                     qPrintable(at + QStringLiteral(" gradient norm %1, reference %2").arg(norm).arg(referenceNorm)));

            const double weightBound = tolerance(fixture, "weights_max_abs");
            const std::string stepFile = "step" + std::to_string(step);
            if (trainer.lora()) {
                const auto recorded = optionalFile(fixture, ("lora_" + stepFile).c_str());
                if (!recorded.empty())
                    compareWeights(trainer.loraWeights(), recorded, weightBound, at + " LoRA");
            } else {
                const auto recorded = optionalFile(fixture, ("weights_" + stepFile).c_str());
                std::map<std::string, torch::Tensor> weights;
                for (const engine::TrainedParameter &parameter : trainer.parameters())
                    weights[parameter.name] = parameter.value.detach();
                if (!recorded.empty())
                    compareWeights(weights, recorded, weightBound, at + " weights");
            }
            if (QTest::currentTestFailed())
                return;
        }
        const auto averaged = optionalFile(fixture, "ema_step3");
        if (!averaged.empty() && steps == 3)
            compareWeights(trainer.averagedWeights(), averaged, tolerance(fixture, "weights_max_abs"),
                           QStringLiteral("average after step 3"));
    }
};

QTEST_GUILESS_MAIN(TestAmusedTraining)
#include "test_amused_training.moc"
