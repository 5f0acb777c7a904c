#include "ui/graph/node_item.h"

#include "ui/common/theme.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/node_texts.h"
#include "ui/graph/port_colors.h"

#include <QApplication>
#include <QGraphicsSceneMouseEvent>
#include <QImageReader>
#include <QInputDialog>
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
constexpr qreal kRerouteWidth = 60;
constexpr qreal kToggle = 16; // the collapse toggle at the left of the title

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
    const graph::NodeType *type = m_scene.document().registry().find(m_node.type);
    m_shownTitle = nodeTitle(m_node.title, type ? &type->definition() : nullptr);
    loadThumbnail();
    const int widgets = int(m_node.widgets.size());
    const qreal previewHeight =
        shownImage().isNull()
            ? 0
            : std::min(kMaxPreview, (width() - 16) * shownImage().height() / std::max(1, shownImage().width()));
    m_height =
        compact() ? kTitle : kTitle + 6 + (socketRows() + widgets) * kRow + previewHeight + (previewHeight > 0 ? 8 : 0);
    if (m_node.collapsed) {
        QFont bold = QApplication::font();
        bold.setBold(true);
        m_collapsedWidth = QFontMetricsF(bold).horizontalAdvance(shownTitle()) + kToggle + 30;
    }
    QSignalBlocker quiet(this);
    setPos(m_node.position);
    setOpacity(m_node.mode == graph::NodeMode::Muted ? 0.45 : 1.0);
    setToolTip(m_errors.isEmpty() ? (m_message.isEmpty() ? m_node.type : m_message) : m_errors.join(QLatin1Char('\n')));
    update();
}

qreal NodeItem::width() const
{
    if (isReroute())
        return kRerouteWidth;
    const qreal full = std::clamp<qreal>(m_node.size.width(), kMinWidth, 640);
    return m_node.collapsed ? std::min(full, m_collapsedWidth) : full;
}

bool NodeItem::isReroute() const
{
    return m_node.type == QStringLiteral("Reroute");
}

bool NodeItem::compact() const
{
    return m_node.collapsed || isReroute();
}

QRectF NodeItem::collapseToggle() const
{
    return QRectF(8, (kTitle - 10) / 2, 10, 10);
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
    if (compact()) // every link meets at the middle of the title bar
        return mapToScene(QPointF(0, kTitle / 2));
    const int row = std::max(0, inputRow(slot));
    return mapToScene(QPointF(0, kTitle + 6 + row * kRow + kRow / 2));
}

QRectF NodeItem::socketSceneRect(int slot) const
{
    if (compact())
        return mapRectToScene(QRectF(0, 0, width(), kTitle));
    const int row = std::max(0, inputRow(slot));
    return mapRectToScene(QRectF(0, kTitle + 6 + row * kRow, width() / 2, kRow));
}

QPointF NodeItem::outputPort(int slot) const
{
    if (compact())
        return mapToScene(QPointF(width(), kTitle / 2));
    return mapToScene(QPointF(width(), kTitle + 6 + slot * kRow + kRow / 2));
}

