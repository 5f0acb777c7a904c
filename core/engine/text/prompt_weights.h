#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atelier::engine {

class ClipTokenizer;

// A piece of prompt text with the emphasis it carries.
struct WeightedText
{
    std::string text;
    double weight = 1.0;
};

// Splits a prompt written in the emphasis syntax A1111 and ComfyUI users type: "(word)" multiplies by 1.1,
// "[word]" divides by 1.1, "(word:1.3)" sets 1.3 (ComfyUI's rule: an explicit weight replaces the enclosing one),
// nesting multiplies, "\(" and "\)" (and "\[", "\]") are literal brackets, and an unbalanced bracket is text.
std::vector<WeightedText> parsePromptWeights(const std::string &prompt);

// One text-encoder input: start token, up to 75 tokens, end token, padding; a weight per position.
struct TokenChunk
{
    std::vector<std::int64_t> ids;
    std::vector<float> weights;
};

// The textual-inversion embeddings a prompt may name, as tokenizing sees them: each embedding stands for as many
// placeholder ids as it has vectors (ids past the vocabulary, as diffusers adds them), which the text encoder turns
// into the embedding's vectors.
class PromptEmbeddings
{
public:
    virtual ~PromptEmbeddings() = default;
    // The names recognised as whole words of plain text (A1111's form: "tiny-ti, a cat"), matched regardless of case.
    virtual std::vector<std::string> plainNames() const = 0;
    // The placeholder ids of the embedding `name` ("embedding:name" names it explicitly, as ComfyUI writes it).
    // Throws std::invalid_argument, listing close matches, when there is no such embedding, and the engine's
    // errors when its file is damaged or made for another base.
    virtual std::vector<std::int64_t> placeholders(const std::string &name) = 0;
    // The same for a bare word that names an embedding: an embedding that cannot be used (damaged, for another
    // base) leaves the word as text, as A1111 does, and gives nothing here; the reason is kept as a warning.
    virtual std::optional<std::vector<std::int64_t>> placeholdersForWord(const std::string &name) = 0;
};

// Tokenizes a weighted prompt into 77-token chunks as ComfyUI does: word by word, a word that would straddle a
// chunk boundary moves to the next chunk unless it has 8 or more tokens, each chunk padded with `padToken`.
// An empty prompt gives one chunk of start, end and padding. With `embeddings`, "embedding:name" and whole words
// equal to an embedding's name become that embedding's placeholder ids, kept together like one word.
std::vector<TokenChunk> tokenizePrompt(const ClipTokenizer &tokenizer, const std::string &prompt, std::int64_t padToken,
                                       std::size_t length = 77, PromptEmbeddings *embeddings = nullptr);

} // namespace atelier::engine
