// SPDX-License-Identifier: MIT
#pragma once

#include "viewer/calltree.h"

#include <QAbstractItemModel>
#include <memory>

// A CallTree as a tree model: function, total (with its share of the range), self, calls. In bottom-up trees the
// "total" of a node is the self time of the first-level function reached through that chain of callers.
class CallTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { Name, Total, Self, Calls, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, NameIdRole };

    explicit CallTreeModel(QObject* parent = nullptr);

    // A new tree (another range, another trace) replaces the old one.
    void setTree(std::shared_ptr<const TimelineData> data, CallTree tree);
    const CallTree& tree() const { return m_tree; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    int nodeOf(const QModelIndex& index) const { return index.isValid() ? int(index.internalId()) : 0; }

    std::shared_ptr<const TimelineData> m_data;
    CallTree m_tree;
};
