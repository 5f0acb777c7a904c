// libFuzzer target for settings.json and secrets.json (the input up to its first NUL byte, then the rest): any
// bytes load as usable settings with warnings, never a crash; what was loaded saves, and loads again cleanly.
#include "tests/fuzz/fuzz_support.h"

#include "core/settings/app_root.h"
#include "core/settings/settings_store.h"

#include <QDir>

using namespace atelier;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static QTemporaryDir folder;
    static const Result<settings::AppRoot> root = settings::AppRoot::open(folder.filePath(QStringLiteral("root")));
    fuzz::require(bool(root));
    const QByteArray bytes = fuzz::bytesOf(data, size);
    const qsizetype split = bytes.indexOf('\0');
    const auto write = [](const QString &path, const QByteArray &content) {
        QFile file(path);
        fuzz::require(file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size());
    };
    write(root->settingsPath(), split < 0 ? bytes : bytes.left(split));
    write(root->secretsPath(), split < 0 ? QByteArray() : bytes.mid(split + 1));
    // Damaged files are copied aside once per load; the copies of earlier inputs are not this input's business.
    QDir folderOfRoot(root->path());
    for (const QString &aside : folderOfRoot.entryList({QStringLiteral("*.invalid-*")}, QDir::Files))
        folderOfRoot.remove(aside);

    settings::SettingsStore store(root.value());
    store.load();
    const Status saved = store.save(store.current());
    fuzz::require(bool(saved), saved.error());
    settings::SettingsStore again(root.value());
    again.load();
    fuzz::require(again.warnings().isEmpty(), again.warnings().join(QLatin1Char('\n')));
    return 0;
}
