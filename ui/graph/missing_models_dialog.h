#pragma once

// The models a graph needs and the library lacks, after a run refused them: each with the loader asking, where the
// workflow says to get it, and what can be done: Install (puts its URL on the install queue); without a URL but with
// a hash, Look up on Civitai (the hash finds the file there, installed with its SHA-256 checked); with neither, Find
// in the library (the model may be there under another file name).
#include "core/graph/graph_sources.h"

#include <QDialog>

class QTableWidget;

namespace atelier::ui {

class MissingModelsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit MissingModelsDialog(QList<graph::MissingModel> missing, QWidget *parent = nullptr);
    QTableWidget *table() const { return m_table; }

signals:
    void installRequested(const QString &source);
    void lookUpRequested(const QString &hash);
    void findRequested(const QString &name);

private:
    QTableWidget *m_table = nullptr;
};

} // namespace atelier::ui
