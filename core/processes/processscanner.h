// SPDX-License-Identifier: MIT
#pragma once

#include "host/targetaccess.h"
#include "processes/processinfo.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <optional>

struct ProcessScan
{
    bool ok = false;
    QString error; // when !ok: the /proc root itself could not be read
    QList<ProcessInfo> processes; // sorted by key()
    int hidden = 0; // PID directories we may not read (mounted with hidepid, or a security module)
    int vanished = 0; // processes that exited while they were being read
    qint64 durationNs = 0;
};

// Reads a /proc tree into ProcessInfos. No Qt event loop, no threads: ProcessTable runs it on a worker. Not
// thread-safe; one scan at a time per scanner.
//
// It is built for speed: plain open/read with a reused buffer, the directory's file descriptor for relative opens,
// and only `stat` (plus an fstat for the owner) per process and scan. `cmdline` and the exe link are read once per
// process (again when its name or owner changes: an exec or a setuid), and kept between scans. `status` only when the
// verdict needs credentials: never for a privileged tracer on a real procfs (the PID directory's owner is the
// effective uid), nor for an unprivileged user's own processes there (the exe link already proves them). Any open
// that fails means the process exited; it is left out and counted in `vanished` (or `hidden` for EACCES).
class ProcessScanner
{
public:
    // tracer: whose tracing rights to judge (default: this process).
    explicit ProcessScanner(
        const QString& procRoot = QStringLiteral("/proc"), std::optional<TargetAccess::Tracer> tracer = std::nullopt);
    ~ProcessScanner();
    ProcessScanner(const ProcessScanner&) = delete;
    ProcessScanner& operator=(const ProcessScanner&) = delete;

    QString procRoot() const { return m_procRoot; }
    const TargetAccess::Tracer& tracer() const { return m_tracer; }

    // Scans now; CPU % comes from the ticks since the previous scan of this scanner.
    ProcessScan scan();
    // The same with the caller's monotonic clock reading, for tests.
    ProcessScan scan(qint64 monotonicNs);

    // The longest command line kept, in bytes; longer ones are cut (and end with "…").
    static constexpr qsizetype MaxCommandLineBytes = 4 * 1024 * 1024;

private:
    struct Known; // per-process facts kept between scans
    bool readProcess(int dirFd, qint64 pid, double elapsedSeconds, ProcessInfo* out, int* err);
    QString userNameOf(uint uid);

    QString m_procRoot;
    TargetAccess::Tracer m_tracer;
    QHash<qint64, Known*> m_known; // by pid; the entry's start time tells a reused PID
    QHash<uint, QString> m_userNames;
    QByteArray m_buffer; // reused for every read
    qint64 m_lastScanNs = -1;
    quint64 m_generation = 0;
    long m_clockTicks = 100;
    long m_pageSize = 4096;
    bool m_realProcFs = false; // procfs semantics hold (file owners, the kernel's exe-link check)
};
