#include "core/engine/io/restricted_unpickler.h"

#include "core/engine/error.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace atelier::engine {

namespace {

// The stack and the memo hold pointers to values; DUP and BINPUT add entries without making values, so they are
// bounded by the same budget as the values themselves.

struct StorageType
{
    const char *name;
    DType dtype;
};
constexpr StorageType kStorageTypes[] = {
    {"DoubleStorage", DType::F64}, {"FloatStorage", DType::F32}, {"HalfStorage", DType::F16},
    {"BFloat16Storage", DType::BF16}, {"LongStorage", DType::I64}, {"IntStorage", DType::I32},
    {"ShortStorage", DType::I16}, {"CharStorage", DType::I8}, {"ByteStorage", DType::U8}, {"BoolStorage", DType::Bool},
};

// The only globals a checkpoint may name.
bool isAllowedGlobal(const std::string &module, const std::string &name)
{
    if (module == "torch") {
        for (const StorageType &type : kStorageTypes) {
            if (name == type.name)
                return true;
        }
        return name == "Tensor";
    }
    if (module == "torch._utils")
        return name == "_rebuild_tensor_v2" || name == "_rebuild_parameter" || name == "_rebuild_parameter_with_state";
    if (module == "torch._tensor")
        return name == "_rebuild_from_type_v2";
    if (module == "torch.nn.parameter")
        return name == "Parameter";
    if (module == "collections")
        return name == "OrderedDict";
    if (module == "_codecs")
        return name == "encode";
    return false;
}

std::string printable(const std::string &text)
{
    std::string shown;
    for (char c : text.substr(0, 120))
        shown += (c >= 32 && c < 127) ? c : '?';
    return shown;
}

} // namespace

RestrictedUnpickler::RestrictedUnpickler(std::string source, const std::byte *data, std::size_t size,
                                         std::size_t maxValues)
    : m_source(std::move(source))
    , m_data(data)
    , m_size(size)
    , m_maxValues(std::min(maxValues, kMaxPickleValues))
{
}

void RestrictedUnpickler::fail(const std::string &what) const
{
    throw FormatError(m_source + ": " + what + " (at byte " + std::to_string(m_position) + " of the pickle)");
}

PickleValue *RestrictedUnpickler::make(PickleValue::Kind kind)
{
    if (m_arena.size() >= m_maxValues)
        fail("more than " + std::to_string(m_maxValues) + " values: not a plausible checkpoint" +
             (m_maxValues < kMaxPickleValues ? " for the tensor storages the archive holds" : ""));
    m_arena.emplace_back();
    m_arena.back().kind = kind;
    return &m_arena.back();
}

PickleValue *RestrictedUnpickler::pop()
{
    if (m_stack.empty() || (!m_marks.empty() && m_stack.size() <= m_marks.back()))
        fail("an instruction needs a value and the stack has none");
    PickleValue *value = m_stack.back();
    m_stack.pop_back();
    return value;
}

std::vector<PickleValue *> RestrictedUnpickler::popToMark()
{
    if (m_marks.empty())
        fail("an instruction needs a mark and there is none");
    const std::size_t mark = m_marks.back();
    m_marks.pop_back();
    std::vector<PickleValue *> items(m_stack.begin() + std::ptrdiff_t(mark), m_stack.end());
    m_stack.resize(mark);
    return items;
}

std::uint64_t RestrictedUnpickler::readUnsigned(int bytes)
{
    if (m_size - m_position < std::size_t(bytes))
        fail("the pickle ends in the middle of a number");
    std::uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; --i)
        value = (value << 8) | std::uint8_t(m_data[m_position + std::size_t(i)]);
    m_position += std::size_t(bytes);
    return value;
}

std::string RestrictedUnpickler::readBytes(std::uint64_t length)
{
    if (length > m_size - m_position)
        fail("a string of " + std::to_string(length) + " bytes reaches past the end of the pickle");
    std::string text(reinterpret_cast<const char *>(m_data + m_position), std::size_t(length));
    m_position += std::size_t(length);
    return text;
}

std::string RestrictedUnpickler::readLine()
{
    const void *newline = std::memchr(m_data + m_position, '\n', std::min<std::size_t>(m_size - m_position, 1024));
    if (!newline)
        fail("a global's name is not terminated");
    const std::size_t length = std::size_t(static_cast<const std::byte *>(newline) - (m_data + m_position));
    std::string line = readBytes(length);
    ++m_position;
    return line;
}

