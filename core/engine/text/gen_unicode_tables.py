#!/usr/bin/env python3
"""Writes unicode_tables.cpp: the Unicode character data the CLIP tokenizer needs to match Hugging Face `tokenizers`.

The data comes from Python's own `unicodedata`, so the tables follow the Unicode version of the Python that runs this
(recorded in the generated file's header). Usage:

    python3 core/engine/text/gen_unicode_tables.py [output.cpp]

Without an argument it rewrites unicode_tables.cpp next to this script. The C++ side (unicode_text.cpp) only reads the
tables; the layout of each table is described in unicode_tables.h.
"""

import sys
import unicodedata
from pathlib import Path

MAX_CODE_POINT = 0x10FFFF
LINE_WIDTH = 120

# unicodedata has no White_Space property; this is PropList.txt's White_Space (unchanged since Unicode 6.3, when
# U+180E left it), which is what Oniguruma's \s matches in Unicode mode.
WHITE_SPACE = [(0x0009, 0x000D), (0x0020, 0x0020), (0x0085, 0x0085), (0x00A0, 0x00A0), (0x1680, 0x1680),
               (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000)]

# Hangul syllables decompose and compose algorithmically, so they stay out of the tables.
HANGUL_FIRST = 0xAC00
HANGUL_LAST = 0xD7A3


def is_surrogate(cp):
    return 0xD800 <= cp <= 0xDFFF


def code_points():
    return (cp for cp in range(MAX_CODE_POINT + 1) if not is_surrogate(cp))


def ranges_of(predicate):
    """Sorted inclusive (first, last) ranges of the code points where predicate holds."""
    ranges = []
    for cp in code_points():
        if not predicate(cp):
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return [tuple(r) for r in ranges]


def combining_class_ranges():
    ranges = []
    for cp in code_points():
        cls = unicodedata.combining(chr(cp))
        if not cls:
            continue
        if ranges and ranges[-1][1] == cp - 1 and ranges[-1][2] == cls:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp, cls])
    return [tuple(r) for r in ranges]


def lowercase_mappings():
    """Code point -> full lowercase (str.lower() applies SpecialCasing's unconditional mappings, as Rust's
    char::to_lowercase does); only code points whose lowercase differs."""
    mappings = {}
    for cp in code_points():
        lower = chr(cp).lower()
        if lower != chr(cp):
            mappings[cp] = [ord(ch) for ch in lower]
    return mappings


def lowercase_runs(singles):
    """Packs one-to-one mappings into runs (first, count, stride, delta): code points first + k * stride for
    k < count map to themselves + delta. Case pairs come in long runs of stride 1 (blocks) or 2 (alternating)."""
    runs = []
    for cp in sorted(singles):
        delta = singles[cp] - cp
        if runs:
            first, count, stride, run_delta = runs[-1]
            last = first + (count - 1) * stride
            step = cp - last
            if run_delta == delta and ((count == 1 and step in (1, 2)) or (count > 1 and step == stride)):
                runs[-1] = (first, count + 1, step, delta)
                continue
        runs.append((cp, 1, 1, delta))
    return runs


def canonical_decompositions():
    decompositions = {}
    for cp in code_points():
        fields = unicodedata.decomposition(chr(cp))
        if not fields or fields.startswith('<'):
            continue
        parts = [int(field, 16) for field in fields.split()]
        assert 1 <= len(parts) <= 2, hex(cp)
        decompositions[cp] = parts
    return decompositions


def primary_composites(decompositions):
    """(first, second, composite) for every pair decomposition whose composite survives NFC: that leaves out the
    composition exclusions (script-specific, post-composition-version and non-starter decompositions)."""
    pairs = []
    for cp, parts in decompositions.items():
        if len(parts) == 2 and unicodedata.normalize('NFC', chr(cp)) == chr(cp):
            pairs.append((parts[0], parts[1], cp))
    return sorted(pairs)


def nfc_stable_below(compositions):
    """The smallest code point that NFC could change or that could change a neighbour: every string of code points
    below it is already in NFC, which lets nfc() return plain text untouched."""
    seconds = {second for _, second, _ in compositions}
    for cp in code_points():
        ch = chr(cp)
        if (unicodedata.combining(ch) or cp in seconds or unicodedata.normalize('NFC', ch) != ch
                or 0x1100 <= cp <= 0x11FF or HANGUL_FIRST <= cp <= HANGUL_LAST):
            return cp
    return MAX_CODE_POINT + 1


def hex_cp(cp):
    return f'0x{cp:04X}'


def emit_array(lines, c_type, name, items):
    """Appends a C++ array definition, as many items per line as fit in LINE_WIDTH, and its length constant."""
    lines.append(f'const {c_type} {name}[] = {{')
    line = '   '
    for item in items:
        piece = ' ' + item + ','
        if len(line) + len(piece) > LINE_WIDTH:
            lines.append(line)
            line = '   '
        line += piece
    if line.strip():
        lines.append(line)
    lines.append('};')
    lines.append(f'const std::size_t {name}Count = sizeof({name}) / sizeof({name}[0]);')
    lines.append('')


