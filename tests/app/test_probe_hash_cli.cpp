#include "../fixtures.h"
#include "cli_runner.h"

#include <QtTest>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

using json = nlohmann::json;

class TestProbeHashCli : public QObject
{
    Q_OBJECT
private slots:
    void init() { m_root = std::make_unique<QTemporaryDir>(); }

    void probeJsonHasTheDocumentedKeys()
    {
        const QString model = fixturesDir() + QStringLiteral("/models/tiny-sd2v/diffusers");
        const CliRun run = atelier({QStringLiteral("probe"), model, QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const json probe = json::parse(run.out.toStdString());
        QCOMPARE(probe["type"].get<std::string>(), std::string("main"));
        QCOMPARE(probe["format"].get<std::string>(), std::string("diffusers"));
        QCOMPARE(probe["base"].get<std::string>(), std::string("sd-2"));
        QCOMPARE(probe["variant"].get<std::string>(), std::string("normal"));
        QCOMPARE(probe["prediction_type"].get<std::string>(), std::string("v_prediction"));
        QVERIFY(probe.contains("repo_variant"));
        QCOMPARE(probe["name"].get<std::string>(), std::string("diffusers"));
        QVERIFY(probe["evidence"].is_array() && !probe["evidence"].empty());
    }

    void probeTextShowsTheEvidence()
    {
        const CliRun run = atelier({QStringLiteral("probe"), fixturesDir() + QStringLiteral("/models/tiny-sd1/tiny-sd1.safetensors")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("sd-1"));
        QVERIFY(run.out.contains("evidence:"));
        QVERIFY(run.out.contains("tiny-sd1.yaml"));
    }

    void probeFailuresExitWithOne()
    {
        const QString junk = m_root->filePath(QStringLiteral("junk.safetensors"));
        QFile file(junk);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\xff\xff\xff\xff\xff\xff\xff\xff{}");
        file.close();
        const CliRun run = atelier({QStringLiteral("probe"), junk});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("header length"), run.err.constData());
        QCOMPARE(atelier({QStringLiteral("probe")}).exitCode, 2);

        // A FIFO named like a model is refused at once by every command that reads models, not waited on.
        for (const QString &name : {QStringLiteral("pipe.safetensors"), QStringLiteral("pipe.ckpt")}) {
            const QString fifo = m_root->filePath(name);
            QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
            for (const QStringList &command :
                 {QStringList{QStringLiteral("probe"), fifo},
                  QStringList{QStringLiteral("install"), fifo, QStringLiteral("--inplace")},
                  QStringList{QStringLiteral("generate"), QStringLiteral("--model"), fifo, QStringLiteral("--prompt"),
                              QStringLiteral("x"), QStringLiteral("--out"),
                              m_root->filePath(QStringLiteral("x.png"))}}) {
                const CliRun refused = runAtelier(QStringList{QStringLiteral("--root"), m_root->path()} + command,
                                                  QProcessEnvironment::systemEnvironment(), 20000);
                QVERIFY2(
                    refused.exitCode == 1 && refused.err.contains("not a regular file"),
                    qPrintable(command.join(QLatin1Char(' ')) + QStringLiteral(": ") + QString::fromUtf8(refused.err)));
            }
        }
    }

    void hashJsonMatchesSha256sumAndUsesTheCache()
    {
        const QString model = fixturesDir() + QStringLiteral("/models/tiny-sd1/tiny-sd1.safetensors");
        const CliRun run = atelier({QStringLiteral("hash"), model, QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const json hash = json::parse(run.out.toStdString());
        QProcess sha256sum;
        sha256sum.start(QStringLiteral("sha256sum"), {model});
        sha256sum.waitForFinished();
        const std::string expected = sha256sum.readAllStandardOutput().split(' ').first().toStdString();
        QCOMPARE(hash["sha256"].get<std::string>(), expected);
        QCOMPARE(hash["autov2"].get<std::string>(), expected.substr(0, 10));
        QCOMPARE(hash["fast"].get<std::string>().size(), size_t(32));
        QCOMPARE(hash["cached_files"].get<int>(), 0);
        const json again = json::parse(atelier({QStringLiteral("hash"), model, QStringLiteral("--json")}).out.toStdString());
        QCOMPARE(again["cached_files"].get<int>(), 1);
        QCOMPARE(again["sha256"], hash["sha256"]);
    }

    void hashFastOnly()
    {
        const CliRun run = atelier({QStringLiteral("hash"), fixturesDir() + QStringLiteral("/models/tiny-sdxl/diffusers"),
                                    QStringLiteral("--fast"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const json hash = json::parse(run.out.toStdString());
        QVERIFY(hash["sha256"].is_null());
        QVERIFY(hash["autov2"].is_null());
        QVERIFY(!hash["fast"].get<std::string>().empty());
        QVERIFY(hash["folder"].get<bool>());
    }

private:
    CliRun atelier(const QStringList &arguments)
    {
        return runAtelier(QStringList{QStringLiteral("--root"), m_root->path()} + arguments);
    }
    std::unique_ptr<QTemporaryDir> m_root;
};

QTEST_GUILESS_MAIN(TestProbeHashCli)
#include "test_probe_hash_cli.moc"
