// libFuzzer target for the recipe readers of other tools' image metadata: A1111/Forge `parameters`, ComfyUI's API
// graph (`prompt`) and editor graph (`workflow`), InvokeAI (`invokeai_metadata`, `sd-metadata`, `Dream`) and our
// own `atelier_metadata`. Any text gives a recipe with warnings, never a crash; and a recipe read from anything,
// written as Atelier's chunks, reads back with the same seed and prompt.
#include "tests/fuzz/fuzz_support.h"

#include "core/metadata/generation_info.h"

using namespace atelier;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    // The first byte picks the reader, so that one corpus reaches all of them.
    const QString text = QString::fromUtf8(fuzz::bytesOf(data + 1, size - 1));
    metadata::GenerationInfo info;
    switch (data[0] % 7) {
    case 0:
        info = metadata::parseA1111Parameters(text);
        break;
    case 1:
        info = metadata::parseComfyUiPrompt(text);
        break;
    case 2:
        info = metadata::parseComfyUiWorkflow(text);
        break;
    case 3:
        info = metadata::parseInvokeAiMetadata(text);
        break;
    case 4:
        info = metadata::parseInvokeAiLegacy(text);
        break;
    case 5:
        info = metadata::parseDreamCommand(text);
        break;
    default:
        info = metadata::parseAtelierMetadata(text);
        break;
    }
    metadata::PngText chunks;
    chunks.chunks = metadata::recipeChunks(info);
    const metadata::GenerationInfo back = metadata::describeText(chunks);
    fuzz::require(back.tool == QLatin1String("Atelier"));
    fuzz::require(back.seed == info.seed);
    fuzz::require(back.prompt == info.prompt);
    metadata::parseComfyUiWorkflow(chunks.chunks[1].text);
    metadata::parseA1111Parameters(chunks.chunks[2].text);
    return 0;
}
