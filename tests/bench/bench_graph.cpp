// Pipeline graphs: validating a 1,000-node graph, reading the largest API prompt of the corpus, the executor's cost
// per node against calling the engine's operations directly, and a second run with only the seed changed against
// the first on the tiny fixture model. Medians of repeated runs; prints figures, asserts nothing.
#include "bench_statistics.h"
#include "core/engine/client/engine_client.h"
#include "core/generation/png_image.h"
#include "core/graph/api_prompt.h"
#include "core/graph/editor_workflow.h"
#include "core/graph/executor.h"
#include "core/metadata/png_text.h"
#include "core/nodes/built_in_nodes.h"
#include "tests/graph/graph_test_support.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cstdio>
#include <functional>

using namespace atelier;

namespace {

double millisecondsOf(const std::function<void()> &work, int runs)
{
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        work();
        times.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    return median(times);
}

// LoadImage, then `inverts` ImageInvert nodes in a chain, then SaveImage.
graph::Graph invertChain(int inverts)
{
    QJsonObject prompt{{"0", QJsonObject{{"class_type", "LoadImage"}, {"inputs", QJsonObject{{"image", "in.png"}}}}}};
    for (int i = 1; i <= inverts; ++i)
        prompt[QString::number(i)] = QJsonObject{
            {"class_type", "ImageInvert"}, {"inputs", QJsonObject{{"image", QJsonArray{QString::number(i - 1), 0}}}}};
    prompt["save"] = QJsonObject{
        {"class_type", "SaveImage"},
        {"inputs", QJsonObject{{"images", QJsonArray{QString::number(inverts), 0}}, {"filename_prefix", "bench"}}}};
    return graph::readApiPrompt(QJsonDocument(prompt).toJson(QJsonDocument::Compact)).value();
}

// The largest document of a kind (`keyword`: "prompt" or "workflow") the corpus holds, in a .json file or a PNG's
// chunk, as `accepts` tells them apart.
QByteArray largestCorpusDocument(const QString &fixtures, const QString &keyword,
                                 const std::function<bool(const QByteArray &)> &accepts, QString &from)
{
    QByteArray largest;
    QDirIterator files(QDir(fixtures).filePath("corpus"), {"*.json", "*.png"}, QDir::Files,
                       QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString path = files.next();
        QByteArray candidate;
        if (path.endsWith(".png")) {
            if (const auto text = metadata::readPngTextFile(path))
                for (const metadata::TextChunk &chunk : text->chunks)
                    if (chunk.keyword == keyword)
                        candidate = chunk.text.toUtf8();
        } else if (QFile file(path); file.open(QIODevice::ReadOnly)) {
            candidate = file.readAll();
        }
        if (candidate.size() > largest.size() && accepts(candidate))
            largest = candidate, from = path;
    }
    return largest;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QString fixtures = qEnvironmentVariable("ATELIER_FIXTURES", QStringLiteral(ATELIER_DEFAULT_FIXTURES));
    QTemporaryDir root;
    nodes::NodeEnvironment environment;
    environment.inputDir = root.filePath("input");
    environment.outputDir = root.filePath("outputs");
    environment.tempDir = root.filePath("temp");
    QDir().mkpath(environment.inputDir);
    (void)generation::writePngFile(QDir(environment.inputDir).filePath("in.png"),
                                   engine::RgbImage{8, 8, std::vector<std::uint8_t>(8 * 8 * 3, 50)}, {});
    const auto registry = nodes::builtInNodes(environment);

    const graph::Graph thousand = invertChain(998);
    const double validateMs = millisecondsOf([&] { (void)graph::validate(thousand, *registry); }, 21);
    std::printf("validate 1,000 nodes: %.2f ms (target < 20 ms)\n", validateMs);

    QString from;
    const QByteArray largest = largestCorpusDocument(
        fixtures, "prompt", [](const QByteArray &json) { return bool(graph::readApiPrompt(json)); }, from);
    const double readMs = millisecondsOf([&] { (void)graph::readApiPrompt(largest); }, 21);
    std::printf("read the largest corpus API prompt (%s, %lld bytes): %.3f ms (target < 20 ms)\n",
                qPrintable(QDir(fixtures).relativeFilePath(from)), qlonglong(largest.size()), readMs);

    QString workflowFrom;
    const QByteArray workflow = largestCorpusDocument(fixtures, "workflow", graph::isEditorWorkflow, workflowFrom);
    const double workflowMs = millisecondsOf([&] { (void)graph::graphFromEditorWorkflow(workflow, *registry); }, 21);
    std::printf("load the largest corpus editor workflow (%s, %lld bytes) as a graph: %.3f ms (target < 20 ms)\n",
                qPrintable(QDir(fixtures).relativeFilePath(workflowFrom)), qlonglong(workflow.size()), workflowMs);

    // The executor against the same operations called directly, on an 8×8 image so that the operations cost little.
    constexpr int kChain = 200;
    graph::GraphExecutor executor(registry);
    const graph::Graph chain = invertChain(kChain);
    (void)executor.run(chain); // opens the engine's library
    const double executorMs = millisecondsOf(
        [&] {
            executor.clearCache();
            (void)executor.run(chain);
        },
        11);
    const double directMs = millisecondsOf(
        [&] {
            std::vector<engine::RgbImage> pixels{engine::RgbImage{8, 8, std::vector<std::uint8_t>(8 * 8 * 3, 50)}};
            engine::EngineValuePtr image =
                engine::client::runOp({"image_from_pixels", {{"images", pixels}}}).values.front();
            (void)engine::client::runOp({"mask_from_pixels", {{"images", pixels}, {"invert", true}}});
            for (int i = 0; i < kChain; ++i)
                image = engine::client::runOp({"image_invert", {{"image", image}}}).values.front();
            (void)engine::client::runOp({"image_to_pixels", {{"image", image}}});
        },
        11);
    std::printf("executor: %.2f ms for %d nodes, the operations directly %.2f ms: %.3f ms of overhead per node "
                "(target < 1 ms; the executor's figure includes validation and writing one PNG)\n",
                executorMs, kChain + 2, directMs, (executorMs - directMs) / double(kChain + 2));

    const QString checkpoint = QDir(fixtures).filePath("models/tiny-sd1/tiny-sd1.safetensors");
    std::vector<double> first, second;
    for (int i = 0; i < 5; ++i) {
        graph::GraphExecutor fresh(registry);
        QElapsedTimer timer;
        timer.start();
        const graph::RunOutcome one =
            fresh.run(graph::readApiPrompt(
                          QJsonDocument(graph_tests::txt2img(checkpoint, QStringLiteral("a cat"), 1, 8)).toJson())
                          .value());
        first.push_back(double(timer.nsecsElapsed()) / 1e6);
        timer.restart();
        const graph::RunOutcome two =
            fresh.run(graph::readApiPrompt(
                          QJsonDocument(graph_tests::txt2img(checkpoint, QStringLiteral("a cat"), 2, 8)).toJson())
                          .value());
        second.push_back(double(timer.nsecsElapsed()) / 1e6);
        if (!one.ok() || !two.ok()) {
            std::printf("the tiny model run failed: %s %s\n", qPrintable(one.message), qPrintable(two.message));
            return 1;
        }
        if (i == 0)
            for (const graph::NodeRunReport &report : two.nodes)
                std::printf("  second run, node %s %s: %s\n", qPrintable(report.nodeId), qPrintable(report.classType),
                            report.cached ? "cached" : qPrintable(report.reason));
    }
    std::printf("tiny-sd1 64x64, 8 steps: first run %.1f ms, seed changed %.1f ms (%.2fx)\n", median(first),
                median(second), median(first) / median(second));
    return 0;
}
