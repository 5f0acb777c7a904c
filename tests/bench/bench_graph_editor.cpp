// The node editor, offscreen: the largest corpus workflow and a generated 500-node graph opened (to the first
// painted frame), frames while panning and zooming over them, and the undo of a 500-node addition.
// Run: QT_QPA_PLATFORM=offscreen ATELIER_FIXTURES=... build/dev/tests/bench/bench_graph_editor
#include "bench_statistics.h"
#include "core/graph/graph_document.h"
#include "tests/graph/corpus_workflows.h"
#include "tests/graph/graph_test_support.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/graph_view.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QUndoStack>

#include <cstdio>
#include <functional>

using namespace atelier;

namespace {

double milliseconds(const std::function<void()> &work)
{
    QElapsedTimer timer;
    timer.start();
    work();
    return double(timer.nsecsElapsed()) / 1e6;
}

// 500 nodes of the kinds a large workflow has, in a grid, each linked from one before it where the types allow.
QByteArray generatedWorkflow(const std::shared_ptr<const graph::NodeRegistry> &registry, int count)
{
    graph::GraphDocument document(registry);
    const QStringList kinds{QStringLiteral("CheckpointLoaderSimple"),
                            QStringLiteral("CLIPTextEncode"),
                            QStringLiteral("EmptyLatentImage"),
                            QStringLiteral("KSampler"),
                            QStringLiteral("VAEDecode"),
                            QStringLiteral("SaveImage")};
    QStringList ids;
    for (int i = 0; i < count; ++i) {
        const QString id = document.addNode(kinds.at(i % kinds.size()), QPointF((i % 25) * 360, (i / 25) * 320));
        for (int back = 1; back <= 6 && back <= i; ++back)
            for (int output = 0; output < 3; ++output) {
                const graph::CanvasNode node = *document.canvasNode(id);
                for (const graph::CanvasSlot &slot : node.inputs)
                    if (!slot.link)
                        document.connectInput({ids.at(i - back), output}, id, slot.name);
            }
        ids.append(id);
    }
    return document.editorWorkflow();
}

void measure(ui::GraphEditor &editor, const QString &name, const QByteArray &workflow)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("workflow.json"));
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(workflow);
    file.close();
    const double open = milliseconds([&] {
        (void)editor.openFile(path);
        editor.currentView()->viewport()->repaint();
    });
    ui::GraphView &view = *editor.currentView();
    const int nodes = int(editor.currentDocument()->nodeIds().size());
    std::vector<double> pan, zoom;
    for (int frame = 0; frame < 40; ++frame) {
        pan.push_back(milliseconds([&] {
            view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->value() + (frame % 2 ? -37 : 41));
            view.viewport()->repaint();
        }));
        zoom.push_back(milliseconds([&] {
            const double factor = frame % 2 ? 1 / 1.1 : 1.1;
            view.scale(factor, factor);
            view.viewport()->repaint();
        }));
    }
    // The same at full size, over the first nodes.
    view.setTransform(QTransform());
    const graph::GraphDocument &document = *editor.currentDocument();
    view.centerOn(document.canvasNode(document.nodeIds().front())->position + QPointF(600, 300));
    std::vector<double> near;
    for (int frame = 0; frame < 40; ++frame)
        near.push_back(milliseconds([&] {
            const double factor = frame % 2 ? 1 / 1.05 : 1.05;
            view.scale(factor, factor);
            view.viewport()->repaint();
        }));
    std::printf("%s (%d nodes): first frame %.1f ms; all in view: panning %.2f ms per frame, zooming %.2f ms per "
                "frame; at full size: zooming %.2f ms per frame (medians of 40; target < 16 ms)\n",
                qPrintable(name), nodes, open, median(pan), median(zoom), median(near));
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication application(argc, argv);
    graph_tests::TinyRoot tiny;
    ui::GraphEditor editor(tiny.registry);
    editor.resize(1600, 1000);
    editor.show();
    QApplication::processEvents();

    CorpusWorkflow largest;
    for (const CorpusWorkflow &workflow : corpusEditorWorkflows())
        if (workflow.json.size() > largest.json.size())
            largest = workflow;
    measure(editor, largest.name, largest.json);
    measure(editor, QStringLiteral("generated"), generatedWorkflow(tiny.registry, 500));
    editor.currentView()->fitAll();
    editor.currentView()->viewport()->repaint();
    std::vector<double> fitted;
    for (int frame = 0; frame < 20; ++frame)
        fitted.push_back(milliseconds([&] {
            editor.currentView()->scale(frame % 2 ? 1 / 1.02 : 1.02, frame % 2 ? 1 / 1.02 : 1.02);
            editor.currentView()->viewport()->repaint();
        }));
    std::printf("generated, all 500 nodes in view: %.2f ms per frame (median of 20)\n", median(fitted));

    // A 500-node addition as one step (what a paste of 500 nodes is), undone and redone.
    ui::GraphScene &scene = *editor.currentScene();
    const double add = milliseconds([&] {
        scene.edit(QStringLiteral("paste"), [&] {
            for (int i = 0; i < 500; ++i)
                editor.currentDocument()->addNode(QStringLiteral("KSampler"),
                                                  QPointF((i % 25) * 360, 4000 + (i / 25) * 320));
        });
    });
    const double undo = milliseconds([&] {
        editor.currentUndoStack()->undo();
        editor.currentView()->viewport()->repaint();
    });
    const double redo = milliseconds([&] {
        editor.currentUndoStack()->redo();
        editor.currentView()->viewport()->repaint();
    });
    std::printf("500 nodes added in one step: %.1f ms; undone %.1f ms, redone %.1f ms (target < 100 ms)\n", add, undo,
                redo);
    return 0;
}
