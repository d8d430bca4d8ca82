// SPDX-License-Identifier: MIT
#pragma once

#include "host/targetaccess.h"
#include "processes/processinfo.h"

#include <QFutureWatcher>
#include <QObject>
#include <QTimer>
#include <memory>
#include <optional>

// The live process list. Scans run on a worker thread (QtConcurrent), one at a time; the difference to the previous
// scan is computed there too, so the thread that owns the table only receives results. While active it rescans
// `interval` ms after the previous scan finished; while inactive nothing runs (the UI ties setActive() to the
// picker's visibility). refresh() asks for a scan now, active or not.
class ProcessTable : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool active READ isActive WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(int interval READ interval WRITE setInterval)
public:
    explicit ProcessTable(QObject* parent = nullptr);
    // procRoot and tracer as for ProcessScanner (tests use fake trees).
    explicit ProcessTable(
        const QString& procRoot, std::optional<TargetAccess::Tracer> tracer = std::nullopt, QObject* parent = nullptr);
    ~ProcessTable() override;

    bool isActive() const { return m_active; }
    void setActive(bool active); // becoming active scans at once
    int interval() const { return m_interval; }
    void setInterval(int milliseconds);
    bool isScanning() const { return m_scanning; }

    // The latest scan, sorted by key(); empty before the first one finished.
    const QList<ProcessInfo>& processes() const { return m_processes; }
    std::optional<ProcessInfo> process(const ProcessKey& key) const;
    // PID directories of the latest scan we were not allowed to read (hidepid).
    int hiddenCount() const { return m_hidden; }

    static constexpr int DefaultInterval = 2000;

    // Waits until no table's scan is running (scans run on one shared thread). For tests and orderly shutdown.
    static bool waitForScans(int timeoutMs);

public Q_SLOTS:
    // Scans as soon as possible: now, or right after the scan that is running.
    void refresh();

Q_SIGNALS:
    // After each scan that found a difference; the first scan reports every process as added.
    void updated(const ProcessDiff& diff);
    // After every scan, changed or not.
    void scanFinished();
    void scanFailed(const QString& error);
    void activeChanged(bool active);

private:
    struct Worker;
    struct Outcome;
    void startScan();
    void scanDone();

    std::shared_ptr<Worker> m_worker; // shared with the running job, so the table may go away mid-scan
    QFutureWatcher<std::shared_ptr<Outcome>> m_watcher;
    QTimer m_timer;
    QList<ProcessInfo> m_processes;
    int m_interval = DefaultInterval;
    int m_hidden = 0;
    bool m_active = false;
    bool m_scanning = false;
    bool m_refreshPending = false;
};
