#include "core/metadata/png_text.h"

#include <QFile>
#include <QStringDecoder>

#include <algorithm>

#include <zlib.h>

namespace atelier::metadata {

namespace {

const QByteArray kSignature("\x89PNG\r\n\x1a\n", 8);
constexpr quint32 kMaxPngLength = 0x7fffffffu;  // PNG's own limit on a chunk's length

struct RawChunk
{
    QByteArray type;
    qint64 offset = 0;  // of the length field
    quint32 length = 0;
    bool badCrc = false; // kept only by a tolerant walk
    qint64 total() const { return qint64(length) + 12; }
};

quint32 bigEndian(const char *p)
{
    return (quint32(uchar(p[0])) << 24) | (quint32(uchar(p[1])) << 16) | (quint32(uchar(p[2])) << 8) | quint32(uchar(p[3]));
}

void appendBigEndian(QByteArray &out, quint32 value)
{
    out.append(char(value >> 24)).append(char(value >> 16)).append(char(value >> 8)).append(char(value));
}

bool isText(const QByteArray &type)
{
    return type == "tEXt" || type == "zTXt" || type == "iTXt";
}

QString where(const RawChunk &chunk)
{
    return QStringLiteral("%1 chunk at byte %2").arg(QString::fromLatin1(chunk.type)).arg(chunk.offset);
}

// Every chunk from the signature to IEND, lengths and CRCs checked. With `damage`, a walk that meets a broken
// structure (truncation, an impossible length) stops there and says why in it, keeping the chunks before; a bad CRC
// marks its chunk and the walk goes on. Without it, any of these fails the walk.
Result<QList<RawChunk>> walkChunks(const QByteArray &png, bool verifyCrc = true, QString *damage = nullptr)
{
    if (!png.startsWith(kSignature))
        return Result<QList<RawChunk>>::failure(QStringLiteral("not a PNG file (its first bytes are not the PNG signature)"),
                                                QStringLiteral("FormatError"));
    QList<RawChunk> chunks;
    const auto broken = [&](const QString &why) {
        if (damage) {
            *damage = why;
            return Result<QList<RawChunk>>(chunks);
        }
        return Result<QList<RawChunk>>::failure(why, QStringLiteral("FormatError"));
    };
    qint64 at = kSignature.size();
    while (true) {
        if (png.size() - at < 12)
            return broken(QStringLiteral("the file is truncated at byte %1 (no IEND chunk)").arg(at));
        RawChunk chunk;
        chunk.offset = at;
        chunk.length = bigEndian(png.constData() + at);
        chunk.type = png.mid(at + 4, 4);
        if (chunk.length > kMaxPngLength)
            return broken(
                QStringLiteral("%1 claims %2 bytes, more than PNG allows").arg(where(chunk)).arg(chunk.length));
        if (png.size() - at < chunk.total())
            return broken(QStringLiteral("%1 is cut short: it claims %2 bytes, the file ends first")
                              .arg(where(chunk))
                              .arg(chunk.length));
        const quint32 stored = bigEndian(png.constData() + at + 8 + chunk.length);
        const quint32 computed = quint32(crc32(0, reinterpret_cast<const Bytef *>(png.constData() + at + 4), uInt(chunk.length + 4)));
        if (verifyCrc && stored != computed) {
            if (!damage)
                return Result<QList<RawChunk>>::failure(
                    QStringLiteral("%1 is damaged (CRC mismatch)").arg(where(chunk)), QStringLiteral("FormatError"));
            chunk.badCrc = true;
        }
        chunks.append(chunk);
        at += chunk.total();
        if (chunk.type == "IEND")
            return chunks;
    }
}

// Inflates at most `limit` bytes; fails on a stream that would be larger or is damaged.
bool inflateBounded(const char *data, qint64 size, qint64 limit, QByteArray &out, QString &error)
{
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK) {
        error = QStringLiteral("the decompressor could not start");
        return false;
    }
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
    stream.avail_in = uInt(size);
    out.clear();
    char buffer[64 * 1024];
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef *>(buffer);
        stream.avail_out = sizeof buffer;
        status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) {
            inflateEnd(&stream);
            error = QStringLiteral("its compressed text is damaged");
            return false;
        }
        const qint64 produced = qint64(sizeof buffer - stream.avail_out);
        if (out.size() + produced > limit) {
            inflateEnd(&stream);
            error = QStringLiteral("it inflates to more than %1 MiB (a decompression bomb?)").arg(limit / (1024 * 1024));
            return false;
        }
        out.append(buffer, int(produced));
        if (status == Z_OK && produced == 0 && stream.avail_in == 0) {
            inflateEnd(&stream);
            error = QStringLiteral("its compressed text ends early");
            return false;
        }
    }
    inflateEnd(&stream);
    return true;
}

