#include "core/engine/io/key_maps.h"

#include "core/engine/error.h"

#include <cctype>
#include <cstdlib>
#include <set>

namespace atelier::engine {

namespace {

bool startsWith(const std::string &text, const std::string &prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

// Splits "down_blocks.3.resnets.1.conv1.weight" after `prefix` into the number and what follows its dot.
bool takeIndex(const std::string &text, std::size_t at, int &index, std::size_t &next)
{
    std::size_t end = at;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])))
        ++end;
    if (end == at || end >= text.size() || text[end] != '.')
        return false;
    index = std::atoi(text.substr(at, end - at).c_str());
    next = end + 1;
    return true;
}

std::string replaceAll(std::string text, const std::string &from, const std::string &to)
{
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::string renameUnetResnet(const std::string &rest)
{
    static const std::pair<const char *, const char *> kNames[] = {
        {"norm1.", "in_layers.0."},  {"conv1.", "in_layers.2."},  {"time_emb_proj.", "emb_layers.1."},
        {"norm2.", "out_layers.0."}, {"conv2.", "out_layers.3."}, {"conv_shortcut.", "skip_connection."},
    };
    for (const auto &[from, to] : kNames)
        if (startsWith(rest, from))
            return to + rest.substr(std::string(from).size());
    return rest;
}

int countIndices(const StateDict &weights, const std::string &prefix)
{
    std::set<int> seen;
    for (const auto &[name, tensor] : weights.tensors) {
        int index = 0;
        std::size_t next = 0;
        if (startsWith(name, prefix) && takeIndex(name, prefix.size(), index, next))
            seen.insert(index);
    }
    return seen.empty() ? 0 : *seen.rbegin() + 1;
}

} // namespace

StateDict unetFromDiffusers(const StateDict &diffusers)
{
    const int resnetsPerDownLevel = countIndices(diffusers, "down_blocks.0.resnets.");
    if (resnetsPerDownLevel == 0)
        throw UnsupportedModelError(diffusers.source + ": not a diffusers UNet (no \"down_blocks.0.resnets\" weights)");
    const int blocksPerLevel = resnetsPerDownLevel + 1;  // the res blocks, then a downsampler or the up path's extra
    std::set<int> upLevelsWithAttention;
    for (const auto &[name, tensor] : diffusers.tensors) {
        int level = 0;
        std::size_t next = 0;
        if (startsWith(name, "up_blocks.") && takeIndex(name, 10, level, next) &&
            name.compare(next, 11, "attentions.") == 0)
            upLevelsWithAttention.insert(level);
    }

    StateDict ldm;
    ldm.source = diffusers.source;
    for (const auto &[name, tensor] : diffusers.tensors) {
        std::string mapped;
        int level = 0, index = 0;
        std::size_t at = 0, next = 0;
        if (startsWith(name, "conv_in."))
            mapped = "input_blocks.0.0." + name.substr(8);
        else if (startsWith(name, "time_embedding.linear_1."))
            mapped = "time_embed.0." + name.substr(24);
        else if (startsWith(name, "time_embedding.linear_2."))
            mapped = "time_embed.2." + name.substr(24);
        else if (startsWith(name, "add_embedding.linear_1.")) // SDXL's pooled-text and size conditioning
            mapped = "label_emb.0.0." + name.substr(23);
        else if (startsWith(name, "add_embedding.linear_2."))
            mapped = "label_emb.0.2." + name.substr(23);
        else if (startsWith(name, "conv_norm_out."))
            mapped = "out.0." + name.substr(14);
        else if (startsWith(name, "conv_out."))
            mapped = "out.2." + name.substr(9);
        else if (startsWith(name, "down_blocks.") && takeIndex(name, 12, level, at)) {
            if (startsWith(name.substr(at), "resnets.") && takeIndex(name, at + 8, index, next))
                mapped = "input_blocks." + std::to_string(1 + level * blocksPerLevel + index) + ".0." +
                         renameUnetResnet(name.substr(next));
            else if (startsWith(name.substr(at), "attentions.") && takeIndex(name, at + 11, index, next))
                mapped = "input_blocks." + std::to_string(1 + level * blocksPerLevel + index) + ".1." + name.substr(next);
            else if (startsWith(name.substr(at), "downsamplers.0.conv."))
                mapped = "input_blocks." + std::to_string((level + 1) * blocksPerLevel) + ".0.op." +
                         name.substr(at + 20);
        } else if (startsWith(name, "mid_block.resnets.") && takeIndex(name, 18, index, next))
            mapped = "middle_block." + std::to_string(index * 2) + "." + renameUnetResnet(name.substr(next));
        else if (startsWith(name, "mid_block.attentions.0."))
            mapped = "middle_block.1." + name.substr(23);
        else if (startsWith(name, "up_blocks.") && takeIndex(name, 10, level, at)) {
            const int upBlocksPerLevel = blocksPerLevel;  // res blocks + 1 on the way up
            if (startsWith(name.substr(at), "resnets.") && takeIndex(name, at + 8, index, next))
                mapped = "output_blocks." + std::to_string(level * upBlocksPerLevel + index) + ".0." +
                         renameUnetResnet(name.substr(next));
            else if (startsWith(name.substr(at), "attentions.") && takeIndex(name, at + 11, index, next))
                mapped = "output_blocks." + std::to_string(level * upBlocksPerLevel + index) + ".1." + name.substr(next);
            else if (startsWith(name.substr(at), "upsamplers.0.conv."))
                mapped = "output_blocks." + std::to_string(level * upBlocksPerLevel + upBlocksPerLevel - 1) + "." +
                         (upLevelsWithAttention.count(level) ? "2" : "1") + ".conv." + name.substr(at + 18);
        }
        ldm.tensors.emplace(mapped.empty() ? name : mapped, tensor);
    }
    return ldm;
}

