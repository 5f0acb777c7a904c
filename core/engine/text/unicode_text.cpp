#include "core/engine/text/unicode_tables.h"

#include <algorithm>

namespace atelier::engine::unicode {

namespace {

using namespace detail;

// Hangul syllables are L V or L V T jamo sequences numbered in order (Unicode chapter 3.12), so they are computed
// rather than tabulated: 11,172 syllables would otherwise double the decomposition table.
constexpr char32_t kHangulSBase = 0xAC00;
constexpr char32_t kHangulLBase = 0x1100;
constexpr char32_t kHangulVBase = 0x1161;
constexpr char32_t kHangulTBase = 0x11A7;
constexpr char32_t kHangulLCount = 19;
constexpr char32_t kHangulVCount = 21;
constexpr char32_t kHangulTCount = 28;
constexpr char32_t kHangulNCount = kHangulVCount * kHangulTCount;
constexpr char32_t kHangulSCount = kHangulLCount * kHangulNCount;

// The entry whose first code point is the greatest one not above `code`, or nullptr.
template <typename Entry, typename Key>
const Entry *findFloor(const Entry *table, std::size_t count, char32_t code, Key key)
{
    const Entry *end = table + count;
    const Entry *it = std::upper_bound(table, end, code, [&](char32_t c, const Entry &e) { return c < key(e); });
    return it == table ? nullptr : it - 1;
}

bool inRanges(const CodeRange *ranges, std::size_t count, char32_t code)
{
    const CodeRange *range = findFloor(ranges, count, code, [](const CodeRange &r) { return r.first; });
    return range && code <= range->last;
}

bool isHangulSyllable(char32_t code)
{
    return code >= kHangulSBase && code < kHangulSBase + kHangulSCount;
}

void appendDecomposed(std::u32string &out, char32_t code)
{
    if (isHangulSyllable(code)) {
        const char32_t index = code - kHangulSBase;
        out += kHangulLBase + index / kHangulNCount;
        out += kHangulVBase + index % kHangulNCount / kHangulTCount;
        if (index % kHangulTCount != 0) {
            out += kHangulTBase + index % kHangulTCount;
        }
        return;
    }
    const Decomposition *entry =
        findFloor(kDecompositions, kDecompositionsCount, code, [](const Decomposition &d) { return d.code; });
    if (!entry || entry->code != code) {
        out += code;
        return;
    }
    // The table holds one level only; the full decomposition repeats it on both parts (e.g. U+1E09 to U+00E7 U+0301
    // to c U+0327 U+0301).
    appendDecomposed(out, entry->first);
    if (entry->second != 0) {
        appendDecomposed(out, entry->second);
    }
}

// Orders each run of non-starters by combining class; the sort is stable because marks of equal class keep their
// meaning only in their original order.
void orderCanonically(std::u32string &text)
{
    const auto byClass = [](char32_t a, char32_t b) { return combiningClass(a) < combiningClass(b); };
    std::size_t i = 0;
    while (i < text.size()) {
        if (combiningClass(text[i]) == 0) {
            ++i;
            continue;
        }
        std::size_t end = i + 1;
        while (end < text.size() && combiningClass(text[end]) != 0) {
            ++end;
        }
        if (end - i > 1) {
            std::stable_sort(text.begin() + std::ptrdiff_t(i), text.begin() + std::ptrdiff_t(end), byClass);
        }
        i = end;
    }
}

// The primary composite of the pair, or 0 when the pair does not compose.
char32_t composePair(char32_t first, char32_t second)
{
    if (first >= kHangulLBase && first < kHangulLBase + kHangulLCount && second >= kHangulVBase &&
        second < kHangulVBase + kHangulVCount) {
        return kHangulSBase + ((first - kHangulLBase) * kHangulVCount + (second - kHangulVBase)) * kHangulTCount;
    }
    // T index 0 means "no trailing consonant", so U+11A7 itself never composes.
    if (isHangulSyllable(first) && (first - kHangulSBase) % kHangulTCount == 0 && second > kHangulTBase &&
        second < kHangulTBase + kHangulTCount) {
        return first + (second - kHangulTBase);
    }
    const Composition *end = kCompositions + kCompositionsCount;
    const Composition *it = std::lower_bound(kCompositions, end, first, [&](const Composition &c, char32_t f) {
        return c.first < f || (c.first == f && c.second < second);
    });
    return it != end && it->first == first && it->second == second ? it->composite : 0;
}

// The canonical composition algorithm of UAX #15: each character joins the last starter unless something between them
// blocks it, i.e. a starter or a mark of the same or higher class. After canonical ordering the last mark kept is the
// one with the highest class, so remembering its class suffices.
void composeCanonically(std::u32string &text)
{
    if (text.empty()) {
        return;
    }
    std::size_t starter = 0;
    // A leading non-starter has no starter to join; 256 blocks everything until a real starter comes.
    int lastClass = combiningClass(text[0]) == 0 ? 0 : 256;
    std::size_t kept = 1;
    for (std::size_t i = 1; i < text.size(); ++i) {
        const char32_t code = text[i];
        const int cls = combiningClass(code);
        // lastClass 0 means nothing has been kept since the starter, so even another starter (Hangul V, T) may join.
        if (lastClass == 0 || lastClass < cls) {
            const char32_t composite = composePair(text[starter], code);
            if (composite != 0) {
                text[starter] = composite;
                continue;
            }
        }
        if (cls == 0) {
            starter = kept;
        }
        lastClass = cls;
        text[kept++] = code;
    }
    text.resize(kept);
}

} // namespace

bool isLetter(char32_t code)
{
    return inRanges(kLetterRanges, kLetterRangesCount, code);
}

bool isNumber(char32_t code)
{
    return inRanges(kNumberRanges, kNumberRangesCount, code);
}

bool isWhiteSpace(char32_t code)
{
    return inRanges(kWhiteSpaceRanges, kWhiteSpaceRangesCount, code);
}

int combiningClass(char32_t code)
{
    if (code < kNfcStableBelow) {
        return 0;
    }
    const ClassRange *range =
        findFloor(kCombiningClassRanges, kCombiningClassRangesCount, code, [](const ClassRange &r) { return r.first; });
    return range && code <= range->last ? range->combiningClass : 0;
}

void appendLowercase(std::u32string &out, char32_t code)
{
    if (code < 0x80) {
        out += code >= U'A' && code <= U'Z' ? code + (U'a' - U'A') : code;
        return;
    }
    const LowercaseSpecial *special =
        findFloor(kLowercaseSpecials, kLowercaseSpecialsCount, code, [](const LowercaseSpecial &s) { return s.code; });
    if (special && special->code == code) {
        for (char32_t part : special->lower) {
            if (part != 0) {
                out += part;
            }
        }
        return;
    }
    const LowercaseRun *run =
        findFloor(kLowercaseRuns, kLowercaseRunsCount, code, [](const LowercaseRun &r) { return r.first; });
    if (run) {
        const char32_t offset = code - run->first;
        if (offset % run->stride == 0 && offset / run->stride < run->count) {
            out += char32_t(std::int64_t(code) + run->delta);
            return;
        }
    }
    out += code;
}

std::u32string nfc(const std::u32string &text)
{
    // Prompts are mostly plain Latin text, which is already in NFC; skip the three passes for it.
    if (std::all_of(text.begin(), text.end(), [](char32_t c) { return c < kNfcStableBelow; })) {
        return text;
    }
    std::u32string result;
    result.reserve(text.size() + text.size() / 2);
    for (char32_t code : text) {
        appendDecomposed(result, code);
    }
    orderCanonically(result);
    composeCanonically(result);
    return result;
}

} // namespace atelier::engine::unicode
