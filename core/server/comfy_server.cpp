#include "core/server/comfy_server.h"

#include "core/engine/client/engine_client.h"
#include "core/generation/library_models.h"
#include "core/generation/png_image.h"
#include "core/graph/api_prompt.h"
#include "core/graph/editor_workflow.h"
#include "core/graph/graph_run_service.h"
#include "core/graph/validation.h"
#include "core/server/prompt_book.h"
#include "core/server/request_guard.h"
#include "core/server/served_files.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMetaEnum>
#include <QSysInfo>
#include <QUrlQuery>
#include <QUuid>
#include <QWebSocket>
#include <QtEndian>

#include <unistd.h>

#include <map>

namespace atelier::server {

namespace {

using Method = QHttpServerRequest::Method;
using Status = QHttpServerResponse::StatusCode;

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QHttpServerResponse errorResponse(const QString &message, Status status = Status::BadRequest)
{
    return QHttpServerResponse(QJsonObject{{QStringLiteral("error"), message}}, status);
}

// /prompt's answer to a body it cannot read, in the shape of its validation errors.
QHttpServerResponse invalidPrompt(const QString &message)
{
    const QJsonObject error{{QStringLiteral("type"), QStringLiteral("invalid_prompt")},
                            {QStringLiteral("message"), QStringLiteral("Cannot execute because of an invalid prompt")},
                            {QStringLiteral("details"), message},
                            {QStringLiteral("extra_info"), QJsonObject()}};
    return QHttpServerResponse(
        QJsonObject{{QStringLiteral("error"), error}, {QStringLiteral("node_errors"), QJsonObject()}},
        Status::BadRequest);
}

QJsonObject readObject(const QByteArray &body, bool *ok)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    *ok = error.error == QJsonParseError::NoError && document.isObject();
    return document.object();
}

// `handle`'s answer to the request's JSON object body, or 400 when the body is not one.
template <typename Handle> QHttpServerResponse withJsonBody(const QHttpServerRequest &request, Handle handle)
{
    bool ok = false;
    const QJsonObject body = readObject(request.body(), &ok);
    if (!ok)
        return errorResponse(QStringLiteral("the body is not a JSON object"));
    return handle(body);
}

QByteArray mimeTypeOf(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return "image/png";
    if (suffix == QLatin1String("jpg") || suffix == QLatin1String("jpeg"))
        return "image/jpeg";
    if (suffix == QLatin1String("webp"))
        return "image/webp";
    if (suffix == QLatin1String("json"))
        return "application/json";
    return "application/octet-stream";
}

bool looksLikeImage(const QByteArray &data)
{
    return data.startsWith("\x89PNG\r\n\x1a\n") || data.startsWith("\xff\xd8\xff") ||
           (data.startsWith("RIFF") && data.mid(8, 4) == "WEBP") || data.startsWith("GIF8") || data.startsWith("BM");
}

} // namespace

struct ComfyServer::Private
{
    ComfyServer *self;
    ServerOptions options;
    std::shared_ptr<const graph::NodeRegistry> registry;
    nodes::NodeEnvironment environment;
    ServedFolders folders;
    QHttpServer http;
    RequestGuard *guard = nullptr;
    std::unique_ptr<graph::RunQueue> runs;
    PromptBook book;
    std::map<QString, std::unique_ptr<QWebSocket>> clients; // by client id
    QSet<quint64> deleted;                                  // runs dropped from the queue: no history, no messages

    Private(ComfyServer *server, ServerOptions serverOptions, std::shared_ptr<const graph::NodeRegistry> nodeRegistry,
            nodes::NodeEnvironment nodeEnvironment, std::unique_ptr<graph::RunQueue> runQueue)
        : self(server)
        , options(std::move(serverOptions))
        , registry(std::move(nodeRegistry))
        , environment(std::move(nodeEnvironment))
        , folders{environment.outputDir, environment.inputDir, environment.tempDir}
        , runs(runQueue ? std::move(runQueue) : std::make_unique<graph::GraphRunService>(registry))
    {}

    // Messages ------------------------------------------------------------------------------------------------------

