// SPDX-License-Identifier: MIT
#include "processes/processfiltermodel.h"

#include "processes/processmodel.h"

ProcessFilterModel::ProcessFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(DefaultDebounceInterval);
    connect(&m_debounce, &QTimer::timeout, this, &ProcessFilterModel::applyText);
    setRecursiveFilteringEnabled(true);
    setDynamicSortFilter(true);
    setSortRole(ProcessModel::SortRole);
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
    const QString pid = QString::number(p.pid);
    QString commandLine; // built only when a term needs it
    for (const QString& term : m_terms) {
        if (p.name.contains(term, Qt::CaseInsensitive) || pid.contains(term)
            || p.userName.contains(term, Qt::CaseInsensitive))
            continue;
        if (commandLine.isNull())
            commandLine = p.commandLine();
        if (!commandLine.contains(term, Qt::CaseInsensitive))
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
    case ProcessModel::CpuColumn:
        return byNumber(a->cpuPercent, b->cpuPercent);
    case ProcessModel::MemoryColumn:
        return byNumber(a->rssBytes, b->rssBytes);
    case ProcessModel::ThreadsColumn:
        return byNumber(a->threads, b->threads);
    case ProcessModel::CommandLineColumn:
        return byText(a->commandLine(), b->commandLine());
    }
    return a->pid < b->pid;
}
