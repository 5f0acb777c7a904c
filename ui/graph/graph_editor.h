#pragma once

// The node editor: workflows in tabs (each with its own undo history), the file actions, and runs. Queue sends a
// copy of the current graph to this computer's run service or a render farm's queue (editing goes on during a run and
// never changes it); the canvas shows what each node is doing: outlined while it runs, its progress, the sampler's
// preview each step, the images a saver wrote, "cached" for what the cache served, and the errors of validation or of a
// failed node on the node concerned.
#include "core/graph/graph_document.h"
#include "core/graph/graph_run_service.h"
#include "core/graph/graph_sources.h"
#include "core/metadata/generation_info.h"
#include "core/result.h"

#include <QWidget>

#include <memory>

class QLabel;
class QToolButton;
class QSettings;
class QTabWidget;
class QUndoGroup;
class QUndoStack;

namespace atelier::ui {

class GraphScene;
class GraphView;
class RunQueuePanel;

class GraphEditor : public QWidget
{
    Q_OBJECT
public:
    explicit GraphEditor(std::shared_ptr<const graph::NodeRegistry> registry, QWidget *parent = nullptr);
    ~GraphEditor() override;

    // A tab with the ready txt2img graph (loader, two prompts, empty latent, sampler, decode, save), on the first
    // main model the library has.
    void newTxt2ImgTab();
    void newEmptyTab();
    // A workflow (either shape), an API prompt, or an image with a graph or a recipe, in a new tab.
    Status openFile(const QString &path);
    // The current tab as an editor workflow (ComfyUI opens it); the tab remembers the path.
    Status saveFile(const QString &path);
    Status exportApiPrompt(const QString &path);
    // Files dropped on the canvas: workflows and images with a graph open in tabs; other pictures go into the
    // input folder (as PNG, which LoadImage reads) and get a LoadImage node at `scenePos`.
    void dropFiles(const QStringList &paths, QPointF scenePos);
    void setInputFolder(const QString &folder) { m_inputFolder = folder; }

    // The open tabs, kept across restarts: their workflows as they are (edited or not) in `folder`, their titles,
    // paths and the current one in `state`. Restoring opens what it finds; false when it found nothing.
    void saveSession(const QString &folder, QSettings &state) const;
    bool restoreSession(const QString &folder, QSettings &state);

    int tabCount() const;
    GraphView *currentView() const;
    GraphScene *currentScene() const;
    graph::GraphDocument *currentDocument() const;
    QUndoStack *currentUndoStack() const;
    // Every tab's undo stack, the current tab's active: for the Edit menu and the History list.
    QUndoGroup *undoGroup();
    // The runs queued from the editor, for a dock of the window's.
    RunQueuePanel *runQueuePanel() const { return m_queuePanel; }
    QString currentPath() const;

    // A node of `type` in the middle of the current view, as one undo step; its id.
    QString addNodeAtCentre(const QString &type);
    const graph::NodeRegistry &registry() const { return *m_registry; }

    // Queues the current graph; its run id. With `targets`, only what they need runs ("Run to here").
    quint64 queueCurrent(const QStringList &targets = {});
    void cancelRuns();
    // This computer's queue.
    graph::GraphRunService &runService() { return m_runs; }
    // A render farm's queue (core/farm), offered in the Run queue panel's "Run on" beside this computer under
    // `name`; none takes the choice away. A farm replaced cancels the runs it still had.
    void setFarm(std::unique_ptr<graph::RunQueue> farm, const QString &name = {});
    graph::RunQueue *farm() const { return m_farm.get(); }
    QLabel *statusLabel() const { return m_status; }
    // The models the last refused run of the current tab's graph lacked ("Install missing models…" lists them).
    QList<graph::MissingModel> missingModels() const { return m_missing; }
    void showMissingModels();
    // An image's recipe put into the current graph's widgets, as one undo step; what changed (the status line says).
    QStringList useRecipe(const metadata::GenerationInfo &recipe);

signals:
    // A workflow opened or saved (its absolute path): for the recent files.
    void fileUsed(const QString &path);
    // From the missing models: a source for the install queue, a name to look for in the library.
    void installModelRequested(const QString &source);
    // A missing model the workflow gives only a hash for, to be looked up on Civitai and installed.
    void installModelByHashRequested(const QString &hash);
    void findModelRequested(const QString &name);
    void runFinished(quint64 run, const atelier::graph::RunOutcome &outcome);

private:
    struct Tab;
    void addTab(std::unique_ptr<graph::GraphDocument> document, const QString &title, const QString &path = {});
    Tab *tabOf(quint64 run) const;
    Tab *currentTab() const;
    void updateTitle(Tab &tab);
    void connectRuns(graph::RunQueue &runs);
    void markErrors(Tab &tab, const graph::Validation &validation);
    Result<QString> importInputImage(const QString &path); // its name in the input folder

    std::shared_ptr<const graph::NodeRegistry> m_registry;
    graph::GraphRunService m_runs;
    std::unique_ptr<graph::RunQueue> m_farm;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_status = nullptr;
    RunQueuePanel *m_queuePanel = nullptr;
    QString m_inputFolder;
    QList<graph::MissingModel> m_missing;
    QToolButton *m_missingButton = nullptr;
    std::vector<std::unique_ptr<Tab>> m_tabList;
    QHash<quint64, GraphView *> m_runTabs; // the tab each run was queued from
};

} // namespace atelier::ui
