#pragma once

// Builds PyTorch zip checkpoints byte by byte for tests: the pickle opcodes torch.save emits, and a stored ZIP
// around them. Also makes the hostile variants the reader must refuse.

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QPair>
#include <QString>

#include <cstdint>
#include <vector>

class PickleWriter
{
public:
    PickleWriter &proto(int version = 2) { return op(0x80).byte(version); }
    PickleWriter &mark() { return op('('); }
    PickleWriter &emptyDict() { return op('}'); }
    PickleWriter &emptyList() { return op(']'); }
    PickleWriter &emptyTuple() { return op(')'); }
    PickleWriter &tuple() { return op('t'); }
    PickleWriter &setItem() { return op('s'); }
    PickleWriter &setItems() { return op('u'); }
    PickleWriter &append() { return op('a'); }
    PickleWriter &reduce() { return op('R'); }
    PickleWriter &persistentId() { return op('Q'); }
    PickleWriter &none() { return op('N'); }
    PickleWriter &newFalse() { return op(0x89); }
    PickleWriter &stop() { return op('.'); }
    PickleWriter &put(int index) { return op('q').byte(index); }
    PickleWriter &get(int index) { return op('h').byte(index); }
    PickleWriter &global(const char *module, const char *name)
    {
        op('c');
        m_bytes += module;
        m_bytes += '\n';
        m_bytes += name;
        m_bytes += '\n';
        return *this;
    }
    PickleWriter &text(const QByteArray &utf8)
    {
        op('X');
        le(utf8.size(), 4);
        m_bytes += utf8;
        return *this;
    }
    PickleWriter &integer(std::int64_t value)
    {
        if (value >= 0 && value < 256)
            return op('K').byte(int(value));
        op(0x8a).byte(8);
        return le(std::uint64_t(value), 8);
    }
    PickleWriter &ints(const std::vector<std::int64_t> &values)
    {
        mark();
        for (std::int64_t value : values)
            integer(value);
        return tuple();
    }
    PickleWriter &raw(const QByteArray &bytes)
    {
        m_bytes += bytes;
        return *this;
    }
    // A view with the layout given (offset, shape, stride) on a storage of `elements`, for hostile layouts.
    PickleWriter &view(const char *storageType, const QByteArray &key, std::int64_t elements, std::int64_t offset,
                       const std::vector<std::int64_t> &shape, const std::vector<std::int64_t> &stride)
    {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark()
            .text("storage")
            .global("torch", storageType)
            .text(key)
            .text("cpu")
            .integer(elements)
            .tuple()
            .persistentId();
        integer(offset).ints(shape).ints(stride).newFalse();
        global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }
    // torch._utils._rebuild_tensor_v2(storage(key, type, numel), 0, shape, contiguous stride, False, OrderedDict())
    PickleWriter &tensor(const char *storageType, const QByteArray &key, const std::vector<std::int64_t> &shape)
    {
        std::vector<std::int64_t> stride(shape.size(), 1);
        std::int64_t elements = 1;
        for (std::size_t d = shape.size(); d-- > 0;) {
            stride[d] = elements;
            elements *= shape[d];
        }
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().text("storage").global("torch", storageType).text(key).text("cpu").integer(elements).tuple().persistentId();
        integer(0).ints(shape).ints(stride).newFalse();
        global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }
    const QByteArray &bytes() const { return m_bytes; }

private:
    PickleWriter &op(int code) { return byte(code); }
    PickleWriter &byte(int value)
    {
        m_bytes += char(value & 0xff);
        return *this;
    }
    PickleWriter &le(std::uint64_t value, int width)
    {
        for (int i = 0; i < width; ++i)
            m_bytes += char((value >> (8 * i)) & 0xff);
        return *this;
    }
    QByteArray m_bytes;
};

struct ZipEntry
{
    QByteArray name;
    QByteArray data;
    int method = 0;                  // 8 pretends to be deflated
    std::uint64_t claimedSize = 0;   // 0: the real size
    int sharesLocalHeaderOf = -1;    // points the central record at another entry's data (the zip-bomb overlap)
};

