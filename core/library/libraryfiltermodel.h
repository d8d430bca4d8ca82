// SPDX-License-Identifier: MIT
#pragma once

#include "library/tracemetadata.h"

#include <QDateTime>
#include <QSet>
#include <QSortFilterProxyModel>

// Sorting and filtering over LibraryModel: free text (every word must appear in the title, process, command
// line, tags, notes or id; case-insensitive), a set of outcomes, and a date range.
class LibraryFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit LibraryFilterModel(QObject* parent = nullptr);

    void setFilterText(const QString& text);
    QString filterText() const { return m_text; }
    // Empty: every outcome.
    void setOutcomes(const QSet<TraceOutcome>& outcomes);
    QSet<TraceOutcome> outcomes() const { return m_outcomes; }
    // Either end may be invalid (open). Entries without a date pass only when both ends are open.
    void setDateRange(const QDateTime& from, const QDateTime& to);
    QDateTime dateFrom() const { return m_from; }
    QDateTime dateTo() const { return m_to; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_text;
    QStringList m_words;
    QSet<TraceOutcome> m_outcomes;
    QDateTime m_from;
    QDateTime m_to;
};