    void send(const QString &clientId, const QString &type, const QJsonObject &data)
    {
        const auto found = clients.find(clientId);
        if (found == clients.end())
            return;
        const QJsonObject message{{QStringLiteral("type"), type}, {QStringLiteral("data"), data}};
        found->second->sendTextMessage(QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
    }

    // A prompt's event to the client that queued it, kept in its history as ComfyUI keeps them.
    void tell(PromptEntry &entry, const QString &type, QJsonObject data, bool keep = false)
    {
        data.insert(QStringLiteral("prompt_id"), entry.promptId);
        if (keep)
            entry.messages.append(QJsonArray{type, data});
        send(entry.clientId, type, data);
    }

    QJsonObject statusData(const QString &clientId = QString()) const
    {
        QJsonObject data{{QStringLiteral("status"),
                          QJsonObject{{QStringLiteral("exec_info"),
                                       QJsonObject{{QStringLiteral("queue_remaining"), book.remaining()}}}}}};
        if (!clientId.isEmpty())
            data.insert(QStringLiteral("sid"), clientId);
        return data;
    }

    void broadcastStatus()
    {
        for (const auto &[clientId, socket] : clients)
            send(clientId, QStringLiteral("status"), statusData());
    }

    // Run events --------------------------------------------------------------------------------------------------

    void connectRuns()
    {
        QObject::connect(runs.get(), &graph::RunQueue::started, self, [this](quint64 run) {
            PromptEntry *entry = book.byRun(run);
            if (!entry)
                return;
            entry->state = PromptEntry::State::Running;
            broadcastStatus();
            tell(*entry, QStringLiteral("execution_start"), {{QStringLiteral("timestamp"), now()}}, true);
        });
        QObject::connect(
            runs.get(), &graph::RunQueue::nodeCached, self, [this](quint64 run, const graph::NodeRunReport &report) {
                if (PromptEntry *entry = book.byRun(run)) {
                    entry->executed.append(report.nodeId);
                    tell(*entry, QStringLiteral("execution_cached"),
                         {{QStringLiteral("nodes"), QJsonArray{report.nodeId}}, {QStringLiteral("timestamp"), now()}},
                         true);
                }
            });
        QObject::connect(runs.get(), &graph::RunQueue::nodeStarted, self,
                         [this](quint64 run, const QString &nodeId, const QString &) {
                             if (PromptEntry *entry = book.byRun(run))
                                 tell(*entry, QStringLiteral("executing"),
                                      {{QStringLiteral("node"), nodeId}, {QStringLiteral("display_node"), nodeId}});
                         });
        QObject::connect(runs.get(), &graph::RunQueue::nodeProgress, self,
                         [this](quint64 run, const QString &nodeId, int value, int maximum) {
                             if (PromptEntry *entry = book.byRun(run))
                                 tell(*entry, QStringLiteral("progress"),
                                      {{QStringLiteral("value"), value},
                                       {QStringLiteral("max"), maximum},
                                       {QStringLiteral("node"), nodeId}});
                         });
        QObject::connect(runs.get(), &graph::RunQueue::previewReady, self,
                         [this](quint64 run, const QString &, const engine::RgbImage &preview) {
                             if (const PromptEntry *entry = book.byRun(run))
                                 sendPreview(entry->clientId, preview);
                         });
        QObject::connect(runs.get(), &graph::RunQueue::nodeExecuted, self,
                         [this](quint64 run, const graph::NodeRunReport &report,
                                const QList<graph::OutputFile> &files) { nodeExecuted(run, report, files); });
        QObject::connect(runs.get(), &graph::RunQueue::finished, self,
                         [this](quint64 run, const graph::RunOutcome &outcome) { finished(run, outcome); });
    }

    // ComfyUI's binary preview frame: event 1 (a preview image), format 2 (PNG), then the image.
    void sendPreview(const QString &clientId, const engine::RgbImage &preview)
    {
        const auto found = clients.find(clientId);
        if (found == clients.end())
            return;
        const Result<QByteArray> png = generation::encodePng(preview);
        if (!png)
            return;
        QByteArray frame(8, '\0');
        qToBigEndian<quint32>(1, frame.data());
        qToBigEndian<quint32>(2, frame.data() + 4);
        found->second->sendBinaryMessage(frame + png.value());
    }

    void nodeExecuted(quint64 run, const graph::NodeRunReport &report, const QList<graph::OutputFile> &files)
    {
        PromptEntry *entry = book.byRun(run);
        if (!entry)
            return;
        entry->executed.append(report.nodeId);
        if (files.isEmpty())
            return;
        QJsonArray images;
        for (const graph::OutputFile &file : files)
            images.append(QJsonObject{{QStringLiteral("filename"), file.filename},
                                      {QStringLiteral("subfolder"), file.subfolder},
                                      {QStringLiteral("type"), file.type}});
        const QJsonObject output{{QStringLiteral("images"), images}};
        entry->outputs.insert(report.nodeId, output);
        tell(*entry, QStringLiteral("executed"),
             {{QStringLiteral("node"), report.nodeId},
              {QStringLiteral("display_node"), report.nodeId},
              {QStringLiteral("output"), output}});
    }

    void finished(quint64 run, const graph::RunOutcome &outcome)
    {
        PromptEntry *entry = book.byRun(run);
        if (!entry)
            return;
        if (deleted.remove(run)) {
            book.remove(entry->promptId);
            broadcastStatus();
            return;
        }
        const QJsonArray executed = QJsonArray::fromStringList(entry->executed);
        const QString classOfFailed =
            outcome.failedNode.isEmpty() ? QString() : classTypeOf(*entry, outcome.failedNode);
        switch (outcome.status) {
        case graph::RunOutcome::Status::Completed:
            tell(*entry, QStringLiteral("execution_success"), {{QStringLiteral("timestamp"), now()}}, true);
            break;
        case graph::RunOutcome::Status::Interrupted:
            tell(*entry, QStringLiteral("execution_interrupted"),
                 {{QStringLiteral("node_id"), outcome.failedNode},
                  {QStringLiteral("node_type"), classOfFailed},
                  {QStringLiteral("executed"), executed},
                  {QStringLiteral("timestamp"), now()}},
                 true);
            break;
        case graph::RunOutcome::Status::Invalid:
        case graph::RunOutcome::Status::Failed:
            tell(*entry, QStringLiteral("execution_error"),
                 {{QStringLiteral("node_id"), outcome.failedNode},
                  {QStringLiteral("node_type"), classOfFailed},
                  {QStringLiteral("executed"), executed},
                  {QStringLiteral("exception_message"), outcome.message},
                  {QStringLiteral("exception_type"), outcome.errorType},
                  {QStringLiteral("traceback"), QJsonArray()},
                  {QStringLiteral("current_inputs"), QJsonObject()},
                  {QStringLiteral("current_outputs"), QJsonObject()},
                  {QStringLiteral("timestamp"), now()}},
                 true);
            break;
        }
        // Whatever the end, as ComfyUI: no node is executing (clients that follow its examples wait for this).
        tell(*entry, QStringLiteral("executing"), {{QStringLiteral("node"), QJsonValue::Null}});
        const bool completed = outcome.status == graph::RunOutcome::Status::Completed;
        book.finish(*entry, completed ? QStringLiteral("success") : QStringLiteral("error"), completed); // last use
        broadcastStatus();
    }

    static QString classTypeOf(const PromptEntry &entry, const QString &nodeId)
    {
        return entry.prompt.value(nodeId).toObject().value(QStringLiteral("class_type")).toString();
    }

    // Routes ------------------------------------------------------------------------------------------------------

    QHttpServerResponse postPrompt(const QHttpServerRequest &request)
    {
        bool ok = false;
        const QJsonObject body = readObject(request.body(), &ok);
        if (!ok)
            return invalidPrompt(QStringLiteral("the body is not a JSON object"));
        if (!body.value(QStringLiteral("prompt")).isObject())
            return invalidPrompt(QStringLiteral("no \"prompt\" object"));
        const QJsonObject prompt = body.value(QStringLiteral("prompt")).toObject();
        Result<graph::Graph> graph = graph::readApiPrompt(QJsonDocument(prompt).toJson(QJsonDocument::Compact));
        if (!graph)
            return invalidPrompt(graph.error());
        QStringList targets;
        for (const QJsonValue &target : body.value(QStringLiteral("partial_execution_targets")).toArray())
            targets.append(target.toString());
        const graph::Graph executable = graph::executableGraph(graph.value(), *registry);
        const graph::Validation validation = graph::validate(executable, *registry, targets);
        const QJsonObject checked = validation.toJson();
        if (!validation.runnable())
            return QHttpServerResponse(checked, Status::BadRequest);

        PromptEntry entry;
        entry.promptId = body.value(QStringLiteral("prompt_id")).toString();
        if (entry.promptId.isEmpty() || book.byId(entry.promptId))
            entry.promptId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        entry.clientId = body.value(QStringLiteral("client_id")).toString();
        entry.prompt = prompt;
        entry.extraData = body.value(QStringLiteral("extra_data")).toObject();
        entry.outputsToExecute = validation.validOutputs;
        const bool front = body.value(QStringLiteral("front")).toBool();
        PromptEntry &queued = book.add(std::move(entry), front);
        if (body.value(QStringLiteral("number")).isDouble())
            queued.number = body.value(QStringLiteral("number")).toDouble();
        const QString promptId = queued.promptId;
        const double number = queued.number;

        graph::RunQueue::Submission submission;
        submission.graph = graph.value();
        submission.options.targets = validation.validOutputs;
        const QJsonValue workflow =
            queued.extraData.value(QStringLiteral("extra_pnginfo")).toObject().value(QStringLiteral("workflow"));
        submission.options.editorWorkflow = workflow.isObject()
                                                ? QJsonDocument(workflow.toObject()).toJson(QJsonDocument::Compact)
                                                : graph::editorWorkflowFromGraph(graph.value(), *registry);
        submission.previews = true;
        submission.label = QStringLiteral("prompt %1").arg(promptId);
        const quint64 run = runs->submit(std::move(submission));
        book.byId(promptId)->run = run;
        if (front)
            while (runs->moveUp(run)) {
            }
        broadcastStatus();
        return QHttpServerResponse(
            QJsonObject{{QStringLiteral("prompt_id"), promptId},
                        {QStringLiteral("number"), number},
                        {QStringLiteral("node_errors"), checked.value(QStringLiteral("node_errors"))}});
    }

    // Drops pending prompts from the queue (all, or those named); running ones are interrupted.
    void dropFromQueue(const QStringList &promptIds, bool all)
    {
        QList<quint64> dropped;
        for (const PromptEntry *entry : book.waiting())
            if (all || promptIds.contains(entry->promptId))
                dropped.append(entry->run);
        for (quint64 run : std::as_const(dropped)) {
            deleted.insert(run);
            runs->cancel(run);
        }
    }

    QHttpServerResponse postQueue(const QJsonObject &body)
    {
        QStringList ids;
        for (const QJsonValue &id : body.value(QStringLiteral("delete")).toArray())
            ids.append(id.toString());
        dropFromQueue(ids, body.value(QStringLiteral("clear")).toBool());
        return QHttpServerResponse(Status::Ok);
    }

    QHttpServerResponse postInterrupt(const QHttpServerRequest &request)
    {
        bool ok = false;
        const QJsonObject body = readObject(request.body(), &ok);
        const QString only = ok ? body.value(QStringLiteral("prompt_id")).toString() : QString();
        for (const PromptEntry *entry : book.running())
            if (only.isEmpty() || only == entry->promptId)
                runs->cancel(entry->run);
        return QHttpServerResponse(Status::Ok);
    }

    QHttpServerResponse postFree(const QJsonObject &body)
    {
        if (body.value(QStringLiteral("free_memory")).toBool() || body.value(QStringLiteral("unload_models")).toBool())
            runs->clearCache();
        if (body.value(QStringLiteral("unload_models")).toBool())
            engine::client::unloadCached({});
        return QHttpServerResponse(Status::Ok);
    }

    QHttpServerResponse postHistory(const QJsonObject &body)
    {
        if (body.value(QStringLiteral("clear")).toBool())
            book.clearHistory();
        for (const QJsonValue &id : body.value(QStringLiteral("delete")).toArray())
            if (const PromptEntry *entry = book.byId(id.toString()); entry && entry->state == PromptEntry::State::Done)
                book.remove(id.toString());
        return QHttpServerResponse(Status::Ok);
    }

    QJsonArray embeddingNames() const
    {
        QStringList names;
        if (const auto library = generation::libraryEmbeddings(environment.library))
            for (const engine::NamedEmbedding &embedding : library.value())
                names.append(QString::fromStdString(embedding.name));
        for (const QString &folder : environment.embeddingFolders)
            for (const QFileInfo &file : QDir(folder).entryInfoList(
                     {QStringLiteral("*.safetensors"), QStringLiteral("*.pt"), QStringLiteral("*.bin")}, QDir::Files))
                names.append(file.completeBaseName());
        names.removeDuplicates();
        names.sort();
        return QJsonArray::fromStringList(names);
    }

    QHttpServerResponse modelsIn(const QString &folder) const
    {
        if (folder == QLatin1String("embeddings"))
            return QHttpServerResponse(embeddingNames());
        if (folder != QLatin1String("checkpoints") && folder != QLatin1String("loras") &&
            folder != QLatin1String("vae"))
            return errorResponse(QStringLiteral("no model folder \"%1\"").arg(folder), Status::NotFound);
        return QHttpServerResponse(QJsonArray::fromStringList(registry->options(folder)));
    }

    QHttpServerResponse systemStats() const
    {
        const qint64 page = sysconf(_SC_PAGESIZE);
        QJsonArray devices;
        for (const engine::DeviceInfo &device : engine::client::availableDevices())
            devices.append(
                QJsonObject{{QStringLiteral("name"), QString::fromStdString(device.name)},
                            {QStringLiteral("type"),
                             device.kind == engine::DeviceKind::Cuda ? QStringLiteral("cuda") : QStringLiteral("cpu")},
                            {QStringLiteral("index"), device.index},
                            {QStringLiteral("vram_total"), 0},
                            {QStringLiteral("vram_free"), 0},
                            {QStringLiteral("torch_vram_total"), 0},
                            {QStringLiteral("torch_vram_free"), 0}});
        const QJsonObject system{
            {QStringLiteral("os"), QSysInfo::productType()},
            {QStringLiteral("ram_total"), qint64(sysconf(_SC_PHYS_PAGES)) * page},
            {QStringLiteral("ram_free"), qint64(sysconf(_SC_AVPHYS_PAGES)) * page},
            {QStringLiteral("comfyui_version"), QStringLiteral("atelier-" ATELIER_VERSION)},
            {QStringLiteral("python_version"), QString()},
            {QStringLiteral("pytorch_version"), QString::fromStdString(engine::client::libtorchVersion())},
            {QStringLiteral("embedded_python"), false},
            {QStringLiteral("argv"), QJsonArray{QStringLiteral("atelier"), QStringLiteral("serve")}}};
        return QHttpServerResponse(
            QJsonObject{{QStringLiteral("system"), system}, {QStringLiteral("devices"), devices}});
    }

    QHttpServerResponse view(const QHttpServerRequest &request) const
    {
        const QUrlQuery query = request.query();
        const Result<QString> file =
            servedFile(folders, query.queryItemValue(QStringLiteral("type"), QUrl::FullyDecoded),
                       query.queryItemValue(QStringLiteral("subfolder"), QUrl::FullyDecoded),
                       query.queryItemValue(QStringLiteral("filename"), QUrl::FullyDecoded));
        if (!file)
            return errorResponse(file.error(), file.error().startsWith(QLatin1String("no file")) ? Status::NotFound
                                                                                                 : Status::Forbidden);
        QFile opened(file.value());
        if (!opened.open(QIODevice::ReadOnly))
            return errorResponse(QStringLiteral("cannot read the file"), Status::NotFound);
        return QHttpServerResponse(mimeTypeOf(file.value()), opened.readAll());
    }

    QHttpServerResponse uploadImage(const QHttpServerRequest &request)
    {
        const Result<QList<FormPart>> parts = parseMultipart(request.value("Content-Type"), request.body());
        if (!parts)
            return errorResponse(parts.error());
        const FormPart *image = nullptr;
        QString subfolder, type = QStringLiteral("input");
        bool overwrite = false;
        for (const FormPart &part : parts.value()) {
            if (part.name == QLatin1String("image"))
                image = &part;
            else if (part.name == QLatin1String("subfolder"))
                subfolder = QString::fromUtf8(part.data);
            else if (part.name == QLatin1String("type") && !part.data.isEmpty())
                type = QString::fromUtf8(part.data);
            else if (part.name == QLatin1String("overwrite"))
                overwrite = part.data == "true" || part.data == "1";
        }
        if (!image)
            return errorResponse(QStringLiteral("no \"image\" field"));
        if (!looksLikeImage(image->data))
            return errorResponse(QStringLiteral("the upload is not a PNG, JPEG, WebP, GIF or BMP image"));
        const QString name = safeFileName(image->fileName);
        if (name.isEmpty())
            return errorResponse(QStringLiteral("the upload has no usable file name"));
        const Result<QString> folder = uploadFolder(folders, type, subfolder);
        if (!folder)
            return errorResponse(folder.error(), Status::Forbidden);
        // As ComfyUI: without overwrite, an existing name gets " (1)", " (2)" ... before its suffix.
        QString stored = name;
        const QFileInfo named(name);
        for (int i = 1; !overwrite && QFileInfo::exists(QDir(folder.value()).filePath(stored)); ++i)
            stored = QStringLiteral("%1 (%2)%3")
                         .arg(named.completeBaseName())
                         .arg(i)
                         .arg(named.suffix().isEmpty() ? QString() : QLatin1Char('.') + named.suffix());
        QFile out(QDir(folder.value()).filePath(stored));
        if (!out.open(QIODevice::WriteOnly) || out.write(image->data) != image->data.size())
            return errorResponse(QStringLiteral("cannot write the upload: %1").arg(out.errorString()),
                                 Status::InternalServerError);
        return QHttpServerResponse(QJsonObject{{QStringLiteral("name"), stored},
                                               {QStringLiteral("subfolder"), subfolder},
                                               {QStringLiteral("type"), type}});
    }

    void addRoutes()
    {
        http.route(QStringLiteral("/prompt"), Method::Post,
                   [this](const QHttpServerRequest &request) { return postPrompt(request); });
        http.route(QStringLiteral("/prompt"), Method::Get,
                   [this] { return QHttpServerResponse(statusData().value(QStringLiteral("status")).toObject()); });
        http.route(QStringLiteral("/queue"), Method::Get, [this] { return QHttpServerResponse(book.queueJson()); });
        http.route(QStringLiteral("/queue"), Method::Post, [this](const QHttpServerRequest &request) {
            return withJsonBody(request, [this](const QJsonObject &body) { return postQueue(body); });
        });
        http.route(QStringLiteral("/interrupt"), Method::Post,
                   [this](const QHttpServerRequest &request) { return postInterrupt(request); });
        http.route(QStringLiteral("/free"), Method::Post, [this](const QHttpServerRequest &request) {
            return withJsonBody(request, [this](const QJsonObject &body) { return postFree(body); });
        });
        http.route(QStringLiteral("/history"), Method::Get, [this](const QHttpServerRequest &request) {
            bool number = false;
            const int maxItems = request.query().queryItemValue(QStringLiteral("max_items")).toInt(&number);
            return QHttpServerResponse(book.historyJson(number ? std::optional<int>(maxItems) : std::nullopt));
        });
        http.route(QStringLiteral("/history/<arg>"), Method::Get,
                   [this](const QString &promptId) { return QHttpServerResponse(book.historyOf(promptId)); });
        http.route(QStringLiteral("/history"), Method::Post, [this](const QHttpServerRequest &request) {
            return withJsonBody(request, [this](const QJsonObject &body) { return postHistory(body); });
        });
        http.route(QStringLiteral("/object_info"), Method::Get,
                   [this] { return QHttpServerResponse(registry->objectInfo()); });
        http.route(QStringLiteral("/object_info/<arg>"), Method::Get, [this](const QString &classType) {
            const QJsonObject all = registry->objectInfo();
            return QHttpServerResponse(all.contains(classType) ? QJsonObject{{classType, all.value(classType)}}
                                                               : QJsonObject());
        });
        http.route(QStringLiteral("/system_stats"), Method::Get, [this] { return systemStats(); });
        http.route(QStringLiteral("/embeddings"), Method::Get,
                   [this] { return QHttpServerResponse(embeddingNames()); });
        http.route(QStringLiteral("/models"), Method::Get, [] {
            return QHttpServerResponse(QJsonArray{QStringLiteral("checkpoints"), QStringLiteral("embeddings"),
                                                  QStringLiteral("loras"), QStringLiteral("vae")});
        });
        http.route(QStringLiteral("/models/<arg>"), Method::Get,
                   [this](const QString &folder) { return modelsIn(folder); });
        http.route(QStringLiteral("/view"), Method::Get,
                   [this](const QHttpServerRequest &request) { return view(request); });
        http.route(QStringLiteral("/upload/image"), Method::Post,
                   [this](const QHttpServerRequest &request) { return uploadImage(request); });
        http.route(QStringLiteral("/features"), Method::Get, [this] {
            return QHttpServerResponse(QJsonObject{{QStringLiteral("supports_preview_metadata"), false},
                                                   {QStringLiteral("max_upload_size"), options.maxUploadBytes}});
        });
        // The WebSocket handshake: accepted here without an answer, the socket then goes to acceptSockets.
        http.route(QStringLiteral("/ws"), Method::Get,
                   [](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                       if (request.value("Upgrade").toLower() != "websocket")
                           responder.write(
                               QJsonDocument(QJsonObject{
                                   {QStringLiteral("error"), QStringLiteral("/ws takes WebSocket connections")}}),
                               QHttpServerResponder::StatusCode::BadRequest);
                   });
        http.afterRequest([this](QHttpServerResponse &&response, const QHttpServerRequest &request) {
            if (!options.corsOrigin.isEmpty())
                response.addHeader("Access-Control-Allow-Origin", options.corsOrigin.toUtf8());
            emit self->logged(
                QStringLiteral("%1 %2 %3")
                    .arg(QString::fromLatin1(QMetaEnum::fromType<Method>().valueToKey(int(request.method()))).toUpper(),
                         request.url().path())
                    .arg(int(response.statusCode())));
            return std::move(response);
        });
    }

    // WebSockets --------------------------------------------------------------------------------------------------

    void acceptSockets()
    {
        while (http.hasPendingWebSocketConnections()) {
            std::unique_ptr<QWebSocket> socket = http.nextPendingWebSocketConnection();
            if (!socket)
                continue;
            const QUrl url = socket->requestUrl();
            if (url.path() != QLatin1String("/ws")) {
                socket->close(QWebSocketProtocol::CloseCodeBadOperation, QStringLiteral("WebSockets are on /ws"));
                continue;
            }
            QString clientId = QUrlQuery(url).queryItemValue(QStringLiteral("clientId"), QUrl::FullyDecoded);
            if (clientId.isEmpty() || clientId.size() > 200)
                clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
            // The server reads nothing from clients: their messages are kept small.
            socket->setMaxAllowedIncomingFrameSize(64 * 1024);
            socket->setMaxAllowedIncomingMessageSize(64 * 1024);
            QWebSocket *raw = socket.get();
            // A client reconnecting under its id replaces its old socket.
            clients[clientId] = std::move(socket);
            QObject::connect(raw, &QWebSocket::disconnected, self, [this, raw, clientId] {
                const auto found = clients.find(clientId);
                if (found != clients.end() && found->second.get() == raw) {
                    found->second.release()->deleteLater();
                    clients.erase(found);
                    emit self->logged(QStringLiteral("client %1 left").arg(clientId));
                }
            });
            emit self->logged(QStringLiteral("client %1 connected").arg(clientId));
            send(clientId, QStringLiteral("status"), statusData(clientId));
        }
    }
};

ComfyServer::ComfyServer(ServerOptions options, std::shared_ptr<const graph::NodeRegistry> registry,
                         nodes::NodeEnvironment environment, std::unique_ptr<graph::RunQueue> runs, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, std::move(options), std::move(registry), std::move(environment),
                                  std::move(runs)))
{
    d->connectRuns();
    d->addRoutes();
    connect(&d->http, &QAbstractHttpServer::newWebSocketConnection, this, [this] { d->acceptSockets(); });
}

