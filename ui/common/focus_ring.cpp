#include "ui/common/focus_ring.h"

#include <QAbstractScrollArea>
#include <QApplication>
#include <QEvent>
#include <QPainter>

namespace atelier::ui {

FocusRing::FocusRing(QWidget *window)
    : QWidget(window)
{
    setObjectName(QStringLiteral("focusRing"));
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
    setFocusPolicy(Qt::NoFocus);
    hide();
    connect(qApp, &QApplication::focusChanged, this, [this](QWidget *, QWidget *now) { follow(now); });
}

void FocusRing::follow(QWidget *now)
{
    for (const QPointer<QWidget> &watched : std::as_const(m_watched))
        if (watched)
            watched->removeEventFilter(this);
    m_watched.clear();
    // Scroll areas only (the focus may sit on one's viewport), and only those of this window.
    auto *area = qobject_cast<QAbstractScrollArea *>(now);
    if (!area && now)
        area = qobject_cast<QAbstractScrollArea *>(now->parentWidget());
    m_target = area && area->window() == parentWidget() ? area : nullptr;
    for (QWidget *at = m_target; at && at != parentWidget(); at = at->parentWidget()) {
        at->installEventFilter(this);
        m_watched << at;
    }
    place();
}

bool FocusRing::eventFilter(QObject *, QEvent *event)
{
    switch (event->type()) {
    case QEvent::Move:
    case QEvent::Resize:
    case QEvent::Show:
    case QEvent::Hide:
    case QEvent::ParentChange:
        place();
        break;
    default:
        break;
    }
    return false;
}

void FocusRing::place()
{
    // Over what shows of the target: a view scrolled half out of its panel gets a ring around the half that shows.
    const QRect shown = m_target && m_target->isVisible() && m_target->window() == parentWidget()
                            ? m_target->visibleRegion().boundingRect()
                            : QRect();
    if (shown.isEmpty()) {
        hide();
        return;
    }
    setGeometry(QRect(m_target->mapTo(parentWidget(), shown.topLeft()), shown.size()));
    raise();
    show();
    update();
}

void FocusRing::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(palette().color(QPalette::Active, QPalette::Highlight), 2));
    painter.drawRoundedRect(QRectF(rect()).adjusted(1, 1, -1, -1), 3, 3);
}

} // namespace atelier::ui
