#include "ui/graph/node_item.h"

#include "ui/graph/graph_scene.h"
#include "ui/graph/port_colors.h"

#include <QApplication>
#include <QGraphicsSceneMouseEvent>
#include <QInputDialog>
#include <QMenu>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace atelier::ui {

namespace {

constexpr qreal kTitle = 26;
constexpr qreal kRow = 22;
constexpr qreal kPortRadius = 5;
constexpr qreal kReach = 12;
constexpr qreal kMinWidth = 220;
constexpr qreal kMaxPreview = 256;
constexpr const char *kSeedControl = "control_after_generate";

QString shown(const graph::GraphValue &value)
{
    if (const std::optional<QString> text = value.toText())
        return text->simplified();
    if (value.isInteger())
        return QString::fromUtf8(value.jsonText());
    if (const std::optional<double> number = value.toReal())
        return QString::number(*number, 'g', 6);
    return QString::fromUtf8(value.jsonText());
}

} // namespace

NodeItem::NodeItem(GraphScene &scene, const QString &id)
    : m_scene(scene)
    , m_id(id)
{
    setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
    setAcceptHoverEvents(true);
    setCacheMode(DeviceCoordinateCache);
}

void NodeItem::refresh(const graph::CanvasNode &node)
{
    prepareGeometryChange();
    m_node = node;
    const int widgets = int(m_node.widgets.size());
    const qreal previewHeight =
        m_preview.isNull()
            ? 0
            : std::min(kMaxPreview, (width() - 16) * m_preview.height() / std::max(1, m_preview.width()));
    m_height = kTitle + 6 + (socketRows() + widgets) * kRow + previewHeight + (previewHeight > 0 ? 8 : 0);
    QSignalBlocker quiet(this);
    setPos(m_node.position);
    setOpacity(m_node.mode == graph::NodeMode::Muted ? 0.45 : 1.0);
    setToolTip(m_errors.isEmpty() ? (m_message.isEmpty() ? m_node.type : m_message) : m_errors.join(QLatin1Char('\n')));
    update();
}

qreal NodeItem::width() const
{
    return std::clamp<qreal>(m_node.size.width(), kMinWidth, 640);
}

QList<int> NodeItem::shownInputs() const
{
    QList<int> sockets;
    for (int slot = 0; slot < m_node.inputs.size(); ++slot)
        if (!m_node.inputs.at(slot).widget || m_node.inputs.at(slot).link)
            sockets.append(slot);
    return sockets;
}

int NodeItem::inputRow(int slot) const
{
    return int(shownInputs().indexOf(slot));
}

int NodeItem::socketRows() const
{
    return int(std::max(shownInputs().size(), m_node.outputs.size()));
}

QRectF NodeItem::boundingRect() const
{
    return QRectF(-kPortRadius - 2, -2, width() + 2 * kPortRadius + 4, m_height + 4);
}

QPointF NodeItem::inputPort(int slot) const
{
    const int row = std::max(0, inputRow(slot));
    return mapToScene(QPointF(0, kTitle + 6 + row * kRow + kRow / 2));
}

QPointF NodeItem::outputPort(int slot) const
{
    return mapToScene(QPointF(width(), kTitle + 6 + slot * kRow + kRow / 2));
}

QString NodeItem::inputAt(const QPointF &scenePoint) const
{
    const QPointF local = mapFromScene(scenePoint);
    for (int slot : shownInputs())
        if (QLineF(mapFromScene(inputPort(slot)), local).length() <= kReach)
            return m_node.inputs.at(slot).name;
    if (const int widget = widgetAt(local); widget >= 0)
        return m_node.widgets.at(widget).name;
    return {};
}

int NodeItem::outputAt(const QPointF &scenePoint) const
{
    const QPointF local = mapFromScene(scenePoint);
    for (int slot = 0; slot < m_node.outputs.size(); ++slot)
        if (QLineF(mapFromScene(outputPort(slot)), local).length() <= kReach)
            return slot;
    return -1;
}

QRectF NodeItem::widgetRect(int index) const
{
    return QRectF(10, kTitle + 6 + (socketRows() + index) * kRow + 2, width() - 20, kRow - 4);
}

int NodeItem::widgetAt(const QPointF &local) const
{
    for (int index = 0; index < m_node.widgets.size(); ++index)
        if (widgetRect(index).contains(local))
            return index;
    return -1;
}

