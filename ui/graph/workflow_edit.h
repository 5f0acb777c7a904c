#pragma once

// One undo step of the node editor: the workflow before and after an edit, put back whole. Simple and exact (undo
// gives back the very document, every field included), and cheap enough: a workflow is text of a few hundred KB
// at most.
#include "core/graph/graph_document.h"

#include <QUndoCommand>

namespace atelier::ui {

class WorkflowEdit : public QUndoCommand
{
public:
    WorkflowEdit(graph::GraphDocument &document, const QString &label, QByteArray before, QByteArray after)
        : QUndoCommand(label)
        , m_document(document)
        , m_before(std::move(before))
        , m_after(std::move(after))
    {}

    // The edit is already made when the command is pushed: the first redo does nothing.
    void redo() override
    {
        if (!std::exchange(m_firstRedo, false))
            m_document.restore(m_after);
    }
    void undo() override { m_document.restore(m_before); }

private:
    graph::GraphDocument &m_document;
    QByteArray m_before, m_after;
    bool m_firstRedo = true;
};

} // namespace atelier::ui
