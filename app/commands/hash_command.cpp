#include "app/command.h"

#include "core/hashing/model_hasher.h"
#include "core/models/record_store.h"
#include "core/settings/app_root.h"

#include <QElapsedTimer>
#include <QMutex>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <unistd.h>

namespace atelier::app {

// `atelier hash PATH [--fast] [--json]`: SHA-256, AUTOV2 and the fast identity hash of a file or folder. Full
// hashes are cached in the root's library database.
int runHashCommand(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption fast(QStringLiteral("fast"), QStringLiteral("Only the fast identity hash (reads 48 KiB per file)."));
    const QCommandLineOption asJson(QStringLiteral("json"), QStringLiteral("Print one JSON object."));
    const QCommandLineOption noCache(QStringLiteral("no-cache"), QStringLiteral("Hash every file again, ignoring the cache."));
    parser.addOptions({fast, asJson, noCache});
    parser.addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("A model file or folder."));
    if (const int done = parseCommandArguments(parser, context, QStringLiteral("Hash a model file or folder.")); done >= 0)
        return done;
    if (parser.positionalArguments().size() != 1) {
        context.err << "atelier hash: expected one PATH\n";
        return kExitUsage;
    }

    models::RecordStore store(context.root.databasePath());
    const bool useCache = !parser.isSet(noCache) && store.open().ok();
    const hashing::ModelHasher hasher(useCache ? &store : nullptr);
    hashing::ModelHasher::Options options;
    options.fastOnly = parser.isSet(fast);
    // A progress line on an interactive terminal only, at most ten times a second.
    QMutex progressMutex;
    QElapsedTimer sinceShown;
    sinceShown.start();
    if (::isatty(STDERR_FILENO)) {
        options.progress = [&](qint64 done, qint64 total) {
            QMutexLocker lock(&progressMutex);
            if (sinceShown.elapsed() < 100 && done < total)
                return;
            sinceShown.restart();
            std::fprintf(stderr, "\rhashing %5.1f%%  %lld / %lld MiB", total ? 100.0 * double(done) / double(total) : 100.0,
                         static_cast<long long>(done >> 20), static_cast<long long>(total >> 20));
            std::fflush(stderr);
        };
    }
    const Result<hashing::PathHashes> hashes = hasher.hash(parser.positionalArguments().first(), options);
    if (options.progress)
        std::fprintf(stderr, "\r\033[K");
    if (!hashes) {
        context.err << "atelier hash: " << hashes.error() << "\n";
        return kExitFailure;
    }
    const hashing::PathHashes &h = hashes.value();
    if (parser.isSet(asJson)) {
        nlohmann::ordered_json object;
        object["path"] = h.path.toStdString();
        object["sha256"] = h.sha256.isEmpty() ? nlohmann::ordered_json() : nlohmann::ordered_json(h.sha256.toStdString());
        object["autov2"] = h.sha256.isEmpty() ? nlohmann::ordered_json() : nlohmann::ordered_json(h.autoV2().toStdString());
        object["fast"] = h.fast.toStdString();
        object["size"] = h.size;
        object["files"] = h.fileCount;
        object["folder"] = h.folder;
        object["cached_files"] = h.cachedFiles;
        context.out << QString::fromStdString(object.dump(2)) << "\n";
        return kExitOk;
    }
    if (!h.sha256.isEmpty()) {
        context.out << "sha256  " << h.sha256 << "\n";
        context.out << "autov2  " << h.autoV2() << "\n";
    }
    context.out << "fast    " << h.fast << "\n";
    context.out << "size    " << h.size << " bytes in " << h.fileCount << (h.fileCount == 1 ? " file" : " files")
                << (h.cachedFiles ? QStringLiteral(" (%1 from the cache)").arg(h.cachedFiles) : QString()) << "\n";
    return kExitOk;
}

} // namespace atelier::app
