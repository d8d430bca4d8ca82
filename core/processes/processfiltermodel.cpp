// SPDX-License-Identifier: MIT
#include "processes/processfiltermodel.h"

#include "processes/processmodel.h"

#include <algorithm>
#include <charconv>
#include <string_view>

ProcessFilterModel::ProcessFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(DefaultDebounceInterval);
    connect(&m_debounce, &QTimer::timeout, this, &ProcessFilterModel::applyText);
    setRecursiveFilteringEnabled(true);
    setDynamicSortFilter(true);
    setSortRole(ProcessModel::SortRole);
    // The model names FilterRole in dataChanged only when filtered fields change: a CPU % update then does not
    // make the proxy re-filter the row's ancestors.
    setFilterRole(ProcessModel::FilterRole);
}

void ProcessFilterModel::setSourceModel(QAbstractItemModel* model)
{
    m_processModel = qobject_cast<const ProcessModel*>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void ProcessFilterModel::setFilterText(const QString& text)
{
    m_pendingText = text;
    m_debounce.start();
}

void ProcessFilterModel::applyText()
{
    if (m_pendingText != m_appliedText) {
        m_appliedText = m_pendingText;
        m_terms = m_appliedText.split(u' ', Qt::SkipEmptyParts);
        m_digitTerms.clear();
        for (const QString& term : std::as_const(m_terms)) {
            const bool digits = std::all_of(term.cbegin(), term.cend(), [](QChar c) { return c >= u'0' && c <= u'9'; });
            m_digitTerms.push_back(digits ? term.toStdString() : std::string());
        }
        invalidateRowsFilter();
    }
    Q_EMIT filterApplied();
}

void ProcessFilterModel::setOnlyMine(bool on)
{
    if (m_onlyMine != on) {
        m_onlyMine = on;
        invalidateRowsFilter();
    }
}

void ProcessFilterModel::setOnlyTraceable(bool on)
{
    if (m_onlyTraceable != on) {
        m_onlyTraceable = on;
        invalidateRowsFilter();
    }
}

void ProcessFilterModel::setHideKernelThreads(bool on)
{
    if (m_hideKernelThreads != on) {
        m_hideKernelThreads = on;
        invalidateRowsFilter();
    }
}

const ProcessInfo* ProcessFilterModel::processAt(const QModelIndex& sourceIndex) const
{
    if (m_processModel)
        return m_processModel->processAt(sourceIndex);
    return nullptr;
}

bool ProcessFilterModel::accepts(const ProcessInfo& p) const
{
    if (m_onlyMine && !p.isMine)
        return false;
    if (m_onlyTraceable && !p.traceable)
        return false;
    if (m_hideKernelThreads && p.kernelThread)
        return false;
    if (m_terms.isEmpty())
        return true;
    // This runs for every row on each filter change and, in tree mode, for whole subtrees when rows come and go
    // (recursive filtering): no allocation unless a term has to be looked for in a kernel thread's or a zombie's
    // bracketed command line. Terms hold no spaces, so matching each argument is matching the joined line.
    QString commandLine;
    for (qsizetype i = 0; i < m_terms.size(); ++i) {
        const QString& term = m_terms.at(i);
        if (p.name.contains(term, Qt::CaseInsensitive) || p.userName.contains(term, Qt::CaseInsensitive))
            continue;
        if (!m_digitTerms.at(size_t(i)).empty()) {
            char digits[24];
            const auto end = std::to_chars(digits, digits + sizeof digits, p.pid).ptr;
            if (std::string_view(digits, size_t(end - digits)).find(m_digitTerms.at(size_t(i)))
                != std::string_view::npos)
                continue;
        }
        if (p.kernelThread || p.isZombie()) {
            if (commandLine.isNull())
                commandLine = p.commandLine();
            if (commandLine.contains(term, Qt::CaseInsensitive))
                continue;
            return false;
        }
        bool found = false;
        for (const QString& argument : p.arguments) {
            if (argument.contains(term, Qt::CaseInsensitive)) {
                found = true;
                break;
            }
        }
        if (!found)
            return false;
    }
    return true;
}

bool ProcessFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (const ProcessInfo* p = processAt(index))
        return accepts(*p);
    // Some other model: fall back to the roles.
    const QVariant info = index.data(ProcessModel::ProcessInfoRole);
    return !info.isValid() || accepts(info.value<ProcessInfo>());
}

bool ProcessFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const ProcessInfo* a = processAt(left);
    const ProcessInfo* b = processAt(right);
    if (!a || !b)
        return QSortFilterProxyModel::lessThan(left, right);
    auto byText = [&](const QString& x, const QString& y) {
        const int c = x.compare(y, Qt::CaseInsensitive);
        return c != 0 ? c < 0 : a->pid < b->pid;
    };
    auto byNumber = [&](auto x, auto y) { return x != y ? x < y : a->pid < b->pid; };
    switch (left.column()) {
    case ProcessModel::PidColumn:
        return a->pid < b->pid;
    case ProcessModel::NameColumn:
        return byText(a->name, b->name);
    case ProcessModel::UserColumn:
        return byText(a->userName, b->userName);
    // CPU % and memory sort as shown (rounded): rows that look equal keep PID order, and the order changes only
    // when the model signals a change.
    case ProcessModel::CpuColumn:
        return byNumber(ProcessModel::cpuTenths(a->cpuPercent), ProcessModel::cpuTenths(b->cpuPercent));
    case ProcessModel::MemoryColumn:
        return byNumber(ProcessModel::memoryKey(a->rssBytes), ProcessModel::memoryKey(b->rssBytes));
    case ProcessModel::ThreadsColumn:
        return byNumber(a->threads, b->threads);
    case ProcessModel::CommandLineColumn:
        return byText(a->commandLine(), b->commandLine());
    }
    return a->pid < b->pid;
}
