#include "app/graph_arguments.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace atelier::app {

Result<graph::GraphSource> loadGraphFile(const QString &path, const graph::NodeRegistry &registry)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<graph::GraphSource>::failure(
            QStringLiteral("%1: cannot be read (%2)").arg(path, file.errorString()));
    if (file.size() > 64ll * 1024 * 1024)
        return Result<graph::GraphSource>::failure(QStringLiteral("%1: larger than a graph can be (64 MB)").arg(path));
    const QByteArray bytes = file.readAll();
    Result<graph::GraphSource> source = bytes.startsWith("\x89PNG") ? graph::graphFromImage(bytes, registry)
                                                                    : graph::graphFromDocument(bytes, registry);
    if (!source)
        return Result<graph::GraphSource>::failure(QStringLiteral("%1: %2").arg(path, source.error()));
    return source;
}

Status applySetting(graph::Graph &graph, const QString &setting)
{
    const int equals = setting.indexOf(QLatin1Char('='));
    const int dot = setting.left(equals).indexOf(QLatin1Char('.'));
    if (equals < 0 || dot <= 0 || dot + 1 >= equals)
        return Status::failure(QStringLiteral("--set %1: expected NODE.INPUT=VALUE").arg(setting));
    const QString nodeId = setting.left(dot), inputName = setting.mid(dot + 1, equals - dot - 1);
    const QString valueText = setting.mid(equals + 1);
    for (graph::GraphNode &node : graph.nodes) {
        if (node.id != nodeId)
            continue;
        const QJsonDocument parsed = QJsonDocument::fromJson("[" + valueText.toUtf8() + "]");
        const bool json = parsed.isArray() && parsed.array().size() == 1 && !parsed.array().at(0).isArray() &&
                          !parsed.array().at(0).isObject();
        const graph::GraphValue value =
            json ? graph::GraphValue::fromJsonText(valueText.trimmed().toUtf8()) : graph::GraphValue::text(valueText);
        for (graph::NodeInput &input : node.inputs)
            if (input.name == inputName) {
                input.value = value;
                input.link.reset();
                return {};
            }
        node.inputs.append({inputName, value, std::nullopt});
        return {};
    }
    return Status::failure(QStringLiteral("--set %1: the graph has no node %2").arg(setting, nodeId));
}

} // namespace atelier::app
