#pragma once

#include "core/result.h"

#include <QString>

#include <atomic>
#include <functional>

namespace atelier::hashing {

// Raised by another thread to stop a hash between chunks; the hash then fails with error type "Cancelled".
using CancelFlag = std::atomic<bool>;
// Called from the hashing thread after each chunk with the bytes hashed so far in this file.
using ProgressCallback = std::function<void(qint64 bytesDone)>;

// The SHA-256 of a file's contents as 64 lowercase hex characters, streamed in large reads through OpenSSL (which
// uses the CPU's SHA instructions where it has them). Error types: "Io", "Cancelled".
Result<QString> sha256OfFile(const QString &path, const CancelFlag *cancel = nullptr,
                             const ProgressCallback &progress = {});

// The 10-hex "AUTOV2" short form that A1111, ComfyUI tooling and Civitai's by-hash lookup use: the first ten
// characters of the SHA-256.
QString autoV2(const QString &sha256);
// A hash as written by tools and records ("sha256:ABC…", " abc… "): its hex digits alone, lower case.
QString bareHash(const QString &hash);

// A quick identity for duplicate checks, in the spirit of imohash: SHA-256 over the size and three 16 KiB samples
// (start, middle, end), or over the whole file when it is small; 32 hex characters. Equal files always agree;
// different files almost always differ. Error type "Io".
Result<QString> fastIdentityHash(const QString &path);

} // namespace atelier::hashing
