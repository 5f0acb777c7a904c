// Atelier's entry point: parses the global options, opens the root, and either runs a headless command or
// shows the main window. Builds the services and wires them; nothing else lives here.

#include "app/command.h"

#include "app/instance_channel.h"
#include "app/library_services.h"
#include "app/node_environment.h"
#include "core/engine/client/engine_client.h"
#include "core/farm/farm_run_queue.h"
#include "core/gallery/gallery_service.h"
#include "core/logging/log.h"
#include "core/nodes/built_in_nodes.h"
#include "core/settings/app_root.h"
#include "core/settings/settings_store.h"
#include "ui/common/desktop_color_scheme.h"
#include "ui/common/theme.h"
#include "ui/graph/graph_editor.h"
#include "ui/shell/main_window.h"

#include <algorithm>

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QFuture>
#include <QFutureWatcher>
#include <QLabel>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QTimer>
#include <QTranslator>
#include <QtConcurrent>

#include <clocale>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace {

using namespace atelier;

struct GlobalOptions
{
    QCommandLineOption root{QStringLiteral("root"),
                            QStringLiteral("Use DIR as the Atelier root (overrides %1).")
                                .arg(QString::fromLatin1(settings::kRootEnvironmentVariable)),
                            QStringLiteral("DIR")};
    QCommandLineOption verbose{QStringLiteral("verbose"), QStringLiteral("Print debug messages.")};
};

QString commandSummary()
{
    QString text = QStringLiteral("A studio for Stable-Diffusion-family image models.\n"
                                  "Without a command, opens the main window.\n\nCommands:\n");
    qsizetype width = 0;
    for (const app::Command &command : app::commands())
        width = std::max(width, command.name.size());
    for (const app::Command &command : app::commands())
        text += QStringLiteral("  %1  %2\n").arg(command.name.leftJustified(width), command.summary);
    text += QStringLiteral("\nRun 'atelier COMMAND --help' for a command's options.");
    return text;
}

void writeTo(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
}

// English plural forms, for the commands and under every language of the window: the sources say "%n image(s)",
// and English (or a language without a translation of its own) reads "1 image", "2 images".
void installEnglishPlurals(QCoreApplication &application)
{
    auto *englishPlurals = new QTranslator(&application);
    if (englishPlurals->load(QStringLiteral(":/i18n/atelier_en.qm")))
        application.installTranslator(englishPlurals);
}

