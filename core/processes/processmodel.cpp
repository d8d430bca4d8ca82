// SPDX-License-Identifier: MIT
#include "processes/processmodel.h"

#include "processes/processtable.h"

#include <QLocale>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <utility>

namespace {

// The fields the free-text filter searches (see ProcessModel::searchText).
bool searchedFieldsDiffer(const ProcessInfo& a, const ProcessInfo& b)
{
    return a.pid != b.pid || a.name != b.name || a.userName != b.userName || a.arguments != b.arguments
        || a.isZombie() != b.isZombie() || a.kernelThread != b.kernelThread;
}

} // namespace

ProcessModel::ProcessModel(QObject* parent)
    : QAbstractItemModel(parent)
{ }

ProcessModel::~ProcessModel()
{
    clearNodes();
}

void ProcessModel::clearNodes()
{
    qDeleteAll(m_byKey);
    m_byKey.clear();
    m_byPid.clear();
    m_root.children.clear();
}

void ProcessModel::setMode(Mode mode)
{
    if (m_mode == mode)
        return;
    const QList<ProcessInfo> all = processes();
    beginResetModel();
    m_mode = mode;
    rebuild(all);
    endResetModel();
}

void ProcessModel::setTable(ProcessTable* table)
{
    if (m_tableConnection)
        disconnect(m_tableConnection);
    m_table = table;
    if (!table)
        return;
    setProcesses(table->processes());
    m_tableConnection = connect(table, &ProcessTable::updated, this, &ProcessModel::applyDiff);
}

void ProcessModel::setProcesses(const QList<ProcessInfo>& processes)
{
    auto byKey = [](const ProcessInfo& a, const ProcessInfo& b) { return a.key() < b.key(); };
    if (std::is_sorted(processes.cbegin(), processes.cend(), byKey)) {
        applyDiff(ProcessDiff::between(this->processes(), processes));
        return;
    }
    QList<ProcessInfo> sorted = processes;
    std::sort(sorted.begin(), sorted.end(), byKey);
    applyDiff(ProcessDiff::between(this->processes(), sorted));
}

QList<ProcessInfo> ProcessModel::processes() const
{
    QList<ProcessKey> keys = m_byKey.keys();
    std::sort(keys.begin(), keys.end());
    QList<ProcessInfo> result;
    result.reserve(keys.size());
    for (const ProcessKey& key : std::as_const(keys))
        result.append(m_byKey.value(key)->info);
    return result;
}

const ProcessInfo* ProcessModel::processAt(const QModelIndex& index) const
{
    Node* node = nodeFor(index);
    return node ? &node->info : nullptr;
}

QModelIndex ProcessModel::indexOf(const ProcessKey& key, int column) const
{
    Node* node = m_byKey.value(key);
    return node ? indexFor(node, column) : QModelIndex();
}

QModelIndex ProcessModel::indexOfPid(qint64 pid, int column) const
{
    Node* node = m_byPid.value(pid);
    return node ? indexFor(node, column) : QModelIndex();
}

ProcessModel::Node* ProcessModel::nodeFor(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    return static_cast<Node*>(index.internalPointer());
}

QModelIndex ProcessModel::indexFor(Node* node, int column) const
{
    if (!node || node == &m_root)
        return QModelIndex();
    return createIndex(node->row, column, node);
}

// --- building and changing ---------------------------------------------------------------------------------------

bool ProcessModel::isAncestorOrSelf(const Node* maybeAncestor, const Node* node) const
{
    for (const Node* n = node; n && n != &m_root; n = n->parent) {
        if (n == maybeAncestor)
            return true;
    }
    return false;
}

// Where a node belongs in tree mode: under its parent process if that is in the model (and no cycle results).
ProcessModel::Node* ProcessModel::wantedParent(const Node* node) const
{
    if (m_mode == Mode::Flat)
        return const_cast<Node*>(&m_root);
    Node* parent = m_byPid.value(node->info.ppid);
    if (!parent || parent == node || isAncestorOrSelf(node, parent))
        return const_cast<Node*>(&m_root);
    return parent;
}

void ProcessModel::renumber(Node* parent, int fromRow)
{
    for (int row = fromRow; row < parent->children.size(); ++row)
        parent->children[row]->row = row;
}

