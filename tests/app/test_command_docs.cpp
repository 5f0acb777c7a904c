#include <QFile>
#include <QProcess>
#include <QtTest>

// The manual page and bash completion the build makes from atelier's help: the page has a section for every command
// with its options and reads without a groff warning (UTF-8 through preconv, as man does); the completion offers
// commands, a command's options and subcommands, and files where a value goes.
class TestCommandDocs : public QObject
{
    Q_OBJECT

    static QByteArray run(const QString &program, const QStringList &arguments, QByteArray *errors = nullptr)
    {
        QProcess process;
        process.start(program, arguments);
        if (!process.waitForFinished(60000))
            return {};
        if (errors)
            *errors = process.readAllStandardError();
        return process.readAllStandardOutput();
    }

    // What the completion offers for the words typed so far (the last one being completed).
    static QStringList completions(const QStringList &words)
    {
        QStringList quoted;
        for (const QString &word : words)
            quoted << QLatin1Char('\'') + word + QLatin1Char('\'');
        const QString script = QStringLiteral("source '%1'; COMP_WORDS=(%2); COMP_CWORD=%3; _atelier; "
                                              "printf '%s\\n' \"${COMPREPLY[@]}\"")
                                   .arg(QStringLiteral(ATELIER_COMPLETION), quoted.join(QLatin1Char(' ')))
                                   .arg(words.size() - 1);
        return QString::fromUtf8(run(QStringLiteral("bash"), {QStringLiteral("-c"), script}))
            .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

private slots:
    void theManualHasEveryCommandAndReadsCleanly()
    {
        QFile page(QStringLiteral(ATELIER_MANPAGE));
        QVERIFY(page.open(QIODevice::ReadOnly));
        const QByteArray roff = page.readAll();
        const QByteArray help = run(QStringLiteral(ATELIER_EXECUTABLE), {QStringLiteral("--help")});
        bool listed = false;
        int commands = 0;
        for (const QByteArray &line : help.split('\n')) {
            if (line == "Commands:") {
                listed = true;
                continue;
            }
            if (listed && line.isEmpty())
                break;
            if (listed) {
                const QByteArray command = line.trimmed().split(' ').first();
                QVERIFY2(roff.contains(".SS " + command + '\n'), command.constData());
                ++commands;
            }
        }
        QVERIFY(commands >= 15);
        QVERIFY(roff.contains("--lora-rank"));
        QVERIFY(roff.contains("Usage: atelier train"));

        QByteArray warnings;
        const QByteArray text = run(QStringLiteral("groff"),
                                    {QStringLiteral("-k"), QStringLiteral("-man"), QStringLiteral("-Tutf8"),
                                     QStringLiteral("-ww"), QStringLiteral(ATELIER_MANPAGE)},
                                    &warnings);
        QVERIFY2(warnings.isEmpty(), warnings.constData());
        QVERIFY(text.contains("ATELIER(1)"));
    }

    void completionOffersCommandsOptionsSubcommandsAndFiles()
    {
        QCOMPARE(completions({QStringLiteral("atelier"), QStringLiteral("tra")}), QStringList{QStringLiteral("train")});
        QCOMPARE(completions({QStringLiteral("atelier"), QStringLiteral("--root"), QStringLiteral("/tmp"),
                              QStringLiteral("train"), QStringLiteral("--lora")}),
                 (QStringList{QStringLiteral("--lora-alpha"), QStringLiteral("--lora-rank")}));
        QCOMPARE(completions({QStringLiteral("atelier"), QStringLiteral("models"), QStringLiteral("sh")}),
                 QStringList{QStringLiteral("show")});
        // A value is a file: the page itself, by its folder.
        const QString folder = QFileInfo(QStringLiteral(ATELIER_MANPAGE)).absolutePath() + QLatin1Char('/');
        QVERIFY(completions({QStringLiteral("atelier"), QStringLiteral("inspect"), folder + QStringLiteral("atelier.")})
                    .contains(folder + QStringLiteral("atelier.1")));
    }
};

QTEST_GUILESS_MAIN(TestCommandDocs)
#include "test_command_docs.moc"
