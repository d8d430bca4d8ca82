// SPDX-License-Identifier: MIT
#include "processes/processfiltermodel.h"

#include "processes/processmodel.h"

#include <algorithm>

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
        m_terms = m_appliedText.toCaseFolded().split(u' ', Qt::SkipEmptyParts);
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

bool ProcessFilterModel::passesToggles(const ProcessInfo& p) const
{
    return !(m_onlyMine && !p.isMine) && !(m_onlyTraceable && !p.traceable) && !(m_hideKernelThreads && p.kernelThread);
}

bool ProcessFilterModel::matchesTerms(QStringView searchText) const
{
    // Both sides are case-folded, so this is a plain (vectorised) substring search: it runs for every row on each
    // filter change and, in tree mode, for whole subtrees when rows come and go (recursive filtering).
    for (const QString& term : m_terms) {
        if (!searchText.contains(term))
            return false;
    }
    return true;
}

bool ProcessFilterModel::accepts(const ProcessInfo& p) const
{
    return passesToggles(p) && (m_terms.isEmpty() || matchesTerms(ProcessModel::searchText(p)));
}

bool ProcessFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_processModel) {
        const ProcessInfo* p = m_processModel->processAt(index);
        return !p || (passesToggles(*p) && matchesTerms(m_processModel->searchTextAt(index)));
    }
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