void ProcessModel::rebuild(const QList<ProcessInfo>& processes)
{
    clearNodes();
    m_byKey.reserve(processes.size());
    m_byPid.reserve(processes.size());
    QList<Node*> nodes;
    nodes.reserve(processes.size());
    for (const ProcessInfo& info : processes) {
        auto* node = new Node;
        node->info = info;
        node->searchText = searchText(info);
        m_byKey.insert(info.key(), node);
        m_byPid.insert(info.pid, node);
        nodes.append(node);
    }
    for (Node* node : std::as_const(nodes)) {
        Node* parent = &m_root;
        if (m_mode == Mode::Tree) {
            Node* wanted = m_byPid.value(node->info.ppid);
            // Only link to an already linked chain that does not lead back here: no cycles, whatever the input.
            if (wanted && wanted != node && !isAncestorOrSelf(node, wanted))
                parent = wanted;
        }
        node->parent = parent;
        node->row = int(parent->children.size());
        parent->children.append(node);
    }
}

void ProcessModel::moveNode(Node* node, Node* newParent)
{
    Node* oldParent = node->parent;
    if (oldParent == newParent)
        return;
    const int from = node->row;
    const int to = int(newParent->children.size());
    beginMoveRows(indexFor(oldParent), from, from, indexFor(newParent), to);
    oldParent->children.removeAt(from);
    renumber(oldParent, from);
    node->parent = newParent;
    node->row = to;
    newParent->children.append(node);
    endMoveRows();
}

void ProcessModel::moveChildren(Node* from, Node* to)
{
    const int count = int(from->children.size());
    if (count == 0)
        return;
    const int destination = int(to->children.size());
    beginMoveRows(indexFor(from), 0, count - 1, indexFor(to), destination);
    for (Node* child : std::as_const(from->children)) {
        child->parent = to;
        child->row = int(to->children.size());
        to->children.append(child);
    }
    from->children.clear();
    endMoveRows();
}

void ProcessModel::removeNodes(const QList<Node*>& nodes)
{
    if (nodes.isEmpty())
        return;
    if (m_mode == Mode::Flat) {
        // Highest rows first, in runs of consecutive rows: rows below a removed one keep their numbers, so one
        // renumbering at the end suffices (flat rows have no parent that would need a row number meanwhile).
        QList<Node*> sorted = nodes;
        std::sort(sorted.begin(), sorted.end(), [](const Node* a, const Node* b) { return a->row > b->row; });
        qsizetype i = 0;
        while (i < sorted.size()) {
            qsizetype j = i;
            while (j + 1 < sorted.size() && sorted[j + 1]->row == sorted[j]->row - 1)
                ++j;
            const int first = sorted[j]->row;
            const int last = sorted[i]->row;
            beginRemoveRows(QModelIndex(), first, last);
            m_root.children.remove(first, last - first + 1);
            endRemoveRows();
            i = j + 1;
        }
        renumber(&m_root, sorted.last()->row);
        for (Node* node : nodes)
            delete node;
        return;
    }

    QSet<const Node*> leaving(nodes.cbegin(), nodes.cend());
    for (Node* node : nodes) {
        // Orphans go to the parent this scan reports for them when they all have the same one (usually init or a
        // subreaper), else up to the nearest ancestor that stays: one move per orphaned family, as a sorting proxy
        // treats every move as a layout change of both parents.
        Node* heir = node->parent;
        while (heir != &m_root && leaving.contains(heir))
            heir = heir->parent;
        Node* reported = nullptr;
        for (const Node* child : std::as_const(node->children)) {
            Node* wanted = m_byPid.value(child->info.ppid);
            if (!wanted || leaving.contains(wanted) || isAncestorOrSelf(child, wanted)
                || (reported && wanted != reported)) {
                reported = nullptr;
                break;
            }
            reported = wanted;
        }
        moveChildren(node, reported ? reported : heir);
        Node* parent = node->parent;
        const int row = node->row;
        beginRemoveRows(indexFor(parent), row, row);
        parent->children.removeAt(row);
        renumber(parent, row);
        endRemoveRows();
        leaving.remove(node);
        delete node;
    }
}