inline QByteArray zipArchive(const QList<ZipEntry> &entries)
{
    QByteArray out, directory;
    const auto le = [](QByteArray &to, std::uint64_t value, int width) {
        for (int i = 0; i < width; ++i)
            to += char((value >> (8 * i)) & 0xff);
    };
    std::vector<std::uint64_t> offsets;
    for (const ZipEntry &entry : entries) {
        offsets.push_back(std::uint64_t(out.size()));
        const std::uint64_t size = entry.claimedSize ? entry.claimedSize : std::uint64_t(entry.data.size());
        le(out, 0x04034b50, 4);
        le(out, 20, 2);
        le(out, 0, 2);
        le(out, std::uint64_t(entry.method), 2);
        le(out, 0, 4);  // time, date
        le(out, 0, 4);  // crc (not checked by the reader)
        le(out, entry.method ? std::uint64_t(entry.data.size()) : size, 4);
        le(out, size, 4);
        le(out, std::uint64_t(entry.name.size()), 2);
        le(out, 0, 2);
        out += entry.name;
        out += entry.data;
    }
    for (int i = 0; i < entries.size(); ++i) {
        const ZipEntry &entry = entries[i];
        const std::uint64_t size = entry.claimedSize ? entry.claimedSize : std::uint64_t(entry.data.size());
        le(directory, 0x02014b50, 4);
        le(directory, 20, 2);
        le(directory, 20, 2);
        le(directory, 0, 2);
        le(directory, std::uint64_t(entry.method), 2);
        le(directory, 0, 4);
        le(directory, 0, 4);
        le(directory, entry.method ? std::uint64_t(entry.data.size()) : size, 4);
        le(directory, size, 4);
        le(directory, std::uint64_t(entry.name.size()), 2);
        le(directory, 0, 2);
        le(directory, 0, 2);
        le(directory, 0, 2);
        le(directory, 0, 2);
        le(directory, 0, 4);
        le(directory, offsets[std::size_t(entry.sharesLocalHeaderOf >= 0 ? entry.sharesLocalHeaderOf : i)], 4);
        directory += entry.name;
    }
    const std::uint64_t directoryOffset = std::uint64_t(out.size());
    out += directory;
    le(out, 0x06054b50, 4);
    le(out, 0, 4);
    le(out, std::uint64_t(entries.size()), 2);
    le(out, std::uint64_t(entries.size()), 2);
    le(out, std::uint64_t(directory.size()), 4);
    le(out, directoryOffset, 4);
    le(out, 0, 2);
    return out;
}

inline bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

// A checkpoint {"state_dict": {name: tensor}} with one F16/F32 storage per tensor, whose bytes count up.
struct CheckpointTensorSpec
{
    QByteArray name;
    const char *storageType;
    std::vector<std::int64_t> shape;
};

inline QByteArray checkpointBytes(const QList<CheckpointTensorSpec> &tensors, bool wrapInStateDict = true)
{
    PickleWriter pickle;
    pickle.proto(2);
    if (wrapInStateDict)
        pickle.emptyDict().text("state_dict");
    pickle.global("collections", "OrderedDict").emptyTuple().reduce().mark();
    QList<ZipEntry> entries;
    for (int i = 0; i < tensors.size(); ++i) {
        const QByteArray key = QByteArray::number(i);
        pickle.text(tensors[i].name).tensor(tensors[i].storageType, key, tensors[i].shape);
        std::int64_t elements = 1;
        for (std::int64_t size : tensors[i].shape)
            elements *= size;
        const int itemSize = QByteArray(tensors[i].storageType) == "FloatStorage" ? 4 : 2;
        QByteArray data(int(elements * itemSize), '\0');
        for (int b = 0; b < data.size(); ++b)
            data[b] = char(b);
        entries << ZipEntry{"archive/data/" + key, data};
    }
    pickle.setItems();
    if (wrapInStateDict)
        pickle.setItem();
    pickle.stop();
    entries.prepend(ZipEntry{"archive/data.pkl", pickle.bytes()});
    entries << ZipEntry{"archive/version", "3\n"};
    return zipArchive(entries);
}
