#pragma once

#include <QWidget>

namespace atelier::ui {

// Stands in for an area that a later part of the application fills; tells the user what will appear there.
class PlaceholderPanel : public QWidget
{
    Q_OBJECT
public:
    PlaceholderPanel(const QString &title, const QString &explanation, QWidget *parent = nullptr);
};

} // namespace atelier::ui
