#pragma once

// Reading a diffusers folder's parts: its JSON configs and which weight file of a component is there (plain,
// "fp16" variant, or a PyTorch .bin). Shared by the Stable Diffusion loader and the aMUSEd one.
#include "core/engine/error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <initializer_list>
#include <string>

namespace atelier::engine {

// A JSON file; FormatError naming it when it cannot be read or parsed.
nlohmann::json readJson(const std::filesystem::path &path);
// The same, or a null json when the file is not there.
nlohmann::json readJsonIfThere(const std::filesystem::path &path);

// `object[key]` into `target` when the key is there and not null; FormatError when it has the wrong type.
template <typename T> void readConfigValue(const nlohmann::json &object, const char *key, T &target)
{
    if (object.is_object() && object.contains(key) && !object[key].is_null()) {
        try {
            target = object[key].get<T>();
        } catch (const nlohmann::json::exception &) {
            throw FormatError(std::string("config value \"") + key + "\" has the wrong type");
        }
    }
}

// The first of `names` that exists in `folder`; UnsupportedModelError listing them all when none does.
std::filesystem::path firstExisting(const std::filesystem::path &folder, std::initializer_list<const char *> names);

// A diffusers model's weights in a component folder (unet/, vae/, transformer/, vqvae/).
std::filesystem::path diffusersWeights(const std::filesystem::path &componentFolder);
// A transformers model's weights in a component folder (text_encoder/).
std::filesystem::path transformersWeights(const std::filesystem::path &componentFolder);

} // namespace atelier::engine
