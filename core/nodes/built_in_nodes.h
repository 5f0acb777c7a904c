#pragma once

// The node types Atelier runs, under ComfyUI's names, with its inputs, defaults, ranges and outputs: loaders,
// conditioning, latents, sampling, the VAE, images, and the editor-only Reroute, PrimitiveNode, Note and
// MarkdownNote. Their work is done by the engine's operations (core/engine/ops), reached through its library.
#include "core/graph/node_type.h"
#include "core/nodes/node_environment.h"

#include <memory>

namespace atelier::nodes {

std::shared_ptr<graph::NodeRegistry> builtInNodes(const NodeEnvironment &environment);

} // namespace atelier::nodes
