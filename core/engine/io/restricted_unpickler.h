#pragma once

#include "core/engine/io/dtype.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace atelier::engine {

// A value rebuilt from a pickle. Only plain data and the pieces of PyTorch tensors exist here: no object is ever
// constructed from the pickle's instructions, and no code runs.
struct PickleValue
{
    enum class Kind { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor };

    Kind kind = Kind::None;
    bool boolean = false;
    std::int64_t integer = 0;
    double real = 0.0;
    std::string text;                      // String and Bytes; for Global "module.name"
    std::vector<PickleValue *> items;      // Tuple and List; Dict as key, value, key, value …
    // Storage (from a persistent id): the archive entry holding its bytes.
    DType dtype = DType::F32;
    std::string storageKey;
    std::uint64_t storageElements = 0;
    // Tensor: a view of a storage.
    const PickleValue *storage = nullptr;
    std::int64_t storageOffset = 0;
    std::vector<std::int64_t> shape;
    std::vector<std::int64_t> stride;
};

// Reads a PyTorch `data.pkl` with an allowlist: the opcodes of protocols 2 to 5 that build containers, numbers,
// strings and memo entries, and only the globals that rebuild tensors (torch._utils._rebuild_tensor_v2,
// _rebuild_parameter, the typed storages, collections.OrderedDict, _codecs.encode for bytes). Anything else —
// another global (os.system, builtins.eval, …), an unknown opcode, a malformed or oversized record — throws
// FormatError naming it. Values live in this object's arena, so hostile cycles cannot leak or recurse forever.
// A checkpoint's pickle holds about 20 values per tensor: an SDXL checkpoint's 2,500 tensors make 50,000. Past a
// million values (about 200 MB of them, under a second) no pickle is read; a caller that knows how many tensor
// storages the file holds passes a smaller budget (pickleValueBudget), so that a pickle of millions of values and
// no weights is refused after a fraction of that: 20 million values once cost 4.3 GB and 12 to 25 s.
constexpr std::size_t kMaxPickleValues = 1'000'000;
// 64 values per storage (three times what a checkpoint uses) and 100,000 for everything else a training run saves
// beside its weights (hyperparameters, step counts, optimizer settings).
constexpr std::size_t pickleValueBudget(std::size_t storages)
{
    return storages > (kMaxPickleValues - 100'000) / 64 ? kMaxPickleValues : 100'000 + 64 * storages;
}

class RestrictedUnpickler
{
public:
    // `source` names the file in messages. `data` must outlive the unpickler only during load(). At most
    // `maxValues` values (and as many stack and memo entries) are built.
    RestrictedUnpickler(std::string source, const std::byte *data, std::size_t size,
                        std::size_t maxValues = kMaxPickleValues);

    const PickleValue &load();

private:
    PickleValue *make(PickleValue::Kind kind);
    PickleValue *pop();
    std::vector<PickleValue *> popToMark();
    PickleValue *global(const std::string &module, const std::string &name);
    PickleValue *reduce(PickleValue *callable, PickleValue *arguments);
    PickleValue *persistent(PickleValue *id);
    [[noreturn]] void fail(const std::string &what) const;

    std::uint64_t readUnsigned(int bytes);
    std::string readBytes(std::uint64_t length);
    std::string readLine();

    std::string m_source;
    const std::byte *m_data;
    std::size_t m_size;
    std::size_t m_maxValues;
    std::size_t m_position = 0;
    std::deque<PickleValue> m_arena;
    std::vector<PickleValue *> m_stack;
    std::vector<std::size_t> m_marks;
    std::vector<PickleValue *> m_memo;
};

} // namespace atelier::engine