PickleValue *RestrictedUnpickler::global(const std::string &module, const std::string &name)
{
    if (!isAllowedGlobal(module, name))
        fail("it names the global " + printable(module) + "." + printable(name) +
             ", which a model checkpoint has no use for; it was not loaded (nothing in it was run)");
    PickleValue *value = make(PickleValue::Kind::Global);
    value->text = module + "." + name;
    return value;
}

PickleValue *RestrictedUnpickler::persistent(PickleValue *id)
{
    // ('storage', torch.HalfStorage, '0', 'cpu', 1234)
    const auto &f = id->items;
    if (id->kind != PickleValue::Kind::Tuple || f.size() != 5 || f[0]->kind != PickleValue::Kind::String
        || f[0]->text != "storage" || f[1]->kind != PickleValue::Kind::Global || f[2]->kind != PickleValue::Kind::String
        || f[4]->kind != PickleValue::Kind::Int || f[4]->integer < 0)
        fail("a persistent id is not a storage reference");
    PickleValue *storage = make(PickleValue::Kind::Storage);
    bool known = false;
    for (const StorageType &type : kStorageTypes) {
        if (f[1]->text == std::string("torch.") + type.name) {
            storage->dtype = type.dtype;
            known = true;
        }
    }
    if (!known)
        fail("storage type " + printable(f[1]->text) + " is not a typed storage");
    if (f[2]->text.empty() || f[2]->text.size() > 64 || f[2]->text.find_first_of("/\\.") != std::string::npos)
        fail("storage key \"" + printable(f[2]->text) + "\" is not a plain name");
    storage->storageKey = f[2]->text;
    storage->storageElements = std::uint64_t(f[4]->integer);
    return storage;
}

PickleValue *RestrictedUnpickler::reduce(PickleValue *callable, PickleValue *arguments)
{
    if (callable->kind != PickleValue::Kind::Global || arguments->kind != PickleValue::Kind::Tuple)
        fail("REDUCE applies something other than an allowed global");
    const std::string &function = callable->text;
    const auto &a = arguments->items;
    const auto intsOf = [&](const PickleValue *tuple, std::vector<std::int64_t> &out) {
        if (tuple->kind != PickleValue::Kind::Tuple || tuple->items.size() > 16)
            fail("a tensor's size or stride is not a tuple of at most 16 integers");
        for (const PickleValue *item : tuple->items) {
            if (item->kind != PickleValue::Kind::Int || item->integer < 0)
                fail("a tensor's size or stride holds a negative or non-integer value");
            out.push_back(item->integer);
        }
    };
    if (function == "collections.OrderedDict") {
        if (!a.empty())
            fail("OrderedDict is built with arguments");
        return make(PickleValue::Kind::Dict);
    }
    if (function == "torch._utils._rebuild_tensor_v2") {
        if (a.size() < 4 || a[0]->kind != PickleValue::Kind::Storage || a[1]->kind != PickleValue::Kind::Int || a[1]->integer < 0)
            fail("_rebuild_tensor_v2 gets arguments that are not (storage, offset, size, stride, …)");
        PickleValue *tensor = make(PickleValue::Kind::Tensor);
        tensor->storage = a[0];
        tensor->dtype = a[0]->dtype;
        tensor->storageOffset = a[1]->integer;
        intsOf(a[2], tensor->shape);
        intsOf(a[3], tensor->stride);
        if (tensor->shape.size() != tensor->stride.size())
            fail("a tensor's size and stride differ in length");
        return tensor;
    }
    if (function == "torch._utils._rebuild_parameter" || function == "torch._utils._rebuild_parameter_with_state") {
        if (a.empty() || a[0]->kind != PickleValue::Kind::Tensor)
            fail("_rebuild_parameter gets no tensor");
        return a[0];
    }
    if (function == "torch._tensor._rebuild_from_type_v2") {
        // (function, type, arguments, state): rebuild with the inner function, ignore the subclass.
        if (a.size() < 3 || a[0]->kind != PickleValue::Kind::Global)
            fail("_rebuild_from_type_v2 gets unexpected arguments");
        return reduce(a[0], a[2]);
    }
    if (function == "_codecs.encode") {
        if (a.empty() || a[0]->kind != PickleValue::Kind::String)
            fail("_codecs.encode gets no string");
        // Python 2 pickles of bytes: the text is Latin-1 code points; turn them back into bytes.
        PickleValue *bytes = make(PickleValue::Kind::Bytes);
        const std::string &utf8 = a[0]->text;
        for (std::size_t i = 0; i < utf8.size(); ++i) {
            const unsigned char c = static_cast<unsigned char>(utf8[i]);
            if (c < 0x80) {
                bytes->text += char(c);
            } else if ((c & 0xe0) == 0xc0 && i + 1 < utf8.size()) {
                bytes->text += char(((c & 0x1f) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3f));
                ++i;
            } else {
                fail("_codecs.encode gets text outside Latin-1");
            }
        }
        return bytes;
    }
    fail("REDUCE applies " + printable(function) + ", which only names a type here");
}

