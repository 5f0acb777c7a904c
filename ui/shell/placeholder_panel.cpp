#include "ui/shell/placeholder_panel.h"

#include <QLabel>
#include <QVBoxLayout>

namespace atelier::ui {

PlaceholderPanel::PlaceholderPanel(const QString &title, const QString &explanation, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *heading = new QLabel(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()), this);
    heading->setObjectName(QStringLiteral("placeholderTitle"));
    auto *text = new QLabel(explanation, this);
    text->setObjectName(QStringLiteral("placeholderText"));
    text->setWordWrap(true);
    text->setForegroundRole(QPalette::PlaceholderText);
    for (QLabel *label : {heading, text})
        label->setAlignment(Qt::AlignCenter);
    layout->addStretch();
    layout->addWidget(heading);
    layout->addWidget(text);
    layout->addStretch();
}

} // namespace atelier::ui
