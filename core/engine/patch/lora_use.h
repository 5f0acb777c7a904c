#pragma once

// Which LoRAs to apply and what they did, in plain types: shared by the patcher and by the Qt layers' generate()
// requests, so that the two never drift apart. No libtorch here.
#include <string>
#include <vector>

namespace atelier::engine {

// A LoRA or LyCORIS file with ComfyUI's two strengths (LoraLoader's strength_model and strength_clip).
struct LoRAApplication
{
    std::string path;
    double strengthModel = 1.0;
    double strengthClip = 1.0;

    bool operator==(const LoRAApplication &other) const
    {
        return path == other.path && strengthModel == other.strengthModel && strengthClip == other.strengthClip;
    }
};

// What one LoRA did: how many weights of each network it changed, and its keys that changed nothing (ComfyUI's
// "lora key not loaded" warnings), by name.
struct LoRAReport
{
    std::string path;
    std::string base;  // the base its widths point to ("sd-1", "sd-2", "sdxl"), empty when they fit no release
    int unetWeights = 0;
    int textWeights = 0;
    std::vector<std::string> keysNotLoaded;
};

} // namespace atelier::engine