const graph::InputSpec *NodeItem::specOf(const QString &input) const
{
    const graph::NodeType *type = m_scene.document().registry().find(m_node.type);
    return type ? type->definition().input(input) : nullptr;
}

void NodeItem::setRunState(RunState state, const QString &message)
{
    m_state = state;
    m_message = message;
    if (state != RunState::Running)
        m_progress = m_progressMax = 0;
    setToolTip(message.isEmpty() ? m_node.type : message);
    update();
}

void NodeItem::setProgress(int value, int maximum)
{
    m_progress = value;
    m_progressMax = maximum;
    update();
}

void NodeItem::setPreview(const QImage &image)
{
    m_preview = image;
    refresh(m_node);
}

void NodeItem::setErrors(const QStringList &messages, const QStringList &inputs)
{
    m_errors = messages;
    m_errorInputs = inputs;
    refresh(m_node);
}

void NodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const QRectF body(0, 0, width(), m_height);
    // Zoomed far out, text cannot be read: a node is its box, its title bar and its state, cheap to draw by the
    // hundred.
    if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.4) {
        painter->fillRect(body, m_node.mode == graph::NodeMode::Bypassed ? QColor(0x5c, 0x2c, 0x66)
                                                                         : QColor(0x35, 0x35, 0x38));
        painter->fillRect(QRectF(0, 0, width(), kTitle), !m_errors.isEmpty() || m_state == RunState::Failed
                                                             ? QColor(0xe5, 0x39, 0x35)
                                                         : m_state == RunState::Running ? QColor(0x66, 0xbb, 0x6a)
                                                         : isSelected()                 ? QColor(0xee, 0xee, 0xee)
                                                                                        : QColor(0x25, 0x25, 0x28));
        return;
    }
    painter->setRenderHint(QPainter::Antialiasing);
    QColor fill(0x35, 0x35, 0x38);
    if (m_node.mode == graph::NodeMode::Bypassed)
        fill = QColor(0x5c, 0x2c, 0x66);
    QColor outline = isSelected() ? QColor(0xff, 0xff, 0xff) : QColor(0x1c, 0x1c, 0x1e);
    if (!m_errors.isEmpty() || m_state == RunState::Failed)
        outline = QColor(0xe5, 0x39, 0x35);
    else if (m_state == RunState::Running)
        outline = QColor(0x66, 0xbb, 0x6a);
    painter->setPen(QPen(outline, isSelected() || m_state == RunState::Running || !m_errors.isEmpty() ? 2.5 : 1.0));
    painter->setBrush(fill);
    painter->drawRoundedRect(body, 6, 6);

    // Title bar, with the run state on its right.
    const QRectF title(0, 0, width(), kTitle);
    painter->setPen(Qt::NoPen);
    painter->setBrush(m_node.known ? QColor(0x25, 0x25, 0x28) : QColor(0x6d, 0x1f, 0x1f));
    painter->drawRoundedRect(title.adjusted(1, 1, -1, 0), 5, 5);
    painter->setPen(QColor(0xe8, 0xe8, 0xe8));
    QFont bold = painter->font();
    bold.setBold(true);
    painter->setFont(bold);
    painter->drawText(title.adjusted(10, 0, -60, 0), Qt::AlignVCenter | Qt::AlignLeft,
                      painter->fontMetrics().elidedText(m_node.title, Qt::ElideRight, int(width() - 70)));
    painter->setFont(QApplication::font());
    QString badge;
    if (m_state == RunState::Cached)
        badge = tr("cached");
    else if (m_state == RunState::Queued)
        badge = tr("queued");
    else if (m_state == RunState::Running && m_progressMax > 0)
        badge = QStringLiteral("%1/%2").arg(m_progress).arg(m_progressMax);
    if (!badge.isEmpty()) {
        painter->setPen(QColor(0xa0, 0xa0, 0xa0));
        painter->drawText(title.adjusted(0, 0, -10, 0), Qt::AlignVCenter | Qt::AlignRight, badge);
    }
    if (m_state == RunState::Running && m_progressMax > 0) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0x66, 0xbb, 0x6a));
        painter->drawRect(QRectF(1, kTitle - 3, (width() - 2) * m_progress / m_progressMax, 3));
    }

    paintPorts(painter);
    for (int index = 0; index < m_node.widgets.size(); ++index)
        paintWidget(painter, index);
    if (!m_preview.isNull()) {
        const qreal top = kTitle + 6 + (socketRows() + m_node.widgets.size()) * kRow + 4;
        const QSizeF size = QSizeF(m_preview.size()).scaled(QSizeF(width() - 16, kMaxPreview), Qt::KeepAspectRatio);
        painter->drawImage(QRectF(QPointF((width() - size.width()) / 2, top), size), m_preview);
    }
}