std::string unetDiffusersName(const std::string &ldm, std::int64_t resBlocksPerLevel,
                              const std::vector<bool> &attentionAtLevel)
{
    static const std::pair<const char *, const char *> kTopLevel[] = {
        {"input_blocks.0.0", "conv_in"},
        {"time_embed.0", "time_embedding.linear_1"},
        {"time_embed.2", "time_embedding.linear_2"},
        {"label_emb.0.0", "add_embedding.linear_1"},
        {"label_emb.0.2", "add_embedding.linear_2"},
        {"out.0", "conv_norm_out"},
        {"out.2", "conv_out"},
    };
    for (const auto &[from, to] : kTopLevel) {
        const std::string prefix = from;
        if (ldm == prefix || startsWith(ldm, prefix + "."))
            return to + ldm.substr(prefix.size());
    }
    // LDM's res block children, the other way round from renameUnetResnet.
    const auto resnet = [](const std::string &rest) -> std::string {
        static const std::pair<const char *, const char *> kNames[] = {
            {"in_layers.0", "norm1"},  {"in_layers.2", "conv1"},  {"emb_layers.1", "time_emb_proj"},
            {"out_layers.0", "norm2"}, {"out_layers.3", "conv2"}, {"skip_connection", "conv_shortcut"},
        };
        for (const auto &[from, to] : kNames) {
            const std::string prefix = from;
            if (rest == prefix || startsWith(rest, prefix + "."))
                return to + rest.substr(prefix.size());
        }
        return {};
    };
    const std::int64_t levels = std::int64_t(attentionAtLevel.size());
    const std::int64_t blocksPerLevel = resBlocksPerLevel + 1;
    int block = 0, child = 0;
    std::size_t at = 0, next = 0;
    std::string mapped;
    if (startsWith(ldm, "input_blocks.") && takeIndex(ldm, 13, block, at) && takeIndex(ldm, at, child, next) &&
        block > 0) {
        const std::string level = std::to_string((block - 1) / blocksPerLevel);
        const std::int64_t index = (block - 1) % blocksPerLevel;
        const std::string rest = ldm.substr(next);
        if (index == resBlocksPerLevel && child == 0 && startsWith(rest, "op"))
            return "down_blocks." + level + ".downsamplers.0.conv" + rest.substr(2);
        if (child == 0 && !(mapped = resnet(rest)).empty())
            return "down_blocks." + level + ".resnets." + std::to_string(index) + "." + mapped;
        if (child == 1)
            return "down_blocks." + level + ".attentions." + std::to_string(index) + "." + rest;
    } else if (startsWith(ldm, "middle_block.") && takeIndex(ldm, 13, block, next)) {
        const std::string rest = ldm.substr(next);
        if ((block == 0 || block == 2) && !(mapped = resnet(rest)).empty())
            return "mid_block.resnets." + std::to_string(block / 2) + "." + mapped;
        if (block == 1)
            return "mid_block.attentions.0." + rest;
    } else if (startsWith(ldm, "output_blocks.") && takeIndex(ldm, 14, block, at) && takeIndex(ldm, at, child, next)) {
        const std::int64_t upLevel = block / blocksPerLevel;
        const std::string level = std::to_string(upLevel);
        const std::int64_t index = block % blocksPerLevel;
        const std::string rest = ldm.substr(next);
        const std::int64_t ldmLevel = levels - 1 - upLevel;
        const bool hasAttention = ldmLevel >= 0 && ldmLevel < levels && attentionAtLevel[std::size_t(ldmLevel)];
        if (child == 0 && !(mapped = resnet(rest)).empty())
            return "up_blocks." + level + ".resnets." + std::to_string(index) + "." + mapped;
        if (child == 1 && hasAttention)
            return "up_blocks." + level + ".attentions." + std::to_string(index) + "." + rest;
        if ((child == 2 || child == 1) && startsWith(rest, "conv"))
            return "up_blocks." + level + ".upsamplers.0." + rest;
    }
    return {};
}

