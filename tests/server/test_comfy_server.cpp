// `atelier serve` on a free loopback port, driven as ComfyUI's clients drive ComfyUI: real HTTP requests
// (QNetworkAccessManager, curl) and WebSockets (QWebSocket). A txt2img prompt on the tiny fixture model sends every
// message in order and its image comes back from /view as the fixture's; validation errors come in ComfyUI's shape;
// a run is interrupted; 20 prompts from 4 clients reach only their own clients; hostile requests are refused.
#include "core/server/comfy_server.h"
#include "tests/graph/graph_test_support.h"
#include "tests/image_difference.h"

#include <QBuffer>
#include <QEventLoop>
#include <QHttpMultiPart>
#include <QImage>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>
#include <QWebSocket>

using namespace atelier;
using namespace graph_tests;

namespace {

struct Reply
{
    int status = 0;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// One client's WebSocket and what it received, text messages parsed.
struct Client
{
    QWebSocket socket;
    QList<QJsonObject> messages;
    QList<QByteArray> frames;

    explicit Client(const QUrl &url)
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, [this](const QString &text) {
            messages.append(QJsonDocument::fromJson(text.toUtf8()).object());
        });
        QObject::connect(&socket, &QWebSocket::binaryMessageReceived,
                         [this](const QByteArray &frame) { frames.append(frame); });
        socket.open(url);
    }
    // The types of the messages about `promptId`, in order.
    QStringList typesFor(const QString &promptId) const
    {
        QStringList types;
        for (const QJsonObject &message : messages)
            if (message.value("data").toObject().value("prompt_id").toString() == promptId)
                types.append(message.value("type").toString());
        return types;
    }
    bool has(const QString &type, const QString &promptId) const { return typesFor(promptId).contains(type); }
};

QJsonObject fixtureCase(const QString &id)
{
    QFile index(fixture(QStringLiteral("index.json")));
    if (!index.open(QIODevice::ReadOnly))
        return {};
    for (const QJsonValue &entry : QJsonDocument::fromJson(index.readAll()).object().value("cases").toArray())
        if (entry.toObject().value("id").toString() == id)
            return entry.toObject();
    return {};
}

} // namespace

class TestComfyServer : public QObject
{
    Q_OBJECT

    std::unique_ptr<TinyRoot> m_root;
    std::unique_ptr<server::ComfyServer> m_server;
    QNetworkAccessManager m_network;
    quint16 m_port = 0;

    QUrl url(const QString &path, const QString &scheme = QStringLiteral("http")) const
    {
        return QUrl(QStringLiteral("%1://127.0.0.1:%2%3").arg(scheme).arg(m_port).arg(path));
    }