QString NodeItem::inputAt(const QPointF &scenePoint) const
{
    const QPointF local = mapFromScene(scenePoint);
    if (m_node.collapsed)
        return {};
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
    if (compact())
        return -1;
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

const QImage &NodeItem::shownImage() const
{
    return m_preview.isNull() ? m_thumbnail : m_preview;
}

void NodeItem::loadThumbnail()
{
    // An image input's picture (LoadImage's "image"), read at thumbnail size when the choice changes.
    const auto widget = std::find_if(m_node.widgets.begin(), m_node.widgets.end(), [&](const graph::NodeInput &input) {
        const graph::InputSpec *spec = specOf(input.name);
        return spec && spec->imageUpload;
    });
    const QString chosen =
        widget != m_node.widgets.end() && widget->value ? widget->value->toText().value_or(QString()) : QString();
    if (chosen == m_thumbnailOf)
        return;
    m_thumbnailOf = chosen;
    m_thumbnail = QImage();
    if (chosen.isEmpty())
        return;
    const graph::InputSpec *spec = specOf(widget->name);
    for (const graph::ComboOption &option : m_scene.document().registry().describedOptions(spec->optionsFrom))
        if (option.value == chosen && !option.path.isEmpty()) {
            QImageReader reader(option.path);
            const QSize size = reader.size();
            if (size.isValid())
                reader.setScaledSize(size.scaled(QSize(int(kMaxPreview), int(kMaxPreview)), Qt::KeepAspectRatio));
            m_thumbnail = reader.read(); // a broken file leaves no thumbnail; the run will say what is wrong
            break;
        }
}

void NodeItem::setPreview(const QImage &image)
{
    m_preview = image;
    refresh(m_node);
}

QString NodeItem::runStateText() const
{
    switch (m_state) {
    case RunState::Queued:
        return tr("queued");
    case RunState::Running:
        return m_progressMax > 0 ? tr("running, step %1 of %2").arg(m_progress).arg(m_progressMax) : tr("running");
    case RunState::Cached:
        return tr("cached");
    case RunState::Done:
        return tr("done");
    case RunState::Failed:
        return m_message.isEmpty() ? tr("failed") : tr("failed: %1").arg(m_message);
    case RunState::Idle:
        break;
    }
    return {};
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
    const ThemeColors &colors = themeColors();
    const bool failed = !m_errors.isEmpty() || m_state == RunState::Failed;
    // Zoomed far out, text cannot be read: a node is its box, its title bar and its state, cheap to draw by the
    // hundred.
    if (option->levelOfDetailFromTransform(painter->worldTransform()) < kTextScale) {
        painter->fillRect(body, m_node.mode == graph::NodeMode::Bypassed ? colors.bypassed : colors.nodeBody);
        painter->fillRect(QRectF(0, 0, width(), kTitle), failed                         ? colors.failed
                                                         : m_state == RunState::Running ? colors.running
                                                         : isSelected()                 ? colors.selectedOutline
                                                                                        : colors.nodeTitle);
        return;
    }
    painter->setRenderHint(QPainter::Antialiasing);
    // The artist's colours (ComfyUI's "bgcolor" and "color"), unless bypassed: that purple must show.
    QColor fill =
        QColor::isValidColorName(m_node.bgcolor) ? shownArtistColor(QColor(m_node.bgcolor), colors) : colors.nodeBody;
    if (m_node.mode == graph::NodeMode::Bypassed)
        fill = colors.bypassed;
    QColor outline = isSelected() ? colors.selectedOutline : colors.nodeOutline;
    if (failed)
        outline = colors.failed;
    else if (m_state == RunState::Running)
        outline = colors.running;
    painter->setPen(QPen(outline, isSelected() || m_state == RunState::Running || !m_errors.isEmpty() ? 2.5 : 1.0));
    painter->setBrush(fill);
    if (isReroute()) { // a small dot-to-dot relay
        painter->drawRoundedRect(body, kTitle / 2, kTitle / 2);
        paintPorts(painter);
        return;
    }
    painter->drawRoundedRect(body, 6, 6);

    // Title bar, with the run state on its right.
    const QRectF title(0, 0, width(), kTitle);
    const QColor titleFill = !m_node.known                            ? colors.unknownTitle
                             : QColor::isValidColorName(m_node.color) ? shownArtistColor(QColor(m_node.color), colors)
                                                                      : colors.nodeTitle;
    painter->setPen(Qt::NoPen);
    painter->setBrush(titleFill);
    painter->drawRoundedRect(title.adjusted(1, 1, -1, m_node.collapsed ? -1 : 0), 5, 5);
    // The collapse toggle: filled while collapsed, as ComfyUI draws it.
    painter->setPen(QPen(colors.toggle, 1.2));
    painter->setBrush(m_node.collapsed ? colors.toggle : QColor(Qt::transparent));
    painter->drawEllipse(collapseToggle());
    painter->setPen(titleFill == colors.nodeTitle ? colors.titleText : textOn(titleFill));
    QFont bold = painter->font();
    bold.setBold(true);
    painter->setFont(bold);
    painter->drawText(title.adjusted(10 + kToggle, 0, m_node.collapsed ? 0 : -60, 0), Qt::AlignVCenter | Qt::AlignLeft,
                      painter->fontMetrics().elidedText(shownTitle(), Qt::ElideRight, int(width() - 70 - kToggle)));
    if (m_node.collapsed) {
        painter->setFont(QApplication::font());
        paintPorts(painter);
        return;
    }
    painter->setFont(QApplication::font());
    QString badge;
    if (m_state == RunState::Cached)
        badge = tr("cached");
    else if (m_state == RunState::Queued)
        badge = tr("queued");
    else if (m_state == RunState::Running && m_progressMax > 0)
        badge = QStringLiteral("%1/%2").arg(m_progress).arg(m_progressMax);
    if (!badge.isEmpty()) {
        painter->setPen(colors.badgeText);
        painter->drawText(title.adjusted(0, 0, -10, 0), Qt::AlignVCenter | Qt::AlignRight, badge);
    }
    if (m_state == RunState::Running && m_progressMax > 0) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(colors.running);
        painter->drawRect(QRectF(1, kTitle - 3, (width() - 2) * m_progress / m_progressMax, 3));
    }

    paintPorts(painter);
    for (int index = 0; index < m_node.widgets.size(); ++index)
        paintWidget(painter, index);
    if (const QImage &image = shownImage(); !image.isNull()) {
        const qreal top = kTitle + 6 + (socketRows() + m_node.widgets.size()) * kRow + 4;
        const QSizeF size = QSizeF(image.size()).scaled(QSizeF(width() - 16, kMaxPreview), Qt::KeepAspectRatio);
        painter->drawImage(QRectF(QPointF((width() - size.width()) / 2, top), size), image);
    }
}

