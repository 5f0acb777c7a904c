#pragma once

// A pipeline graph as ComfyUI's documents describe it: nodes with a type, literal or linked inputs and a mode. The
// graph keeps what it does not understand (unknown node fields, `_meta` entries), so that a document read and
// written back loses nothing. Plain values, no widgets and no JSON library in this header.
#include <QByteArray>
#include <QList>
#include <QPointF>
#include <QString>

#include <cstdint>
#include <optional>

namespace atelier::graph {

// A literal input value exactly as the document wrote it (compact JSON text: 42, 0.85, "euler", true, or an array
// or object that some node types take), with typed readers. Seeds up to 2^64 - 1 stay exact.
class GraphValue
{
public:
    GraphValue() = default;
    static GraphValue fromJsonText(QByteArray compactJson) { return GraphValue(std::move(compactJson)); }
    static GraphValue integer(std::int64_t value);
    static GraphValue unsignedInteger(std::uint64_t value);
    static GraphValue real(double value);
    static GraphValue text(const QString &value);
    static GraphValue boolean(bool value);

    const QByteArray &jsonText() const { return m_json; }
    bool isNull() const;
    bool isNumber() const;
    bool isInteger() const;
    bool isText() const;
    bool isBoolean() const;
    std::optional<std::int64_t> toInteger() const;   // also for a whole-number real (20.0)
    std::optional<std::uint64_t> toUnsigned() const; // seeds
    std::optional<double> toReal() const;
    std::optional<QString> toText() const;
    std::optional<bool> toBoolean() const;

    bool operator==(const GraphValue &other) const { return m_json == other.m_json; }
    bool operator!=(const GraphValue &other) const { return !(*this == other); }

private:
    explicit GraphValue(QByteArray json)
        : m_json(std::move(json))
    {}
    QByteArray m_json = "null";
};

// Output `output` (0-based) of node `node`.
struct OutputRef
{
    QString node;
    int output = 0;
    bool operator==(const OutputRef &other) const { return node == other.node && output == other.output; }
};

// One input of a node: a literal or a link, in the order the document lists them.
struct NodeInput
{
    QString name;
    std::optional<GraphValue> value;
    std::optional<OutputRef> link;
};

// ComfyUI's modes: muted nodes do not run (nor what needs them); bypassed ones pass their inputs through by type.
enum class NodeMode { Active, Muted, Bypassed };

struct GraphNode
{
    QString id;    // ComfyUI's node id, a string ("3", "12:4" inside a flattened subgraph)
    QString type;  // class_type
    QString title; // _meta.title; empty when the document gives none
    NodeMode mode = NodeMode::Active;
    QString package; // the node package an editor workflow names for a custom node (cnr_id or aux_id)
    std::optional<QPointF> position; // on the editor's canvas, where a workflow gives one; never part of a run
    QList<NodeInput> inputs;
    // The node's fields Atelier does not read (and `_meta` entries besides the title), as a compact JSON object,
    // written back as they were.
    QByteArray unknownFields = "{}";
    QByteArray unknownMeta = "{}";

    const NodeInput *input(const QString &name) const;
};

struct Graph
{
    QList<GraphNode> nodes; // in document order

    const GraphNode *node(const QString &id) const;
};

} // namespace atelier::graph
