#include "core/models/import/content_index.h"

#include "core/hashing/content_hash.h"
#include "core/models/record_store.h"

#include <QDir>
#include <QFileInfo>

#include <nlohmann/json.hpp>

namespace atelier::models {

ContentIndex::ContentIndex(const RecordStore &store, const QString &modelsDir)
    : m_modelsDir(modelsDir)
{
    const auto all = store.allModels();
    if (all)
        for (const ModelConfig &model : all.value())
            add(model);
}

void ContentIndex::add(ModelConfig model, const QString &identity)
{
    model.path = QDir::cleanPath(QDir(m_modelsDir).absoluteFilePath(model.path));
    if (!identity.isEmpty())
        m_byIdentity.insert(identity, model);
    else if (QFileInfo(model.path).isFile())
        m_unread[model.fileSize] << model;
}

std::optional<ModelConfig> ContentIndex::sameFileAs(const QString &path, QString &identity)
{
    const QFileInfo file(path);
    if (!file.isFile())
        return std::nullopt;
    const auto identityOf = [size = file.size()](const QString &of) {
        const Result<QString> fast = hashing::fastIdentityHash(of);
        return fast ? QString::number(size) + QLatin1Char(':') + fast.value() : QString();
    };
    identity = identityOf(path);
    if (identity.isEmpty())
        return std::nullopt;
    for (const ModelConfig &unread : m_unread.take(file.size()))
        if (const QString theirs = identityOf(unread.path); !theirs.isEmpty())
            m_byIdentity.insert(theirs, unread);
    const auto found = m_byIdentity.constFind(identity);
    if (found == m_byIdentity.constEnd() || found->path == QDir::cleanPath(path))
        return std::nullopt;
    return *found;
}

Status noteCopy(RecordStore &store, const QString &key, const QString &copy)
{
    const Result<ModelConfig> current = store.getModel(key);
    if (!current)
        return Status::failure(current);
    if (current->copies.contains(copy))
        return {};
    nlohmann::ordered_json copies = nlohmann::ordered_json::array();
    for (const QString &known : current->copies)
        copies.push_back(known.toStdString());
    copies.push_back(copy.toStdString());
    const Result<ModelConfig> updated = store.updateModel(key, {{"copies", copies}});
    return updated ? Status() : Status::failure(updated);
}

} // namespace atelier::models
