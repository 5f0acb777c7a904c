#pragma once

// A ring in the highlight colour around the focused list, tree, table, canvas or text area. Fusion marks the
// focus of buttons, fields and tabs itself, but not of scroll areas, so someone moving by keyboard could not tell
// that the library grid or the node canvas has it. (QFocusFrame stacks itself under the widget with styles that do
// not ask for it, Fusion among them, and so never shows.)
#include <QPointer>
#include <QWidget>

namespace atelier::ui {

class FocusRing : public QWidget
{
    Q_OBJECT
public:
    // Follows the focus inside `window`, drawn over it.
    explicit FocusRing(QWidget *window);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    void follow(QWidget *now);
    void place();

    QPointer<QWidget> m_target;
    QList<QPointer<QWidget>> m_watched; // the target and its parents: any of them moving moves the ring
};

} // namespace atelier::ui
