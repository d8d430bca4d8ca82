// SPDX-License-Identifier: MIT
#include "processes/processtable.h"

#include "processes/processscanner.h"

#include <QMutex>
#include <QtConcurrent>
#include <algorithm>
#include <sys/resource.h>
#include <unistd.h>

namespace {

constexpr int ScanNiceness = 5;

// One thread for every table's scans: they never wait behind other jobs of the global pool (trace loads,
// compression), and they run at a lower priority than the UI.
QThreadPool* scanPool()
{
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool;
        p->setMaxThreadCount(1);
        p->setObjectName(QStringLiteral("ProcessTable scans"));
        return p;
    }();
    return pool;
}

} // namespace

struct ProcessTable::Worker
{
    Worker(const QString& procRoot, std::optional<TargetAccess::Tracer> tracer)
        : scanner(procRoot, std::move(tracer))
    { }
    QMutex mutex; // one scan at a time is the table's rule; the mutex makes it hold even if that changes
    ProcessScanner scanner;
    QList<ProcessInfo> previous;
};

struct ProcessTable::Outcome
{
    ProcessScan scan;
    ProcessDiff diff;
};

ProcessTable::ProcessTable(QObject* parent)
    : ProcessTable(QStringLiteral("/proc"), std::nullopt, parent)
{ }

ProcessTable::ProcessTable(const QString& procRoot, std::optional<TargetAccess::Tracer> tracer, QObject* parent)
    : QObject(parent)
    , m_worker(std::make_shared<Worker>(procRoot, std::move(tracer)))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ProcessTable::startScan);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &ProcessTable::scanDone);
}

ProcessTable::~ProcessTable()
{
    // A running scan finishes on its own and its result is dropped; nothing waits for it here.
    // (The scan pool is deliberately leaked: a static QThreadPool would wait for a running scan at exit.)
    m_watcher.disconnect(this);
}

void ProcessTable::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    if (active) {
        if (m_scanning)
            m_refreshPending = true;
        else
            startScan();
    } else {
        m_timer.stop();
        m_refreshPending = false;
    }
    Q_EMIT activeChanged(active);
}

void ProcessTable::setInterval(int milliseconds)
{
    m_interval = std::max(10, milliseconds);
    if (m_timer.isActive())
        m_timer.start(m_interval);
}

std::optional<ProcessInfo> ProcessTable::process(const ProcessKey& key) const
{
    const auto it = std::lower_bound(m_processes.cbegin(), m_processes.cend(), key,
        [](const ProcessInfo& info, const ProcessKey& k) { return info.key() < k; });
    if (it != m_processes.cend() && it->key() == key)
        return *it;
    return std::nullopt;
}

bool ProcessTable::waitForScans(int timeoutMs)
{
    return scanPool()->waitForDone(timeoutMs);
}

void ProcessTable::refresh()
{
    if (m_scanning) {
        m_refreshPending = true;
        return;
    }
    startScan();
}

void ProcessTable::startScan()
{
    m_timer.stop();
    m_refreshPending = false;
    m_scanning = true;
    std::shared_ptr<Worker> worker = m_worker;
    m_watcher.setFuture(QtConcurrent::run(scanPool(), [worker]() {
        // Scans yield to the UI thread when the machine is busy. The pool's thread only ever runs scans, so the
        // nice value (which an unprivileged process cannot lower again) stays where it belongs.
        ::setpriority(PRIO_PROCESS, id_t(::gettid()), ScanNiceness);
        QMutexLocker lock(&worker->mutex);
        auto outcome = std::make_shared<Outcome>();
        outcome->scan = worker->scanner.scan();
        if (outcome->scan.ok) {
            outcome->diff = ProcessDiff::between(worker->previous, outcome->scan.processes);
            worker->previous = outcome->scan.processes;
        }
        return outcome;
    }));
}

void ProcessTable::scanDone()
{
    m_scanning = false;
    // A cancelled future has no result (hotspot's crash #699); ours are never cancelled, but check anyway.
    if (!m_watcher.isCanceled() && m_watcher.future().resultCount() > 0) {
        const std::shared_ptr<Outcome> outcome = m_watcher.result();
        if (outcome->scan.ok) {
            m_processes = outcome->scan.processes;
            m_hidden = outcome->scan.hidden;
            if (!outcome->diff.isEmpty())
                Q_EMIT updated(outcome->diff);
        } else {
            Q_EMIT scanFailed(outcome->scan.error);
        }
    }
    Q_EMIT scanFinished();
    if (m_refreshPending)
        startScan();
    else if (m_active)
        m_timer.start(m_interval);
}
