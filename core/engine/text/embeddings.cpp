#include "core/engine/text/embeddings.h"

#include "core/engine/error.h"
#include "core/engine/io/state_dict.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

namespace atelier::engine {

namespace fs = std::filesystem;

namespace {

// More vectors than this cannot fit between a chunk's start and end tokens.
constexpr std::int64_t kMaxVectors = 75;

std::string lower(std::string text)
{
    for (char &c : text)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::size_t editDistance(const std::string &a, const std::string &b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// What a text encoder width means, for messages.
std::string widthLabel(std::int64_t width)
{
    if (width == 768)
        return "SD 1.x (CLIP ViT-L, 768 wide)";
    if (width == 1024)
        return "SD 2.x (OpenCLIP ViT-H, 1024 wide)";
    return std::to_string(width) + " wide";
}

bool isEmbeddingFile(const fs::path &path)
{
    const std::string extension = lower(path.extension().string());
    return extension == ".pt" || extension == ".safetensors" || extension == ".bin";
}

torch::Tensor checkedVectors(const torch::Tensor &tensor, const std::string &source, const std::string &key)
{
    if (!tensor.is_floating_point())
        throw FormatError(source + ": \"" + key + "\" is not a floating-point tensor");
    const torch::Tensor rows = tensor.dim() == 1 ? tensor.unsqueeze(0) : tensor;
    if (rows.dim() != 2 || rows.size(0) < 1 || rows.size(1) < 1)
        throw FormatError(source + ": \"" + key + "\" should be [vectors, width], not " + std::to_string(tensor.dim()) +
                          "-dimensional");
    if (rows.size(0) > kMaxVectors)
        throw FormatError(source + ": \"" + key + "\" has " + std::to_string(rows.size(0)) +
                          " vectors; a prompt chunk holds at most 75");
    if (!torch::isfinite(rows).all().item<bool>())
        throw FormatError(source + ": \"" + key + "\" holds values that are not finite; the file is damaged");
    return rows.to(torch::kFloat32).clone();
}

} // namespace

TextualInversion readTextualInversion(const std::string &path, const std::string &name)
{
    const StateDict file = loadWeights(path);
    const std::string source = fs::path(path).filename().string();
    TextualInversion embedding;
    embedding.name = name;
    embedding.path = path;
    if (const torch::Tensor *params = file.find("emb_params")) {
        embedding.vectors[""] = checkedVectors(*params, source, "emb_params");
    } else if (file.contains("clip_l") || file.contains("clip_g")) {
        if (!file.contains("clip_l") || !file.contains("clip_g"))
            throw FormatError(source + ": an SDXL embedding needs both \"clip_l\" and \"clip_g\" vectors");
        embedding.vectors["clip_l"] = checkedVectors(file.at("clip_l"), source, "clip_l");
        embedding.vectors["clip_g"] = checkedVectors(file.at("clip_g"), source, "clip_g");
        if (embedding.vectors["clip_l"].size(0) != embedding.vectors["clip_g"].size(0))
            throw FormatError(source + ": \"clip_l\" and \"clip_g\" hold different numbers of vectors");
    } else if (file.hasPrefix("string_to_param.")) {
        const StateDict params = file.under("string_to_param.");
        embedding.vectors[""] =
            checkedVectors(params.tensors.begin()->second, source, "string_to_param." + params.tensors.begin()->first);
    } else if (file.tensors.size() == 1) {
        embedding.vectors[""] = checkedVectors(file.tensors.begin()->second, source, file.tensors.begin()->first);
    } else {
        throw UnsupportedModelError(source + ": no textual-inversion vectors (\"emb_params\", \"string_to_param\" or "
                                             "\"clip_l\"/\"clip_g\") in this file");
    }
    return embedding;
}

void EmbeddingLibrary::add(const std::string &name, const std::string &path)
{
    const std::lock_guard lock(m_mutex);
    m_paths.emplace(name, path);
}

void EmbeddingLibrary::addFolder(const std::string &folder)
{
    std::error_code error;
    if (!fs::is_directory(folder, error))
        throw std::invalid_argument(folder + ": no such folder of embeddings");
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, error), end;
         !error && it != end; it.increment(error))
        if (it->is_regular_file(error) && isEmbeddingFile(it->path()))
            files.push_back(it->path());
    std::sort(files.begin(), files.end());
    for (const fs::path &file : files)
        add(file.stem().string(), file.string());
}

std::vector<std::string> EmbeddingLibrary::names() const
{
    const std::lock_guard lock(m_mutex);
    std::vector<std::string> names;
    for (const auto &[name, path] : m_paths)
        names.push_back(name);
    return names;
}

std::string EmbeddingLibrary::resolve(const std::string &wanted) const
{
    std::string name = wanted;
    if (isEmbeddingFile(name))
        name = fs::path(name).replace_extension().string();
    if (m_paths.count(name))
        return name;
    for (const auto &[known, path] : m_paths)
        if (lower(known) == lower(name))
            return known;
    return {};
}

std::string EmbeddingLibrary::pathOf(const std::string &name) const
{
    const std::lock_guard lock(m_mutex);
    const std::string known = resolve(name);
    return known.empty() ? std::string() : m_paths.at(known);
}

std::vector<std::string> EmbeddingLibrary::closeMatches(const std::string &name, std::size_t count) const
{
    const std::lock_guard lock(m_mutex);
    std::vector<std::pair<std::size_t, std::string>> scored;
    for (const auto &[known, path] : m_paths) {
        const std::size_t distance = editDistance(lower(known), lower(name));
        const bool contains =
            lower(known).find(lower(name)) != std::string::npos || lower(name).find(lower(known)) != std::string::npos;
        if (contains || distance <= std::max<std::size_t>(2, known.size() / 3))
            scored.emplace_back(contains ? 0 : distance, known);
    }
    std::sort(scored.begin(), scored.end());
    std::vector<std::string> matches;
    for (std::size_t i = 0; i < scored.size() && i < count; ++i)
        matches.push_back(scored[i].second);
    return matches;
}

TextualInversion EmbeddingLibrary::load(const std::string &name) const
{
    std::string known, path;
    {
        const std::lock_guard lock(m_mutex);
        known = resolve(name);
        if (!known.empty()) {
            if (const auto loaded = m_loaded.find(known); loaded != m_loaded.end())
                return loaded->second;
            path = m_paths.at(known);
        }
    }
    if (known.empty()) {
        const std::vector<std::string> matches = closeMatches(name);
        std::string message = "no embedding named \"" + name + "\"";
        if (!matches.empty()) {
            message += "; close matches:";
            for (std::size_t i = 0; i < matches.size(); ++i)
                message += (i ? ", " : " ") + matches[i];
        } else if (names().empty()) {
            message += "; no embeddings are available (install some, or name a folder of them)";
        }
        throw std::invalid_argument(message);
    }
    TextualInversion embedding = readTextualInversion(path, known);
    const std::lock_guard lock(m_mutex);
    return m_loaded.emplace(known, std::move(embedding)).first->second;
}

PromptEmbeddingTable::PromptEmbeddingTable(const EmbeddingLibrary &library, std::int64_t firstPlaceholder,
                                           std::int64_t width, std::string encoder, std::string modelLabel)
    : m_library(library)
    , m_firstPlaceholder(firstPlaceholder)
    , m_width(width)
    , m_encoder(std::move(encoder))
    , m_modelLabel(std::move(modelLabel))
{}

std::vector<std::string> PromptEmbeddingTable::plainNames() const
{
    return m_library.names();
}

std::vector<std::int64_t> PromptEmbeddingTable::placeholders(const std::string &name)
{
    if (const auto assigned = m_assigned.find(name); assigned != m_assigned.end())
        return assigned->second;
    TextualInversion embedding = m_library.load(name);
    const std::string source = fs::path(embedding.path).filename().string();
    const bool sdxlFile = embedding.vectors.count("clip_l") != 0;
    const std::string wanted = m_encoder.empty() ? std::string() : m_encoder;
    const auto found = embedding.vectors.find(sdxlFile ? wanted : std::string());
    // An SDXL file needs an SDXL model, and an SDXL model an SDXL file (whose vectors are per encoder), whatever
    // the widths: shrunk test models can share them.
    if (found == embedding.vectors.end() || sdxlFile == wanted.empty())
        throw UnsupportedModelError(source + ": an embedding for " +
                                    std::string(sdxlFile ? "SDXL (clip_l and clip_g vectors)"
                                                         : widthLabel(embedding.vectors.begin()->second.size(1))) +
                                    "; this model is " + m_modelLabel);
    const torch::Tensor &vectors = found->second;
    if (vectors.size(1) != m_width)
        throw UnsupportedModelError(source + ": an embedding for " + widthLabel(vectors.size(1)) + "; this model (" +
                                    m_modelLabel + ") has a text encoder " + std::to_string(m_width) + " wide");
    std::vector<std::int64_t> ids;
    std::int64_t next = m_firstPlaceholder;
    for (const torch::Tensor &rows : m_rows)
        next += rows.size(0);
    for (std::int64_t i = 0; i < vectors.size(0); ++i)
        ids.push_back(next + i);
    m_rows.push_back(vectors);
    m_used.push_back(std::move(embedding));
    m_assigned.emplace(name, ids);
    return ids;
}

std::optional<std::vector<std::int64_t>> PromptEmbeddingTable::placeholdersForWord(const std::string &name)
{
    try {
        return placeholders(name);
    } catch (const Error &error) {
        const std::string warning = std::string(error.what()) + "; \"" + name + "\" stays text";
        if (std::find(m_warnings.begin(), m_warnings.end(), warning) == m_warnings.end())
            m_warnings.push_back(warning);
        return std::nullopt;
    }
}

torch::Tensor PromptEmbeddingTable::rows() const
{
    return m_rows.empty() ? torch::Tensor() : torch::cat(m_rows, 0);
}

} // namespace atelier::engine
