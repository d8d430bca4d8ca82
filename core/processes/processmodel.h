// SPDX-License-Identifier: MIT
#pragma once

#include "processes/processinfo.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QPointer>

class ProcessTable;

// The process table as an item model: flat (one row per process) or a tree by parent PID. It changes only by
// difference (rows inserted, removed, moved, changed), so selections, persistent indexes, the scroll position and
// expanded branches survive refreshes. Only the first fill (into an empty model) and a change of mode reset it.
//
// Tree mode: a process whose parent is not in the table (PID 1, kthreadd, processes whose parent we may not see)
// is a top-level row. When a parent exits, its children move up to the nearest surviving ancestor (the root if
// none) before the parent's row is removed; when the next scan reports their new parent (usually a subreaper or
// init), they move there.
class ProcessModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column {
        PidColumn,
        NameColumn,
        UserColumn,
        CpuColumn,
        MemoryColumn,
        ThreadsColumn,
        CommandLineColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        ProcessInfoRole = Qt::UserRole + 1, // QVariant<ProcessInfo>
        PidRole, // qint64
        StartTimeRole, // quint64; with PidRole the process's identity
        TraceableRole, // bool
        ReasonRole, // QString: why it cannot be traced (empty when it can)
        OwnProcessRole, // bool: Magic Trace Studio itself
        MineRole, // bool: runs as the current user
        KernelThreadRole, // bool
        SortRole, // per column: qint64/double for numbers (as displayed, rounded), QString otherwise
        FilterRole, // QString: what the free-text filter searches, case-folded (see searchText())
    };
    Q_ENUM(Role)

    enum class Mode { Flat, Tree };
    Q_ENUM(Mode)

    explicit ProcessModel(QObject* parent = nullptr);
    ~ProcessModel() override;

    Mode mode() const { return m_mode; }
    // Changing the mode resets the model (the shape of the whole thing changes).
    void setMode(Mode mode);

    // Follows a table: fills from its current processes and applies each of its updates.
    void setTable(ProcessTable* table);

    // Applies one scan's difference. Keys in `removed` or `changed` that the model does not know are ignored
    // (changed ones are added).
    void applyDiff(const ProcessDiff& diff);
    // Makes the model hold exactly `processes` (sorted by key), by difference.
    void setProcesses(const QList<ProcessInfo>& processes);

    int processCount() const { return int(m_byKey.size()); }
    const ProcessInfo* processAt(const QModelIndex& index) const;
    QModelIndex indexOf(const ProcessKey& key, int column = 0) const;
    QModelIndex indexOfPid(qint64 pid, int column = 0) const;
    // Every process, sorted by key (for diffing).
    QList<ProcessInfo> processes() const;

    // What the free-text filter searches: name, PID, user and command line (as shown), separated by NUL and
    // case-folded, so that a case-insensitive match is a plain substring search with a case-folded term. The model
    // keeps it per row and rebuilds it only when one of those fields changes.
    static QString searchText(const ProcessInfo& process);
    // searchText() of the row's process, without a copy; valid until the model changes.
    QStringView searchTextAt(const QModelIndex& index) const;

    // CPU % as shown (and sorted): tenths of a percent. A change below that emits no dataChanged.
    static qint64 cpuTenths(double percent);
    // Resident memory as shown (and sorted): its unit and value at the display's precision, as one number.
    static qint64 memoryKey(qint64 bytes);

    QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    bool hasChildren(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    struct Node
    {
        ProcessInfo info;
        QString searchText; // searchText(info)
        Node* parent = nullptr;
        int row = 0;
        QList<Node*> children;
    };
    Node* nodeFor(const QModelIndex& index) const;
    QModelIndex indexFor(Node* node, int column = 0) const;
    Node* wantedParent(const Node* node) const;
    bool isAncestorOrSelf(const Node* maybeAncestor, const Node* node) const;
    void rebuild(const QList<ProcessInfo>& processes);
    void clearNodes();
    void removeNodes(const QList<Node*>& nodes);
    void addProcesses(const QList<const ProcessInfo*>& added);
    void moveNode(Node* node, Node* newParent);
    void moveChildren(Node* from, Node* to);
    void emitDataChanged(const QList<std::pair<Node*, ProcessInfo>>& changed);
    static void renumber(Node* parent, int fromRow);

    Mode m_mode = Mode::Flat;
    Node m_root;
    QHash<ProcessKey, Node*> m_byKey;
    QHash<qint64, Node*> m_byPid;
    QPointer<ProcessTable> m_table;
    QMetaObject::Connection m_tableConnection;
};
