#include "core/gallery/gallery_service.h"
#include "core/nodes/built_in_nodes.h"
#include "core/settings/settings_store.h"
#include "tests/ui/test_library.h"
#include "ui/graph/add_node_popup.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/graph_view.h"
#include "ui/graph/node_item.h"
#include "ui/shell/main_window.h"

#include <QAccessible>
#include <QAccessibleActionInterface>
#include <QApplication>
#include <QDockWidget>
#include <QInputDialog>
#include <QMainWindow>
#include <QMenu>
#include <QTabBar>
#include <QToolButton>
#include <QtTest>

using namespace atelier;

namespace {

const std::vector<engine::DeviceInfo> kDevices{{engine::DeviceKind::Cpu, 0, "cpu", "CPU (2 threads)"}};

// The area a widget belongs to: the place of its dock (left, right, bottom; the tabs of docks sharing a place
// included), or the editor in the middle.
QString areaOf(QWidget *widget)
{
    auto *window = qobject_cast<QMainWindow *>(widget->window());
    if (auto *tabs = qobject_cast<QTabBar *>(widget); tabs && tabs->parentWidget() == window)
        for (QDockWidget *dock : window->findChildren<QDockWidget *>())
            if (dock->windowTitle() == tabs->tabText(tabs->currentIndex()))
                return QStringLiteral("dock area %1").arg(int(window->dockWidgetArea(dock)));
    for (QWidget *at = widget; at; at = at->parentWidget())
        if (auto *dock = qobject_cast<QDockWidget *>(at))
            return QStringLiteral("dock area %1").arg(int(window->dockWidgetArea(dock)));
    return QStringLiteral("editor");
}

// A dock behind another's tab: Qt keeps it "visible", but nothing of it shows.
bool behindATab(QWidget *widget)
{
    for (QWidget *at = widget; at; at = at->parentWidget())
        if (auto *dock = qobject_cast<QDockWidget *>(at))
            return !dock->isFloating() && dock->visibleRegion().isEmpty();
    return false;
}

QString describe(QWidget *widget)
{
    QString dock;
    for (QWidget *at = widget; at; at = at->parentWidget())
        if (qobject_cast<QDockWidget *>(at))
            dock = at->objectName();
    return QStringLiteral("%1 %2 in %3 %4")
        .arg(QString::fromLatin1(widget->metaObject()->className()), widget->objectName(), areaOf(widget), dock);
}

// What the window shows as it is, around `widget` (the focus ring is drawn over it, by a sibling).
QImage seen(QWidget *window, QWidget *widget)
{
    const QRect area(widget->mapTo(window, QPoint(0, 0)), widget->size());
    return window->grab(area.adjusted(-2, -2, 2, 2)).toImage();
}

ui::NodeItem *nodeOfType(ui::GraphView *view, const QString &type)
{
    for (QGraphicsItem *item : view->scene()->items())
        if (auto *node = dynamic_cast<ui::NodeItem *>(item); node && node->node().type == type)
            return node;
    return nullptr;
}

} // namespace

// The main window without a mouse: Tab walks every control an area shows, area after area, each with a name
// assistive tools can read and a focus one can see; on the canvas, the arrow keys choose nodes, Enter edits their
// inputs and F6 leaves; assistive tools see the nodes and their inputs.
class TestKeyboardAccess : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<settings::SettingsStore> m_store;
    std::unique_ptr<TestLibrary> m_library;
    std::unique_ptr<gallery::GalleryService> m_gallery;
    std::unique_ptr<ui::MainWindow> m_window;

