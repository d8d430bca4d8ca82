// SPDX-License-Identifier: MIT
#include "library/libraryfiltermodel.h"

#include "library/librarymodel.h"

LibraryFilterModel::LibraryFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(LibraryModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void LibraryFilterModel::setFilterText(const QString& text)
{
    if (text == m_text)
        return;
    m_text = text;
    m_words = text.toLower().split(u' ', Qt::SkipEmptyParts);
    invalidateFilter();
}

void LibraryFilterModel::setOutcomes(const QSet<TraceOutcome>& outcomes)
{
    if (outcomes == m_outcomes)
        return;
    m_outcomes = outcomes;
    invalidateFilter();
}

void LibraryFilterModel::setDateRange(const QDateTime& from, const QDateTime& to)
{
    if (from == m_from && to == m_to)
        return;
    m_from = from;
    m_to = to;
    invalidateFilter();
}

bool LibraryFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_outcomes.isEmpty()
        && !m_outcomes.contains(TraceOutcome(sourceModel()->data(index, LibraryModel::OutcomeRole).toInt())))
        return false;
    if (m_from.isValid() || m_to.isValid()) {
        const QDateTime date = sourceModel()->data(index, LibraryModel::DateRole).toDateTime();
        if (!date.isValid() || (m_from.isValid() && date < m_from) || (m_to.isValid() && date > m_to))
            return false;
    }
    if (!m_words.isEmpty()) {
        const QString text = sourceModel()->data(index, LibraryModel::SearchTextRole).toString();
        for (const QString& word : m_words) {
            if (!text.contains(word))
                return false;
        }
    }
    return true;
}