StateDict vaeFromDiffusers(const StateDict &diffusers)
{
    const int upLevels = countIndices(diffusers, "decoder.up_blocks.");
    StateDict ldm;
    ldm.source = diffusers.source;
    for (const auto &[name, tensor] : diffusers.tensors) {
        std::string mapped = name;
        torch::Tensor value = tensor;
        int level = 0, index = 0;
        std::size_t at = 0, next = 0;
        for (const char *part : {"encoder.", "decoder."}) {
            const std::string side = part;
            if (!startsWith(name, side))
                continue;
            const std::string rest = name.substr(side.size());
            if (startsWith(rest, "down_blocks.") && takeIndex(name, side.size() + 12, level, at)) {
                const std::string tail = name.substr(at);
                if (startsWith(tail, "resnets.") && takeIndex(name, at + 8, index, next))
                    mapped = side + "down." + std::to_string(level) + ".block." + std::to_string(index) + "." +
                             name.substr(next);
                else if (startsWith(tail, "downsamplers.0.conv."))
                    mapped = side + "down." + std::to_string(level) + ".downsample.conv." + tail.substr(20);
            } else if (startsWith(rest, "up_blocks.") && takeIndex(name, side.size() + 10, level, at)) {
                const std::string ldmLevel = std::to_string(upLevels - 1 - level);
                const std::string tail = name.substr(at);
                if (startsWith(tail, "resnets.") && takeIndex(name, at + 8, index, next))
                    mapped = side + "up." + ldmLevel + ".block." + std::to_string(index) + "." + name.substr(next);
                else if (startsWith(tail, "upsamplers.0.conv."))
                    mapped = side + "up." + ldmLevel + ".upsample.conv." + tail.substr(18);
            } else if (startsWith(rest, "mid_block.resnets.") && takeIndex(name, side.size() + 18, index, next)) {
                mapped = side + "mid.block_" + std::to_string(index + 1) + "." + name.substr(next);
            } else if (startsWith(rest, "mid_block.attentions.0.")) {
                static const std::pair<const char *, const char *> kNames[] = {
                    {"group_norm.", "norm."}, {"to_q.", "q."},  {"to_k.", "k."},  {"to_v.", "v."},
                    {"to_out.0.", "proj_out."}, {"query.", "q."}, {"key.", "k."}, {"value.", "v."},
                    {"proj_attn.", "proj_out."},
                };
                const std::string tail = rest.substr(23);
                for (const auto &[from, to] : kNames) {
                    if (startsWith(tail, from)) {
                        mapped = side + "mid.attn_1." + to + tail.substr(std::string(from).size());
                        if (value.dim() == 2)
                            value = value.view({value.size(0), value.size(1), 1, 1});
                        break;
                    }
                }
            } else if (startsWith(rest, "conv_norm_out.")) {
                mapped = side + "norm_out." + rest.substr(14);
            }
        }
        mapped = replaceAll(mapped, ".conv_shortcut.", ".nin_shortcut.");
        ldm.tensors.emplace(mapped, value);
    }
    return ldm;
}

StateDict clipFromOpenClip(const StateDict &openClip)
{
    StateDict clip;
    clip.source = openClip.source;
    const auto put = [&clip](const std::string &name, const torch::Tensor &tensor) {
        clip.tensors.emplace("text_model." + name, tensor);
    };
    for (const auto &[name, tensor] : openClip.tensors) {
        int layer = 0;
        std::size_t next = 0;
        if (name == "token_embedding.weight")
            put("embeddings.token_embedding.weight", tensor);
        else if (name == "positional_embedding")
            put("embeddings.position_embedding.weight", tensor);
        else if (startsWith(name, "ln_final."))
            put("final_layer_norm." + name.substr(9), tensor);
        else if (name == "text_projection")
            clip.tensors.emplace("text_projection.weight", tensor.t());
        else if (startsWith(name, "transformer.resblocks.") && takeIndex(name, 22, layer, next)) {
            const std::string prefix = "encoder.layers." + std::to_string(layer) + ".";
            const std::string rest = name.substr(next);
            if (rest == "attn.in_proj_weight" || rest == "attn.in_proj_bias") {
                const char *suffix = rest == "attn.in_proj_weight" ? "weight" : "bias";
                const auto parts = tensor.chunk(3, 0);
                if (parts.size() != 3)
                    throw UnsupportedModelError(openClip.source + ": \"" + name + "\" cannot be split into q, k and v");
                put(prefix + "self_attn.q_proj." + suffix, parts[0]);
                put(prefix + "self_attn.k_proj." + suffix, parts[1]);
                put(prefix + "self_attn.v_proj." + suffix, parts[2]);
            } else if (startsWith(rest, "attn.out_proj."))
                put(prefix + "self_attn.out_proj." + rest.substr(14), tensor);
            else if (startsWith(rest, "ln_1."))
                put(prefix + "layer_norm1." + rest.substr(5), tensor);
            else if (startsWith(rest, "ln_2."))
                put(prefix + "layer_norm2." + rest.substr(5), tensor);
            else if (startsWith(rest, "mlp.c_fc."))
                put(prefix + "mlp.fc1." + rest.substr(9), tensor);
            else if (startsWith(rest, "mlp.c_proj."))
                put(prefix + "mlp.fc2." + rest.substr(11), tensor);
        }
    }
    return clip;
}

} // namespace atelier::engine