private slots:
    void initTestCase()
    {
        auto root = settings::AppRoot::open(m_dir.path());
        QVERIFY(root.ok());
        m_store = std::make_unique<settings::SettingsStore>(root.value());
        m_store->load();
        m_library = std::make_unique<TestLibrary>();
        QVERIFY(m_library->opened);
        QDir().mkpath(root.value().outputsDir());
        m_gallery = std::make_unique<gallery::GalleryService>(m_dir.filePath(QStringLiteral("images.db")),
                                                              root.value().outputsDir());
        m_window = std::make_unique<ui::MainWindow>(*m_store);
        m_window->setLibraryServices(*m_library->store, *m_library->installer);
        nodes::NodeEnvironment environment;
        environment.outputDir = root.value().outputsDir();
        m_window->setGraphServices(nodes::builtInNodes(environment));
        m_window->setGalleryService(*m_gallery);
        m_window->setEngineStatus({ui::EngineStatus::State::Ready, kDevices, QStringLiteral("1.13"), QString()});
        m_window->resize(1400, 900);
        m_window->show();
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_gallery.reset();
        m_library.reset();
    }

    void tabWalksEveryControlAreaByArea()
    {
        QWidget *window = m_window.get();
        QWidget *first = m_window->libraryDock()->widget()->nextInFocusChain();
        while (!(first->focusPolicy() & Qt::TabFocus) || !first->isVisible() || !first->isEnabled())
            first = first->nextInFocusChain();
        first->setFocus(Qt::TabFocusReason);
        QTRY_COMPARE(QApplication::focusWidget(), first);

        QList<QWidget *> visited;
        QStringList unnamed, unseen;
        for (int press = 0; press < 400; ++press) {
            QWidget *now = QApplication::focusWidget();
            QVERIFY2(now, "the focus left the window");
            if (!visited.isEmpty() && now == visited.front())
                break; // round the whole window
            if (visited.contains(now)) {
                QStringList walk;
                for (QWidget *widget : std::as_const(visited))
                    walk << describe(widget);
                QFAIL(qPrintable(
                    QStringLiteral("the walk came back to %1 after:\n%2").arg(describe(now), walk.join('\n'))));
            }
            visited << now;
            if (const QAccessibleInterface *accessible = QAccessible::queryAccessibleInterface(now);
                !accessible || accessible->text(QAccessible::Name).trimmed().isEmpty())
                unnamed << describe(now);
            const QImage focused = seen(window, now);
            if (qobject_cast<ui::GraphView *>(now)) // Tab is the node search there; F6 moves on
                QTest::keyClick(now, Qt::Key_F6);
            else
                QTest::keyClick(now, Qt::Key_Tab);
            QTRY_VERIFY2(QApplication::focusWidget() != now,
                         qPrintable(QStringLiteral("Tab is kept by ") + describe(now)));
            if (seen(window, now) == focused)
                unseen << describe(now);
        }
        QVERIFY2(QApplication::focusWidget() == visited.front(), "the walk did not come round");

        // Everything one could click is on the way.
        QStringList missed;
        for (QWidget *widget : window->findChildren<QWidget *>())
            if ((widget->focusPolicy() & Qt::TabFocus) && widget->isVisible() && widget->isEnabled() &&
                !widget->focusProxy() && widget->window() == window && !behindATab(widget) && !visited.contains(widget))
                missed << describe(widget);
        QVERIFY2(missed.isEmpty(), qPrintable(QStringLiteral("not reachable by Tab:\n") + missed.join('\n')));
        QVERIFY2(unnamed.isEmpty(), qPrintable(QStringLiteral("no accessible name:\n") + unnamed.join('\n')));
        QVERIFY2(unseen.isEmpty(), qPrintable(QStringLiteral("focus not visible:\n") + unseen.join('\n')));

        // Area by area: once the walk leaves an area it does not come back to it.
        QStringList areas;
        for (QWidget *widget : std::as_const(visited))
            if (areas.isEmpty() || areas.back() != areaOf(widget))
                areas << areaOf(widget);
        if (areas.size() > 1 && areas.front() == areas.back())
            areas.removeLast(); // the walk is a circle
        QStringList unique = areas;
        unique.removeDuplicates();
        QVERIFY2(unique.size() == areas.size(), qPrintable(QStringLiteral("areas interleaved: ") + areas.join(", ")));
        QVERIFY(visited.size() > 20);
        QVERIFY(areas.contains(QStringLiteral("editor")));
        for (QWidget *widget : std::as_const(visited))
            QVERIFY2(!behindATab(widget),
                     qPrintable(QStringLiteral("the walk went behind a tab: ") + describe(widget)));
    }

    // A dock behind another's tab is reached by its tab: Tab to the tabs, an arrow key shows the next dock, and
    // Tab goes into it.
    void docksBehindTabsAreReachedByTheirTabs()
    {
        QDockWidget *training = m_window->trainingDock();
        QVERIFY(m_window->tabifiedDockWidgets(training).contains(m_window->installQueueDock()));
        m_window->installQueueDock()->raise();
        QTRY_VERIFY(behindATab(training->widget()));
        QTabBar *tabs = nullptr;
        for (QTabBar *bar : m_window->findChildren<QTabBar *>(QString(), Qt::FindDirectChildrenOnly))
            for (int index = 0; index < bar->count(); ++index)
                if (bar->tabText(index) == training->windowTitle())
                    tabs = bar;
        QVERIFY(tabs);
        QCOMPARE(tabs->focusPolicy() & Qt::TabFocus, Qt::TabFocus);
        tabs->setFocus(Qt::TabFocusReason);
        QTRY_VERIFY(tabs->hasFocus());
        for (int press = 0; press < tabs->count() && tabs->tabText(tabs->currentIndex()) != training->windowTitle();
             ++press)
            QTest::keyClick(tabs, Qt::Key_Right);
        QCOMPARE(tabs->tabText(tabs->currentIndex()), training->windowTitle());
        QTRY_VERIFY(!behindATab(training->widget()));
        QTest::keyClick(tabs, Qt::Key_Tab);
        QTRY_VERIFY(training->isAncestorOf(QApplication::focusWidget()));
    }

    // Every tool button says what it does when pointed at: most show an icon or a single word.
    void everyToolButtonHasATooltip()
    {
        QStringList silent;
        for (QToolButton *button : m_window->findChildren<QToolButton *>()) {
            // Qt's own: a tab bar's scroll arrows and a dock title's float and close buttons.
            if (button->objectName().startsWith(QLatin1String("qt_")) ||
                button->objectName().startsWith(QLatin1String("Scroll")) || button->inherits("QLineEditIconButton"))
                continue;
            if (button->toolTip().trimmed().isEmpty() || button->toolTip() == button->text().remove(QLatin1Char('&')))
                silent << QStringLiteral("\"%1\" %2").arg(button->text(), describe(button));
        }
        for (const QString &line : std::as_const(silent))
            qWarning("no tooltip: %s", qPrintable(line));
        QVERIFY2(silent.isEmpty(), "tool buttons without a tooltip (listed above)");
    }

    void theCanvasWorksFromTheKeyboard()
    {
        ui::GraphView *view = m_window->graphEditor()->currentView();
        QVERIFY(view);
        view->setFocus(Qt::TabFocusReason);
        QTRY_VERIFY(view->hasFocus());
        ui::GraphScene *scene = view->graphScene();
        scene->clearSelection();

        // Arrows: the node nearest the middle first, then the nearest one that way.
        QTest::keyClick(view, Qt::Key_Right);
        QCOMPARE(scene->selectedNodeIds().size(), 1);
        ui::NodeItem *sampler = nodeOfType(view, QStringLiteral("KSampler"));
        ui::NodeItem *decode = nodeOfType(view, QStringLiteral("VAEDecode"));
        QVERIFY(sampler && decode);
        scene->clearSelection();
        sampler->setSelected(true);
        QTest::keyClick(view, Qt::Key_Right);
        QCOMPARE(scene->selectedNodeIds(), QStringList{decode->id()});
        QTest::keyClick(view, Qt::Key_Left);
        QCOMPARE(scene->selectedNodeIds(), QStringList{sampler->id()});

        // Enter lists the node's inputs; choosing "steps" opens its editor; the new value lands in the graph.
        int stepsIndex = -1;
        for (int index = 0; index < sampler->node().widgets.size(); ++index)
            if (sampler->node().widgets.at(index).name == QLatin1String("steps"))
                stepsIndex = index;
        QVERIFY(stepsIndex >= 0);
        bool menuSeen = false, dialogSeen = false;
        QTimer::singleShot(200, this, [&] {
            auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
            menuSeen = menu != nullptr;
            if (!menu)
                return;
            for (int down = 0; down <= stepsIndex; ++down)
                QTest::keyClick(menu, Qt::Key_Down);
            QTimer::singleShot(300, this, [&] {
                auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
                dialogSeen = dialog != nullptr;
                if (!dialog)
                    return;
                dialog->setDoubleValue(33);
                dialog->accept();
            });
            QTest::keyClick(menu, Qt::Key_Return);
        });
        QTest::keyClick(view, Qt::Key_Return);
        QVERIFY(menuSeen);
        QVERIFY(dialogSeen);
        QCOMPARE(sampler->widgetText(stepsIndex), QStringLiteral("33"));

        // Tab stays the node search; Escape closes it and F6 leaves the canvas.
        QTest::keyClick(view, Qt::Key_Tab);
        QTRY_VERIFY(view->addNodePopup() && view->addNodePopup()->isVisible());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QTRY_VERIFY(!view->addNodePopup()->isVisible());
        view->setFocus(Qt::TabFocusReason);
        QTest::keyClick(view, Qt::Key_F6);
        QTRY_VERIFY(!view->hasFocus());
    }

    void assistiveToolsSeeNodesAndInputs()
    {
        ui::GraphView *view = m_window->graphEditor()->currentView();
        QAccessibleInterface *canvas = QAccessible::queryAccessibleInterface(view);
        QVERIFY(canvas);
        QCOMPARE(canvas->text(QAccessible::Name), QStringLiteral("Node canvas"));
        QVERIFY(!canvas->text(QAccessible::Description).isEmpty());
        const QStringList ids = view->graphScene()->document().nodeIds();
        QCOMPARE(canvas->childCount(), int(ids.size()));

        ui::NodeItem *sampler = nodeOfType(view, QStringLiteral("KSampler"));
        QAccessibleInterface *node = canvas->child(int(ids.indexOf(sampler->id())));
        QVERIFY(node && node->isValid());
        QCOMPARE(node->text(QAccessible::Name), sampler->shownTitle());
        QVERIFY(node->text(QAccessible::Description).startsWith(QStringLiteral("KSampler")));
        QCOMPARE(canvas->indexOfChild(node), int(ids.indexOf(sampler->id())));
        QVERIFY(node->rect().isValid());
        view->graphScene()->clearSelection();
        sampler->setSelected(true);
        QVERIFY(node->state().selected);
        QCOMPARE(canvas->focusChild(), node);

        QMap<QString, QAccessibleInterface *> inputs;
        for (int index = 0; index < node->childCount(); ++index) {
            QAccessibleInterface *input = node->child(index);
            QVERIFY(input && input->isValid());
            QCOMPARE(input->parent(), node);
            QCOMPARE(node->indexOfChild(input), index);
            inputs.insert(input->text(QAccessible::Name), input);
        }
        QVERIFY(inputs.contains(QStringLiteral("model")) && inputs.contains(QStringLiteral("steps")));
        QCOMPARE(inputs.value(QStringLiteral("model"))->text(QAccessible::Description), QStringLiteral("MODEL"));
        QVERIFY2(inputs.value(QStringLiteral("model"))->text(QAccessible::Value).startsWith(QStringLiteral("from ")),
                 qPrintable(inputs.value(QStringLiteral("model"))->text(QAccessible::Value)));
        QCOMPARE(inputs.value(QStringLiteral("steps"))->text(QAccessible::Value), QStringLiteral("33"));
        QAccessibleActionInterface *press = inputs.value(QStringLiteral("steps"))->actionInterface();
        QVERIFY(press);
        QCOMPARE(press->actionNames(), QStringList{QAccessibleActionInterface::pressAction()});
        QVERIFY(!inputs.value(QStringLiteral("model"))->actionInterface());

        // A node removed is no longer a child, and its interface says it is gone.
        view->graphScene()->removeSelected();
        QCOMPARE(canvas->childCount(), int(ids.size()) - 1);
        QVERIFY(!node->isValid());

        // A widget turned into a socket and unlinked again, as ComfyUI saves it, is drawn as a widget only: one
        // input, not a socket and a widget of the same name.
        const QByteArray workflow = R"({"last_node_id": 1, "last_link_id": 0, "nodes": [{"id": 1, "type": "KSampler",
            "pos": [0, 0], "size": [300, 260], "flags": {}, "order": 0, "mode": 0,
            "inputs": [{"name": "model", "type": "MODEL", "link": null},
                       {"name": "seed", "type": "INT", "widget": {"name": "seed"}, "link": null}],
            "outputs": [{"name": "LATENT", "type": "LATENT", "links": []}], "properties": {},
            "widgets_values": [5, "fixed", 20, 8, "euler", "normal", 1]}],
            "links": [], "groups": [], "config": {}, "extra": {}, "version": 0.4})";
        QVERIFY(view->graphScene()->document().openWorkflow(workflow).ok());
        QCOMPARE(canvas->childCount(), 1);
        QAccessibleInterface *reopened = canvas->child(0);
        QStringList names;
        for (int index = 0; index < reopened->childCount(); ++index)
            names << reopened->child(index)->text(QAccessible::Name);
        QCOMPARE(names.count(QStringLiteral("seed")), 1);
        QVERIFY(names.contains(QStringLiteral("model")));
        QCOMPARE(reopened->child(int(names.indexOf(QStringLiteral("seed"))))->text(QAccessible::Value),
                 QStringLiteral("5"));
        // Each socket reports its own row, inside its node.
        QAccessibleInterface *model = reopened->child(int(names.indexOf(QStringLiteral("model"))));
        QVERIFY(reopened->rect().contains(model->rect()));
        QVERIFY(model->rect().height() < reopened->rect().height() / 2);
    }
};

QTEST_MAIN(TestKeyboardAccess)
#include "test_keyboard_access.moc"
