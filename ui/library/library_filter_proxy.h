#pragma once

#include "core/models/taxonomy.h"

#include <QHash>
#include <QSortFilterProxyModel>
#include <QStringList>

#include <optional>

namespace atelier::ui {

class LibraryTableModel;
struct LibraryEntry;

// How many models each filter value would show, given the other filters (faceted counts for the filter bar).
struct LibraryFacets
{
    QHash<QString, int> bases;    // taxonomy string → count
    QHash<QString, int> types;
    QHash<QString, int> formats;
    QHash<QString, int> tags;     // tag as written → count, among the models shown
    int shown = 0;
    int total = 0;
    int problems = 0;   // models with missing files or duplicates, whatever the filters
};

// Filters and sorts the library for the views, in memory over LibraryTableModel's prepared entries (no database
// round trip per keystroke): base, type and format; tags that must all be present; words matched as prefixes of
// words of the name, description, tags and trigger words (case- and accent-insensitive); a hash, to show the
// copies of one file; and "only problems" (missing files, duplicates).
class LibraryFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit LibraryFilterProxy(QObject *parent = nullptr);

    void setLibrary(LibraryTableModel *library);
    LibraryTableModel *library() const { return m_library; }

    void setBase(std::optional<models::BaseModel> base);
    void setType(std::optional<models::ModelType> type);
    void setFormat(std::optional<models::ModelFormat> format);
    void setTags(const QStringList &tags);
    void setSearchText(const QString &text);
    void setHash(const QString &hash);
    void setOnlyProblems(bool only);

    std::optional<models::BaseModel> base() const { return m_base; }
    std::optional<models::ModelType> type() const { return m_type; }
    std::optional<models::ModelFormat> format() const { return m_format; }
    QStringList tags() const { return m_tags; }
    QString searchText() const { return m_searchText; }
    QString hash() const { return m_hash; }
    bool onlyProblems() const { return m_onlyProblems; }

    // One pass over the library: the counts the filter bar shows next to each choice.
    LibraryFacets facets() const;

signals:
    void filterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    bool matchesRest(int sourceRow, const LibraryEntry &entry) const;
    void refilter();

    LibraryTableModel *m_library = nullptr;
    std::optional<models::BaseModel> m_base;
    std::optional<models::ModelType> m_type;
    std::optional<models::ModelFormat> m_format;
    QStringList m_tags;
    QStringList m_foldedTags;
    QString m_searchText;
    QStringList m_searchWords;  // folded, each with a leading space
    QString m_hash;
    bool m_onlyProblems = false;
};

} // namespace atelier::ui