void ProcessModel::addProcesses(const QList<const ProcessInfo*>& added)
{
    if (added.isEmpty())
        return;
    auto makeNode = [this](const ProcessInfo& info) {
        auto* node = new Node;
        node->info = info;
        node->searchText = searchText(info);
        m_byKey.insert(info.key(), node);
        m_byPid.insert(info.pid, node);
        return node;
    };
    if (m_mode == Mode::Flat) {
        const int first = int(m_root.children.size());
        beginInsertRows(QModelIndex(), first, first + int(added.size()) - 1);
        for (const ProcessInfo* info : added) {
            Node* node = makeNode(*info);
            node->parent = &m_root;
            node->row = int(m_root.children.size());
            m_root.children.append(node);
        }
        endInsertRows();
        return;
    }

    // Tree: parents before their children, whatever order the new processes come in.
    QHash<qint64, const ProcessInfo*> pending;
    for (const ProcessInfo* info : added)
        pending.insert(info->pid, info);
    auto insert = [this, &makeNode](const ProcessInfo& info, bool forceTop) {
        Node* node = makeNode(info);
        Node* parent = forceTop ? &m_root : wantedParent(node);
        const int row = int(parent->children.size());
        beginInsertRows(indexFor(parent), row, row);
        node->parent = parent;
        node->row = row;
        parent->children.append(node);
        endInsertRows();
    };
    QList<const ProcessInfo*> todo = added;
    while (!todo.isEmpty()) {
        QList<const ProcessInfo*> later;
        for (const ProcessInfo* info : std::as_const(todo)) {
            if (info->ppid != info->pid && pending.contains(info->ppid)) {
                later.append(info); // its parent is new too and not in yet
                continue;
            }
            insert(*info, false);
            pending.remove(info->pid);
        }
        if (later.size() == todo.size()) {
            // A cycle among the new processes (impossible on a real system): break it at the top level.
            insert(*later.first(), true);
            pending.remove(later.first()->pid);
            later.removeFirst();
        }
        todo = later;
    }
}

void ProcessModel::applyDiff(const ProcessDiff& diff)
{
    if (diff.isEmpty())
        return;
    if (m_byKey.isEmpty()) {
        // The first fill: one reset is cheaper than thousands of inserts, and nothing can be selected yet.
        QList<ProcessInfo> all = diff.added;
        for (const ProcessInfo& info : diff.changed)
            all.append(info);
        std::sort(all.begin(), all.end(), [](const ProcessInfo& a, const ProcessInfo& b) { return a.key() < b.key(); });
        all.erase(std::unique(all.begin(), all.end(),
                      [](const ProcessInfo& a, const ProcessInfo& b) { return a.key() == b.key(); }),
            all.end());
        beginResetModel();
        rebuild(all);
        endResetModel();
        return;
    }

    // 1. Removals (a reused PID's old process leaves before its new one arrives).
    QList<Node*> leaving;
    leaving.reserve(diff.removed.size());
    for (const ProcessKey& key : diff.removed) {
        Node* node = m_byKey.take(key);
        if (!node)
            continue;
        if (m_byPid.value(key.pid) == node)
            m_byPid.remove(key.pid);
        leaving.append(node);
    }

    // 2. New values (before the removals, so that orphans can move straight to the parent the scan reports for
    // them), and additions, including changes to processes we do not have.
    QList<const ProcessInfo*> added;
    added.reserve(diff.added.size());
    for (const ProcessInfo& info : diff.added) {
        if (!m_byKey.contains(info.key()))
            added.append(&info);
    }
    QList<Node*> changed;
    changed.reserve(diff.changed.size());
    QList<std::pair<Node*, ProcessInfo>> before; // old values, to tell what the user sees change
    before.reserve(diff.changed.size());
    for (const ProcessInfo& info : diff.changed) {
        if (Node* node = m_byKey.value(info.key())) {
            before.append({ node, std::exchange(node->info, info) });
            if (searchedFieldsDiffer(before.last().second, info))
                node->searchText = searchText(info);
            changed.append(node);
        } else {
            added.append(&info);
        }
    }
    removeNodes(leaving);
    addProcesses(added);

    // 3. Tree: processes whose parent changed, and top-level ones whose parent has appeared, move.
    if (m_mode == Mode::Tree) {
        for (Node* node : std::as_const(changed))
            moveNode(node, wantedParent(node));
        const QList<Node*> topLevel = m_root.children;
        for (Node* node : topLevel) {
            if (node->info.ppid > 0 && m_byPid.contains(node->info.ppid))
                moveNode(node, wantedParent(node));
        }
    }

    // 4. Changed values.
    emitDataChanged(before);
}

namespace {

// Which cells of a row show something else now, and which roles of them changed.
struct CellChange
{
    int firstColumn = ProcessModel::ColumnCount;
    int lastColumn = -1;
    bool allRoles = false; // the row's look or filtering changed (traceable, ownership, ...): every role
    bool filterRole = false; // what the filters look at changed

