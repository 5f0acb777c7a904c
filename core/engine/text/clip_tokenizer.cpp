#include "core/engine/text/clip_tokenizer.h"

#include "core/engine/error.h"
#include "core/engine/io/utf8.h"
#include "core/engine/text/unicode_tables.h"

#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

extern "C" {
extern const char atelier_clip_vocab_begin[];
extern const char atelier_clip_vocab_end[];
extern const char atelier_clip_merges_begin[];
extern const char atelier_clip_merges_end[];
}

namespace atelier::engine {

namespace {

// ---- UTF-8 ---------------------------------------------------------------------------------------------------

std::vector<char32_t> decodeUtf8(const std::string &text)
{
    std::vector<char32_t> out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char lead = static_cast<unsigned char>(text[i]);
        int length = lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : (lead >> 3) == 30 ? 4 : 0;
        char32_t cp = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
        bool valid = length > 0 && i + std::size_t(length) <= text.size();
        for (int k = 1; valid && k < length; ++k) {
            const unsigned char next = static_cast<unsigned char>(text[i + std::size_t(k)]);
            valid = (next >> 6) == 2;
            cp = (cp << 6) | (next & 0x3F);
        }
        if (!valid) {
            out.push_back(0xFFFD); // as Python decodes with errors="replace"
            ++i;
            continue;
        }
        out.push_back(cp);
        i += std::size_t(length);
    }
    return out;
}

// transformers' CLIPTokenizer as the tokenizers library runs it (tokenizer.json of openai/clip-vit-large-patch14):
// the normalizer is NFC, then every run of white space becomes one space, then lower case; the pre-tokenizer splits
// on white space and CLIP's pattern. Nothing else is removed: control and format characters (U+200B, U+00AD,
// U+FEFF ...) are neither white space, letters nor numbers, so they become symbols of their own and reach the BPE
// as bytes.
std::vector<std::vector<char32_t>> normalizedWords(const std::string &text)
{
    std::u32string decoded;
    for (char32_t cp : decodeUtf8(text))
        decoded.push_back(cp);
    std::vector<std::vector<char32_t>> words;
    std::vector<char32_t> current;
    std::u32string lowered;
    for (char32_t cp : unicode::nfc(decoded)) {
        if (unicode::isWhiteSpace(cp)) {
            if (!current.empty())
                words.push_back(std::move(current));
            current.clear();
            continue;
        }
        lowered.clear();
        unicode::appendLowercase(lowered, cp);
        current.insert(current.end(), lowered.begin(), lowered.end());
    }
    if (!current.empty())
        words.push_back(std::move(current));
    return words;
}

// CLIP's pattern over one word (no whitespace inside): 's|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+, and
// the two special tokens.
std::vector<std::string> patternPieces(const std::vector<char32_t> &word)
{
    static const std::u32string kContractions[] = {U"'s", U"'t", U"'re", U"'ve", U"'m", U"'ll", U"'d"};
    static const std::u32string kSpecial[] = {U"<|startoftext|>", U"<|endoftext|>"};
    std::vector<std::string> pieces;
    std::size_t i = 0;
    const auto matches = [&](const std::u32string &literal) {
        if (i + literal.size() > word.size())
            return false;
        for (std::size_t k = 0; k < literal.size(); ++k)
            if (word[i + k] != literal[k])
                return false;
        return true;
    };
    while (i < word.size()) {
        std::size_t end = i;
        bool found = false;
        for (const auto &special : kSpecial)
            if (!found && matches(special)) {
                end = i + special.size();
                found = true;
            }
        for (const auto &contraction : kContractions)
            if (!found && matches(contraction)) {
                end = i + contraction.size();
                found = true;
            }
        if (!found) {
            if (unicode::isLetter(word[i])) {
                while (end < word.size() && unicode::isLetter(word[end]))
                    ++end;
            } else if (unicode::isNumber(word[i])) {
                end = i + 1;
            } else {
                while (end < word.size() && !unicode::isLetter(word[end]) && !unicode::isNumber(word[end]))
                    ++end;
            }
        }
        std::string piece;
        for (std::size_t k = i; k < end; ++k)
            appendUtf8(piece, word[k]);
        pieces.push_back(std::move(piece));
        i = end;
    }
    return pieces;
}

// GPT-2's reversible map from bytes to printable characters.
const std::vector<std::string> &byteSymbols()
{
    static const std::vector<std::string> symbols = [] {
        std::vector<std::string> out(256);
        std::set<int> printable;
        for (int b = '!'; b <= '~'; ++b)
            printable.insert(b);
        for (int b = 0xA1; b <= 0xAC; ++b)
            printable.insert(b);
        for (int b = 0xAE; b <= 0xFF; ++b)
            printable.insert(b);
        int extra = 0;
        for (int b = 0; b < 256; ++b) {
            const char32_t cp = printable.count(b) ? char32_t(b) : char32_t(256 + extra++);
            appendUtf8(out[std::size_t(b)], cp);
        }
        return out;
    }();
    return symbols;
}

// ---- vocab.json: one flat object of strings to integers -------------------------------------------------------

class VocabParser
{
public:
    VocabParser(std::string_view text, const std::string &origin) : m_text(text), m_origin(origin) {}