void NodeItem::paintPorts(QPainter *painter) const
{
    const QString dragged = m_scene.draggedType();
    const QList<int> inputs = shownInputs();
    for (int row = 0; row < inputs.size(); ++row) {
        const graph::CanvasSlot &slot = m_node.inputs.at(inputs.at(row));
        const QPointF at(0, kTitle + 6 + row * kRow + kRow / 2);
        const bool fits = !dragged.isEmpty() && graph::typesConnect(dragged, slot.type);
        painter->setPen(fits ? QPen(Qt::white, 2) : QPen(Qt::black, 1));
        painter->setBrush(slot.link || fits ? portColor(slot.type) : QColor(0x35, 0x35, 0x38));
        painter->drawEllipse(at, kPortRadius, kPortRadius);
        if (slot.link == std::nullopt) {
            painter->setPen(portColor(slot.type));
            painter->drawEllipse(at, kPortRadius - 1.5, kPortRadius - 1.5);
        }
        painter->setPen(m_errorInputs.contains(slot.name) ? QColor(0xff, 0x6e, 0x6e) : QColor(0xc8, 0xc8, 0xc8));
        painter->drawText(QRectF(12, at.y() - kRow / 2, width() / 2 - 12, kRow), Qt::AlignVCenter | Qt::AlignLeft,
                          slot.name);
    }
    for (int slot = 0; slot < m_node.outputs.size(); ++slot) {
        const graph::CanvasSlot &output = m_node.outputs.at(slot);
        const QPointF at(width(), kTitle + 6 + slot * kRow + kRow / 2);
        painter->setPen(QPen(Qt::black, 1));
        painter->setBrush(portColor(output.type));
        painter->drawEllipse(at, kPortRadius, kPortRadius);
        painter->setPen(QColor(0xc8, 0xc8, 0xc8));
        painter->drawText(QRectF(width() / 2, at.y() - kRow / 2, width() / 2 - 12, kRow),
                          Qt::AlignVCenter | Qt::AlignRight, output.name.isEmpty() ? output.type : output.name);
    }
}

