#include "ui/library/library_filter_proxy.h"

#include "core/models/record_store.h"
#include "ui/library/library_table_model.h"

#include <QDateTime>

namespace atelier::ui {

LibraryFilterProxy::LibraryFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(LibraryTableModel::SortRole);
    setDynamicSortFilter(true);
}

void LibraryFilterProxy::setLibrary(LibraryTableModel *library)
{
    m_library = library;
    setSourceModel(library);
}

void LibraryFilterProxy::setBase(std::optional<models::BaseModel> base)
{
    if (base == m_base)
        return;
    m_base = base;
    refilter();
}

void LibraryFilterProxy::setType(std::optional<models::ModelType> type)
{
    if (type == m_type)
        return;
    m_type = type;
    refilter();
}

void LibraryFilterProxy::setFormat(std::optional<models::ModelFormat> format)
{
    if (format == m_format)
        return;
    m_format = format;
    refilter();
}

void LibraryFilterProxy::setTags(const QStringList &tags)
{
    if (tags == m_tags)
        return;
    m_tags = tags;
    m_foldedTags.clear();
    for (const QString &tag : tags)
        m_foldedTags << models::foldedForMatching(tag.trimmed());
    refilter();
}

void LibraryFilterProxy::setSearchText(const QString &text)
{
    if (text == m_searchText)
        return;
    m_searchText = text;
    m_searchWords = searchWords(text);
    refilter();
}

void LibraryFilterProxy::setHash(const QString &hash)
{
    if (hash == m_hash)
        return;
    m_hash = hash;
    refilter();
}

void LibraryFilterProxy::setOnlyProblems(bool only)
{
    if (only == m_onlyProblems)
        return;
    m_onlyProblems = only;
    refilter();
}

void LibraryFilterProxy::refilter()
{
    invalidateRowsFilter();
    emit filterChanged();
}

bool LibraryFilterProxy::matchesRest(int sourceRow, const LibraryEntry &entry) const
{
    if (!m_hash.isEmpty() && entry.summary.hash != m_hash)
        return false;
    if (m_onlyProblems && !entry.summary.missing && m_library->duplicatesOf(sourceRow) == 0)
        return false;
    for (const QString &tag : m_foldedTags)
        if (!entry.foldedTags.contains(tag))
            return false;
    for (const QString &word : m_searchWords)
        if (!entry.searchText.contains(word))
            return false;
    return true;
}

bool LibraryFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_library || sourceParent.isValid())
        return true;
    const LibraryEntry &entry = m_library->entryAt(sourceRow);
    if (m_base && entry.summary.base != *m_base)
        return false;
    if (m_type && entry.summary.type != *m_type)
        return false;
    if (m_format && entry.summary.format != *m_format)
        return false;
    return matchesRest(sourceRow, entry);
}

bool LibraryFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // Read the prepared entries directly: a QVariant per comparison costs more than the comparison itself.
    if (!m_library)
        return QSortFilterProxyModel::lessThan(left, right);
    const LibraryEntry &a = m_library->entryAt(left.row());
    const LibraryEntry &b = m_library->entryAt(right.row());
    const auto byName = [&] {
        const int order = a.sortName.compare(b.sortName);
        return order != 0 ? order < 0 : a.summary.key < b.summary.key;
    };
    switch (left.column()) {
    case LibraryTableModel::TypeColumn:
        return a.summary.type != b.summary.type ? models::toString(a.summary.type) < models::toString(b.summary.type) : byName();
    case LibraryTableModel::BaseColumn:
        return a.summary.base != b.summary.base ? models::toString(a.summary.base) < models::toString(b.summary.base) : byName();
    case LibraryTableModel::FormatColumn:
        return a.summary.format != b.summary.format ? models::toString(a.summary.format) < models::toString(b.summary.format) : byName();
    case LibraryTableModel::SizeColumn:
        return a.summary.fileSize != b.summary.fileSize ? a.summary.fileSize < b.summary.fileSize : byName();
    case LibraryTableModel::AddedColumn:
        return a.summary.addedAt != b.summary.addedAt ? a.summary.addedAt < b.summary.addedAt : byName();
    case LibraryTableModel::TagsColumn: {
        const int order = a.tagText.compare(b.tagText);
        return order != 0 ? order < 0 : byName();
    }
    default:
        return byName();
    }
}

LibraryFacets LibraryFilterProxy::facets() const
{
    LibraryFacets facets;
    if (!m_library)
        return facets;
    const int rows = m_library->rowCount();
    facets.total = rows;
    for (int row = 0; row < rows; ++row) {
        const LibraryEntry &entry = m_library->entryAt(row);
        if (entry.summary.missing || m_library->duplicatesOf(row) > 0)
            ++facets.problems;
        if (!matchesRest(row, entry))
            continue;
        const bool base = !m_base || entry.summary.base == *m_base;
        const bool type = !m_type || entry.summary.type == *m_type;
        const bool format = !m_format || entry.summary.format == *m_format;
        if (type && format)
            ++facets.bases[models::toString(entry.summary.base)];
        if (base && format)
            ++facets.types[models::toString(entry.summary.type)];
        if (base && type)
            ++facets.formats[models::toString(entry.summary.format)];
        if (base && type && format) {
            ++facets.shown;
            for (const QString &tag : entry.summary.tags)
                ++facets.tags[tag];
        }
    }
    return facets;
}

} // namespace atelier::ui