    std::unordered_map<std::string, std::int64_t> parse()
    {
        std::unordered_map<std::string, std::int64_t> vocab;
        skip();
        expect('{');
        skip();
        if (peek() == '}')
            return vocab;
        while (true) {
            skip();
            std::string key = string();
            skip();
            expect(':');
            skip();
            vocab[key] = integer();
            skip();
            if (peek() == ',') {
                ++m_at;
                continue;
            }
            expect('}');
            return vocab;
        }
    }

private:
    [[noreturn]] void fail(const std::string &what) const
    {
        throw FormatError(m_origin + ": " + what + " at byte " + std::to_string(m_at));
    }
    char peek() const { return m_at < m_text.size() ? m_text[m_at] : '\0'; }
    void skip()
    {
        while (m_at < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_at])))
            ++m_at;
    }
    void expect(char c)
    {
        if (peek() != c)
            fail(std::string("expected '") + c + "'");
        ++m_at;
    }
    unsigned hex4()
    {
        if (m_at + 4 > m_text.size())
            fail("truncated \\u escape");
        unsigned value = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = m_text[m_at++];
            value <<= 4;
            if (c >= '0' && c <= '9')
                value |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f')
                value |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                value |= unsigned(c - 'A' + 10);
            else
                fail("bad \\u escape");
        }
        return value;
    }
    std::string string()
    {
        expect('"');
        std::string out;
        while (true) {
            if (m_at >= m_text.size())
                fail("unterminated string");
            const char c = m_text[m_at++];
            if (c == '"')
                return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            const char e = peek();
            ++m_at;
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                char32_t cp = hex4();
                if (cp >= 0xD800 && cp <= 0xDBFF && peek() == '\\') {
                    m_at += 2;
                    const unsigned low = hex4();
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                appendUtf8(out, cp);
                break;
            }
            default: fail("bad escape");
            }
        }
    }
    std::int64_t integer()
    {
        const std::size_t start = m_at;
        if (peek() == '-')
            ++m_at;
        while (std::isdigit(static_cast<unsigned char>(peek())))
            ++m_at;
        if (m_at == start)
            fail("expected a token id");
        return std::stoll(std::string(m_text.substr(start, m_at - start)));
    }

    std::string_view m_text;
    std::string m_origin;
    std::size_t m_at = 0;
};

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FormatError(path + ": cannot be read");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

} // namespace