const PickleValue &RestrictedUnpickler::load()
{
    using Kind = PickleValue::Kind;
    while (m_position < m_size) {
        if (m_stack.size() > m_maxValues)
            fail("the stack grows past " + std::to_string(m_maxValues) + " values");
        const std::uint8_t opcode = std::uint8_t(m_data[m_position++]);
        switch (opcode) {
        case 0x80:  // PROTO
            if (readUnsigned(1) > 5)
                fail("pickle protocol above 5");
            break;
        case 0x95:  // FRAME
            readUnsigned(8);
            break;
        case '.': {  // STOP
            if (m_stack.size() != 1 || !m_marks.empty())
                fail("the pickle stops with " + std::to_string(m_stack.size()) + " values on the stack");
            return *m_stack.back();
        }
        case '(':  // MARK
            m_marks.push_back(m_stack.size());
            break;
        case 'N':
            m_stack.push_back(make(Kind::None));
            break;
        case 0x88:
        case 0x89: {  // NEWTRUE, NEWFALSE
            PickleValue *value = make(Kind::Bool);
            value->boolean = opcode == 0x88;
            m_stack.push_back(value);
            break;
        }
        case 'J':
        case 'K':
        case 'M': {  // BININT, BININT1, BININT2
            PickleValue *value = make(Kind::Int);
            const std::uint64_t raw = readUnsigned(opcode == 'J' ? 4 : opcode == 'K' ? 1 : 2);
            value->integer = opcode == 'J' ? std::int64_t(std::int32_t(std::uint32_t(raw))) : std::int64_t(raw);
            m_stack.push_back(value);
            break;
        }
        case 0x8a: {  // LONG1
            const std::uint64_t length = readUnsigned(1);
            if (length > 8)
                fail("an integer of " + std::to_string(length) + " bytes");
            std::uint64_t raw = length ? readUnsigned(int(length)) : 0;
            if (length && length < 8 && (raw >> (8 * length - 1)) & 1)
                raw |= ~std::uint64_t(0) << (8 * length);  // sign-extend
            PickleValue *value = make(Kind::Int);
            value->integer = std::int64_t(raw);
            m_stack.push_back(value);
            break;
        }
        case 'G': {  // BINFLOAT, big-endian
            std::uint64_t bits = 0;
            for (int i = 0; i < 8; ++i) {
                if (m_position >= m_size)
                    fail("the pickle ends in the middle of a float");
                bits = (bits << 8) | std::uint8_t(m_data[m_position++]);
            }
            PickleValue *value = make(Kind::Float);
            std::memcpy(&value->real, &bits, 8);
            m_stack.push_back(value);
            break;
        }
        case 'X':
        case 0x8c:
        case 0x8d:
        case 'T':
        case 'U': {  // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, BINSTRING, SHORT_BINSTRING
            const int width = opcode == 'X' || opcode == 'T' ? 4 : opcode == 0x8d ? 8 : 1;
            PickleValue *value = make(Kind::String);
            value->text = readBytes(readUnsigned(width));
            m_stack.push_back(value);
            break;
        }
        case 'B':
        case 'C':
        case 0x8e: {  // BINBYTES, SHORT_BINBYTES, BINBYTES8
            PickleValue *value = make(Kind::Bytes);
            value->text = readBytes(readUnsigned(opcode == 'B' ? 4 : opcode == 'C' ? 1 : 8));
            m_stack.push_back(value);
            break;
        }
        case '}':
            m_stack.push_back(make(Kind::Dict));
            break;
        case ']':
            m_stack.push_back(make(Kind::List));
            break;
        case ')':
            m_stack.push_back(make(Kind::Tuple));
            break;
        case 't':
        case 0x85:
        case 0x86:
        case 0x87: {  // TUPLE, TUPLE1, TUPLE2, TUPLE3
            PickleValue *tuple = make(Kind::Tuple);
            if (opcode == 't') {
                tuple->items = popToMark();
            } else {
                tuple->items.resize(std::size_t(opcode - 0x84));
                for (auto it = tuple->items.rbegin(); it != tuple->items.rend(); ++it)
                    *it = pop();
            }
            m_stack.push_back(tuple);
            break;
        }
        case 'a':
        case 'e': {  // APPEND, APPENDS
            std::vector<PickleValue *> items = opcode == 'a' ? std::vector<PickleValue *>{pop()} : popToMark();
            PickleValue *list = pop();
            if (list->kind != Kind::List)
                fail("APPEND to something that is not a list");
            list->items.insert(list->items.end(), items.begin(), items.end());
            m_stack.push_back(list);
            break;
        }
        case 's':
        case 'u': {  // SETITEM, SETITEMS
            std::vector<PickleValue *> pairs;
            if (opcode == 's') {
                PickleValue *value = pop();
                PickleValue *key = pop();
                pairs = {key, value};
            } else {
                pairs = popToMark();
            }
            if (pairs.size() % 2)
                fail("SETITEMS with an odd number of values");
            PickleValue *dict = pop();
            if (dict->kind != Kind::Dict)
                fail("SETITEM on something that is not a dict");
            dict->items.insert(dict->items.end(), pairs.begin(), pairs.end());
            m_stack.push_back(dict);
            break;
        }
        case 'q':
        case 'r': {  // BINPUT, LONG_BINPUT
            const std::uint64_t index = readUnsigned(opcode == 'q' ? 1 : 4);
            if (index >= m_maxValues)
                fail("a memo index of " + std::to_string(index));
            if (m_stack.empty())
                fail("BINPUT with an empty stack");
            if (m_memo.size() <= index)
                m_memo.resize(index + 1, nullptr);
            m_memo[index] = m_stack.back();
            break;
        }
        case 0x94:  // MEMOIZE
            if (m_stack.empty() || m_memo.size() >= m_maxValues)
                fail("MEMOIZE with an empty stack or a full memo");
            m_memo.push_back(m_stack.back());
            break;
        case 'h':
        case 'j': {  // BINGET, LONG_BINGET
            const std::uint64_t index = readUnsigned(opcode == 'h' ? 1 : 4);
            if (index >= m_memo.size() || !m_memo[index])
                fail("BINGET of memo entry " + std::to_string(index) + ", which was never stored");
            m_stack.push_back(m_memo[index]);
            break;
        }
        case 'c': {  // GLOBAL
            const std::string module = readLine();
            const std::string name = readLine();
            m_stack.push_back(global(module, name));
            break;
        }
        case 0x93: {  // STACK_GLOBAL
            PickleValue *name = pop();
            PickleValue *module = pop();
            if (name->kind != Kind::String || module->kind != Kind::String)
                fail("STACK_GLOBAL without a module and a name");
            m_stack.push_back(global(module->text, name->text));
            break;
        }
        case 'R': {  // REDUCE
            PickleValue *arguments = pop();
            PickleValue *callable = pop();
            m_stack.push_back(reduce(callable, arguments));
            break;
        }
        case 'b': {  // BUILD: state for an OrderedDict or a tensor; recorded nowhere, run never
            PickleValue *state = pop();
            PickleValue *target = pop();
            if ((target->kind != Kind::Dict && target->kind != Kind::Tensor)
                || (state->kind != Kind::None && state->kind != Kind::Dict && state->kind != Kind::Tuple))
                fail("BUILD on something other than a dict or tensor");
            m_stack.push_back(target);
            break;
        }
        case 'Q': {  // BINPERSID
            PickleValue *id = pop();
            m_stack.push_back(persistent(id));
            break;
        }
        default: {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02x", opcode);
            fail(std::string("opcode ") + hex + " is not allowed in a model checkpoint");
        }
        }
    }
    fail("the pickle ends without a STOP");
}

} // namespace atelier::engine
