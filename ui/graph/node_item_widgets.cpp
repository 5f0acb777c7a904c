// The widgets of a node's literal inputs: how they are drawn, and how they are edited (numbers stepped or typed,
// combos from a menu or, for a library's models and other long lists, the searchable picker, prompts in the
// highlighting editor, other text in a line).
#include "ui/common/theme.h"
#include "ui/graph/graph_scene.h"
#include "ui/graph/node_item.h"
#include "ui/graph/node_texts.h"
#include "ui/graph/option_picker.h"
#include "ui/graph/prompt_editor.h"

#include <QGraphicsView>
#include <QInputDialog>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPainter>

namespace atelier::ui {

namespace {

QString shown(const graph::GraphValue &value)
{
    if (value.isNull()) // a list with nothing chosen yet (no model in the library, say)
        return NodeItem::tr("none");
    if (const std::optional<QString> text = value.toText())
        return text->simplified();
    if (value.isInteger())
        return QString::fromUtf8(value.jsonText());
    if (const std::optional<double> number = value.toReal())
        return QLocale().toString(*number, 'g', 6);
    return QString::fromUtf8(value.jsonText());
}

} // namespace

void NodeItem::paintWidget(QPainter *painter, int index) const
{
    const QRectF field = widgetRect(index);
    const graph::NodeInput &widget = m_node.widgets.at(index);
    const graph::InputSpec *spec = specOf(widget.name);
    const bool wrong = m_errorInputs.contains(widget.name);
    const ThemeColors &colors = themeColors();
    painter->setPen(wrong ? QPen(colors.failed, 1.5) : Qt::NoPen);
    painter->setBrush(colors.fieldFill);
    painter->drawRoundedRect(field, field.height() / 2, field.height() / 2);
    painter->setPen(colors.fieldName);
    const QString value = widgetText(index);
    const bool number = spec && (spec->type == graph::kInt || spec->type == graph::kFloat);
    const bool choice = (spec && (spec->type == graph::kCombo || spec->type == graph::kBoolean)) ||
                        widget.name == QLatin1String(kSeedControl);
    const QRectF inner = field.adjusted(number || choice ? 16 : 10, 0, number || choice ? -16 : -10, 0);
    if (number || choice) { // ComfyUI's arrows: click one to step, drag the field to slide
        painter->drawText(field.adjusted(6, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, QStringLiteral("◂"));
        painter->drawText(field.adjusted(0, 0, -6, 0), Qt::AlignVCenter | Qt::AlignRight, QStringLiteral("▸"));
    }
    const QString label = graph::inputLabel(widget.name);
    painter->drawText(inner, Qt::AlignVCenter | Qt::AlignLeft, label);
    painter->setPen(colors.fieldValue);
    const int nameWidth = painter->fontMetrics().horizontalAdvance(label) + 12;
    painter->drawText(inner.adjusted(nameWidth, 0, 0, 0), Qt::AlignVCenter | Qt::AlignRight,
                      painter->fontMetrics().elidedText(value, Qt::ElideMiddle, int(inner.width()) - nameWidth));
}

QString NodeItem::widgetText(int index) const
{
    const graph::NodeInput &widget = m_node.widgets.at(index);
    if (!widget.value)
        return QString();
    const graph::InputSpec *spec = specOf(widget.name);
    if ((spec && spec->type == graph::kBoolean) || widget.name == QLatin1String(kSeedControl))
        return choiceLabel(shown(*widget.value));
    return shown(*widget.value);
}

QRectF NodeItem::widgetSceneRect(int index) const
{
    return mapRectToScene(widgetRect(index));
}

void NodeItem::editWidget(int index)
{
    QPointF at;
    if (scene() && !scene()->views().isEmpty()) {
        const QGraphicsView *view = scene()->views().constFirst();
        at = view->viewport()->mapToGlobal(view->mapFromScene(widgetSceneRect(index).bottomLeft()));
    }
    editWidget(index, at);
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
    const QString label = graph::inputLabel(widget.name);
    bool ok = false;
    std::optional<graph::GraphValue> value;
    if (spec && spec->type == graph::kInt) {
        const double current = widget.value ? widget.value->toReal().value_or(0) : 0;
        const double chosen = QInputDialog::getDouble(
            nullptr, m_shownTitle, label, current, spec->minimum.value_or(-1e18), spec->maximum.value_or(1e18), 0, &ok);
        value = graph::GraphValue::integer(qint64(chosen));
    } else if (spec && spec->type == graph::kFloat) {
        const double current = widget.value ? widget.value->toReal().value_or(0) : 0;
        const double chosen = QInputDialog::getDouble(
            nullptr, m_shownTitle, label, current, spec->minimum.value_or(-1e18), spec->maximum.value_or(1e18), 4, &ok);
        value = graph::GraphValue::real(chosen);
    } else if (spec && (spec->type == graph::kCombo || spec->type == graph::kBoolean)) {
        chooseOption(index, screenPos.toPoint());
        return;
    } else if (spec && spec->multiline) { // prompts, with their emphasis coloured
        PromptEditor editor(tr("%1 — %2").arg(m_shownTitle, label),
                            widget.value ? widget.value->toText().value_or(QString()) : QString());
        ok = editor.exec() == QDialog::Accepted;
        value = graph::GraphValue::text(editor.text());
    } else {
        const QString current = widget.value ? widget.value->toText().value_or(QString()) : QString();
        const QString text = QInputDialog::getText(nullptr, m_shownTitle, label, QLineEdit::Normal, current, &ok);
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
    const QString current = widget.value ? widget.value->toText().value_or(QString()) : QString();
    // A library's models, the input images, any long list: the picker with search and the base filter.
    if (spec && (!spec->optionsFrom.isEmpty() || spec->options.size() > 12)) {
        QList<graph::ComboOption> options = m_scene.document().registry().describedOptions(spec->optionsFrom);
        if (spec->optionsFrom.isEmpty())
            for (const QString &option : spec->options)
                options.append({option, {}, {}, {}});
        auto *picker = new OptionPicker(options, current);
        const QString id = m_id, name = widget.name;
        GraphScene *scene = &m_scene;
        // The picker outlives neither the scene nor its own choice; the node item may be rebuilt meanwhile.
        QObject::connect(picker, &OptionPicker::chosen, scene, [scene, id, name](const QString &chosen) {
            scene->edit(tr("Change %1").arg(graph::inputLabel(name)),
                        [&] { scene->document().setValue(id, name, graph::GraphValue::text(chosen)); });
        });
        picker->move(screenPos);
        picker->show();
        picker->searchField()->setFocus();
        return;
    }
    const QStringList options = !spec ? QStringList{QStringLiteral("fixed"), QStringLiteral("increment"),
                                                    QStringLiteral("decrement"), QStringLiteral("randomize")}
                                : spec->type == graph::kBoolean
                                    ? QStringList{QStringLiteral("true"), QStringLiteral("false")}
                                    : spec->options;
    QMenu menu;
    const bool namedChoices = !spec || spec->type == graph::kBoolean;
    for (const QString &option : options) {
        QAction *entry = menu.addAction(namedChoices ? choiceLabel(option) : option);
        entry->setData(option);
        entry->setCheckable(true);
        entry->setChecked(option == current || (widget.value && QString::fromUtf8(widget.value->jsonText()) == option));
    }
    if (options.isEmpty())
        menu.addAction(tr("(nothing to choose from)"))->setEnabled(false);
    const QAction *chosen = menu.exec(screenPos);
    if (!chosen || !chosen->isEnabled())
        return;
    const graph::GraphValue value =
        spec && spec->type == graph::kBoolean
            ? graph::GraphValue::boolean(chosen->data().toString() == QStringLiteral("true"))
            : graph::GraphValue::text(chosen->data().toString());
    m_scene.edit(tr("Change %1").arg(graph::inputLabel(widget.name)),
                 [&] { m_scene.document().setValue(m_id, widget.name, value); });
}

} // namespace atelier::ui