ClipTokenizer::ClipTokenizer(std::string_view vocabJson, std::string_view merges, const std::string &origin)
{
    m_vocab = VocabParser(vocabJson, origin + "/vocab.json").parse();
    int rank = 0;
    std::size_t at = 0;
    bool first = true;
    while (at < merges.size()) {
        std::size_t end = merges.find('\n', at);
        if (end == std::string_view::npos)
            end = merges.size();
        std::string_view line = merges.substr(at, end - at);
        at = end + 1;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (first && line.rfind("#version", 0) == 0) {
            first = false;
            continue;
        }
        first = false;
        const std::size_t space = line.find(' ');
        if (line.empty() || space == std::string_view::npos)
            continue;
        m_mergeRank.emplace(std::make_pair(std::string(line.substr(0, space)), std::string(line.substr(space + 1))),
                            rank++);
    }
    if (m_vocab.empty() || m_mergeRank.empty())
        throw FormatError(origin + ": the tokenizer's vocabulary or merges are empty");
    const auto start = m_vocab.find("<|startoftext|>");
    const auto end = m_vocab.find("<|endoftext|>");
    if (start == m_vocab.end() || end == m_vocab.end())
        throw FormatError(origin + ": the vocabulary has no <|startoftext|> or <|endoftext|> token");
    m_start = start->second;
    m_end = end->second;
}

std::shared_ptr<const ClipTokenizer> ClipTokenizer::bundled()
{
    static std::mutex mutex;
    static std::shared_ptr<const ClipTokenizer> tokenizer;
    const std::lock_guard lock(mutex);
    if (!tokenizer)
        tokenizer = std::make_shared<ClipTokenizer>(
            std::string_view(atelier_clip_vocab_begin, std::size_t(atelier_clip_vocab_end - atelier_clip_vocab_begin)),
            std::string_view(atelier_clip_merges_begin,
                             std::size_t(atelier_clip_merges_end - atelier_clip_merges_begin)),
            "bundled CLIP tokenizer");
    return tokenizer;
}

std::shared_ptr<const ClipTokenizer> ClipTokenizer::fromFolder(const std::string &folder)
{
    return std::make_shared<ClipTokenizer>(readFile(folder + "/vocab.json"), readFile(folder + "/merges.txt"), folder);
}

std::optional<std::int64_t> ClipTokenizer::idOf(const std::string &entry) const
{
    const auto it = m_vocab.find(entry);
    return it == m_vocab.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
}

std::vector<std::string> ClipTokenizer::bytePairs(const std::string &piece) const
{
    const std::vector<std::string> &symbols = byteSymbols();
    std::vector<std::string> word;
    for (unsigned char byte : piece)
        word.push_back(symbols[byte]);
    if (word.empty())
        return word;
    word.back() += "</w>";
    while (word.size() > 1) {
        int bestRank = std::numeric_limits<int>::max();
        std::size_t bestAt = 0;
        for (std::size_t i = 0; i + 1 < word.size(); ++i) {
            const auto it = m_mergeRank.find({word[i], word[i + 1]});
            if (it != m_mergeRank.end() && it->second < bestRank) {
                bestRank = it->second;
                bestAt = i;
            }
        }
        if (bestRank == std::numeric_limits<int>::max())
            break;
        // Merge every occurrence of the best pair, left to right, as CLIP's bpe() does.
        const std::string left = word[bestAt], right = word[bestAt + 1];
        std::vector<std::string> merged;
        for (std::size_t i = 0; i < word.size();) {
            if (i + 1 < word.size() && word[i] == left && word[i + 1] == right) {
                merged.push_back(left + right);
                i += 2;
            } else {
                merged.push_back(word[i++]);
            }
        }
        word = std::move(merged);
    }
    return word;
}

std::vector<std::int64_t> ClipTokenizer::encode(const std::string &text) const
{
    std::vector<std::int64_t> ids;
    for (const auto &word : normalizedWords(text)) {
        for (const std::string &piece : patternPieces(word)) {
            if (piece == "<|startoftext|>" || piece == "<|endoftext|>") {
                ids.push_back(piece == "<|startoftext|>" ? m_start : m_end);
                continue;
            }
            for (const std::string &symbol : bytePairs(piece)) {
                const auto it = m_vocab.find(symbol);
                if (it != m_vocab.end())
                    ids.push_back(it->second);
                else
                    ids.push_back(m_end);  // CLIP's unknown token is its end token
            }
        }
    }
    return ids;
}

} // namespace atelier::engine
