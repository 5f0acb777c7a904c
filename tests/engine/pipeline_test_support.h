#pragma once

// What the engine's pipeline tests share: a small run's settings, the tiny models loaded or rewritten, and a check
// that a call fails with the right error type and words.
#include "tests/engine/engine_fixtures.h"

#include "core/engine/io/safetensors_writer.h"
#include "core/engine/pipeline/sampling_run.h"

#include <QStringList>
#include <QTest>

#include <functional>
#include <map>
#include <memory>

namespace atelier::test {

inline engine::SamplingParams smallRun(const std::string &sampler, int steps)
{
    engine::SamplingParams params;
    params.prompt = "a photo of a cat";
    params.seed = 7;
    params.steps = steps;
    params.sampler = sampler;
    params.width = 64;
    params.height = 64;
    return params;
}

// Expects `call` to throw an engine error of type E whose message contains every one of `words`.
template <typename E, typename Call> void expectError(Call call, const QStringList &words)
{
    try {
        call();
    } catch (const E &error) {
        const QString message = QString::fromStdString(error.what());
        for (const QString &word : words)
            QVERIFY2(message.contains(word), qPrintable(message));
        return;
    } catch (const std::exception &error) {
        QFAIL(qPrintable(QStringLiteral("unexpected error: %1").arg(QString::fromUtf8(error.what()))));
    }
    QFAIL("no error was thrown");
}

inline std::unique_ptr<engine::StableDiffusion> load(const QString &path)
{
    engine::LoadOptions options;
    options.path = path.toStdString();
    return engine::StableDiffusion::load(options);
}

// The fixture model `model`'s single file with `edit` applied to its tensors, written to `path`.
inline QString rewrittenCheckpoint(const QString &path,
                                   const std::function<void(std::map<std::string, torch::Tensor> &)> &edit,
                                   const QString &model = QStringLiteral("tiny-sd1"))
{
    engine::StateDict weights = engine::loadWeights(modelPath(model, false).toStdString());
    edit(weights.tensors);
    engine::writeSafetensors(path.toStdString(), weights.tensors);
    return path;
}

} // namespace atelier::test
