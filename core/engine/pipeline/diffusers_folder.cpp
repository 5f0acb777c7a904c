#include "core/engine/pipeline/diffusers_folder.h"

#include <fstream>

namespace atelier::engine {

namespace fs = std::filesystem;

nlohmann::json readJson(const fs::path &path)
{
    std::ifstream in(path);
    if (!in)
        throw FormatError(path.string() + ": cannot be read");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception &error) {
        throw FormatError(path.string() + ": not valid JSON (" + error.what() + ")");
    }
}

nlohmann::json readJsonIfThere(const fs::path &path)
{
    return fs::exists(path) ? readJson(path) : nlohmann::json();
}

fs::path firstExisting(const fs::path &folder, std::initializer_list<const char *> names)
{
    for (const char *name : names)
        if (fs::exists(folder / name))
            return folder / name;
    std::string list;
    for (const char *name : names)
        list += (list.empty() ? "" : ", ") + std::string(name);
    throw UnsupportedModelError(folder.string() + ": none of " + list + " is there");
}

fs::path diffusersWeights(const fs::path &componentFolder)
{
    return firstExisting(componentFolder, {"diffusion_pytorch_model.safetensors",
                                           "diffusion_pytorch_model.fp16.safetensors", "diffusion_pytorch_model.bin"});
}

fs::path transformersWeights(const fs::path &componentFolder)
{
    return firstExisting(componentFolder, {"model.safetensors", "model.fp16.safetensors", "pytorch_model.bin"});
}

} // namespace atelier::engine
