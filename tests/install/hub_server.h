#pragma once

// Model hubs on 127.0.0.1 for installer tests: routes shaped like Hugging Face's (GET /api/models/{repo}?blobs=true,
// /{repo}/resolve/main/{path}) and Civitai's (GET /api/v1/models/{id}, /api/v1/model-versions/{id},
// /api/download/models/{version} redirecting to storage with Content-Disposition), on the fault server.

#include "tests/fault_server.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>

class HubServer
{
public:
    FaultServer hub;                                                   // Hugging Face: the API and resolve host
    FaultServer civitai{QHostAddress(QStringLiteral("127.0.0.3"))};    // Civitai: its API and download links
    FaultServer storage{QHostAddress(QStringLiteral("127.0.0.2"))};    // where Civitai's downloads redirect

    QUrl endpoint() const { return hub.url(""); }
    QUrl civitaiEndpoint() const { return civitai.url(""); }

    // A Hugging Face repo: its files (path -> bytes), served at resolve/main, and its model info.
    void addRepo(const QString &repoId, const QMap<QString, QByteArray> &files, const QByteArray &requiredToken = QByteArray(),
                 const QStringList &tags = {})
    {
        QJsonArray siblings;
        for (auto it = files.cbegin(); it != files.cend(); ++it) {
            const bool large = it.key().endsWith(QLatin1String(".safetensors")) || it.key().endsWith(QLatin1String(".ckpt"))
                || it.key().endsWith(QLatin1String(".bin"));
            QJsonObject sibling{{QStringLiteral("rfilename"), it.key()}, {QStringLiteral("size"), double(it.value().size())},
                                {QStringLiteral("blobId"), QString::fromLatin1(QCryptographicHash::hash(it.value(), QCryptographicHash::Sha1).toHex())}};
            if (large)
                sibling.insert(QStringLiteral("lfs"),
                               QJsonObject{{QStringLiteral("sha256"), QString::fromLatin1(QCryptographicHash::hash(it.value(), QCryptographicHash::Sha256).toHex())},
                                           {QStringLiteral("size"), double(it.value().size())},
                                           {QStringLiteral("pointerSize"), 134}});
            siblings.append(sibling);
            FaultRoute route;
            route.body = it.value();
            route.requiredToken = requiredToken;
            route.etag = "\"" + QCryptographicHash::hash(it.value(), QCryptographicHash::Sha1).toHex() + "\"";
            hub.setRoute(QStringLiteral("/%1/resolve/main/%2").arg(repoId, it.key()).toUtf8(), route);
        }
        const QJsonObject info{
            {QStringLiteral("_id"), QStringLiteral("64b7f1c2a1b2c3d4e5f60718")},
            {QStringLiteral("id"), repoId},
            {QStringLiteral("modelId"), repoId},
            {QStringLiteral("author"), repoId.section(QLatin1Char('/'), 0, 0)},
            {QStringLiteral("sha"), QStringLiteral("39593d5650112b4cc580433f6b0435385882d819")},
            {QStringLiteral("lastModified"), QStringLiteral("2024-11-05T10:12:54.000Z")},
            {QStringLiteral("private"), false},
            {QStringLiteral("gated"), requiredToken.isEmpty() ? QJsonValue(false) : QJsonValue(QStringLiteral("auto"))},
            {QStringLiteral("disabled"), false},
            {QStringLiteral("downloads"), 1234},
            {QStringLiteral("likes"), 56},
            {QStringLiteral("library_name"), QStringLiteral("diffusers")},
            {QStringLiteral("pipeline_tag"), QStringLiteral("text-to-image")},
            {QStringLiteral("tags"), QJsonArray::fromStringList(tags)},
            {QStringLiteral("cardData"), QJsonObject{{QStringLiteral("license"), QStringLiteral("creativeml-openrail-m")},
                                                     {QStringLiteral("tags"), QJsonArray{QStringLiteral("stable-diffusion")}}}},
            {QStringLiteral("siblings"), siblings},
            {QStringLiteral("createdAt"), QStringLiteral("2022-10-20T12:04:48.000Z")},
        };
        FaultRoute api;
        api.body = QJsonDocument(info).toJson(QJsonDocument::Compact);
        api.headers << qMakePair(QByteArray("Content-Type"), QByteArray("application/json"));
        hub.setRoute(QStringLiteral("/api/models/%1").arg(repoId).toUtf8(), api);
    }

