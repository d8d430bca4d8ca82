// SPDX-License-Identifier: MIT
#include "viewer/calltreemodel.h"

#include "util/duration.h"

using namespace Qt::StringLiterals;

CallTreeModel::CallTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
    m_tree.nodes.emplace_back();
}

void CallTreeModel::setTree(std::shared_ptr<const TimelineData> data, CallTree tree)
{
    beginResetModel();
    m_data = std::move(data);
    m_tree = std::move(tree);
    if (m_tree.nodes.empty())
        m_tree.nodes.emplace_back();
    endResetModel();
}

QModelIndex CallTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    const int node = m_tree.nodes[size_t(nodeOf(parent))].children.at(row);
    return createIndex(row, column, quintptr(node));
}

QModelIndex CallTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const int parentNode = m_tree.nodes[size_t(nodeOf(child))].parent;
    if (parentNode <= 0)
        return {};
    return createIndex(m_tree.nodes[size_t(parentNode)].row, 0, quintptr(parentNode));
}

int CallTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(m_tree.nodes[size_t(nodeOf(parent))].children.size());
}

int CallTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant CallTreeModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const CallTree::Node& n = m_tree.nodes[size_t(nodeOf(index))];
    if (role == NameIdRole)
        return n.name;
    if (role == Qt::TextAlignmentRole)
        return index.column() == Name ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    const bool raw = role == SortRole;
    const qint64 whole = std::max<qint64>(1, m_tree.to - m_tree.from);
    switch (index.column()) {
    case Name:
        if (n.name == CallTree::otherPaths)
            return tr("[other call paths: too many to list]");
        return m_data ? m_data->name(n.name) : QString();
    case Total:
        return raw
            ? QVariant(n.total)
            : QVariant(
                u"%1  (%2 %)"_s.arg(Duration::format(n.total)).arg(100.0 * double(n.total) / double(whole), 0, 'f', 1));
    case Self:
        return raw ? QVariant(n.self) : QVariant(Duration::format(n.self));
    case Calls:
        return raw ? QVariant(n.calls) : QVariant(QLocale().toString(n.calls));
    }
    return {};
}

QVariant CallTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Function");
    case Total:
        return tr("Total");
    case Self:
        return tr("Self");
    case Calls:
        return tr("Calls");
    }
    return {};
}
