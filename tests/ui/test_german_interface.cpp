#include "core/gallery/gallery_service.h"
#include "core/graph/graph_sources.h"
#include "core/graph/node_type.h"
#include "core/models/taxonomy.h"
#include "core/nodes/built_in_nodes.h"
#include "core/settings/settings_store.h"
#include "tests/fixtures.h"
#include "tests/ui/test_library.h"
#include "ui/gallery/gallery_panel.h"
#include "ui/gallery/image_inspector.h"
#include "ui/gallery/image_viewer.h"
#include "ui/graph/add_node_popup.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/missing_models_dialog.h"
#include "ui/graph/node_item.h"
#include "ui/graph/prompt_editor.h"
#include "ui/library/delete_models_dialog.h"
#include "ui/library/import_library_dialog.h"
#include "ui/shell/about_dialog.h"
#include "ui/shell/main_window.h"
#include "ui/shell/settings_dialog.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QComboBox>
#include <QDirIterator>
#include <QDockWidget>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLibraryInfo>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QRegularExpression>
#include <QTabBar>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

using namespace atelier;

namespace {

// The allow list: words that are the same in German, and so never a sign of an untranslated string. Names of
// tools, formats and parts, and the technical words German users of these tools say in English.
const QSet<QString> kNames{
    QStringLiteral("atelier"),  QStringLiteral("amused"),    QStringLiteral("muse"),     QStringLiteral("comfyui"),
    QStringLiteral("invokeai"), QStringLiteral("civitai"),   QStringLiteral("hugging"),  QStringLiteral("face"),
    QStringLiteral("stable"),   QStringLiteral("diffusion"), QStringLiteral("lora"),     QStringLiteral("vae"),
    QStringLiteral("clip"),     QStringLiteral("png"),       QStringLiteral("json"),     QStringLiteral("cpu"),
    QStringLiteral("cuda"),     QStringLiteral("gpu"),       QStringLiteral("qt"),       QStringLiteral("libtorch"),
    QStringLiteral("fp"),       QStringLiteral("bf"),        QStringLiteral("gib"),      QStringLiteral("mib"),
    QStringLiteral("kib"),      QStringLiteral("ram"),       QStringLiteral("sdxl"),     QStringLiteral("sd"),
    QStringLiteral("txt"),      QStringLiteral("img"),       QStringLiteral("safetensors"),
    QStringLiteral("return") /* the key, as Qt's German names it in shortcuts ("Strg+Return") */};

// Source files whose literals can reach the interface without passing through tr(): the widgets' own and the
// services' (error messages, notes, reasons). Their words join the English vocabulary.
const QStringList kLiteralFolders{QStringLiteral("ui"), QStringLiteral("core/graph"), QStringLiteral("core/settings"),
                                  QStringLiteral("core/generation"), QStringLiteral("core/gallery")};

const std::vector<engine::DeviceInfo> kDevices{{engine::DeviceKind::Cpu, 0, "cpu", "CPU (2 threads)", 2}};

QStringList wordsOf(const QString &text)
{
    static const QRegularExpression word(QStringLiteral("[A-Za-zÄÖÜäöüß]{2,}"));
    QStringList words;
    for (const QRegularExpressionMatch &match : word.globalMatch(text))
        words << match.captured().toLower();
    return words;
}

// A workflow or metadata chunk shown as it is stored (the inspector's raw chunks show their beginning).
bool isJson(const QString &text)
{
    static const QRegularExpression json(QStringLiteral("^\\s*[\\[{]\\s*\""));
    return json.match(text).hasMatch();
}

QString plain(const QString &text)
{
    if (!Qt::mightBeRichText(text))
        return text;
    QTextDocument document;
    document.setHtml(text);
    return document.toPlainText();
}

// The words of the string literals in `folder`'s sources, but not those of code (identifiers, keys, formats):
// only literals that read like a phrase, with a space between two words.
QSet<QString> literalWordsUnder(const QString &folder)
{
    static const QRegularExpression literal(QStringLiteral("QStringLiteral\\(\"((?:[^\"\\\\]|\\\\.)*)\"\\)"));
    static const QRegularExpression phrase(QStringLiteral("[A-Za-z]{2,} [A-Za-z]{2,}"));
    QSet<QString> words;
    QDirIterator sources(folder, {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files,
                         QDirIterator::Subdirectories);
    while (sources.hasNext()) {
        QFile file(sources.next());
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QString code = QString::fromUtf8(file.readAll());
        for (const QRegularExpressionMatch &match : literal.globalMatch(code))
            if (phrase.match(match.captured(1)).hasMatch())
                for (const QString &word : wordsOf(match.captured(1)))
                    words.insert(word);
    }
    return words;
}

// Text as a reader sees it, without the spans that are code (`atelier train`) in a Markdown document.
QString withoutCode(const QString &markdown)
{
    static const QRegularExpression code(QStringLiteral("`[^`]*`"));
    return QString(markdown).remove(code);
}

void addActionTexts(QStringList &texts, const QList<QAction *> &actions)
{
    for (QAction *action : actions) {
        texts << action->text().remove(QLatin1Char('&')) << action->toolTip();
        if (action->menu())
            addActionTexts(texts, action->menu()->actions());
    }
}

void addRowTexts(QStringList &texts, const QAbstractItemModel &model, const QModelIndex &parent)
{
    for (int row = 0; row < model.rowCount(parent) && row < 200; ++row) {
        for (int column = 0; column < model.columnCount(parent); ++column) {
            const QModelIndex index = model.index(row, column, parent);
            texts << index.data(Qt::DisplayRole).toString() << index.data(Qt::ToolTipRole).toString();
        }
        addRowTexts(texts, model, model.index(row, 0, parent));
    }
}

// Everything a person can read on `widget` itself: its label, button text, title, tabs, placeholder, list entries,
// column headers, tooltip, and the actions of its menus.
QStringList visibleTextsOf(QWidget *widget)
{
    QStringList texts{widget->windowTitle(), widget->toolTip(), widget->accessibleName(), widget->whatsThis()};
    addActionTexts(texts, widget->actions());
    if (auto *label = qobject_cast<QLabel *>(widget))
        texts << plain(label->text());
    else if (auto *button = qobject_cast<QAbstractButton *>(widget))
        texts << button->text().remove(QLatin1Char('&'));
    else if (auto *group = qobject_cast<QGroupBox *>(widget))
        texts << group->title();
    else if (auto *line = qobject_cast<QLineEdit *>(widget))
        texts << line->placeholderText();
    else if (auto *browser = qobject_cast<QTextBrowser *>(widget))
        texts << withoutCode(browser->toMarkdown()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    else if (auto *menu = qobject_cast<QMenu *>(widget))
        texts << menu->title().remove(QLatin1Char('&'));
    else if (auto *tabs = qobject_cast<QTabBar *>(widget)) {
        for (int i = 0; i < tabs->count(); ++i)
            texts << tabs->tabText(i) << tabs->tabToolTip(i);
    } else if (auto *combo = qobject_cast<QComboBox *>(widget)) {
        for (int i = 0; i < combo->count(); ++i)
            texts << combo->itemText(i);
    } else if (auto *header = qobject_cast<QHeaderView *>(widget)) {
        if (const QAbstractItemModel *model = header->model()) {
            const bool across = header->orientation() == Qt::Horizontal;
            for (int i = 0; i < (across ? model->columnCount() : model->rowCount()) && i < 50; ++i)
                texts << model->headerData(i, header->orientation()).toString();
        }
    } else if (auto *view = qobject_cast<QAbstractItemView *>(widget); view && view->model()) {
        addRowTexts(texts, *view->model(), QModelIndex());
    }
    texts.removeAll(QString());
    texts.removeDuplicates();
    return texts;
}

} // namespace

// The interface in German has no English left: every window and dialog is walked with the German translation
// installed, and any text holding a word that only the English sources use fails. That vocabulary comes from the
// translation file itself (the words of the English sources that no German translation uses), so it grows with
// the interface.
class TestGermanInterface : public QObject
{
    Q_OBJECT

    QSet<QString> m_englishOnly;
    QSet<QString> m_messages; // "context|source" of every message in the German file
    // Names that are the same in every language: the taxonomy's strings (TAXONOMY.md; they are what the library's
    // search and files say) and node types (what workflows store).
    QSet<QString> m_identifiers;
    QStringList m_found;
    int m_checked = 0;
    QTranslator m_qt;
    QTranslator m_atelier;

    void check(const QString &where, QWidget *widget)
    {
        // Type names (MODEL, AMUSED_MODEL, LoraLoaderModelOnly), option values (v_prediction) and paths are data,
        // the same in every language.
        static const QRegularExpression data(
            QStringLiteral("^([A-Z0-9_]+|[A-Za-z0-9]*[a-z][A-Z][A-Za-z0-9]*|\\S*[_/]\\S*)$"));
        for (QWidget *shown : QList<QWidget *>{widget} + widget->findChildren<QWidget *>()) {
            for (const QString &text : visibleTextsOf(shown)) {
                ++m_checked;
                if (data.match(text).hasMatch() || isJson(text) || m_identifiers.contains(text))
                    continue;
                QStringList english;
                for (const QString &word : wordsOf(text))
                    if (m_englishOnly.contains(word))
                        english << word;
                if (!english.isEmpty())
                    m_found << QStringLiteral("%1, %2 %3: \"%4\" (%5)")
                                   .arg(where, QString::fromLatin1(shown->metaObject()->className()),
                                        shown->objectName(), text.left(160), english.join(QLatin1Char(' ')));
            }
        }
    }

private slots:
    void initTestCase()
    {
        // As app/main.cpp does: Qt's own strings (the standard buttons, from Debian's qt6-translations-l10n) first,
        // then Atelier's, which are asked first.
        QVERIFY2(m_qt.load(QLocale(QLocale::German), QStringLiteral("qtbase"), QStringLiteral("_"),
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath)),
                 "Qt's German translation (qt6-translations-l10n) is not installed");
        QCoreApplication::installTranslator(&m_qt);
        QVERIFY2(m_atelier.load(QStringLiteral(ATELIER_DE_QM)), ATELIER_DE_QM);
        QCoreApplication::installTranslator(&m_atelier);
        QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));