void NodeItem::paintWidget(QPainter *painter, int index) const
{
    const QRectF field = widgetRect(index);
    const graph::NodeInput &widget = m_node.widgets.at(index);
    const graph::InputSpec *spec = specOf(widget.name);
    const bool wrong = m_errorInputs.contains(widget.name);
    painter->setPen(wrong ? QPen(QColor(0xe5, 0x39, 0x35), 1.5) : Qt::NoPen);
    painter->setBrush(QColor(0x22, 0x22, 0x24));
    painter->drawRoundedRect(field, field.height() / 2, field.height() / 2);
    painter->setPen(QColor(0x99, 0x99, 0x99));
    const QString value = widget.value ? shown(*widget.value) : QString();
    const bool number = spec && (spec->type == graph::kInt || spec->type == graph::kFloat);
    const bool choice = (spec && (spec->type == graph::kCombo || spec->type == graph::kBoolean)) ||
                        widget.name == QLatin1String(kSeedControl);
    const QRectF inner = field.adjusted(number || choice ? 16 : 10, 0, number || choice ? -16 : -10, 0);
    if (number || choice) { // ComfyUI's arrows: click one to step, drag the field to slide
        painter->drawText(field.adjusted(6, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, QStringLiteral("◂"));
        painter->drawText(field.adjusted(0, 0, -6, 0), Qt::AlignVCenter | Qt::AlignRight, QStringLiteral("▸"));
    }
    painter->drawText(inner, Qt::AlignVCenter | Qt::AlignLeft, widget.name);
    painter->setPen(QColor(0xe0, 0xe0, 0xe0));
    const int nameWidth = painter->fontMetrics().horizontalAdvance(widget.name) + 12;
    painter->drawText(inner.adjusted(nameWidth, 0, 0, 0), Qt::AlignVCenter | Qt::AlignRight,
                      painter->fontMetrics().elidedText(value, Qt::ElideMiddle, int(inner.width()) - nameWidth));
}

void NodeItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    m_gesture = Gesture::None;
    m_pressAt = event->scenePos();
    if (event->button() != Qt::LeftButton) {
        QGraphicsObject::mousePressEvent(event);
        return;
    }
    if (const int output = outputAt(event->scenePos()); output >= 0) {
        m_gesture = Gesture::LinkFromOutput;
        m_scene.startLinkDrag({m_id, output}, event->scenePos());
        event->accept();
        return;
    }
    const QString input = inputAt(event->scenePos());
    const int widget = widgetAt(event->pos());
    if (!input.isEmpty() && widget < 0) {
        // Pulling a linked input takes its link off and carries it, as in ComfyUI and Blender.
        m_gesture = Gesture::LinkFromInput;
        m_scene.pickUpLink(m_id, input, event->scenePos());
        event->accept();
        return;
    }
    if (widget >= 0) {
        const graph::InputSpec *spec = specOf(m_node.widgets.at(widget).name);
        if (spec && (spec->type == graph::kInt || spec->type == graph::kFloat)) {
            m_gesture = Gesture::DragNumber;
            m_gestureIndex = widget;
            const std::optional<graph::GraphValue> &value = m_node.widgets.at(widget).value;
            m_pressValue = value ? value->toReal().value_or(0) : 0;
            m_scene.beginEdit(tr("Change %1").arg(m_node.widgets.at(widget).name));
            event->accept();
            return;
        }
        if ((spec && (spec->type == graph::kCombo || spec->type == graph::kBoolean)) ||
            m_node.widgets.at(widget).name == QLatin1String(kSeedControl)) {
            chooseOption(widget, event->screenPos());
            event->accept();
            return;
        }
        event->accept();
        return;
    }
    m_gesture = Gesture::Move;
    m_scene.beginEdit(tr("Move"));
    QGraphicsObject::mousePressEvent(event);
}

void NodeItem::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    switch (m_gesture) {
    case Gesture::LinkFromOutput:
    case Gesture::LinkFromInput:
        m_scene.moveLinkDrag(event->scenePos());
        return;
    case Gesture::DragNumber: {
        // Ten pixels a step, as ComfyUI's number widgets slide.
        const double steps = std::round((event->scenePos().x() - m_pressAt.x()) / 10.0);
        const graph::InputSpec *spec = specOf(m_node.widgets.at(m_gestureIndex).name);
        const double step = spec && spec->step ? *spec->step : spec && spec->type == graph::kInt ? 1.0 : 0.01;
        double value = m_pressValue + steps * step;
        if (spec && spec->minimum)
            value = std::max(value, *spec->minimum);
        if (spec && spec->maximum)
            value = std::min(value, *spec->maximum);
        m_scene.document().setValue(m_id, m_node.widgets.at(m_gestureIndex).name,
                                    spec && spec->type == graph::kInt ? graph::GraphValue::integer(qint64(value))
                                                                      : graph::GraphValue::real(value));
        return;
    }
    default:
        QGraphicsObject::mouseMoveEvent(event);
    }
}

void NodeItem::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    const Gesture gesture = std::exchange(m_gesture, Gesture::None);
    switch (gesture) {
    case Gesture::LinkFromOutput:
    case Gesture::LinkFromInput:
        m_scene.finishLinkDrag(event->scenePos(), event->screenPos());
        return;
    case Gesture::DragNumber:
        if (QLineF(event->scenePos(), m_pressAt).length() < 3) { // a click on an arrow steps once
            const QPointF local = event->pos();
            const QRectF field = widgetRect(m_gestureIndex);
            if (local.x() < field.left() + 18)
                stepNumber(m_gestureIndex, -1);
            else if (local.x() > field.right() - 18)
                stepNumber(m_gestureIndex, 1);
        }
        m_scene.endEdit();
        return;
    case Gesture::Move:
        QGraphicsObject::mouseReleaseEvent(event);
        m_scene.commitMoves();
        m_scene.endEdit();
        return;
    default:
        QGraphicsObject::mouseReleaseEvent(event);
    }
}

