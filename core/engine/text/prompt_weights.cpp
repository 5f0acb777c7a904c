#include "core/engine/text/prompt_weights.h"

#include "core/engine/text/clip_tokenizer.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>

namespace atelier::engine {

namespace {

constexpr double kEmphasis = 1.1;
constexpr std::size_t kLongWord = 8;

class WeightParser
{
public:
    explicit WeightParser(const std::string &prompt) : m_text(prompt) {}

    std::vector<WeightedText> parse()
    {
        parseRange(0, m_text.size(), 1.0);
        return std::move(m_out);
    }

private:
    void emit(const std::string &text, double weight)
    {
        if (text.empty())
            return;
        if (!m_out.empty() && m_out.back().weight == weight)
            m_out.back().text += text;
        else
            m_out.push_back({text, weight});
    }

    // Where the bracket opened at `open` closes, honouring escapes and nesting of the same kind; npos if never.
    std::size_t closing(std::size_t open) const
    {
        const char opener = m_text[open], closer = opener == '(' ? ')' : ']';
        int depth = 0;
        for (std::size_t i = open; i < m_text.size(); ++i) {
            if (m_text[i] == '\\') {
                ++i;
                continue;
            }
            if (m_text[i] == opener)
                ++depth;
            else if (m_text[i] == closer && --depth == 0)
                return i;
        }
        return std::string::npos;
    }

    // An explicit ":1.3" at the end of a group's inner text: the weight and where the text ends.
    static std::optional<std::pair<double, std::size_t>> explicitWeight(const std::string &inner)
    {
        const std::size_t colon = inner.rfind(':');
        if (colon == std::string::npos || colon == 0)
            return std::nullopt;
        const std::string number = inner.substr(colon + 1);
        if (number.empty() || number.find_first_not_of(" 0123456789.+-eE") != std::string::npos)
            return std::nullopt;
        char *end = nullptr;
        const double value = std::strtod(number.c_str(), &end);
        while (end && *end == ' ')
            ++end;
        if (!end || *end != '\0')
            return std::nullopt;
        return std::make_pair(value, colon);
    }

    // Parses m_text[from, to) at `weight`.
    void parseRange(std::size_t from, std::size_t to, double weight)
    {
        std::string plain;
        for (std::size_t i = from; i < to; ++i) {
            const char c = m_text[i];
            if (c == '\\' && i + 1 < to && std::string("()[]\\").find(m_text[i + 1]) != std::string::npos) {
                plain += m_text[++i];
                continue;
            }
            if (c == '(' || c == '[') {
                const std::size_t close = closing(i);
                if (close == std::string::npos || close >= to) {
                    plain += c;
                    continue;
                }
                emit(plain, weight);
                plain.clear();
                double inner = c == '(' ? weight * kEmphasis : weight / kEmphasis;
                std::size_t innerEnd = close;
                if (c == '(') {
                    if (const auto given = explicitWeight(m_text.substr(i + 1, close - i - 1))) {
                        inner = given->first;
                        innerEnd = i + 1 + given->second;
                    }
                }
                parseRange(i + 1, innerEnd, inner);
                i = close;
                continue;
            }
            plain += c;
        }
        emit(plain, weight);
    }

