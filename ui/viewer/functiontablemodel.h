// SPDX-License-Identifier: MIT
#pragma once

#include "viewer/calltree.h"

#include <QAbstractTableModel>
#include <memory>

// Per-function statistics as a table: name, calls, total, self, average, max. Qt::DisplayRole shows formatted
// durations; SortRole holds the raw numbers so a QSortFilterProxyModel sorts them numerically; NameIdRole gives
// the name id for jumping to occurrences.
class FunctionTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Calls, Total, Self, Average, Max, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, NameIdRole };

    explicit FunctionTableModel(QObject* parent = nullptr);

    // A new data set (another trace or another range) replaces the table.
    void setStats(std::shared_ptr<const TimelineData> data, QList<FunctionTotals> stats);
    const QList<FunctionTotals>& stats() const { return m_stats; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const TimelineData> m_data;
    QList<FunctionTotals> m_stats;
};
