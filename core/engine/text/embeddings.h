#pragma once

// Textual-inversion embeddings: finding them by name and reading their files. Includes libtorch: for the engine's
// own sources and tests only.
#include "core/engine/text/prompt_weights.h"

#include <torch/torch.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace atelier::engine {

// An embedding's vectors per text encoder: "" for a single-encoder file (SD 1.x, SD 2.x), "clip_l" and "clip_g"
// for SDXL's two.
struct TextualInversion
{
    std::string name;
    std::string path;
    std::map<std::string, torch::Tensor> vectors; // [n, width] float32 on the CPU

    std::int64_t vectorCount() const { return vectors.empty() ? 0 : vectors.begin()->second.size(0); }
};

// Reads an embedding file: A1111's .pt ("string_to_param" → "*"), its .safetensors ("emb_params"), SDXL's
// ("clip_l", "clip_g"), or diffusers' learned_embeds (one tensor under the token's name). Throws FormatError
// naming the file for damaged files and UnsupportedModelError for files that hold no embedding.
TextualInversion readTextualInversion(const std::string &path, const std::string &name);

// The embeddings available to prompts, by name (the file name without its extension), from the library and
// folders. Loaded files are kept. Thread-safe.
class EmbeddingLibrary
{
public:
    // Adds one file under `name`; a name already present keeps its first file.
    void add(const std::string &name, const std::string &path);
    // Adds every .pt, .safetensors and .bin file under `folder` (recursively). Throws std::invalid_argument when
    // the folder does not exist.
    void addFolder(const std::string &folder);

    std::vector<std::string> names() const;
    // The path of `name` (exact, then ignoring case; a file extension on `name` is ignored), or empty.
    std::string pathOf(const std::string &name) const;
    // Up to `count` names closest to `name` (edit distance, ignoring case), for "did you mean" messages.
    std::vector<std::string> closeMatches(const std::string &name, std::size_t count = 3) const;
    // The embedding `name`, read on first use. Throws std::invalid_argument with close matches when unknown.
    TextualInversion load(const std::string &name) const;

private:
    std::string resolve(const std::string &name) const; // the stored name, or empty

    mutable std::mutex m_mutex;
    std::map<std::string, std::string> m_paths; // name → path
    mutable std::map<std::string, TextualInversion> m_loaded;
};

// The bridge between one prompt's tokenizing and the text encoder: names resolve through the library, each used
// embedding gets consecutive placeholder ids from `firstPlaceholder` (the vocabulary size) on, and rows() holds
// their vectors for the encoder, checked against its width.
class PromptEmbeddingTable : public PromptEmbeddings
{
public:
    // `encoder`: which vectors of SDXL files to use ("clip_l"/"clip_g"), "" for single-encoder models (which refuse
    // SDXL files). `modelLabel` names the model in mismatch messages ("SD 1.x").
    PromptEmbeddingTable(const EmbeddingLibrary &library, std::int64_t firstPlaceholder, std::int64_t width,
                         std::string encoder, std::string modelLabel);

    std::vector<std::string> plainNames() const override;
    std::vector<std::int64_t> placeholders(const std::string &name) override;
    std::optional<std::vector<std::int64_t>> placeholdersForWord(const std::string &name) override;

    // [placeholders used, width] float32: row i is placeholder firstPlaceholder + i; undefined when none was used.
    torch::Tensor rows() const;
    // The embeddings used, in order of first use.
    const std::vector<TextualInversion> &used() const { return m_used; }
    // Why words that name an embedding stayed text ("xl.safetensors: an embedding for SDXL ...").
    const std::vector<std::string> &warnings() const { return m_warnings; }

private:
    const EmbeddingLibrary &m_library;
    std::int64_t m_firstPlaceholder;
    std::int64_t m_width;
    std::string m_encoder;
    std::string m_modelLabel;
    std::vector<TextualInversion> m_used;
    std::map<std::string, std::vector<std::int64_t>> m_assigned;
    std::vector<torch::Tensor> m_rows;
    std::vector<std::string> m_warnings;
};

} // namespace atelier::engine