        QFile file(QStringLiteral(ATELIER_SOURCE_DIR "/translations/atelier_de.ts"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QSet<QString> english;
        QSet<QString> german;
        QString context;
        QXmlStreamReader xml(&file);
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == QLatin1String("name")) {
                context = xml.readElementText();
            } else if (xml.name() == QLatin1String("source")) {
                const QString source = xml.readElementText();
                m_messages.insert(context + QLatin1Char('|') + source);
                for (const QString &word : wordsOf(source))
                    english.insert(word);
            } else if (xml.name() == QLatin1String("translation") || xml.name() == QLatin1String("numerusform"))
                for (const QString &word : wordsOf(xml.readElementText(QXmlStreamReader::IncludeChildElements)))
                    german.insert(word);
        }
        QVERIFY(!xml.hasError());
        for (const QString &folder : kLiteralFolders)
            english.unite(literalWordsUnder(QStringLiteral(ATELIER_SOURCE_DIR "/") + folder));
        m_englishOnly = english - german - kNames;
        for (const QStringList &strings :
             {models::allStrings<models::BaseModel>(), models::allStrings<models::ModelType>(),
              models::allStrings<models::ModelFormat>(), models::allStrings<models::ModelVariant>(),
              models::allStrings<models::PredictionType>()})
            for (const QString &identifier : strings)
                m_identifiers.insert(identifier);
        const auto registry = nodes::builtInNodes({});
        for (const graph::NodeType *type : registry->types())
            m_identifiers.insert(type->definition().type);
        QVERIFY(m_englishOnly.contains(QStringLiteral("the")));
        // A word only literals outside tr() use (core/graph/validation.cpp's messages).
        QVERIFY(m_englishOnly.contains(QStringLiteral("mismatch")));
    }

    // The built-in nodes' names, descriptions and category folders are shown translated (ui/graph/node_texts.h); a
    // category built at run time or a name not marked for translation has no message and would stay English.
    void everyBuiltInNodeTextHasAMessage()
    {
        QStringList missing;
        const auto registry = nodes::builtInNodes({});
        for (const graph::NodeType *type : registry->types()) {
            const graph::NodeDefinition &definition = type->definition();
            for (const QString &text : {definition.displayName, definition.description})
                if (!text.isEmpty() && text != definition.type &&
                    !m_messages.contains(QStringLiteral("NodeDefinition|") + text))
                    missing << QStringLiteral("%1: \"%2\"").arg(definition.type, text);
            for (const QString &folder : definition.category.split(QLatin1Char('/'), Qt::SkipEmptyParts))
                if (!m_messages.contains(QStringLiteral("NodeCategory|") + folder))
                    missing << QStringLiteral("%1: category folder \"%2\"").arg(definition.type, folder);
        }
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
    }

    // The canvas labels inputs by their names translated (core/nodes/node_kit.cpp's table); a built-in input missing
    // there would stay English.
    void everyBuiltInInputHasAMessage()
    {
        QStringList missing;
        const auto registry = nodes::builtInNodes({});
        for (const graph::NodeType *type : registry->types())
            for (const graph::InputSpec &input : type->definition().inputs)
                if (!m_messages.contains(QStringLiteral("NodeInput|") + input.name))
                    missing << QStringLiteral("%1: input \"%2\"").arg(type->definition().type, input.name);
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
    }

    void theMainWindowAndItsDialogsSpeakGerman()
    {
        QTemporaryDir dir;
        auto root = settings::AppRoot::open(dir.path());
        QVERIFY(root.ok());
        settings::SettingsStore settingsStore(root.value());
        settingsStore.load();
        TestLibrary library;
        QVERIFY(library.opened);
        const QString outputs = root.value().outputsDir();
        QDir().mkpath(outputs);
        const QString image = outputs + QStringLiteral("/lora_lora.png");
        QVERIFY(QFile::copy(fixturesDir() + QStringLiteral("/corpus/comfyui/lora_lora.png"), image));
        gallery::GalleryService images(dir.filePath(QStringLiteral("images.db")), outputs);

        ui::MainWindow window(settingsStore);
        window.setLibraryServices(*library.store, *library.installer);
        nodes::NodeEnvironment environment;
        environment.outputDir = outputs;
        window.setGraphServices(nodes::builtInNodes(environment));
        window.setGalleryService(images);
        window.setEngineStatus({ui::EngineStatus::State::Ready, kDevices, QStringLiteral("1.13"), QString()});
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy scanned(&images, &gallery::GalleryService::scanFinished);
        images.start();
        QVERIFY(scanned.wait(20000));
        QVERIFY(window.openFromOutside(image).ok());
        auto *inspector = window.findChild<ui::ImageInspector *>();
        QVERIFY(inspector);
        inspector->waitForRead();
        QVERIFY(inspector->recipe().prompt.has_value());
        check(QStringLiteral("main window"), &window);
        // The canvas draws its nodes itself: the txt2img graph the editor opens with, its titles, input labels,
        // values and tooltips, in German.
        QStringList titles, canvasTexts;
        for (QGraphicsItem *item : window.graphEditor()->currentView()->scene()->items()) {
            auto *node = dynamic_cast<ui::NodeItem *>(item);
            if (!node)
                continue;
            titles << node->shownTitle();
            canvasTexts << node->shownTitle() << node->toolTip();
            for (const graph::CanvasSlot &slot : node->node().inputs)
                canvasTexts << graph::inputLabel(slot.name);
            for (int widget = 0; widget < node->node().widgets.size(); ++widget) {
                const graph::NodeInput &input = node->node().widgets.at(widget);
                canvasTexts << graph::inputLabel(input.name);
                // Values shown in words (the seed's control, booleans); a prompt is the artist's own text.
                if (input.value && !input.value->toText())
                    canvasTexts << node->widgetText(widget);
                else if (input.name == QLatin1String("control_after_generate"))
                    canvasTexts << node->widgetText(widget);
            }
        }
        QVERIFY(titles.contains(QStringLiteral("VAE-Dekodierung")));
        QVERIFY(canvasTexts.contains(QStringLiteral("Schritte")));
        for (const QString &text : std::as_const(canvasTexts))
            for (const QString &word : wordsOf(text))
                if (m_englishOnly.contains(word) && !isJson(text))
                    m_found << QStringLiteral("canvas: \"%1\" (%2)").arg(text.left(160), word);

        ui::SettingsDialog settingsDialog(settingsStore, kDevices);
        check(QStringLiteral("settings"), &settingsDialog);
        ui::AboutDialog about({ui::EngineStatus::State::Ready, kDevices, QStringLiteral("1.13"), QString()});
        check(QStringLiteral("about"), &about);
        ui::ImportLibraryDialog *import = window.showImportLibraryDialog();
        QVERIFY(import);
        check(QStringLiteral("import library"), import);
        import->close();
        ui::DeletionCandidate candidate;
        candidate.key = QStringLiteral("tiny");
        candidate.name = QStringLiteral("tiny");
        candidate.path = library.modelsDir() + QStringLiteral("/tiny.safetensors");
        candidate.bytes = 1024;
        candidate.insideModelsFolder = true;
        ui::DeleteModelsDialog deletion({candidate});
        check(QStringLiteral("delete models"), &deletion);
        graph::MissingModel missing;
        missing.name = QStringLiteral("tiny.safetensors");
        ui::MissingModelsDialog missingDialog({missing});
        check(QStringLiteral("missing models"), &missingDialog);
        ui::PromptEditor prompt(QStringLiteral("text"), QStringLiteral("a cat"));
        check(QStringLiteral("prompt editor"), &prompt);
        window.showUserGuide();
        auto *guide = window.findChild<QDialog *>(QStringLiteral("userGuide"));
        QVERIFY(guide);
        QVERIFY(guide->findChild<QTextBrowser *>()->toPlainText().contains(QStringLiteral("Benutzerhandbuch")));
        check(QStringLiteral("user guide"), guide);
        // The gallery's viewer, comparing the inspected image with itself (its table of differences and buttons).
        ui::ImageViewer *viewer = window.findChild<ui::GalleryPanel *>()->viewer();
        viewer->compare(image, inspector->recipe(), image, inspector->recipe());
        viewer->show();
        viewer->waitForImages();
        check(QStringLiteral("image viewer"), viewer);
        // The node search (Tab or a double click on the canvas): names, categories and descriptions.
        ui::AddNodePopup addNode(*nodes::builtInNodes(environment), {});
        check(QStringLiteral("add node"), &addNode);

        // The walk read the menus, docks, panels and dialogs, not an empty window.
        QVERIFY2(m_checked > 500, qPrintable(QString::number(m_checked)));
        QVERIFY2(m_found.isEmpty(),
                 qPrintable(QStringLiteral("English in the German interface:\n") + m_found.join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestGermanInterface)
#include "test_german_interface.moc"
