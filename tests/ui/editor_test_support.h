#pragma once

// What the node-editor tests share: the ready txt2img graph on the tiny SD 1.x model, and a run waited for.
#include "core/graph/graph_document.h"
#include "tests/graph/graph_test_support.h"
#include "ui/graph/graph_editor.h"
#include "ui/graph/graph_scene.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

namespace editor_tests {

// An editor on `registry`, shown (offscreen) at a size its canvas works in; null when it never got exposed.
inline std::unique_ptr<atelier::ui::GraphEditor>
shownEditor(std::shared_ptr<const atelier::graph::NodeRegistry> registry)
{
    auto editor = std::make_unique<atelier::ui::GraphEditor>(std::move(registry));
    editor->resize(1200, 800);
    editor->show();
    return QTest::qWaitForWindowExposed(editor.get()) ? std::move(editor) : nullptr;
}

// The ready txt2img tab, on tiny-sd1 at 64×64 with `steps` steps; its node ids.
inline QStringList txt2imgOnTheTinyModel(atelier::ui::GraphEditor &editor, int steps)
{
    using atelier::graph::GraphValue;
    editor.newTxt2ImgTab();
    atelier::graph::GraphDocument &document = *editor.currentDocument();
    const QStringList ids = document.nodeIds();
    editor.currentScene()->edit("model", [&] {
        document.setValue(ids.at(0), "ckpt_name", GraphValue::text(graph_tests::checkpointOf("tiny-sd1")));
        document.setValue(ids.at(3), "width", GraphValue::integer(64));
        document.setValue(ids.at(3), "height", GraphValue::integer(64));
        document.setValue(ids.at(4), "steps", GraphValue::integer(steps));
    });
    return ids;
}

// Queues the current graph and waits for its outcome (a default one when it does not finish in time).
inline atelier::graph::RunOutcome runAndWait(atelier::ui::GraphEditor &editor, int timeoutMs = 120000)
{
    QSignalSpy finished(&editor, &atelier::ui::GraphEditor::runFinished);
    editor.queueCurrent();
    if (!finished.wait(timeoutMs))
        return {};
    return finished.first().at(1).value<atelier::graph::RunOutcome>();
}

} // namespace editor_tests