ComfyServer::~ComfyServer()
{
    d->runs->cancelAll();
    // A socket closing as it is destroyed says so: it must not find the map it is being removed from.
    auto clients = std::move(d->clients);
    for (auto &[clientId, socket] : clients)
        socket->disconnect(this);
}

Result<quint16> ComfyServer::listen()
{
    GuardLimits limits;
    limits.maxBodyBytes = d->options.maxUploadBytes;
    limits.maxConnections = d->options.maxConnections;
    limits.headTimeoutMs = d->options.headTimeoutMs;
    limits.token = d->options.token.toUtf8();
    limits.corsOrigin = d->options.corsOrigin.toUtf8();
    d->guard = new RequestGuard(limits, this);
    if (!d->guard->listen(d->options.address, d->options.port))
        return Result<quint16>::failure(QStringLiteral("cannot listen on %1:%2: %3")
                                            .arg(d->options.address.toString())
                                            .arg(d->options.port)
                                            .arg(d->guard->errorString()));
    d->http.bind(d->guard);
    for (const QString &folder : {d->folders.output, d->folders.input, d->folders.temp})
        QDir().mkpath(folder);
    return d->guard->serverPort();
}

int ComfyServer::openConnections() const
{
    return d->guard ? d->guard->openConnections() : 0;
}

} // namespace atelier::server