void NodeItem::mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event)
{
    if (const int widget = widgetAt(event->pos()); widget >= 0) {
        editWidget(widget, event->screenPos());
        event->accept();
        return;
    }
    if (event->pos().y() < kTitle) {
        bool ok = false;
        const QString title =
            QInputDialog::getText(nullptr, tr("Rename node"), tr("Title:"), QLineEdit::Normal, m_node.title, &ok);
        if (ok)
            m_scene.edit(tr("Rename"), [&] { m_scene.document().setTitle(m_id, title); });
        event->accept();
        return;
    }
    QGraphicsObject::mouseDoubleClickEvent(event);
}

void NodeItem::stepNumber(int index, double steps)
{
    const graph::NodeInput &widget = m_node.widgets.at(index);
    const graph::InputSpec *spec = specOf(widget.name);
    if (!spec)
        return;
    const double step = spec->step ? *spec->step : spec->type == graph::kInt ? 1.0 : 0.01;
    double value = (widget.value ? widget.value->toReal().value_or(0) : 0) + steps * step;
    if (spec->minimum)
        value = std::max(value, *spec->minimum);
    if (spec->maximum)
        value = std::min(value, *spec->maximum);
    m_scene.document().setValue(m_id, widget.name,
                                spec->type == graph::kInt ? graph::GraphValue::integer(qint64(value))
                                                          : graph::GraphValue::real(value));
}

void NodeItem::editWidget(int index, const QPointF &screenPos)
{
    const graph::NodeInput widget = m_node.widgets.at(index);
    const graph::InputSpec *spec = specOf(widget.name);
    const QString label = widget.name;
    bool ok = false;
    std::optional<graph::GraphValue> value;
    if (spec && spec->type == graph::kInt) {
        const double current = widget.value ? widget.value->toReal().value_or(0) : 0;
        const double chosen = QInputDialog::getDouble(
            nullptr, m_node.title, label, current, spec->minimum.value_or(-1e18), spec->maximum.value_or(1e18), 0, &ok);
        value = graph::GraphValue::integer(qint64(chosen));
    } else if (spec && spec->type == graph::kFloat) {
        const double current = widget.value ? widget.value->toReal().value_or(0) : 0;
        const double chosen = QInputDialog::getDouble(
            nullptr, m_node.title, label, current, spec->minimum.value_or(-1e18), spec->maximum.value_or(1e18), 4, &ok);
        value = graph::GraphValue::real(chosen);
    } else if (spec && (spec->type == graph::kCombo || spec->type == graph::kBoolean)) {
        chooseOption(index, screenPos.toPoint());
        return;
    } else {
        const QString current = widget.value ? widget.value->toText().value_or(QString()) : QString();
        const QString text = QInputDialog::getMultiLineText(nullptr, m_node.title, label, current, &ok);
        value = graph::GraphValue::text(text);
    }
    if (ok && value)
        m_scene.edit(tr("Change %1").arg(label), [&] { m_scene.document().setValue(m_id, widget.name, *value); });
}

void NodeItem::chooseOption(int index, const QPoint &screenPos)
{
    const graph::NodeInput widget = m_node.widgets.at(index);
    const graph::InputSpec *spec = specOf(widget.name);
    if (!spec && widget.name != QLatin1String(kSeedControl))
        return;
    QStringList options = !spec ? QStringList{QStringLiteral("fixed"), QStringLiteral("increment"),
                                              QStringLiteral("decrement"), QStringLiteral("randomize")}
                          : spec->type == graph::kBoolean ? QStringList{QStringLiteral("true"), QStringLiteral("false")}
                          : spec->optionsFrom.isEmpty()   ? spec->options
                                                          : m_scene.document().registry().options(spec->optionsFrom);
    QMenu menu;
    for (const QString &option : options)
        menu.addAction(option);
    if (options.isEmpty())
        menu.addAction(tr("(nothing to choose from)"))->setEnabled(false);
    const QAction *chosen = menu.exec(screenPos);
    if (!chosen || !chosen->isEnabled())
        return;
    const graph::GraphValue value = spec && spec->type == graph::kBoolean
                                        ? graph::GraphValue::boolean(chosen->text() == QStringLiteral("true"))
                                        : graph::GraphValue::text(chosen->text());
    m_scene.edit(tr("Change %1").arg(widget.name), [&] { m_scene.document().setValue(m_id, widget.name, value); });
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant &value)
{
    if (change == ItemPositionHasChanged)
        m_scene.nodeMovedOnCanvas(m_id);
    return QGraphicsObject::itemChange(change, value);
}

} // namespace atelier::ui