    bool isEmpty() const { return lastColumn < 0; }
    void add(int column)
    {
        firstColumn = std::min(firstColumn, column);
        lastColumn = std::max(lastColumn, column);
    }
    void merge(const CellChange& other)
    {
        firstColumn = std::min(firstColumn, other.firstColumn);
        lastColumn = std::max(lastColumn, other.lastColumn);
        allRoles = allRoles || other.allRoles;
        filterRole = filterRole || other.filterRole;
    }
};

CellChange cellChange(const ProcessInfo& a, const ProcessInfo& b)
{
    CellChange change;
    if (a.traceable != b.traceable || a.reason != b.reason || a.isOwnProcess != b.isOwnProcess || a.isMine != b.isMine
        || a.kernelThread != b.kernelThread) {
        change.add(0);
        change.add(ProcessModel::ColumnCount - 1);
        change.allRoles = true;
        return change;
    }
    if (a.name != b.name || a.exePath != b.exePath) // the name's tool tip shows the executable
        change.add(ProcessModel::NameColumn);
    if (a.userName != b.userName)
        change.add(ProcessModel::UserColumn);
    if (ProcessModel::cpuTenths(a.cpuPercent) != ProcessModel::cpuTenths(b.cpuPercent))
        change.add(ProcessModel::CpuColumn);
    if (ProcessModel::memoryKey(a.rssBytes) != ProcessModel::memoryKey(b.rssBytes))
        change.add(ProcessModel::MemoryColumn);
    if (a.threads != b.threads)
        change.add(ProcessModel::ThreadsColumn);
    if (a.arguments != b.arguments || a.name != b.name || a.isZombie() != b.isZombie())
        change.add(ProcessModel::CommandLineColumn);
    change.filterRole = searchedFieldsDiffer(a, b);
    return change;
}

} // namespace

// One dataChanged per run of adjacent changed rows under one parent, spanning only the columns whose shown value
// changed and naming the roles: a sorting proxy then re-sorts only when the sort column is among them, and
// re-filters (ancestors included, in recursive mode) only when FilterRole is. A change nobody can see (CPU % below
// display precision, a state letter that is not shown) emits nothing.
void ProcessModel::emitDataChanged(const QList<std::pair<Node*, ProcessInfo>>& changed)
{
    struct Row
    {
        Node* node;
        CellChange change;
    };
    QList<Row> rows;
    for (const auto& [node, old] : changed) {
        const CellChange change = cellChange(old, node->info);
        if (!change.isEmpty())
            rows.append({ node, change });
    }
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return a.node->parent != b.node->parent ? a.node->parent < b.node->parent : a.node->row < b.node->row;
    });
    const QList<int> valueRoles = { Qt::DisplayRole, SortRole, ProcessInfoRole, Qt::ToolTipRole };
    const QList<int> filteredValueRoles = valueRoles + QList<int> { FilterRole };
    qsizetype i = 0;
    while (i < rows.size()) {
        CellChange span = rows[i].change;
        qsizetype j = i;
        while (j + 1 < rows.size() && rows[j + 1].node->parent == rows[i].node->parent
            && rows[j + 1].node->row == rows[j].node->row + 1) {
            ++j;
            span.merge(rows[j].change);
        }
        const QList<int> roles = span.allRoles ? QList<int>() : span.filterRole ? filteredValueRoles : valueRoles;
        Q_EMIT dataChanged(indexFor(rows[i].node, span.firstColumn), indexFor(rows[j].node, span.lastColumn), roles);
        i = j + 1;
    }
}

QString ProcessModel::searchText(const ProcessInfo& p)
{
    // NUL between the fields: a term (typed text, split at spaces) never spans two of them.
    return QString(p.name + QChar(0) + QString::number(p.pid) + QChar(0) + p.userName + QChar(0) + p.commandLine())
        .toCaseFolded();
}

QStringView ProcessModel::searchTextAt(const QModelIndex& index) const
{
    const Node* node = nodeFor(index);
    return node ? QStringView(node->searchText) : QStringView();
}

qint64 ProcessModel::cpuTenths(double percent)
{
    return std::llround(std::max(0.0, percent) * 10);
}

qint64 ProcessModel::memoryKey(qint64 bytes)
{
    if (bytes <= 0)
        return -1;
    // Units of 1024 as QLocale's traditional format: bytes shown whole, larger units with one decimal.
    int power = 0;
    while (power < 6 && (bytes >> (10 * (power + 1))) > 0)
        ++power;
    if (power == 0)
        return bytes;
    const qint64 tenths = std::llround(double(bytes) * 10 / double(qint64(1) << (10 * power)));
    return (qint64(power) << 56) | tenths;
}

// --- QAbstractItemModel ------------------------------------------------------------------------------------------

QModelIndex ProcessModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0 || (parent.isValid() && parent.column() != 0))
        return QModelIndex();
    const Node* parentNode = parent.isValid() ? nodeFor(parent) : &m_root;
    if (!parentNode || row >= parentNode->children.size())
        return QModelIndex();
    return createIndex(row, column, parentNode->children.at(row));
}

