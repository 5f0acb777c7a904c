#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace atelier::metadata {

// One PNG text chunk, decoded: tEXt (Latin-1), zTXt (Latin-1, deflated) or iTXt (UTF-8, deflated or not).
struct TextChunk
{
    QByteArray type = "iTXt";  // "tEXt", "zTXt" or "iTXt"
    QString keyword;           // 1-79 Latin-1 characters: "parameters", "prompt", "workflow" ...
    QString text;
    bool compressed = false;   // zTXt always; iTXt when its compression flag is set
    QString language;          // iTXt only
    QString translatedKeyword; // iTXt only
};

// Bounds that keep hostile files harmless; anything beyond them is skipped and reported, never allocated.
struct PngTextLimits
{
    // Real recipes, ComfyUI graphs included, stay far below 1 MB; 16 MB keeps a hostile 50 MB prompt or a
    // million-node graph from costing seconds and gigabytes in every reader after this one.
    qint64 maxChunkBytes = 16ll * 1024 * 1024;    // one text chunk as stored
    qint64 maxInflatedBytes = 16ll * 1024 * 1024; // one compressed chunk once inflated (decompression bombs)
    int maxTextChunks = 1000;
    // Every text chunk of a file together, as decoded: without it, a small file of many compressed chunks just under
    // the per-chunk limits would cost gigabytes.
    qint64 maxTotalTextBytes = 64ll * 1024 * 1024;
    // Off only for fuzzing, so that mutated chunks reach the decoders (as libpng's CRC-ignoring option does).
    bool verifyCrc = true;
};

struct PngText
{
    QList<TextChunk> chunks;  // in file order
    QStringList warnings;     // what was skipped and why (oversized, bombs, bad UTF-8, too many chunks)
};

// The text chunks of a PNG held in memory. Fails, saying where, when the bytes are not a PNG, a chunk is cut short
// or its CRC does not match, or a length exceeds PNG's 2^31 - 1. Nothing is decoded beyond the limits.
Result<PngText> readPngText(const QByteArray &png, const PngTextLimits &limits = {});
// The same for a file, which is read only if it is at most `maxFileBytes` long.
// A whole image file, refused past `maxFileBytes` (with the path in the message).
Result<QByteArray> readImageFile(const QString &path, qint64 maxFileBytes = 512ll * 1024 * 1024);
Result<PngText> readPngTextFile(const QString &path, const PngTextLimits &limits = {},
                                qint64 maxFileBytes = 512ll * 1024 * 1024);

// `png` with `chunks` written in: existing text chunks with the same keywords are removed, the new ones go before
// the first IDAT, and every other chunk (the image data included) is copied byte for byte. Text that Latin-1 cannot
// hold goes into iTXt whatever the chunk's type says.
Result<QByteArray> withTextChunks(const QByteArray &png, const QList<TextChunk> &chunks);
// `png` without any text chunk (tEXt, zTXt, iTXt), every other chunk copied byte for byte.
Result<QByteArray> withoutTextChunks(const QByteArray &png);
// `png` with only what drawing it needs: the critical chunks and the ancillary ones that change how pixels look
// (transparency, gamma, colour space and profile, significant bits, background, pixel size, palettes, animation
// frames), copied byte for byte. Everything else goes: text, eXIf (which can hold a GPS position), tIME, and
// private or unknown chunks, which can carry anything.
Result<QByteArray> withoutMetadata(const QByteArray &png);

} // namespace atelier::metadata
