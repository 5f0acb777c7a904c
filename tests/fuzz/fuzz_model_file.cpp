// libFuzzer target for the readers of model weights files, through tensor creation: the safetensors header and
// tensor table, and PyTorch's zip checkpoints (the zip reader and the restricted unpickler); the first byte picks
// which. Every tensor a file yields is read to its last byte, so a view that reaches past its storage or the
// mapping is found here, and the model probe reads the same file. Any bytes give tensors or a FormatError (or
// the probe's failure), never a crash.
// libtorch before Qt: Qt's `slots` keyword macro breaks libtorch's headers.
#include <torch/torch.h>

#include "core/engine/error.h"
#include "core/engine/io/state_dict.h"
#include "core/models/probe/model_probe.h"
#include "tests/fuzz/fuzz_support.h"

using namespace atelier;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const QString path =
        fuzz::scratchFile(fuzz::bytesOf(data + 1, size - 1),
                          data[0] % 2 ? QStringLiteral("model.ckpt") : QStringLiteral("model.safetensors"));
    try {
        const engine::StateDict weights = engine::loadWeights(path.toStdString());
        for (const auto &[name, tensor] : weights.tensors) {
            if (tensor.numel() > 0) {
                // Every element, through a copy: reading a view past its bytes faults here.
                const torch::Tensor copy = tensor.to(torch::kFloat64).contiguous();
                fuzz::require(copy.numel() == tensor.numel());
            }
        }
    } catch (const engine::Error &) {
    }
    models::probeModel(path);
    return 0;
}
