#include "ui/library/delete_models_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace atelier::ui {

DeleteModelsDialog::DeleteModelsDialog(const QList<DeletionCandidate> &models, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("deleteModelsDialog"));
    setWindowTitle(models.size() == 1 ? tr("Delete “%1”").arg(models.first().name) : tr("Delete %n models", nullptr, int(models.size())));
    auto *layout = new QVBoxLayout(this);

    qint64 total = 0;
    bool allInside = !models.isEmpty();
    QStringList lines;
    for (const DeletionCandidate &model : models) {
        total += model.bytes;
        allInside = allInside && model.insideModelsFolder;
        lines << QStringLiteral("%1  (%2)").arg(model.path, QLocale().formattedDataSize(model.bytes));
    }
    auto *question = new QLabel(models.size() == 1 ? tr("What should happen to “%1”?").arg(models.first().name.toHtmlEscaped())
                                                   : tr("What should happen to these %n models?", nullptr, int(models.size())),
                                this);
    question->setWordWrap(true);
    layout->addWidget(question);

    m_recordOnly = new QRadioButton(tr("Remove from the library only; the files stay where they are"), this);
    m_recordOnly->setObjectName(QStringLiteral("recordOnlyChoice"));
    m_withFiles = new QRadioButton(tr("Delete the files too: %1 freed").arg(QLocale().formattedDataSize(total)), this);
    m_withFiles->setObjectName(QStringLiteral("deleteFilesChoice"));
    m_recordOnly->setChecked(true);
    layout->addWidget(m_recordOnly);
    layout->addWidget(m_withFiles);

    auto *files = new QPlainTextEdit(lines.join(QLatin1Char('\n')), this);
    files->setObjectName(QStringLiteral("filesList"));
    files->setReadOnly(true);
    files->setLineWrapMode(QPlainTextEdit::NoWrap);
    files->setMaximumHeight(140);
    layout->addWidget(files);
    if (!allInside) {
        m_withFiles->setEnabled(false);
        auto *why = new QLabel(tr("Files outside the models folder are never deleted by Atelier; remove them yourself "
                                  "if you no longer need them."),
                               this);
        why->setObjectName(QStringLiteral("outsideNote"));
        why->setWordWrap(true);
        layout->addWidget(why);
    }

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *remove = buttons->addButton(tr("Remove"), QDialogButtonBox::AcceptRole);
    remove->setObjectName(QStringLiteral("confirmDeleteButton"));
    connect(m_withFiles, &QRadioButton::toggled, remove, [remove](bool files) {
        remove->setText(files ? tr("Delete files") : tr("Remove"));
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    layout->addWidget(buttons);
}

bool DeleteModelsDialog::deleteFiles() const
{
    return m_withFiles->isEnabled() && m_withFiles->isChecked();
}

} // namespace atelier::ui
