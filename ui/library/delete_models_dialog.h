#pragma once

#include <QDialog>
#include <QStringList>

class QRadioButton;

namespace atelier::ui {

// What the user is about to delete: for each model, its name, files and their size on disk.
struct DeletionCandidate
{
    QString key;
    QString name;
    QString path;           // absolute
    qint64 bytes = 0;
    bool insideModelsFolder = false;
};

// Asks before anything is deleted, and says exactly what: "Remove from the library" keeps the files; "Delete the
// files too" lists every path with its size and is only offered when all of them are inside the models folder
// (files elsewhere belong to the user, and Atelier never deletes them).
class DeleteModelsDialog : public QDialog
{
    Q_OBJECT
public:
    DeleteModelsDialog(const QList<DeletionCandidate> &models, QWidget *parent = nullptr);

    bool deleteFiles() const;

private:
    QRadioButton *m_recordOnly = nullptr;
    QRadioButton *m_withFiles = nullptr;
};

} // namespace atelier::ui
