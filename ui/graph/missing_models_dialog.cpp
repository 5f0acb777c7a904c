#include "ui/graph/missing_models_dialog.h"

#include "core/models/install/model_source.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace atelier::ui {

MissingModelsDialog::MissingModelsDialog(QList<graph::MissingModel> missing, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("missingModelsDialog"));
    setWindowTitle(tr("Missing models"));
    auto *intro = new QLabel(tr("The graph needs models the library does not have. Install those the workflow says "
                                "where to get, or look for the others in the library."),
                             this);
    intro->setWordWrap(true);
    m_table = new QTableWidget(int(missing.size()), 4, this);
    m_table->setObjectName(QStringLiteral("missingModelsTable"));
    m_table->setHorizontalHeaderLabels({tr("Model"), tr("Asked by"), tr("From"), QString()});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    for (int row = 0; row < missing.size(); ++row) {
        const graph::MissingModel &model = missing.at(row);
        const auto cell = [&](int column, const QString &text) {
            auto *item = new QTableWidgetItem(text);
            item->setToolTip(text); // names, URLs and hashes are long; nothing is cut without a way to read it
            m_table->setItem(row, column, item);
        };
        cell(0, model.name);
        cell(1, tr("node %1, %2").arg(model.nodeId, model.input));
        cell(2, !model.source.url.isEmpty()    ? model.source.url
                : !model.source.hash.isEmpty() ? tr("hash %1 (no download link given)").arg(model.source.hash)
                                               : tr("the workflow does not say"));
        const QString url = model.source.url;
        const QString hash =
            url.isEmpty() && models::isCivitaiFileHash(model.source.hash) ? model.source.hash : QString();
        auto *action = new QPushButton(!url.isEmpty()    ? tr("Install")
                                       : !hash.isEmpty() ? tr("Look up on Civitai")
                                                         : tr("Find in library"),
                                       m_table);
        action->setObjectName(!url.isEmpty()    ? QStringLiteral("installButton")
                              : !hash.isEmpty() ? QStringLiteral("lookUpButton")
                                                : QStringLiteral("findButton"));
        if (!hash.isEmpty())
            action->setToolTip(tr("Sends the hash to Civitai, which says which model file it is; that file goes on the "
                                  "install queue and is checked against the hash when it arrives"));
        // Found under its own file name, whatever folder the workflow kept it in.
        const QString file = model.name.section(QLatin1Char('/'), -1).section(QLatin1Char('\\'), -1);
        const QString name = file.contains(QLatin1Char('.')) ? file.section(QLatin1Char('.'), 0, -2) : file;
        connect(action, &QPushButton::clicked, this, [this, action, url, hash, name] {
            if (url.isEmpty() && hash.isEmpty()) {
                emit findRequested(name);
                return;
            }
            if (!url.isEmpty())
                emit installRequested(url);
            else
                emit lookUpRequested(hash);
            action->setEnabled(false);
            action->setText(tr("Queued"));
        });
        m_table->setCellWidget(row, 3, action);
    }
    m_table->resizeColumnsToContents();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_table, 1);
    layout->addWidget(buttons);
    resize(760, 280);
}

} // namespace atelier::ui
