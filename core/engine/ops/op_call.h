#pragma once

// The engine's operations on the values a pipeline graph passes between its nodes, in plain types: a loaded model's
// parts, conditionings, latents and images stay inside the engine as opaque values, and the layers above call
// operations on them by name through the engine's table. No libtorch here.
#include "core/engine/pipeline/generate.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace atelier::engine {

// A value the engine holds for the layers above: MODEL, CLIP, VAE, CONDITIONING, LATENT, IMAGE or MASK, under
// ComfyUI's type names. Immutable once made; operations make new ones.
class EngineValue
{
public:
    virtual ~EngineValue() = default;
    virtual const char *kind() const = 0;
    // Bytes it holds of its own (not counting what it shares with others, such as a loaded model's weights).
    virtual std::int64_t ownBytes() const = 0;
    // Its tensor's shape (latents [b, c, h, w], images [b, h, w, 3], masks [b, h, w]); empty for models.
    virtual std::vector<std::int64_t> shape() const { return {}; }
};
using EngineValuePtr = std::shared_ptr<const EngineValue>;

using OpArgument = std::variant<std::monostate, std::int64_t, std::uint64_t, double, bool, std::string,
                                std::vector<std::string>, EngineValuePtr, std::vector<RgbImage>>;

struct OpCall
{
    std::string op;
    std::map<std::string, OpArgument> arguments;
};

struct OpResult
{
    std::vector<EngineValuePtr> values;
    std::vector<RgbImage> images;             // image_to_pixels
    std::map<std::string, std::string> facts; // what a user may want to know: "family", "prediction" ...
    std::vector<std::string> warnings;        // embeddings that stayed text, LoRA keys that changed nothing
};

} // namespace atelier::engine
