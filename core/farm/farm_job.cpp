#include "core/farm/farm_job.h"

#include <nlohmann/json.hpp>

#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

namespace atelier::farm {

using json = nlohmann::json;

namespace {

QString textOf(const json &object, const char *key)
{
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? QString::fromStdString(found->get<std::string>()) : QString();
}

} // namespace

bool isFarmJobId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$"));
    return pattern.match(id).hasMatch();
}

QString shareableSource(const QString &source)
{
    QUrl url(source, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")) ||
        url.host().isEmpty())
        return {};
    url.setUserInfo(QString());
    QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems()) {
        const QString lower = key.toLower();
        for (const char *secret : {"token", "sig", "key", "auth", "credential", "x-amz", "session", "expires"})
            if (lower.contains(QLatin1String(secret))) {
                query.removeAllQueryItems(key);
                break;
            }
    }
    url.setQuery(query);
    return url.toString();
}

QString farmImageName(const QString &jobId, int index)
{
    return QStringLiteral("%1_%2.png").arg(jobId).arg(index, 5, 10, QLatin1Char('0'));
}

QByteArray FarmJob::toJson() const
{
    json models = json::array();
    for (const FarmModelReference &model : this->models)
        models.push_back({{"node", model.node.toStdString()},
                          {"input", model.input.toStdString()},
                          {"name", model.name.toStdString()},
                          {"sha256", model.sha256.toStdString()},
                          {"source", model.source.toStdString()}});
    json document{{"format", "atelier-farm-job"},
                  {"version", 1},
                  {"id", id.toStdString()},
                  {"label", label.toStdString()},
                  {"graph", json::parse(graph.toStdString(), nullptr, false)},
                  {"models", models}};
    if (!targets.isEmpty()) {
        json nodeIds = json::array();
        for (const QString &target : targets)
            nodeIds.push_back(target.toStdString());
        document["targets"] = nodeIds;
    }
    if (json editorWorkflow = json::parse(workflow.toStdString(), nullptr, false); editorWorkflow.is_object())
        document["workflow"] = std::move(editorWorkflow);
    return QByteArray::fromStdString(document.dump());
}

Result<FarmJob> FarmJob::fromJson(const QByteArray &bytes)
{
    using Failure = Result<FarmJob>;
    if (bytes.size() > kMaxBytes)
        return Failure::failure(QStringLiteral("the job is %1 MB, more than a job may be (%2 MB)")
                                    .arg(bytes.size() / (1024 * 1024))
                                    .arg(kMaxBytes / (1024 * 1024)),
                                QStringLiteral("MalformedJob"));
    const json document = json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
    if (!document.is_object() || document.value("format", json()) != "atelier-farm-job")
        return Failure::failure(QStringLiteral("the message is not an Atelier farm job"),
                                QStringLiteral("MalformedJob"));
    if (!document.value("version", json()).is_number_integer() || document["version"].get<int>() != 1)
        return Failure::failure(QStringLiteral("the job's version is not one this worker reads (1)"),
                                QStringLiteral("MalformedJob"));
    FarmJob job;
    job.id = textOf(document, "id");
    if (!isFarmJobId(job.id))
        return Failure::failure(QStringLiteral("the job's id must be 1 to 80 letters, digits, '-' or '_'"),
                                QStringLiteral("MalformedJob"));
    job.label = textOf(document, "label").left(200);
    const auto graph = document.find("graph");
    if (graph == document.end() || !graph->is_object() || graph->empty())
        return Failure::failure(QStringLiteral("job %1 carries no graph").arg(job.id), QStringLiteral("MalformedJob"));
    job.graph = QByteArray::fromStdString(graph->dump());
    const auto models = document.find("models");
    if (models != document.end()) {
        if (!models->is_array() || models->size() > 64)
            return Failure::failure(QStringLiteral("job %1: \"models\" must be a list of at most 64").arg(job.id),
                                    QStringLiteral("MalformedJob"));
        for (const json &entry : *models) {
            if (!entry.is_object())
                return Failure::failure(QStringLiteral("job %1: a model reference is not an object").arg(job.id),
                                        QStringLiteral("MalformedJob"));
            job.models.append({textOf(entry, "node"), textOf(entry, "input"), textOf(entry, "name"),
                               textOf(entry, "sha256").toLower(), textOf(entry, "source")});
        }
    }
    if (const auto targets = document.find("targets"); targets != document.end()) {
        const auto isNodeOfGraph = [&](const json &target) { return target.is_string() && graph->contains(target); };
        if (!targets->is_array() || targets->size() > 1000 ||
            !std::all_of(targets->begin(), targets->end(), isNodeOfGraph))
            return Failure::failure(
                QStringLiteral("job %1: \"targets\" must be a list of the graph's node ids").arg(job.id),
                QStringLiteral("MalformedJob"));
        for (const json &target : *targets)
            job.targets.append(QString::fromStdString(target.get<std::string>()));
    }
    if (const auto workflow = document.find("workflow"); workflow != document.end() && !workflow->is_null()) {
        if (!workflow->is_object())
            return Failure::failure(QStringLiteral("job %1: \"workflow\" is not a JSON object").arg(job.id),
                                    QStringLiteral("MalformedJob"));
        job.workflow = QByteArray::fromStdString(workflow->dump());
    }
    return job;
}

FarmKeys::FarmKeys(const QString &prefix)
    : m_prefix(prefix.isEmpty() ? QByteArray("atelier") : prefix.toUtf8())
{}

} // namespace atelier::farm