def verify_runs(runs, singles):
    decoded = {}
    for first, count, stride, delta in runs:
        for k in range(count):
            decoded[first + k * stride] = first + k * stride + delta
    assert decoded == singles
    spans = [(first, first + (count - 1) * stride) for first, count, stride, _ in runs]
    assert all(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1)), 'runs must not overlap'


def main():
    script_dir = Path(__file__).resolve().parent
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else script_dir / 'unicode_tables.cpp'

    letters = ranges_of(lambda cp: unicodedata.category(chr(cp)).startswith('L'))
    numbers = ranges_of(lambda cp: unicodedata.category(chr(cp)).startswith('N'))
    classes = combining_class_ranges()

    lowercase = lowercase_mappings()
    singles = {cp: m[0] for cp, m in lowercase.items() if len(m) == 1}
    specials = sorted((cp, m) for cp, m in lowercase.items() if len(m) > 1)
    assert all(len(m) <= 3 for _, m in specials)
    runs = lowercase_runs(singles)
    verify_runs(runs, singles)
    assert max(count for _, count, _, _ in runs) < 0x10000

    decompositions = canonical_decompositions()
    assert 0 not in {part for parts in decompositions.values() for part in parts}, '0 marks a missing second part'
    assert not any(HANGUL_FIRST <= cp <= HANGUL_LAST for cp in decompositions)
    compositions = primary_composites(decompositions)
    stable_below = nfc_stable_below(compositions)

    lines = [
        f'// Generated by core/engine/text/gen_unicode_tables.py from Unicode {unicodedata.unidata_version} '
        f'(Python {sys.version_info.major}.{sys.version_info.minor} unicodedata).',
        '// Do not edit by hand: rerun the script. The layout of each table is described in unicode_tables.h.',
        '',
        '#include "core/engine/text/unicode_tables.h"',
        '',
        'namespace atelier::engine::unicode::detail {',
        '',
        '// clang-format off',
        f'const char *const kUnicodeVersion = "{unicodedata.unidata_version}";',
        f'const char32_t kNfcStableBelow = {hex_cp(stable_below)};',
        '',
        '// General category L*.',
    ]
    emit_array(lines, 'CodeRange', 'kLetterRanges', (f'{{{hex_cp(a)}, {hex_cp(b)}}}' for a, b in letters))
    lines.append('// General category N*.')
    emit_array(lines, 'CodeRange', 'kNumberRanges', (f'{{{hex_cp(a)}, {hex_cp(b)}}}' for a, b in numbers))
    lines.append('// White_Space property (PropList.txt).')
    emit_array(lines, 'CodeRange', 'kWhiteSpaceRanges', (f'{{{hex_cp(a)}, {hex_cp(b)}}}' for a, b in WHITE_SPACE))
    lines.append('// Nonzero canonical combining classes.')
    emit_array(lines, 'ClassRange', 'kCombiningClassRanges',
              (f'{{{hex_cp(a)}, {hex_cp(b)}, {c}}}' for a, b, c in classes))
    lines.append('// One-to-one lowercase mappings as runs {first, count, stride, delta}.')
    emit_array(lines, 'LowercaseRun', 'kLowercaseRuns',
              (f'{{{hex_cp(f)}, {n}, {s}, {d}}}' for f, n, s, d in runs))
    lines.append('// Lowercase mappings to several code points, zero-padded.')
    emit_array(lines, 'LowercaseSpecial', 'kLowercaseSpecials',
              ('{' + hex_cp(cp) + ', {' + ', '.join(hex_cp(x) for x in m + [0] * (3 - len(m))) + '}}'
               for cp, m in specials))
    lines.append('// Canonical decompositions {code point, first, second}; second is 0 for a singleton.')
    emit_array(lines, 'Decomposition', 'kDecompositions',
              (f'{{{hex_cp(cp)}, {hex_cp(p[0])}, {hex_cp(p[1]) if len(p) > 1 else 0}}}'
               for cp, p in sorted(decompositions.items())))
    lines.append('// Primary composites {first, second, composite}, sorted by (first, second).')
    emit_array(lines, 'Composition', 'kCompositions',
              (f'{{{hex_cp(a)}, {hex_cp(b)}, {hex_cp(c)}}}' for a, b, c in compositions))
    lines.append('// clang-format on')
    lines.append('')
    lines.append('} // namespace atelier::engine::unicode::detail')

    output.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    print(f'{output}: {len(letters)} letter ranges, {len(numbers)} number ranges, {len(classes)} class ranges, '
          f'{len(runs)} lowercase runs + {len(specials)} specials, {len(decompositions)} decompositions, '
          f'{len(compositions)} compositions, NFC-stable below {hex_cp(stable_below)}')


if __name__ == '__main__':
    main()
