#include "core/graph/batch_seeds.h"

namespace atelier::graph {

Graph withSeedsAdvanced(const Graph &graph, const NodeRegistry &registry, std::uint64_t runIndex)
{
    Graph advanced = graph;
    if (runIndex == 0)
        return advanced;
    for (GraphNode &node : advanced.nodes) {
        const NodeType *type = registry.find(node.type);
        if (!type)
            continue;
        for (NodeInput &input : node.inputs) {
            if (!input.value || input.link)
                continue;
            const InputSpec *spec = type->definition().input(input.name);
            if (!spec || !spec->controlAfterGenerate)
                continue;
            if (const std::optional<std::uint64_t> seed = input.value->toUnsigned())
                input.value = GraphValue::unsignedInteger(*seed + runIndex);
        }
    }
    return advanced;
}

} // namespace atelier::graph