    const std::string &m_text;
    std::vector<WeightedText> m_out;
};

} // namespace

std::vector<WeightedText> parsePromptWeights(const std::string &prompt)
{
    return WeightParser(prompt).parse();
}

namespace {

bool isNameCharacter(char c)
{
    // Letters and digits of any script (UTF-8 continuation and lead bytes count as letters), so that an embedding
    // named "cat" does not match inside "cats" or "catño".
    const unsigned char byte = static_cast<unsigned char>(c);
    return byte >= 0x80 || std::isalnum(byte) || c == '_';
}

std::string lowerAscii(std::string text)
{
    for (char &c : text)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// One word of a prompt cut into pieces of text and embedding placeholders, in order.
// `plainNames`: the embeddings' names lower-cased, longest first ("cat-2" wins over "cat").
std::vector<std::vector<std::int64_t>> wordPieces(const ClipTokenizer &tokenizer, const std::string &word,
                                                  PromptEmbeddings *embeddings,
                                                  const std::vector<std::string> &plainNames)
{
    std::vector<std::vector<std::int64_t>> pieces;
    const auto addText = [&](const std::string &text) {
        if (!text.empty())
            pieces.push_back(tokenizer.encode(text));
    };
    if (!embeddings) {
        addText(word);
        return pieces;
    }
    // ComfyUI's form: the word is "embedding:name", possibly followed by commas.
    static const std::string kExplicit = "embedding:";
    if (word.size() > kExplicit.size() && lowerAscii(word.substr(0, kExplicit.size())) == kExplicit) {
        const std::size_t end = word.find(',', kExplicit.size());
        pieces.push_back(embeddings->placeholders(word.substr(kExplicit.size(), end - kExplicit.size())));
        if (end != std::string::npos)
            addText(word.substr(end));
        return pieces;
    }
    // A1111's form: the name itself, as a whole word or between punctuation.
    const std::string lowered = lowerAscii(word);
    std::size_t textStart = 0;
    for (std::size_t at = 0; at < word.size();) {
        bool matched = false;
        if (at == 0 || !isNameCharacter(word[at - 1])) {
            for (const std::string &name : plainNames) {
                const std::size_t end = at + name.size();
                if (name.empty() || end > word.size() || lowered.compare(at, name.size(), name) != 0 ||
                    (end < word.size() && isNameCharacter(word[end])))
                    continue;
                const auto ids = embeddings->placeholdersForWord(name);
                if (!ids)
                    continue;
                addText(word.substr(textStart, at - textStart));
                pieces.push_back(*ids);
                at = textStart = end;
                matched = true;
                break;
            }
        }
        if (!matched)
            ++at;
    }
    addText(word.substr(textStart));
    return pieces;
}

} // namespace

std::vector<TokenChunk> tokenizePrompt(const ClipTokenizer &tokenizer, const std::string &prompt, std::int64_t padToken,
                                       std::size_t length, PromptEmbeddings *embeddings)
{
    const std::size_t capacity = length - 2;  // between the start and end tokens
    std::vector<TokenChunk> chunks;
    TokenChunk chunk;
    const auto startChunk = [&]() {
        chunk = TokenChunk();
        chunk.ids.push_back(tokenizer.startToken());
        chunk.weights.push_back(1.0f);
    };
    const auto finishChunk = [&]() {
        chunk.ids.push_back(tokenizer.endToken());
        chunk.weights.push_back(1.0f);
        while (chunk.ids.size() < length) {
            chunk.ids.push_back(padToken);
            chunk.weights.push_back(1.0f);
        }
        chunks.push_back(std::move(chunk));
    };
    // A word's ids go into the current chunk, or whole into the next one; only long words are cut (ComfyUI).
    const auto appendWord = [&](const std::vector<std::int64_t> &ids, float weight) {
        const bool large = ids.size() >= kLongWord;
        std::size_t from = 0;
        while (from < ids.size()) {
            const std::size_t used = chunk.ids.size() - 1;
            const std::size_t left = ids.size() - from;
            if (used + left > capacity) {
                if (large) {
                    const std::size_t fits = capacity - used;
                    for (std::size_t k = 0; k < fits; ++k) {
                        chunk.ids.push_back(ids[from + k]);
                        chunk.weights.push_back(weight);
                    }
                    from += fits;
                }
                finishChunk();
                startChunk();
            } else {
                for (; from < ids.size(); ++from) {
                    chunk.ids.push_back(ids[from]);
                    chunk.weights.push_back(weight);
                }
            }
        }
    };
    std::vector<std::string> plainNames = embeddings ? embeddings->plainNames() : std::vector<std::string>();
    for (std::string &name : plainNames)
        name = lowerAscii(name);
    std::sort(plainNames.begin(), plainNames.end(),
              [](const std::string &a, const std::string &b) { return a.size() > b.size(); });
    startChunk();
    for (const WeightedText &segment : parsePromptWeights(prompt)) {
        std::string words = segment.text;
        for (char &c : words)
            if (c == '\n')
                c = ' ';
        std::size_t at = 0;
        while (at <= words.size()) {
            std::size_t space = words.find(' ', at);
            if (space == std::string::npos)
                space = words.size();
            const std::string word = words.substr(at, space - at);
            at = space + 1;
            if (word.empty())
                continue;
            for (const std::vector<std::int64_t> &ids : wordPieces(tokenizer, word, embeddings, plainNames))
                appendWord(ids, float(segment.weight));
        }
    }
    finishChunk();
    return chunks;
}

} // namespace atelier::engine