    Reply finish(QNetworkReply *reply)
    {
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        Reply result{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
        reply->deleteLater();
        return result;
    }
    Reply get(const QString &path) { return finish(m_network.get(QNetworkRequest(url(path)))); }
    Reply post(const QString &path, const QByteArray &body)
    {
        QNetworkRequest request(url(path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        return finish(m_network.post(request, body));
    }
    Reply post(const QString &path, const QJsonObject &body)
    {
        return post(path, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    QJsonObject txt2imgFor(const QJsonObject &sample, int steps = -1, qint64 seed = -1)
    {
        return txt2img(
            checkpointOf(sample.value("model").toString()), sample.value("prompt").toString(),
            seed >= 0 ? seed : sample.value("seed").toInteger(), steps > 0 ? steps : sample.value("steps").toInt(),
            sample.value("cfg").toDouble(), sample.value("sampler").toString(), sample.value("scheduler").toString(),
            sample.value("width").toInt(), sample.value("height").toInt(), sample.value("negative").toString());
    }

    std::unique_ptr<Client> connectClient(const QString &clientId)
    {
        auto client = std::make_unique<Client>(url(QStringLiteral("/ws?clientId=") + clientId, QStringLiteral("ws")));
        QSignalSpy connected(&client->socket, &QWebSocket::connected);
        if (client->socket.state() != QAbstractSocket::ConnectedState)
            connected.wait(5000);
        // The first message is the queue's status, with the client's id.
        for (int waited = 0; client->messages.isEmpty() && waited < 5000; waited += 20)
            QTest::qWait(20);
        return client;
    }

private slots:
    void init()
    {
        m_root = std::make_unique<TinyRoot>();
        QVERIFY(m_root->addTinyModel(QString()));
        server::ServerOptions options;
        options.port = 0;
        options.maxUploadBytes = 4 * 1024 * 1024;
        m_server = std::make_unique<server::ComfyServer>(options, m_root->registry, m_root->environment);
        const Result<quint16> port = m_server->listen();
        QVERIFY2(port, qPrintable(port.error()));
        m_port = port.value();
    }
    void cleanup()
    {
        m_server.reset();
        m_root.reset();
    }

    void txt2imgSendsEveryMessageInOrderAndTheImageComesBack()
    {
        const QJsonObject sample = fixtureCase(QStringLiteral("tiny-sd1.txt2img.euler.normal.s42"));
        QVERIFY(!sample.isEmpty());
        const auto client = connectClient(QStringLiteral("artist"));
        const QJsonObject status = client->messages.first();
        QCOMPARE(status.value("type").toString(), QStringLiteral("status"));
        QCOMPARE(status.value("data").toObject().value("sid").toString(), QStringLiteral("artist"));

        // Clients pick models by the names object_info lists.
        const QJsonArray checkpoints = get(QStringLiteral("/object_info/CheckpointLoaderSimple"))
                                           .json()[QLatin1String("CheckpointLoaderSimple")][QLatin1String("input")]
                                                  [QLatin1String("required")][QLatin1String("ckpt_name")][0]
                                           .toArray();
        QVERIFY2(checkpoints.contains(QStringLiteral("tiny-sd1.safetensors")),
                 QJsonDocument(checkpoints).toJson().constData());
        QVERIFY(get(QStringLiteral("/models/checkpoints")).body.contains("tiny-sd1.safetensors"));

        QJsonObject prompt = txt2imgFor(sample);
        prompt =
            withInput(prompt, QStringLiteral("4"), QStringLiteral("ckpt_name"), QStringLiteral("tiny-sd1.safetensors"));
        const Reply queued = post(QStringLiteral("/prompt"), QJsonObject{{"prompt", prompt}, {"client_id", "artist"}});
        QCOMPARE(queued.status, 200);
        const QString promptId = queued.json().value("prompt_id").toString();
        QVERIFY(!promptId.isEmpty());
        QCOMPARE(queued.json().value("node_errors").toObject(), QJsonObject());
        QTRY_VERIFY_WITH_TIMEOUT(client->has(QStringLiteral("execution_success"), promptId), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(client->typesFor(promptId).endsWith(QStringLiteral("executing")), 5000);

        const QStringList types = client->typesFor(promptId);
        QCOMPARE(types.first(), QStringLiteral("execution_start"));
        QCOMPARE(types.count(QStringLiteral("progress")), sample.value("steps").toInt());
        QCOMPARE(types.count(QStringLiteral("executed")), 1);
        QVERIFY(types.indexOf(QStringLiteral("executed")) < types.indexOf(QStringLiteral("execution_success")));
        // Every node executing before its progress; the last message says no node is executing.
        QVERIFY(types.indexOf(QStringLiteral("executing")) < types.indexOf(QStringLiteral("progress")));
        QJsonObject last;
        for (const QJsonObject &message : client->messages)
            if (message.value("data").toObject().value("prompt_id").toString() == promptId)
                last = message;
        QVERIFY(last.value("data").toObject().value("node").isNull());
        // Sampler previews: ComfyUI's binary frames, event 1, PNG.
        QVERIFY(!client->frames.isEmpty());
        QCOMPARE(client->frames.first().left(8), QByteArray::fromHex("0000000100000002"));
        QVERIFY(QImage::fromData(client->frames.first().mid(8)).width() > 0);

        const QJsonObject history = get(QStringLiteral("/history/") + promptId).json().value(promptId).toObject();
        QCOMPARE(history[QLatin1String("status")][QLatin1String("status_str")].toString(), QStringLiteral("success"));
        const QJsonObject image =
            history[QLatin1String("outputs")][QLatin1String("9")][QLatin1String("images")][0].toObject();
        QCOMPARE(image.value("type").toString(), QStringLiteral("output"));
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("filename"), image.value("filename").toString());
        query.addQueryItem(QStringLiteral("subfolder"), image.value("subfolder").toString());
        query.addQueryItem(QStringLiteral("type"), QStringLiteral("output"));
        const Reply viewed = get(QStringLiteral("/view?") + query.toString(QUrl::FullyEncoded));
        QCOMPARE(viewed.status, 200);
        QFile written(QDir(m_root->outputs()).filePath(image.value("filename").toString()));
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(viewed.body, written.readAll());
        const QImage made = QImage::fromData(viewed.body), expected(fixture(sample.value("png").toString()));
        QVERIFY(!expected.isNull());
        QVERIFY2(largestDifference(made, expected) <= 1,
                 qPrintable(QStringLiteral("differs by %1 levels").arg(largestDifference(made, expected))));
        QCOMPARE(
            get(QStringLiteral("/prompt")).json()[QLatin1String("exec_info")][QLatin1String("queue_remaining")].toInt(),
            0);
    }

    void validationErrorsComeInComfyUIsShape()
    {
        const QJsonObject sample = fixtureCase(QStringLiteral("tiny-sd1.txt2img.euler.normal.s42"));
        QJsonObject prompt = withInput(txt2imgFor(sample), QStringLiteral("3"), QStringLiteral("sampler_name"),
                                       QStringLiteral("no_such_sampler"));
        Reply reply = post(QStringLiteral("/prompt"), QJsonObject{{"prompt", prompt}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json()[QLatin1String("error")][QLatin1String("type")].toString(),
                 QStringLiteral("prompt_outputs_failed_validation"));
        const QJsonObject sampler = reply.json()[QLatin1String("node_errors")][QLatin1String("3")].toObject();
        QCOMPARE(sampler[QLatin1String("class_type")].toString(), QStringLiteral("KSampler"));
        QCOMPARE(sampler[QLatin1String("errors")][0][QLatin1String("type")].toString(),
                 QStringLiteral("value_not_in_list"));
        QCOMPARE(sampler[QLatin1String("dependent_outputs")].toArray(), QJsonArray{"9"});

        reply = post(QStringLiteral("/prompt"), QByteArray("{\"prompt\": {\"1\": "));
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json()[QLatin1String("error")][QLatin1String("type")].toString(),
                 QStringLiteral("invalid_prompt"));
        reply = post(QStringLiteral("/prompt"), QJsonObject{{"prompt", QJsonObject{{"1", 5}}}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json()[QLatin1String("error")][QLatin1String("type")].toString(),
                 QStringLiteral("invalid_prompt"));
        QCOMPARE(get(QStringLiteral("/queue")).json()[QLatin1String("queue_pending")].toArray().size(), 0);
    }

    void aRunIsInterruptedMidway()
    {
        const QJsonObject sample = fixtureCase(QStringLiteral("tiny-sd1.txt2img.euler.normal.s42"));
        const auto client = connectClient(QStringLiteral("impatient"));
        const Reply queued = post(QStringLiteral("/prompt"),
                                  QJsonObject{{"prompt", txt2imgFor(sample, 400)}, {"client_id", "impatient"}});
        QCOMPARE(queued.status, 200);
        const QString promptId = queued.json().value("prompt_id").toString();
        QTRY_VERIFY_WITH_TIMEOUT(client->has(QStringLiteral("progress"), promptId), 60000);
        QCOMPARE(post(QStringLiteral("/interrupt"), QByteArray("{}")).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(client->has(QStringLiteral("execution_interrupted"), promptId), 60000);
        QVERIFY(!client->has(QStringLiteral("execution_success"), promptId));
        QVERIFY(client->typesFor(promptId).count(QStringLiteral("progress")) < 400);
        QTRY_COMPARE_WITH_TIMEOUT(get(QStringLiteral("/history/") + promptId)
                                      .json()[promptId][QLatin1String("status")][QLatin1String("status_str")]
                                      .toString(),
                                  QStringLiteral("error"), 5000);
        QVERIFY(m_root->outputFiles().isEmpty()); // an interrupted run writes no file
    }

    void promptsFromSeveralClientsReachOnlyTheirOwnClient()
    {
        const QJsonObject sample = fixtureCase(QStringLiteral("tiny-sd1.txt2img.euler.normal.s42"));
        std::vector<std::unique_ptr<Client>> clients;
        QList<QStringList> promptsOf(4);
        for (int c = 0; c < 4; ++c)
            clients.push_back(connectClient(QStringLiteral("client-%1").arg(c)));
        for (int i = 0; i < 20; ++i) {
            const int c = i % 4;
            const Reply queued =
                post(QStringLiteral("/prompt"), QJsonObject{{"prompt", txt2imgFor(sample, 2, 1000 + i)},
                                                            {"client_id", QStringLiteral("client-%1").arg(c)}});
            QCOMPARE(queued.status, 200);
            QCOMPARE(queued.json().value("number").toDouble(), double(i + 1));
            promptsOf[c].append(queued.json().value("prompt_id").toString());
        }
        QVERIFY(get(QStringLiteral("/queue")).json()[QLatin1String("queue_pending")].toArray().size() > 0);
        for (int c = 0; c < 4; ++c)
            for (const QString &promptId : std::as_const(promptsOf[c]))
                QTRY_VERIFY_WITH_TIMEOUT(clients[std::size_t(c)]->has(QStringLiteral("execution_success"), promptId),
                                         120000);
        for (int c = 0; c < 4; ++c)
            for (const QJsonObject &message : clients[std::size_t(c)]->messages) {
                const QJsonValue promptId = message.value("data").toObject().value("prompt_id");
                if (!promptId.isUndefined())
                    QVERIFY2(promptsOf[c].contains(promptId.toString()),
                             qPrintable(QStringLiteral("client %1 got a message of another client's prompt").arg(c)));
            }
        QCOMPARE(get(QStringLiteral("/history")).json().size(), 20);
        QCOMPARE(get(QStringLiteral("/history?max_items=3")).json().size(), 3);
        QCOMPARE(post(QStringLiteral("/history"), QJsonObject{{"clear", true}}).status, 200);
        QCOMPARE(get(QStringLiteral("/history")).json().size(), 0);
    }

    void theQueueCanBeClearedAndItemsDeleted()
    {
        const QJsonObject sample = fixtureCase(QStringLiteral("tiny-sd1.txt2img.euler.normal.s42"));
        QStringList ids;
        for (int i = 0; i < 4; ++i)
            ids.append(post(QStringLiteral("/prompt"), QJsonObject{{"prompt", txt2imgFor(sample, 300, i)}})
                           .json()
                           .value("prompt_id")
                           .toString());
        QCOMPARE(post(QStringLiteral("/queue"), QJsonObject{{"delete", QJsonArray{ids[3]}}}).status, 200);
        QCOMPARE(post(QStringLiteral("/queue"), QJsonObject{{"clear", true}}).status, 200);
        QCOMPARE(post(QStringLiteral("/interrupt"), QByteArray()).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(
            get(QStringLiteral("/prompt")).json()[QLatin1String("exec_info")][QLatin1String("queue_remaining")].toInt(),
            0, 60000);
        // Deleted prompts leave no history; the interrupted one does.
        const QJsonObject history = get(QStringLiteral("/history")).json();
        QVERIFY(!history.contains(ids[2]) && !history.contains(ids[3]));
        QCOMPARE(post(QStringLiteral("/queue"), QByteArray("not json")).status, 400);
    }

    void uploadsLandSafelyInTheInputFolder()
    {
        QImage picture(8, 8, QImage::Format_RGB888);
        picture.fill(Qt::red);
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        picture.save(&buffer, "PNG");
        const auto upload = [&](const QString &fileName, const QByteArray &data, const QString &subfolder) {
            auto *parts = new QHttpMultiPart(QHttpMultiPart::FormDataType);
            QHttpPart image;
            image.setHeader(QNetworkRequest::ContentDispositionHeader,
                            QStringLiteral("form-data; name=\"image\"; filename=\"%1\"").arg(fileName));
            image.setBody(data);
            QHttpPart folder;
            folder.setHeader(QNetworkRequest::ContentDispositionHeader,
                             QStringLiteral("form-data; name=\"subfolder\""));
            folder.setBody(subfolder.toUtf8());
            parts->append(image);
            parts->append(folder);
            QNetworkReply *reply = m_network.post(QNetworkRequest(url(QStringLiteral("/upload/image"))), parts);
            parts->setParent(reply);
            return finish(reply);
        };
        Reply reply = upload(QStringLiteral("../../escape.png"), png, QString());
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()[QLatin1String("name")].toString(), QStringLiteral("escape.png"));
        QVERIFY(QFile::exists(QDir(m_root->environment.inputDir).filePath(QStringLiteral("escape.png"))));
        QVERIFY(!QFile::exists(m_root->root.filePath(QStringLiteral("escape.png"))));
        // The same name again is kept beside the first, as ComfyUI keeps it.
        QCOMPARE(upload(QStringLiteral("escape.png"), png, QString()).json()[QLatin1String("name")].toString(),
                 QStringLiteral("escape (1).png"));
        QCOMPARE(upload(QStringLiteral("a.png"), png, QStringLiteral("../../outside")).status, 403);
        QCOMPARE(upload(QStringLiteral("a.png"), QByteArray("#!/bin/sh\nrm -rf /\n"), QString()).status, 400);
        QCOMPARE(upload(QStringLiteral("big.png"), png + QByteArray(5 * 1024 * 1024, 'x'), QString()).status, 413);
        // An uploaded image is what LoadImage lists, and /view serves it from the input folder.
        QVERIFY(get(QStringLiteral("/object_info/LoadImage")).body.contains("escape.png"));
        QCOMPARE(get(QStringLiteral("/view?type=input&filename=escape.png")).body, png);

        // curl, as scripts upload.
        const QString file = m_root->root.filePath(QStringLiteral("from-curl.png"));
        QVERIFY(picture.save(file));
        QProcess curl;
        curl.start(QStringLiteral("curl"),
                   {QStringLiteral("-s"), QStringLiteral("-F"), QStringLiteral("image=@") + file,
                    url(QStringLiteral("/upload/image")).toString()});
        QTRY_COMPARE_WITH_TIMEOUT(curl.state(), QProcess::NotRunning, 20000); // the server shares this thread
        QCOMPARE(QJsonDocument::fromJson(curl.readAllStandardOutput()).object()[QLatin1String("name")].toString(),
                 QStringLiteral("from-curl.png"));
    }

    void hostileRequestsAreRefusedWithoutHarm()
    {
        // Paths out of the served folders.
        for (const QString &query : {QStringLiteral("filename=../../../../etc/passwd"),
                                     QStringLiteral("filename=passwd&subfolder=../../../../../etc"),
                                     QStringLiteral("filename=passwd&subfolder=/etc"),
                                     QStringLiteral("filename=passwd&subfolder=%2E%2E/%2E%2E/%2E%2E/etc"),
                                     QStringLiteral("filename=atelier.db&type=../")}) {
            const Reply reply = get(QStringLiteral("/view?") + query);
            QVERIFY2(reply.status == 403 || reply.status == 404, qPrintable(query));
            QVERIFY(!reply.body.contains("root:"));
        }
        // A link in the output folder pointing out of it.
        QVERIFY(QFile::link(QStringLiteral("/etc/passwd"), QDir(m_root->outputs()).filePath(QStringLiteral("link"))));
        const Reply throughLink = get(QStringLiteral("/view?filename=link"));
        QCOMPARE(throughLink.status, 403);
        QVERIFY(!throughLink.body.contains("root:"));

        // A body larger than the limit, announced or not: refused before it is read.
        // (The server shares this thread: sockets are waited for with the event loop running, never blocking.)
        const auto answerTo = [this](const QByteArray &request) {
            QTcpSocket raw;
            raw.connectToHost(QHostAddress::LocalHost, m_port);
            raw.write(request);
            for (int waited = 0; raw.bytesAvailable() == 0 && waited < 5000; waited += 10)
                QTest::qWait(10);
            return raw.readAll();
        };
        QVERIFY(answerTo("POST /prompt HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n{")
                    .startsWith("HTTP/1.1 413"));
        QVERIFY(answerTo("POST /prompt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
                    .startsWith("HTTP/1.1 411"));
        QVERIFY(
            answerTo("GET /queue HTTP/1.1\r\nX-Padding: " + QByteArray(100 * 1024, 'a')).startsWith("HTTP/1.1 431"));
        // Malformed JSON everywhere a body is read.
        for (const QString &path :
             {QStringLiteral("/prompt"), QStringLiteral("/queue"), QStringLiteral("/history"), QStringLiteral("/free")})
            QCOMPARE(post(path, QByteArray("{\"unterminated")).status, 400);
        QCOMPARE(get(QStringLiteral("/models/../../etc")).status, 404);
        QCOMPARE(get(QStringLiteral("/ws")).status, 400); // not a WebSocket handshake

        // Bare LF line ends, two lengths, pipelining: requests the guard and the HTTP server could read apart.
        QVERIFY(answerTo("GET /queue HTTP/1.1\nHost: x\n\n").startsWith("HTTP/1.1 400"));
        QVERIFY(answerTo("POST /queue HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 99999999999\r\n\r\n{}")
                    .startsWith("HTTP/1.1 400"));
        QVERIFY(answerTo("GET /queue HTTP/1.1\r\nHost: x\r\n\r\nGET /queue HTTP/1.1\r\nHost: x\r\n\r\n")
                    .startsWith("HTTP/1.1 400"));
        QCOMPARE(get(QStringLiteral("/queue")).status, 200);

        // 1,000 open sockets: the server keeps its limit (512) and closes the rest unread, lets them all go, and
        // answers as before.
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < 1000; ++i) {
            idle.push_back(std::make_unique<QTcpSocket>());
            idle.back()->connectToHost(QHostAddress::LocalHost, m_port);
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_server->openConnections(), 512, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(std::count_if(idle.begin(), idle.end(),
                                               [](const auto &socket) {
                                                   return socket->state() == QAbstractSocket::UnconnectedState;
                                               }) >= 1000 - 512,
                                 10000);
        idle.clear();
        QTRY_VERIFY_WITH_TIMEOUT(m_server->openConnections() < 10, 10000);
        QCOMPARE(get(QStringLiteral("/queue")).status, 200);
    }

    // A head sent a byte at a time, and never finished, does not hold its connection for ever.
    void slowHeadsAreClosed()
    {
        server::ServerOptions options;
        options.port = 0;
        options.headTimeoutMs = 300;
        server::ComfyServer patient(options, m_root->registry, m_root->environment);
        const Result<quint16> port = patient.listen();
        QVERIFY(port);
        QTcpSocket slow;
        slow.connectToHost(QHostAddress::LocalHost, port.value());
        slow.write("GET /queue HTTP/1.1\r\nX-Slow: ");
        QTRY_COMPARE_WITH_TIMEOUT(patient.openConnections(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(slow.state(), QAbstractSocket::UnconnectedState, 5000);
        QCOMPARE(patient.openConnections(), 0);
    }

    void aTokenIsRequiredWhenSet()
    {
        server::ServerOptions options;
        options.port = 0;
        options.token = QStringLiteral("s3cret");
        server::ComfyServer guarded(options, m_root->registry, m_root->environment);
        const Result<quint16> port = guarded.listen();
        QVERIFY(port);
        const QUrl base(QStringLiteral("http://127.0.0.1:%1/queue").arg(port.value()));
        QCOMPARE(finish(m_network.get(QNetworkRequest(base))).status, 401);
        QNetworkRequest bearer(base);
        bearer.setRawHeader("Authorization", "Bearer s3cret");
        QCOMPARE(finish(m_network.get(bearer)).status, 200);
        QCOMPARE(finish(m_network.get(QNetworkRequest(QUrl(base.toString() + QStringLiteral("?token=s3cret"))))).status,
                 200);
        QNetworkRequest wrong(base);
        wrong.setRawHeader("Authorization", "Bearer s3cre7");
        QCOMPARE(finish(m_network.get(wrong)).status, 401);
        Client refused(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?clientId=x").arg(port.value())));
        Client admitted(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?clientId=y&token=s3cret").arg(port.value())));
        QTRY_VERIFY_WITH_TIMEOUT(!admitted.messages.isEmpty(), 5000);
        QVERIFY(refused.messages.isEmpty());
    }
};

QTEST_MAIN(TestComfyServer)
#include "test_comfy_server.moc"
