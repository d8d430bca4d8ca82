// SPDX-License-Identifier: MIT
#include "viewer/functiontablemodel.h"

#include "util/duration.h"

FunctionTableModel::FunctionTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void FunctionTableModel::setStats(std::shared_ptr<const TimelineData> data, QList<FunctionTotals> stats)
{
    beginResetModel();
    m_data = std::move(data);
    m_stats = std::move(stats);
    endResetModel();
}

int FunctionTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_stats.size());
}

int FunctionTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FunctionTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FunctionTotals& s = m_stats.at(index.row());
    if (role == NameIdRole)
        return s.name;
    if (role == Qt::TextAlignmentRole)
        return index.column() == Name ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
        return {};
    const bool raw = role == SortRole;
    switch (index.column()) {
    case Name:
        return m_data ? m_data->name(s.name) : QString();
    case Calls:
        return raw ? QVariant(s.calls) : QVariant(QLocale().toString(s.calls));
    case Total:
        return raw ? QVariant(s.total) : QVariant(Duration::format(s.total));
    case Self:
        return raw ? QVariant(s.self) : QVariant(Duration::format(s.self));
    case Average:
        return raw ? QVariant(s.average()) : QVariant(Duration::format(s.average()));
    case Max:
        return raw ? QVariant(s.max) : QVariant(Duration::format(s.max));
    }
    return {};
}

QVariant FunctionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Function");
    case Calls:
        return tr("Calls");
    case Total:
        return tr("Total");
    case Self:
        return tr("Self");
    case Average:
        return tr("Average");
    case Max:
        return tr("Max");
    }
    return {};
}