QModelIndex ProcessModel::parent(const QModelIndex& child) const
{
    const Node* node = nodeFor(child);
    if (!node || node->parent == &m_root || !node->parent)
        return QModelIndex();
    return indexFor(node->parent);
}

int ProcessModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return int(m_root.children.size());
    if (parent.column() != 0)
        return 0;
    const Node* node = nodeFor(parent);
    return node ? int(node->children.size()) : 0;
}

int ProcessModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() && parent.column() != 0 ? 0 : ColumnCount;
}

bool ProcessModel::hasChildren(const QModelIndex& parent) const
{
    return rowCount(parent) > 0;
}

namespace {

QVariant alignment(int column)
{
    const bool numeric = column == ProcessModel::PidColumn || column == ProcessModel::CpuColumn
        || column == ProcessModel::MemoryColumn || column == ProcessModel::ThreadsColumn;
    return QVariant::fromValue(
        Qt::Alignment(numeric ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignLeft | Qt::AlignVCenter));
}

QString formatCpu(double percent)
{
    return QLocale().toString(double(ProcessModel::cpuTenths(percent)) / 10, 'f', 1);
}

QString formatMemory(qint64 bytes)
{
    return bytes > 0 ? QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat) : QString();
}

} // namespace

QVariant ProcessModel::data(const QModelIndex& index, int role) const
{
    const Node* node = nodeFor(index);
    if (!node)
        return QVariant();
    const ProcessInfo& p = node->info;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case PidColumn:
            return p.pid;
        case NameColumn:
            return p.name;
        case UserColumn:
            return p.userName;
        case CpuColumn:
            return formatCpu(p.cpuPercent);
        case MemoryColumn:
            return formatMemory(p.rssBytes);
        case ThreadsColumn:
            return p.threads;
        case CommandLineColumn:
            return p.commandLine();
        }
        break;
    case Qt::ToolTipRole: {
        QString tip;
        if (index.column() == CommandLineColumn)
            tip = p.commandLine().left(4000);
        else if (index.column() == NameColumn && !p.exePath.isEmpty())
            tip = p.exePath;
        if (!p.traceable)
            tip = tip.isEmpty() ? p.reason : tip + u'\n' + p.reason;
        return tip.isEmpty() ? QVariant() : QVariant(tip);
    }
    case Qt::TextAlignmentRole:
        return alignment(index.column());
    case ProcessInfoRole:
        return QVariant::fromValue(p);
    case PidRole:
        return p.pid;
    case StartTimeRole:
        return p.startTime;
    case TraceableRole:
        return p.traceable;
    case ReasonRole:
        return p.reason;
    case OwnProcessRole:
        return p.isOwnProcess;
    case MineRole:
        return p.isMine;
    case KernelThreadRole:
        return p.kernelThread;
    case FilterRole:
        return node->searchText;
    case SortRole:
        switch (index.column()) {
        case PidColumn:
            return p.pid;
        case NameColumn:
            return p.name;
        case UserColumn:
            return p.userName;
        case CpuColumn:
            return double(cpuTenths(p.cpuPercent)) / 10;
        case MemoryColumn:
            return memoryKey(p.rssBytes);
        case ThreadsColumn:
            return p.threads;
        case CommandLineColumn:
            return p.commandLine();
        }
        break;
    }
    return QVariant();
}

QVariant ProcessModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QVariant();
    if (role == Qt::TextAlignmentRole)
        return alignment(section);
    if (role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case PidColumn:
        return tr("PID");
    case NameColumn:
        return tr("Name");
    case UserColumn:
        return tr("User");
    case CpuColumn:
        return tr("CPU %");
    case MemoryColumn:
        return tr("Memory");
    case ThreadsColumn:
        return tr("Threads");
    case CommandLineColumn:
        return tr("Command Line");
    }
    return QVariant();
}

Qt::ItemFlags ProcessModel::flags(const QModelIndex& index) const
{
    if (!nodeFor(index))
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (m_mode == Mode::Flat)
        flags |= Qt::ItemNeverHasChildren;
    return flags;
}

QHash<int, QByteArray> ProcessModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(ProcessInfoRole, "processInfo");
    names.insert(PidRole, "pid");
    names.insert(StartTimeRole, "startTime");
    names.insert(TraceableRole, "traceable");
    names.insert(ReasonRole, "reason");
    names.insert(OwnProcessRole, "ownProcess");
    names.insert(MineRole, "mine");
    names.insert(KernelThreadRole, "kernelThread");
    names.insert(SortRole, "sortKey");
    names.insert(FilterRole, "filterText");
    return names;
}