QByteArray deflated(const QByteArray &data)
{
    uLongf size = compressBound(uLong(data.size()));
    QByteArray out(int(size), '\0');
    compress2(reinterpret_cast<Bytef *>(out.data()), &size, reinterpret_cast<const Bytef *>(data.constData()),
              uLong(data.size()), Z_BEST_COMPRESSION);
    out.resize(int(size));
    return out;
}

// Decodes one text chunk's data, or says why it is skipped.
bool decodeText(const QByteArray &type, const QByteArray &data, const PngTextLimits &limits, TextChunk &chunk,
                QString &problem)
{
    const int nul = data.indexOf('\0');
    if (nul <= 0 || nul > 79) {
        problem = QStringLiteral("its keyword is missing or longer than 79 bytes");
        return false;
    }
    chunk.type = type;
    chunk.keyword = QString::fromLatin1(data.left(nul));
    if (type == "tEXt") {
        chunk.text = QString::fromLatin1(data.mid(nul + 1));
        return true;
    }
    if (type == "zTXt") {
        if (data.size() < nul + 2 || data[nul + 1] != 0) {
            problem = QStringLiteral("its compression method is unknown");
            return false;
        }
        QByteArray inflated;
        if (!inflateBounded(data.constData() + nul + 2, data.size() - nul - 2, limits.maxInflatedBytes, inflated, problem))
            return false;
        chunk.compressed = true;
        chunk.text = QString::fromLatin1(inflated);
        return true;
    }
    // iTXt: keyword \0 flag method language \0 translated \0 text
    if (data.size() < nul + 3) {
        problem = QStringLiteral("it is too short for an iTXt chunk");
        return false;
    }
    const bool compressed = data[nul + 1] != 0;
    const int languageEnd = data.indexOf('\0', nul + 3);
    const int translatedEnd = languageEnd < 0 ? -1 : data.indexOf('\0', languageEnd + 1);
    if (languageEnd < 0 || translatedEnd < 0) {
        problem = QStringLiteral("its language or translated keyword is not terminated");
        return false;
    }
    chunk.language = QString::fromLatin1(data.mid(nul + 3, languageEnd - nul - 3));
    chunk.translatedKeyword = QString::fromUtf8(data.mid(languageEnd + 1, translatedEnd - languageEnd - 1));
    QByteArray text = data.mid(translatedEnd + 1);
    if (compressed) {
        if (data[nul + 2] != 0) {
            problem = QStringLiteral("its compression method is unknown");
            return false;
        }
        QByteArray inflated;
        if (!inflateBounded(text.constData(), text.size(), limits.maxInflatedBytes, inflated, problem))
            return false;
        text = inflated;
    }
    chunk.compressed = compressed;
    QStringDecoder utf8(QStringDecoder::Utf8);
    chunk.text = utf8(text);
    if (utf8.hasError()) {
        problem = QStringLiteral("its text is not valid UTF-8 (shown with replacement characters)");
        return true;  // kept, with the problem reported
    }
    return true;
}

