#pragma once

// Where the built-in nodes find and put things: the model library their loader combos list and resolve, the
// folders LoadImage reads and SaveImage writes, and the device the engine runs them on.
#include "core/generation/library_models.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <mutex>
#include <utility>

namespace atelier::nodes {

// The device and precision runs are to use, as the settings say them ("auto", "cpu", "cuda:N"; "auto", "fp32",
// "fp16", "bf16"). Shared by every copy of an environment, so that a change in the settings reaches the next run;
// resolved against the devices the engine offers when a loader runs (settings::chooseCompute's rule).
class ComputeWish
{
public:
    ComputeWish(QString device = QStringLiteral("cpu"), QString precision = QStringLiteral("fp32"))
        : m_device(std::move(device))
        , m_precision(std::move(precision))
    {}
    void set(const QString &device, const QString &precision)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_device = device;
        m_precision = precision;
    }
    // The device id and precision to load on now: "auto" resolved (loads the engine when it is not yet).
    std::pair<QString, QString> resolve() const;
    // The same as a loader's cache token: a model loaded for another device or precision is loaded again.
    QByteArray token() const
    {
        const auto [device, precision] = resolve();
        return (device + QLatin1Char('/') + precision).toUtf8();
    }

private:
    mutable std::mutex m_mutex;
    QString m_device, m_precision;
};

struct NodeEnvironment
{
    generation::ModelLibrary library;
    QString inputDir;  // LoadImage's images: <root>/input
    QString outputDir; // SaveImage: <root>/outputs
    QString tempDir;   // PreviewImage
    std::shared_ptr<ComputeWish> compute = std::make_shared<ComputeWish>();
    QStringList embeddingFolders; // besides the library's embeddings folder
};

} // namespace atelier::nodes
