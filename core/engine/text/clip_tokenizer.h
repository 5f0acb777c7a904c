#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace atelier::engine {

// CLIP's byte-pair-encoding tokenizer, as transformers' CLIPTokenizer runs it on the tokenizers library: NFC, white
// space collapsed, full Unicode lower case, then CLIP's word pattern and byte-level BPE. Control and format characters
// are kept and tokenized as bytes. Plain standard types: no libtorch.
class ClipTokenizer
{
public:
    static constexpr std::int64_t kStartToken = 49406;
    static constexpr std::int64_t kEndToken = 49407;

    // The vocabulary and merges bundled with Atelier (CLIP's, shared by SD 1.x, 2.x and SDXL).
    static std::shared_ptr<const ClipTokenizer> bundled();
    // A diffusers folder's tokenizer/ (vocab.json, merges.txt). Throws FormatError when they are unreadable.
    static std::shared_ptr<const ClipTokenizer> fromFolder(const std::string &folder);
    ClipTokenizer(std::string_view vocabJson, std::string_view merges, const std::string &origin);

    // Token ids of `text`, without start and end tokens.
    std::vector<std::int64_t> encode(const std::string &text) const;

    // The id of one vocabulary entry as written in vocab.json ("!" is 0, "!</w>" is 256), if present.
    std::optional<std::int64_t> idOf(const std::string &entry) const;

    std::int64_t startToken() const { return m_start; }
    std::int64_t endToken() const { return m_end; }
    std::size_t vocabularySize() const { return m_vocab.size(); }

private:
    std::vector<std::string> bytePairs(const std::string &word) const;

    std::unordered_map<std::string, std::int64_t> m_vocab;
    std::map<std::pair<std::string, std::string>, int> m_mergeRank;
    std::int64_t m_start = kStartToken;
    std::int64_t m_end = kEndToken;
};

} // namespace atelier::engine