QByteArray encodeChunk(const QByteArray &type, const QByteArray &data)
{
    QByteArray out;
    appendBigEndian(out, quint32(data.size()));
    out.append(type).append(data);
    appendBigEndian(out, quint32(crc32(crc32(0, reinterpret_cast<const Bytef *>(type.constData()), 4),
                                       reinterpret_cast<const Bytef *>(data.constData()), uInt(data.size()))));
    return out;
}

Result<QByteArray> encodeText(const TextChunk &chunk)
{
    const QByteArray keyword = chunk.keyword.toLatin1();
    if (keyword.isEmpty() || keyword.size() > 79 || keyword.contains('\0') ||
        QString::fromLatin1(keyword) != chunk.keyword)
        return Result<QByteArray>::failure(
            QStringLiteral("\"%1\" cannot be a PNG text keyword (1-79 Latin-1 characters)").arg(chunk.keyword));
    const bool latin1 = QString::fromLatin1(chunk.text.toLatin1()) == chunk.text;
    QByteArray data = keyword;
    data.append('\0');
    if (latin1 && chunk.type == "tEXt")
        return encodeChunk("tEXt", data + chunk.text.toLatin1());
    if (latin1 && chunk.type == "zTXt")
        return encodeChunk("zTXt", data + QByteArray(1, '\0') + deflated(chunk.text.toLatin1()));
    data.append(char(chunk.compressed ? 1 : 0)).append('\0');
    data.append(chunk.language.toLatin1()).append('\0').append(chunk.translatedKeyword.toUtf8()).append('\0');
    data.append(chunk.compressed ? deflated(chunk.text.toUtf8()) : chunk.text.toUtf8());
    return encodeChunk("iTXt", data);
}

} // namespace

Result<PngText> readPngText(const QByteArray &png, const PngTextLimits &limits)
{
    // Text before damage is still read: a truncated download or one bad chunk keeps the recipe it carried.
    QString damage;
    const Result<QList<RawChunk>> chunks = walkChunks(png, limits.verifyCrc, &damage);
    if (!chunks)
        return Result<PngText>::failure(chunks);
    PngText result;
    int seen = 0;
    qint64 budget = limits.maxTotalTextBytes; // what every chunk together may cost once decoded
    for (const RawChunk &raw : chunks.value()) {
        if (!isText(raw.type))
            continue;
        if (raw.badCrc) {
            result.warnings << QStringLiteral("%1 is damaged (CRC mismatch); ignored").arg(where(raw));
            continue;
        }
        if (budget <= 0) {
            result.warnings << QStringLiteral("the text chunks hold more than %1 MiB together; the rest are ignored")
                                   .arg(limits.maxTotalTextBytes / (1024 * 1024));
            break;
        }
        if (++seen > limits.maxTextChunks) {
            if (seen == limits.maxTextChunks + 1)
                result.warnings << QStringLiteral("more than %1 text chunks; the rest are ignored").arg(limits.maxTextChunks);
            continue;
        }
        if (raw.length > limits.maxChunkBytes) {
            result.warnings << QStringLiteral("%1 (%2 bytes) is larger than %3 MiB; ignored")
                                   .arg(where(raw)).arg(raw.length).arg(limits.maxChunkBytes / (1024 * 1024));
            continue;
        }
        TextChunk chunk;
        QString problem;
        PngTextLimits remaining = limits;
        remaining.maxInflatedBytes = std::min(limits.maxInflatedBytes, budget);
        const bool kept = decodeText(raw.type, png.mid(raw.offset + 8, raw.length), remaining, chunk, problem);
        budget -= std::max<qint64>(raw.length, qint64(chunk.text.size()) * qint64(sizeof(QChar)));
        if (!problem.isEmpty())
            result.warnings << QStringLiteral("%1%2: %3%4")
                                   .arg(where(raw), chunk.keyword.isEmpty() ? QString() : QStringLiteral(" \"%1\"").arg(chunk.keyword),
                                        problem, kept ? QString() : QStringLiteral("; ignored"));
        if (kept)
            result.chunks.append(chunk);
    }
    if (!damage.isEmpty()) {
        if (result.chunks.isEmpty())
            return Result<PngText>::failure(damage, QStringLiteral("FormatError"));
        result.warnings << QStringLiteral("%1; the text chunks before it are read").arg(damage);
    }
    return result;
}

