#include "core/hashing/content_hash.h"

#include <QFile>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>
#include <vector>

namespace atelier::hashing {

namespace {

constexpr qint64 kChunkBytes = 4 * 1024 * 1024;
constexpr qint64 kSampleBytes = 16 * 1024;

// A digest's first use gives the calling thread OpenSSL state of its own (its error queue, its random-number
// state) that OpenSSL frees when the thread ends, unless OpenSSL's own exit handler has run first: then a pool
// thread still alive at exit leaks it. Each hash releases that state when it is done instead; the next one on the
// thread makes it again, at no real cost.
struct DigestDeleter
{
    void operator()(EVP_MD_CTX *context) const
    {
        EVP_MD_CTX_free(context);
        OPENSSL_thread_stop();
    }
};
using Digest = std::unique_ptr<EVP_MD_CTX, DigestDeleter>;

Digest newSha256()
{
    Digest digest(EVP_MD_CTX_new());
    if (digest && EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr) != 1)
        digest.reset();
    return digest;
}

QString finish(EVP_MD_CTX *digest, int hexCharacters = 64)
{
    unsigned char bytes[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(digest, bytes, &length);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(bytes), int(length)).toHex())
        .left(hexCharacters);
}

Result<QString> ioFailure(const QString &path, const QString &what)
{
    return Result<QString>::failure(QStringLiteral("%1: %2").arg(path, what), QStringLiteral("Io"));
}

} // namespace

Result<QString> sha256OfFile(const QString &path, const CancelFlag *cancel, const ProgressCallback &progress)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return ioFailure(path, QStringLiteral("cannot read (%1)").arg(file.errorString()));
    Digest digest = newSha256();
    if (!digest)
        return ioFailure(path, QStringLiteral("OpenSSL could not start a SHA-256"));
    std::vector<char> buffer(kChunkBytes);
    qint64 done = 0;
    for (;;) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return Result<QString>::failure(QStringLiteral("%1: hashing was cancelled").arg(path),
                                            QStringLiteral("Cancelled"));
        const qint64 read = file.read(buffer.data(), kChunkBytes);
        if (read < 0)
            return ioFailure(path, QStringLiteral("read failed after %1 bytes (%2)").arg(done).arg(file.errorString()));
        if (read == 0)
            break;
        EVP_DigestUpdate(digest.get(), buffer.data(), size_t(read));
        done += read;
        if (progress)
            progress(done);
    }
    return finish(digest.get());
}

QString autoV2(const QString &sha256)
{
    return sha256.left(10).toLower();
}

QString bareHash(const QString &hash)
{
    QString bare = hash.trimmed().toLower();
    if (bare.startsWith(QLatin1String("sha256:")))
        bare = bare.mid(7);
    return bare;
}

Result<QString> fastIdentityHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return ioFailure(path, QStringLiteral("cannot read (%1)").arg(file.errorString()));
    const qint64 size = file.size();
    Digest digest = newSha256();
    if (!digest)
        return ioFailure(path, QStringLiteral("OpenSSL could not start a SHA-256"));
    unsigned char sizeBytes[8];
    for (int i = 0; i < 8; ++i)
        sizeBytes[i] = static_cast<unsigned char>((quint64(size) >> (8 * i)) & 0xff);
    EVP_DigestUpdate(digest.get(), sizeBytes, sizeof sizeBytes);

    const auto hashRange = [&](qint64 offset, qint64 length) {
        QByteArray bytes(int(length), Qt::Uninitialized);
        if (!file.seek(offset) || file.read(bytes.data(), length) != length)
            return false;
        EVP_DigestUpdate(digest.get(), bytes.constData(), size_t(length));
        return true;
    };
    const bool read = size < 4 * kSampleBytes
                          ? hashRange(0, size)
                          : hashRange(0, kSampleBytes) && hashRange(size / 2 - kSampleBytes / 2, kSampleBytes) &&
                                hashRange(size - kSampleBytes, kSampleBytes);
    if (!read)
        return ioFailure(path, QStringLiteral("read failed (%1)").arg(file.errorString()));
    return finish(digest.get(), 32);
}

} // namespace atelier::hashing
