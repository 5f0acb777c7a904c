#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

// The translation files hold every string the sources show: lupdate, run over the same sources as the build's
// update_translations target, changes nothing in them. After changing a user-visible string, run
// `cmake --build build/dev --target update_translations` and translate what it adds.
class TestTranslations : public QObject
{
    Q_OBJECT

    static void run(const QString &program, const QStringList &arguments)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(program, arguments);
        QVERIFY(process.waitForFinished(120000));
        QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
                 process.readAll().constData());
    }

    struct Message
    {
        QString context;
        QString source;
        QStringList translations; // one per plural form; empty when unfinished
    };

    static QList<Message> messagesOf(const QString &path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        QList<Message> messages;
        QString context;
        Message message;
        bool finished = true;
        QXmlStreamReader xml(&file);
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement()) {
                if (xml.name() == QLatin1String("name"))
                    context = xml.readElementText();
                else if (xml.name() == QLatin1String("message"))
                    message = Message{context, {}, {}};
                else if (xml.name() == QLatin1String("source"))
                    message.source = xml.readElementText();
                else if (xml.name() == QLatin1String("translation")) {
                    finished = xml.attributes().value(QLatin1String("type")).isEmpty();
                    if (xml.readNext() == QXmlStreamReader::Characters && !xml.isWhitespace())
                        message.translations << xml.text().toString();
                } else if (xml.name() == QLatin1String("numerusform"))
                    message.translations << xml.readElementText();
            } else if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
                if (!finished)
                    message.translations.clear();
                messages << message;
            }
        }
        return xml.hasError() ? QList<Message>{} : messages;
    }

    // What a translation must carry over from its source: the placeholders (%1, %L2, %n) and the number of
    // keyboard accelerators (a single '&' before a character; '&&' is a literal ampersand).
    static QString mechanicsOf(const QString &text)
    {
        static const QRegularExpression placeholder(QStringLiteral("%L?(\\d+|n)"));
        QStringList found;
        for (const QRegularExpressionMatch &match : placeholder.globalMatch(text))
            found << match.captured(1);
        found.sort();
        found.removeDuplicates();
        QString withoutLiterals = text;
        withoutLiterals.remove(QStringLiteral("&&"));
        static const QRegularExpression accelerator(QStringLiteral("&[^\\s;&]"));
        const auto accelerators = withoutLiterals.count(accelerator);
        return found.join(QLatin1Char(',')) + QStringLiteral(" / %1 accelerator(s)").arg(accelerators);
    }

private slots:
    // Every message is translated in every language, with its placeholders and accelerators kept.
    void everyMessageIsTranslated()
    {
        const QDir translations(QStringLiteral(ATELIER_SOURCE_DIR "/translations"));
        const QStringList files = translations.entryList({QStringLiteral("*.ts")}, QDir::Files);
        QVERIFY2(!files.isEmpty(), qPrintable(translations.path()));
        for (const QString &name : files) {
            const QList<Message> messages = messagesOf(translations.filePath(name));
            QVERIFY2(!messages.isEmpty(), qPrintable(name));
            QStringList problems;
            for (const Message &message : messages) {
                const QString where = QStringLiteral("%1: %2 \"%3\"").arg(name, message.context, message.source);
                if (message.translations.isEmpty() || message.translations.contains(QString()))
                    problems << where + QStringLiteral(" is not translated");
                for (const QString &translation : message.translations) {
                    if (!translation.isEmpty() && mechanicsOf(translation) != mechanicsOf(message.source))
                        problems << where +
                                        QStringLiteral(" -> \"%1\": %2 instead of %3")
                                            .arg(translation, mechanicsOf(translation), mechanicsOf(message.source));
                }
            }
            QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        }
    }

    // English counts read as English: the plural-only file turns the sources' "(s)" into one form or the other,
    // and no form keeps it.
    void englishPluralsAreWholeWords()
    {
        QTranslator english;
        QVERIFY(english.load(QStringLiteral(ATELIER_EN_QM)));
        QCoreApplication::installTranslator(&english);
        const auto images = [](int count) {
            return QCoreApplication::translate("atelier::ui::GalleryPanel", "%n image(s)", nullptr, count);
        };
        QCOMPARE(images(1), QStringLiteral("1 image"));
        QCOMPARE(images(3), QStringLiteral("3 images"));
        QCoreApplication::removeTranslator(&english);
        for (const Message &message : messagesOf(QStringLiteral(ATELIER_SOURCE_DIR "/translations/atelier_en.ts")))
            for (const QString &form : message.translations)
                QVERIFY2(!form.contains(QLatin1String("(s)")), qPrintable(message.source));
    }

    void translationFilesAreUpToDateWithTheSources()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath(QStringLiteral("project.json"));
        run(QStringLiteral(CMAKE_COMMAND),
            {QStringLiteral("-DIN_FILE=" LUPDATE_PROJECT_IN), QStringLiteral("-DOUT_FILE=") + project,
             QStringLiteral("-P"), QStringLiteral(LUPDATE_PROJECT_SCRIPT)});
        const QDir translations(QStringLiteral(ATELIER_SOURCE_DIR "/translations"));
        const QStringList files = translations.entryList({QStringLiteral("*.ts")}, QDir::Files);
        QVERIFY(!files.isEmpty());
        for (const QString &name : files) {
            QFile original(translations.filePath(name));
            QVERIFY(original.open(QIODevice::ReadOnly));
            const QByteArray committed = original.readAll();
            const QString copy = dir.filePath(name);
            QVERIFY(QFile::copy(translations.filePath(name), copy));
            QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
            QStringList options{QStringLiteral("-project"), project, QStringLiteral("-no-obsolete"),
                                QStringLiteral("-locations"), QStringLiteral("none")};
            // English, the sources' language, needs only its plural forms (app/CMakeLists.txt).
            if (name.endsWith(QLatin1String("_en.ts")))
                options << QStringLiteral("-pluralonly");
            run(QStringLiteral(LUPDATE_EXECUTABLE), options << QStringLiteral("-ts") << copy);
            QFile updated(copy);
            QVERIFY(updated.open(QIODevice::ReadOnly));
            QVERIFY2(updated.readAll() == committed,
                     qPrintable(name + QStringLiteral(" is out of date with the sources: run the build's "
                                                      "update_translations target")));
        }
    }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "test_translations.moc"