Result<QByteArray> readImageFile(const QString &path, qint64 maxFileBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<QByteArray>::failure(QStringLiteral("%1: cannot be read (%2)").arg(path, file.errorString()));
    if (file.size() > maxFileBytes)
        return Result<QByteArray>::failure(QStringLiteral("%1: %2 MiB is larger than the %3 MiB images are read up to")
                                               .arg(path)
                                               .arg(file.size() / (1024 * 1024))
                                               .arg(maxFileBytes / (1024 * 1024)));
    return file.readAll();
}

Result<PngText> readPngTextFile(const QString &path, const PngTextLimits &limits, qint64 maxFileBytes)
{
    const Result<QByteArray> bytes = readImageFile(path, maxFileBytes);
    if (!bytes)
        return Result<PngText>::failure(bytes);
    Result<PngText> read = readPngText(bytes.value(), limits);
    if (!read)
        return Result<PngText>::failure(QStringLiteral("%1: %2").arg(path, read.error()), read.errorType());
    return read;
}

Result<QByteArray> withTextChunks(const QByteArray &png, const QList<TextChunk> &chunks)
{
    const Result<QList<RawChunk>> raw = walkChunks(png);
    if (!raw)
        return Result<QByteArray>::failure(raw);
    QByteArray encoded;
    QStringList keywords;
    for (const TextChunk &chunk : chunks) {
        const Result<QByteArray> one = encodeText(chunk);
        if (!one)
            return Result<QByteArray>::failure(one);
        encoded += one.value();
        keywords << chunk.keyword;
    }
    QByteArray out = kSignature;
    bool inserted = false;
    for (const RawChunk &chunk : raw.value()) {
        if (!inserted && (chunk.type == "IDAT" || chunk.type == "IEND")) {
            out += encoded;
            inserted = true;
        }
        if (isText(chunk.type)) {
            const int nul = png.indexOf('\0', int(chunk.offset + 8));
            const QString keyword = nul < 0 || nul > chunk.offset + 8 + chunk.length
                                        ? QString()
                                        : QString::fromLatin1(png.mid(chunk.offset + 8, nul - chunk.offset - 8));
            if (keywords.contains(keyword))
                continue;
        }
        out += png.mid(chunk.offset, chunk.total());
    }
    return out;
}

Result<QByteArray> withoutTextChunks(const QByteArray &png)
{
    const Result<QList<RawChunk>> raw = walkChunks(png);
    if (!raw)
        return Result<QByteArray>::failure(raw);
    QByteArray out = kSignature;
    for (const RawChunk &chunk : raw.value())
        if (!isText(chunk.type))
            out += png.mid(chunk.offset, chunk.total());
    return out;
}

Result<QByteArray> withoutMetadata(const QByteArray &png)
{
    // PNG 3rd edition's ancillary chunks that affect rendering, and APNG's frame chunks; a critical chunk has an
    // upper-case first letter and is always kept.
    static const QList<QByteArray> kRendering{"tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "cICP", "mDCV", "cLLI",
                                              "sBIT", "bKGD", "pHYs", "sPLT", "hIST", "acTL", "fcTL", "fdAT"};
    const Result<QList<RawChunk>> raw = walkChunks(png);
    if (!raw)
        return Result<QByteArray>::failure(raw);
    QByteArray out = kSignature;
    for (const RawChunk &chunk : raw.value()) {
        const bool critical = !chunk.type.isEmpty() && chunk.type[0] >= 'A' && chunk.type[0] <= 'Z';
        if (critical || kRendering.contains(chunk.type))
            out += png.mid(chunk.offset, chunk.total());
    }
    return out;
}

} // namespace atelier::metadata
