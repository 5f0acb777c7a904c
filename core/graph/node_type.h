#pragma once

// What a node type is, the way ComfyUI's /object_info states it (inputs with their types, defaults, ranges and
// options; typed outputs; category; whether it is an output node), and how it runs. core/nodes holds the built-in
// types; the registry is what validation and the executor consult. No widgets here.
#include "core/engine/ops/op_call.h"
#include "core/graph/graph.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace atelier::graph {

// Widget types (literal values) besides the link types (MODEL, CLIP, VAE, CONDITIONING, LATENT, IMAGE, MASK ...).
inline const QString kInt = QStringLiteral("INT");
inline const QString kFloat = QStringLiteral("FLOAT");
inline const QString kString = QStringLiteral("STRING");
inline const QString kBoolean = QStringLiteral("BOOLEAN");
inline const QString kCombo = QStringLiteral("COMBO");

bool isWidgetType(const QString &type);
// Whether an output of type `produced` may feed an input of type `wanted`: the same type, one of a comma-separated
// list, the wildcard on either side, or text into a combo.
bool typesConnect(const QString &produced, const QString &wanted);

struct InputSpec
{
    QString name;
    QString type; // a link type, or INT, FLOAT, STRING, BOOLEAN, COMBO
    bool optional = false;
    std::optional<GraphValue> defaultValue;
    std::optional<double> minimum, maximum, step; // INT and FLOAT
    QStringList options;                          // COMBO, when fixed
    // COMBO options that come from the model library or the input folder; the name says which ("checkpoints",
    // "vae", "loras", "configs", "input images"), and the environment lists and resolves them.
    QString optionsFrom;
    bool multiline = false;
    bool controlAfterGenerate = false; // seeds: the editor's "fixed / increment / decrement / randomize" widget
    bool imageUpload = false;
    QString tooltip;
};

struct OutputSpec
{
    QString type;
    QString name;
    bool isList = false;
};

struct NodeDefinition
{
    QString type; // class_type
    QString displayName;
    QString category;
    QString description;
    QList<InputSpec> inputs;
    QList<OutputSpec> outputs;
    bool outputNode = false;
    bool editorOnly = false; // Reroute, PrimitiveNode, Note: the editor resolves them; they never run
    // Non-empty: why this build cannot run the type yet; validation reports it on every node of the type.
    QString unsupported;

    const InputSpec *input(const QString &name) const;
};

// An input as the interface labels it: the built-in nodes' input names translated ("steps" is "Schritte" in German;
// their messages are marked in core/nodes/node_kit.cpp), any other name as it is. Workflows, links and values keep
// the name.
QString inputLabel(const QString &name);

// The definition as ComfyUI's /object_info lists it, with `listOptions` filling library-backed combos.
QJsonObject objectInfo(const NodeDefinition &definition,
                       const std::function<QStringList(const QString &optionsFrom)> &listOptions = {});

// A value on a node's input when it runs: an engine value from a link, or the literal (defaults filled in).
struct InputValue
{
    engine::EngineValuePtr engine;
    std::optional<GraphValue> literal;
};
using NodeInputs = QMap<QString, InputValue>;

// An output file a node wrote (ComfyUI's {"filename", "subfolder", "type"}).
struct OutputFile
{
    QString filename;
    QString subfolder;
    QString type = QStringLiteral("output"); // "output", or "temp" for previews
    QString path;                            // absolute
};

struct NodeOutputs
{
    QList<engine::EngineValuePtr> values; // one per output
    QList<OutputFile> files;
    QStringList warnings;
    QStringList notes; // what a user may want to know, not a problem: "loaded unet: from RAM (3.2 GiB, 0.00 s)"
};

// What a node can ask of the run it is part of.
class NodeRunContext
{
public:
    virtual ~NodeRunContext() = default;
    virtual QString nodeId() const = 0;
    // Progress within the node; `preview` makes a preview image when someone shows it. Returns false when the run
    // was cancelled (the node should stop).
    virtual bool progress(int value, int maximum, const std::function<engine::RgbImage()> &preview = {}) = 0;
    virtual bool cancelled() const = 0;
    // The run's graph as an API prompt and the editor workflow it came from (empty when none), for SaveImage.
    virtual QByteArray apiPrompt() const = 0;
    virtual QByteArray editorWorkflow() const = 0;
};

class NodeType
{
public:
    virtual ~NodeType() = default;
    virtual const NodeDefinition &definition() const = 0;
    // Runs the node; throws (engine errors, std::exception) with a message for users on failure.
    virtual NodeOutputs run(const NodeInputs &inputs, NodeRunContext &context) const = 0;
    // ComfyUI's IS_CHANGED: a token that changes when the node's result would though its inputs did not (a file
    // read from disk). Part of the node's cache signature.
    virtual QByteArray changeToken(const NodeInputs &) const { return {}; }
    // Checks a literal that the definition cannot (a model name against the library); an empty result is valid.
    struct Problem
    {
        QString type; // ComfyUI's error type, e.g. value_not_in_list
        QString message;
        QString details;
    };
    virtual std::optional<Problem> checkValue(const QString &, const GraphValue &) const { return std::nullopt; }
};

// One entry of a library-backed combo, for pickers that group and search: the value the input takes (a file
// name), the group it belongs to (a model's base, "sd-1"; empty when none), and what else names it (the model's
// name in the library), and the file it names, where it names one.
struct ComboOption
{
    QString value;
    QString group;
    QString detail;
    QString path;
};

class NodeRegistry
{
public:
    void add(std::shared_ptr<const NodeType> type);
    const NodeType *find(const QString &classType) const;
    QList<const NodeType *> types() const; // by name
    // The environment's lists behind library-backed combos (see InputSpec::optionsFrom).
    void setOptionLister(std::function<QList<ComboOption>(const QString &)> lister) { m_lister = std::move(lister); }
    QList<ComboOption> describedOptions(const QString &optionsFrom) const
    {
        return m_lister ? m_lister(optionsFrom) : QList<ComboOption>();
    }
    QStringList options(const QString &optionsFrom) const
    {
        QStringList values;
        for (const ComboOption &option : describedOptions(optionsFrom))
            values.append(option.value);
        return values;
    }
    // Every type's objectInfo, keyed by class_type, as /object_info answers.
    QJsonObject objectInfo() const;

private:
    QHash<QString, std::shared_ptr<const NodeType>> m_types;
    std::function<QList<ComboOption>(const QString &)> m_lister;
};

} // namespace atelier::graph
