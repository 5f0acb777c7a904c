#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

// The Unicode character data the CLIP tokenizer needs to tokenize as Hugging Face `tokenizers` does (NFC, `\s`,
// lowercasing, `\p{L}` and `\p{N}`). The tables come from gen_unicode_tables.py (Python's unicodedata, whose Unicode
// version detail::kUnicodeVersion records); the functions are in unicode_text.cpp. Every function takes any char32_t:
// surrogates and values past U+10FFFF are neither letters, numbers nor white space and map to themselves.
namespace atelier::engine::unicode {

// General category L* (Lu, Ll, Lt, Lm, Lo): what `\p{L}` matches.
bool isLetter(char32_t code);

// General category N* (Nd, Nl, No): what `\p{N}` matches.
bool isNumber(char32_t code);

// The White_Space property: what Oniguruma's `\s` matches in Unicode mode (tab to carriage return, space, U+0085,
// U+00A0, U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000). Controls such as U+001C and format
// characters such as U+200B are not white space.
bool isWhiteSpace(char32_t code);

// Canonical combining class, 0 for starters.
int combiningClass(char32_t code);

// Appends the full lowercase mapping of `code` (1 to 3 code points, e.g. U+0130 gives "i\u0307"), as Rust's
// char::to_lowercase does: no context, so a capital sigma always becomes U+03C3.
void appendLowercase(std::u32string &out, char32_t code);

// Normalization Form C: canonical decomposition (recursive, Hangul syllables algorithmically), canonical ordering of
// each run of non-starters, then canonical composition into primary composites (composition exclusions stay
// decomposed; Hangul L+V and LV+T compose). Text below detail::kNfcStableBelow is returned unchanged.
std::u32string nfc(const std::u32string &text);

// The generated tables behind the functions above; only unicode_text.cpp reads them. Each is sorted by its first
// member and its ranges do not overlap, so a lookup is a binary search.
namespace detail {

// Inclusive range of code points.
struct CodeRange
{
    char32_t first;
    char32_t last;
};

// Inclusive range of code points sharing one nonzero canonical combining class.
struct ClassRange
{
    char32_t first;
    char32_t last;
    std::uint8_t combiningClass;
};

// One-to-one lowercase mappings: first + k * stride, for k < count, lowercases to itself + delta. The code points a
// stride of 2 skips have no mapping of their own.
struct LowercaseRun
{
    char32_t first;
    std::uint16_t count;
    std::uint8_t stride;
    std::int32_t delta;
};

// Lowercase mapping to several code points, padded with 0.
struct LowercaseSpecial
{
    char32_t code;
    char32_t lower[3];
};

// Canonical decomposition of `code` into `first` and `second`, or into `first` alone when `second` is 0. The parts
// may decompose further. Hangul syllables are not listed.
struct Decomposition
{
    char32_t code;
    char32_t first;
    char32_t second;
};

// Primary composite of a canonical pair; sorted by (first, second). Hangul syllables are not listed.
struct Composition
{
    char32_t first;
    char32_t second;
    char32_t composite;
};

extern const char *const kUnicodeVersion;
// Every code point below this is a starter that NFC leaves alone and that never combines with what precedes it.
extern const char32_t kNfcStableBelow;

extern const CodeRange kLetterRanges[];
extern const std::size_t kLetterRangesCount;
extern const CodeRange kNumberRanges[];
extern const std::size_t kNumberRangesCount;
extern const CodeRange kWhiteSpaceRanges[];
extern const std::size_t kWhiteSpaceRangesCount;
extern const ClassRange kCombiningClassRanges[];
extern const std::size_t kCombiningClassRangesCount;
extern const LowercaseRun kLowercaseRuns[];
extern const std::size_t kLowercaseRunsCount;
extern const LowercaseSpecial kLowercaseSpecials[];
extern const std::size_t kLowercaseSpecialsCount;
extern const Decomposition kDecompositions[];
extern const std::size_t kDecompositionsCount;
extern const Composition kCompositions[];
extern const std::size_t kCompositionsCount;

} // namespace detail

} // namespace atelier::engine::unicode