void NodeItem::paintPorts(QPainter *painter) const
{
    const QString dragged = m_scene.draggedType();
    const ThemeColors &colors = themeColors();
    const QPen rim(colors.portRim, 1), fitting(colors.portFits, 2);
    if (compact()) { // one dot each side where every link meets
        const QString type = isReroute() && !m_node.outputs.isEmpty() ? m_node.outputs.front().type : QString();
        painter->setPen(rim);
        if (!m_node.inputs.isEmpty()) {
            const bool fits = isReroute() && !dragged.isEmpty();
            painter->setPen(fits ? fitting : rim);
            painter->setBrush(portColor(isReroute() ? type : m_node.inputs.front().type));
            painter->drawEllipse(QPointF(0, kTitle / 2), kPortRadius, kPortRadius);
        }
        if (!m_node.outputs.isEmpty()) {
            painter->setPen(rim);
            painter->setBrush(portColor(m_node.outputs.front().type));
            painter->drawEllipse(QPointF(width(), kTitle / 2), kPortRadius, kPortRadius);
        }
        return;
    }
    const QList<int> inputs = shownInputs();
    for (int row = 0; row < inputs.size(); ++row) {
        const graph::CanvasSlot &slot = m_node.inputs.at(inputs.at(row));
        const QPointF at(0, kTitle + 6 + row * kRow + kRow / 2);
        const bool fits = !dragged.isEmpty() && graph::typesConnect(dragged, slot.type);
        painter->setPen(fits ? fitting : rim);
        painter->setBrush(slot.link || fits ? portColor(slot.type) : colors.emptyPort);
        painter->drawEllipse(at, kPortRadius, kPortRadius);
        if (slot.link == std::nullopt) {
            painter->setPen(portColor(slot.type));
            painter->drawEllipse(at, kPortRadius - 1.5, kPortRadius - 1.5);
        }
        painter->setPen(m_errorInputs.contains(slot.name) ? colors.problemText : colors.slotText);
        // Long names are shortened in the middle rather than drawn over the output beside them.
        const QRectF label(12, at.y() - kRow / 2, width() / 2 - 12, kRow);
        painter->drawText(
            label, Qt::AlignVCenter | Qt::AlignLeft,
            painter->fontMetrics().elidedText(graph::inputLabel(slot.name), Qt::ElideMiddle, int(label.width())));
    }
    for (int slot = 0; slot < m_node.outputs.size(); ++slot) {
        const graph::CanvasSlot &output = m_node.outputs.at(slot);
        const QPointF at(width(), kTitle + 6 + slot * kRow + kRow / 2);
        painter->setPen(rim);
        painter->setBrush(portColor(output.type));
        painter->drawEllipse(at, kPortRadius, kPortRadius);
        painter->setPen(colors.slotText);
        const QRectF label(width() / 2, at.y() - kRow / 2, width() / 2 - 12, kRow);
        painter->drawText(label, Qt::AlignVCenter | Qt::AlignRight,
                          painter->fontMetrics().elidedText(output.name.isEmpty() ? output.type : output.name,
                                                            Qt::ElideMiddle, int(label.width())));
    }
}

void NodeItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    m_gesture = Gesture::None;
    m_pressAt = event->scenePos();
    if (event->button() != Qt::LeftButton) {
        QGraphicsObject::mousePressEvent(event);
        return;
    }
    if (!isReroute() && collapseToggle().adjusted(-4, -4, 4, 4).contains(event->pos())) {
        const bool collapse = !m_node.collapsed;
        m_scene.edit(collapse ? tr("Collapse") : tr("Expand"),
                     [&] { m_scene.document().setCollapsed(m_id, collapse); });
        event->accept();
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
            m_scene.beginEdit(tr("Change %1").arg(graph::inputLabel(m_node.widgets.at(widget).name)));
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
        askForTitle();
        event->accept();
        return;
    }
    QGraphicsObject::mouseDoubleClickEvent(event);
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant &value)
{
    if (change == ItemPositionHasChanged)
        m_scene.nodeMovedOnCanvas(m_id);
    return QGraphicsObject::itemChange(change, value);
}

void NodeItem::askForTitle()
{
    // The item may be rebuilt while the dialog is open (a run's refresh): only the scene and the id are used after.
    GraphScene &scene = m_scene;
    const QString id = m_id, before = m_shownTitle;
    bool ok = false;
    const QString title =
        QInputDialog::getText(nullptr, tr("Rename node"), tr("Title:"), QLineEdit::Normal, before, &ok);
    if (ok && title != before)
        scene.edit(tr("Rename"), [&] { scene.document().setTitle(id, title); });
}

} // namespace atelier::ui