// The window in `language` ("system": the desktop's locale): Qt's own strings and ours, and numbers, sizes and
// dates in that locale's format. Installed after the English plurals, so asked first.
void installTranslations(QCoreApplication &application, const QString &language)
{
    const QLocale locale = language == QLatin1String("system") ? QLocale::system() : QLocale(language);
    QLocale::setDefault(locale);
    auto *qtTranslator = new QTranslator(&application);
    if (qtTranslator->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        application.installTranslator(qtTranslator);
    auto *ourTranslator = new QTranslator(&application);
    if (locale.language() != QLocale::English &&
        ourTranslator->load(locale, QStringLiteral("atelier"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        application.installTranslator(ourTranslator);
}

int runCommand(const app::Command &command, const QStringList &commandArguments, const settings::AppRoot &root,
               settings::SettingsStore &settingsStore)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    app::CommandContext context{commandArguments, root, settingsStore, out, err};
    return command.run(context);
}

// Runs `then` once, after the watched widget's first paint has been handled.
class AfterFirstPaint : public QObject
{
public:
    explicit AfterFirstPaint(std::function<void()> then)
        : m_then(std::move(then))
    {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && m_then) {
            QTimer::singleShot(0, qApp, std::exchange(m_then, {}));
            watched->removeEventFilter(this);
        }
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> m_then;
};

ui::EngineStatus startEngine()
{
    ui::EngineStatus status;
    try {
        status.devices = engine::client::availableDevices();
        status.libtorchVersion = QString::fromStdString(engine::client::libtorchVersion());
        status.state = ui::EngineStatus::State::Ready;
    } catch (const engine::Error &error) {
        status.state = ui::EngineStatus::State::Unavailable;
        status.problem = QString::fromStdString(error.what());
        qCWarning(lcApp).noquote() << status.problem;
    }
    return status;
}

int runWindow(QApplication &application, settings::SettingsStore &settingsStore, const QString &openFile)
{
    // A window already on this root takes the file instead (a file manager's "Open with" a second time).
    const QString channelName = app::InstanceChannel::nameFor(settingsStore.root().path());
    if (app::InstanceChannel::handOff(channelName, openFile)) {
        writeTo(stderr, QStringLiteral("atelier: the running window took %1\n")
                            .arg(openFile.isEmpty() ? QStringLiteral("the request") : openFile));
        return app::kExitOk;
    }
    app::InstanceChannel channel;
    if (!channel.listen(channelName))
        qCWarning(lcApp) << "later launches cannot hand files to this window:" << channelName;
    // Files handed over before the window exists are opened once it does.
    QStringList handedEarly;
    const QMetaObject::Connection early = QObject::connect(
        &channel, &app::InstanceChannel::fileRequested, [&handedEarly](const QString &file) { handedEarly << file; });
    // The window opens in the chosen theme; for the desktop's, its light or dark wish gets a moment to arrive.
    ui::DesktopColorScheme desktopScheme;
    if (settingsStore.current().theme == QLatin1String("system"))
        desktopScheme.waitForAnswer(300);
    ui::ThemeController theme(application, settingsStore, &desktopScheme);
    // The library is opened at start so that a database Atelier must not touch (another program's file, a damaged
    // or newer one) is reported at once, with what to do, rather than when a model is first installed. Its
    // services outlive the window, whose panels hold on to them until they are gone.
    auto services = app::LibraryServices::open(settingsStore.root(), settingsStore, true);
    const Status libraryOpened = services ? Status() : Status::failure(services);
    // The image index outlives the window too; it opens and scans on its own thread once the window has painted.
    gallery::GalleryService gallery(settingsStore.root().imageIndexPath(), settingsStore.root().outputsDir());
    ui::MainWindow window(settingsStore);
    std::optional<nodes::NodeEnvironment> environment;
    if (services) {
        environment = app::nodeEnvironment(settingsStore.root(), settingsStore, services.value()->store());
        // The device and precision chosen in the settings apply from the next run on.
        QObject::connect(&settingsStore, &settings::SettingsStore::changed, &window,
                         [compute = environment->compute](const settings::Settings &now) {
                             compute->set(now.device, now.precision);
                         });
        window.setLibraryServices(services.value()->store(), services.value()->installer());
        window.setGraphServices(nodes::builtInNodes(*environment));
    }
    window.setGalleryService(gallery);
    if (environment) {
        // The settings' render farm, beside this computer in the Run queue panel; its images come into the outputs.
        window.setFarmConnector([environment = *environment, &window](const QString &url) {
            ui::MainWindow::FarmConnection connection;
            const Result<farm::RedisAddress> address = farm::parseRedisUrl(url);
            if (!address) {
                connection.problem = address.error();
                return connection;
            }
            auto queue = std::make_unique<farm::FarmRunQueue>(address.value(), farm::FarmKeys(), environment);
            QObject::connect(queue.get(), &farm::FarmRunQueue::unreachable, &window, [&window](const QString &why) {
                if (ui::GraphEditor *editor = window.graphEditor())
                    editor->statusLabel()->setText(
                        QObject::tr("The render farm does not answer (%1); runs sent there wait for it").arg(why));
            });
            queue->startFollowing();
            connection.name = queue->farmName();
            connection.queue = std::move(queue);
            return connection;
        });
    }
    const auto open = [&window](const QString &file) {
        if (const Status opened = window.openFromOutside(file); !opened)
            QTimer::singleShot(0, &window, [&window, message = opened.error()] {
                QMessageBox::warning(&window, QObject::tr("Open file"), message);
            });
    };
    if (!openFile.isEmpty())
        open(openFile);
    // Later launches on this root hand their files here.
    QObject::disconnect(early);
    for (const QString &file : std::as_const(handedEarly))
        open(file);
    QObject::connect(&channel, &app::InstanceChannel::fileRequested, &window, open);
    window.show();
    // The start-up sync (new files in the models folder registered, vanished ones marked missing) probes and
    // hashes, so it runs off the GUI thread; the window is usable meanwhile.
    QFuture<void> sync;
    if (services) {
        models::ModelInstaller *installer = &services.value()->installer();
        sync = QtConcurrent::run([installer] {
            const auto report = installer->syncModelsFolder();
            if (!report)
                qCWarning(lcModels).noquote() << "the start-up sync failed:" << report.error();
            else
                qCInfo(lcModels).noquote() << "start-up sync:" << report.value().registered.size() << "registered,"
                                           << report.value().missing.size() << "missing," << report.value().found.size() << "found again";
        });
    }
    // libtorch takes most of a second to load: the engine starts once the window has painted. For the start-up
    // benchmark (tests/bench/bench_startup) and the package test (packaging/test-package.sh),
    // ATELIER_EXIT_AFTER_FIRST_PAINT makes the window say "first paint" on stderr then, save a picture of itself
    // to the file that variable names (when it names one), and quit.
    QFutureWatcher<ui::EngineStatus> engineStart;
    QObject::connect(&engineStart, &QFutureWatcher<ui::EngineStatus>::finished, &window,
                     [&window, &engineStart] { window.setEngineStatus(engineStart.result()); });
    AfterFirstPaint afterFirstPaint([&engineStart, &gallery, &window] {
        engineStart.setFuture(QtConcurrent::run(startEngine));
        gallery.start();
        if (qEnvironmentVariableIsSet("ATELIER_EXIT_AFTER_FIRST_PAINT")) {
            std::fputs("first paint\n", stderr);
            const QString picture = qEnvironmentVariable("ATELIER_EXIT_AFTER_FIRST_PAINT");
            if (picture.endsWith(QLatin1String(".png"), Qt::CaseInsensitive) && !window.grab().save(picture))
                std::fputs("the window's picture could not be saved\n", stderr);
            std::fflush(stderr);
            QCoreApplication::quit();
        }
    });
    window.installEventFilter(&afterFirstPaint);
    // Messages come after the window is up, so that they have a parent and do not block the start.
    if (!settingsStore.warnings().isEmpty()) {
        QTimer::singleShot(0, &window, [&window, &settingsStore] {
            QMessageBox::warning(&window, QObject::tr("Settings"),
                                 settingsStore.warnings().join(QStringLiteral("\n\n")));
        });
    }
    if (!libraryOpened) {
        QTimer::singleShot(0, &window, [&window, message = libraryOpened.error()] {
            QMessageBox::critical(&window, QObject::tr("Model library"), message);
        });
    }
    const int exitCode = application.exec();
    sync.waitForFinished();
    engineStart.waitForFinished();
    return exitCode;
}

// The root named by --root, $ATELIER_ROOT or the default, with logging into it; a failure is shown (on stderr, or in
// a message box for the window) and returned.
Result<settings::AppRoot> openRoot(const QString &option, bool verbose, bool headless)
{
    const settings::RootChoice rootChoice =
        settings::chooseRoot(option, qEnvironmentVariable(settings::kRootEnvironmentVariable));
    Result<settings::AppRoot> root = settings::AppRoot::open(rootChoice.path);
    if (!root) {
        if (headless)
            writeTo(stderr, QStringLiteral("atelier: %1\n").arg(root.error()));
        else
            QMessageBox::critical(nullptr, QObject::tr("Atelier cannot start"), root.error());
        return root;
    }
    logging::LogOptions logOptions;
    logOptions.verbose = verbose;
    QString logError;
    if (!logging::installLogging(root->logsDir(), logOptions, &logError))
        qCWarning(lcApp).noquote() << logError;
    qCInfo(lcApp).noquote() << "Atelier" << ATELIER_VERSION << "on root" << root->path() << "(from"
                            << settings::describe(rootChoice.origin) + ")";
    return root;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setApplicationName(QStringLiteral("atelier"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ATELIER_VERSION));

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    // Global options end at the command's name; everything after it belongs to the command.
    GlobalOptions options;
    QCommandLineParser parser;
    parser.setApplicationDescription(commandSummary());
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    parser.addOption(options.root);
    parser.addOption(options.verbose);
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("A command (see above); none opens the window; a workflow or API graph "
                                                "opens in the node editor, a PNG in the gallery's inspector, in the "
                                                "window already running on this root if there is one."),
                                 QStringLiteral("[command [options] | FILE]"));
    if (!parser.parse(arguments)) {
        writeTo(stderr, QStringLiteral("atelier: %1\nTry 'atelier --help'.\n").arg(parser.errorText()));
        return app::kExitUsage;
    }

    const QStringList positional = parser.positionalArguments();
    // `atelier FILE`: the window, with a workflow, an API graph or an image's graph open in a tab.
    const bool opensFile =
        positional.size() == 1 && !app::findCommand(positional.first()) && QFileInfo(positional.first()).isFile();
    const bool headless = (!positional.isEmpty() && !opensFile) || parser.isSet(help) || parser.isSet(version);
    if (parser.isSet(help)) {
        // Before the application object exists Qt has no program name to put there.
        writeTo(stdout, parser.helpText().replace(QStringLiteral("<executable_name>"), QStringLiteral("atelier")));
        return app::kExitOk;
    }
    if (parser.isSet(version)) {
        writeTo(stdout, QStringLiteral("atelier %1\n").arg(QStringLiteral(ATELIER_VERSION)));
        return app::kExitOk;
    }
    const app::Command *command = headless ? app::findCommand(positional.first()) : nullptr;
    if (headless && !command) {
        writeTo(stderr, QStringLiteral("atelier: unknown command '%1'\nTry 'atelier --help'.\n").arg(positional.first()));
        return app::kExitUsage;
    }

    // Widgets only for the window: headless commands run where there is no display.
    std::unique_ptr<QCoreApplication> application;
    if (headless)
        application = std::make_unique<QCoreApplication>(argc, argv);
    else
        application = std::make_unique<QApplication>(argc, argv);

    const Result<settings::AppRoot> root =
        openRoot(parser.value(options.root), parser.isSet(options.verbose), headless);
    if (!root)
        return app::kExitFailure;

    settings::SettingsStore settingsStore(root.value());
    settingsStore.load();
    installEnglishPlurals(*application);

    int status = app::kExitOk;
    if (headless) {
        // The commands speak English in every locale, with numbers as scripts read them ("1.53 GiB"): their
        // messages are written for terminals and logs, and their output is parsed. (QCoreApplication took the
        // environment's LC_NUMERIC for printf; the C one is put back.)
        QLocale::setDefault(QLocale::c());
        std::setlocale(LC_NUMERIC, "C");
        const QStringList commandArguments =
            QStringList{arguments.first() + QLatin1Char(' ') + command->name} + positional.mid(1);
        status = runCommand(*command, commandArguments, root.value(), settingsStore);
    } else {
        installTranslations(*application, settingsStore.current().language);
        status = runWindow(static_cast<QApplication &>(*application), settingsStore,
                           opensFile ? QFileInfo(positional.first()).absoluteFilePath() : QString());
    }
    logging::uninstallLogging();
    return status;
}