    // A Civitai model with one version and its primary file, served through a redirect to storage with a
    // Content-Disposition name, and a cover image.
    void addCivitaiModel(qint64 modelId, qint64 versionId, const QString &fileName, const QByteArray &file, const QByteArray &cover)
    {
        const QString download = civitai.url(QStringLiteral("/api/download/models/%1").arg(versionId).toUtf8()).toString();
        const QJsonObject primary{
            {QStringLiteral("id"), double(versionId * 10)},
            {QStringLiteral("name"), fileName},
            {QStringLiteral("sizeKB"), double(file.size()) / 1024.0},
            {QStringLiteral("type"), QStringLiteral("Model")},
            {QStringLiteral("primary"), true},
            {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("format"), QStringLiteral("SafeTensor")}, {QStringLiteral("fp"), QStringLiteral("fp16")}}},
            {QStringLiteral("hashes"), QJsonObject{{QStringLiteral("AutoV2"), QString::fromLatin1(QCryptographicHash::hash(file, QCryptographicHash::Sha256).toHex().left(10)).toUpper()},
                                                   {QStringLiteral("SHA256"), QString::fromLatin1(QCryptographicHash::hash(file, QCryptographicHash::Sha256).toHex()).toUpper()}}},
            {QStringLiteral("downloadUrl"), download},
        };
        const QJsonObject version{
            {QStringLiteral("id"), double(versionId)},
            {QStringLiteral("modelId"), double(modelId)},
            {QStringLiteral("name"), QStringLiteral("v1.0")},
            {QStringLiteral("createdAt"), QStringLiteral("2023-05-09T15:02:09.543Z")},
            {QStringLiteral("updatedAt"), QStringLiteral("2023-05-10T08:00:00.000Z")},
            {QStringLiteral("baseModel"), QStringLiteral("SD 1.5")},
            {QStringLiteral("trainedWords"), QJsonArray{QStringLiteral("add_detail"), QStringLiteral("detailed")}},
            {QStringLiteral("files"), QJsonArray{primary}},
            {QStringLiteral("images"), QJsonArray{QJsonObject{{QStringLiteral("url"), civitai.url("/images/cover.png").toString()},
                                                              {QStringLiteral("type"), QStringLiteral("image")},
                                                              {QStringLiteral("width"), 512},
                                                              {QStringLiteral("height"), 768},
                                                              {QStringLiteral("nsfwLevel"), 1}}}},
            {QStringLiteral("downloadUrl"), download},
        };
        const QJsonObject model{
            {QStringLiteral("id"), double(modelId)},
            {QStringLiteral("name"), QStringLiteral("Detail Tweaker LoRA")},
            {QStringLiteral("description"), QStringLiteral("<p>Adds or removes <strong>detail</strong> &amp; texture.</p><p>Weight -1 to 1.</p>")},
            {QStringLiteral("type"), QStringLiteral("LORA")},
            {QStringLiteral("nsfw"), false},
            {QStringLiteral("tags"), QJsonArray{QStringLiteral("detail"), QStringLiteral("tool")}},
            {QStringLiteral("creator"), QJsonObject{{QStringLiteral("username"), QStringLiteral("lenstest")}}},
            {QStringLiteral("modelVersions"), QJsonArray{version}},
        };
        FaultRoute modelRoute;
        modelRoute.body = QJsonDocument(model).toJson(QJsonDocument::Compact);
        civitai.setRoute(QStringLiteral("/api/v1/models/%1").arg(modelId).toUtf8(), modelRoute);
        QJsonObject versionAnswer = version;
        versionAnswer.insert(QStringLiteral("model"), QJsonObject{{QStringLiteral("name"), model.value(QStringLiteral("name"))},
                                                                  {QStringLiteral("type"), QStringLiteral("LORA")},
                                                                  {QStringLiteral("nsfw"), false}});
        FaultRoute versionRoute;
        versionRoute.body = QJsonDocument(versionAnswer).toJson(QJsonDocument::Compact);
        civitai.setRoute(QStringLiteral("/api/v1/model-versions/%1").arg(versionId).toUtf8(), versionRoute);
        // Civitai answers a file's hash (either form, any case) with the version it belongs to.
        const QByteArray sha256 = QCryptographicHash::hash(file, QCryptographicHash::Sha256).toHex().toUpper();
        civitai.setRoute("/api/v1/model-versions/by-hash/" + sha256, versionRoute);
        civitai.setRoute("/api/v1/model-versions/by-hash/" + sha256.left(10), versionRoute);

        const QByteArray signedPath = "/civitai-files/" + QByteArray::number(versionId);
        FaultRoute redirect;
        redirect.redirectTo = storage.url(signedPath).toEncoded();
        civitai.setRoute(QStringLiteral("/api/download/models/%1").arg(versionId).toUtf8(), redirect);
        FaultRoute stored;
        stored.body = file;
        stored.headers << qMakePair(QByteArray("Content-Disposition"), "attachment; filename=\"" + fileName.toUtf8() + "\"");
        storage.setRoute(signedPath, stored);
        FaultRoute image;
        image.body = cover;
        civitai.setRoute("/images/cover.png", image);
    }
};
