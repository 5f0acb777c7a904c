// libFuzzer target for the PNG text-chunk reader and writer: any bytes must give a clean error or chunks, never a
// crash, an overflow or an allocation beyond the limits.
#include "core/metadata/png_text.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace atelier::metadata;
    if (size == 0)
        return 0;
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    PngTextLimits limits;
    limits.maxInflatedBytes = 8 * 1024 * 1024;  // keeps each run fast; bombs are still stopped at the limit
    limits.verifyCrc = data[size - 1] % 2 == 0;  // half the inputs reach the decoders despite a stale CRC
    readPngText(bytes, limits);
    limits.verifyCrc = true;
    const auto read = readPngText(bytes, limits);
    if (!read)
        return 0;
    // Whatever was read with valid CRCs can be written back, and the result reads again.
    const auto rewritten = withTextChunks(bytes, read->chunks);
    if (rewritten && !readPngText(rewritten.value(), limits))
        __builtin_trap();
    withoutTextChunks(bytes);
    return 0;
}
