// SPDX-License-Identifier: MIT
#pragma once

#include <QHashFunctions>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

// A PID alone does not name a process: PIDs are reused. The start time (clock ticks after boot, /proc/PID/stat
// field 22) makes the pair unique for the lifetime of the system.
struct ProcessKey
{
    qint64 pid = 0;
    quint64 startTime = 0;

    friend bool operator==(const ProcessKey&, const ProcessKey&) = default;
    friend auto operator<=>(const ProcessKey&, const ProcessKey&) = default;
    friend size_t qHash(const ProcessKey& key, size_t seed = 0) noexcept
    {
        return qHashMulti(seed, key.pid, key.startTime);
    }
};

// One process as the process table shows it. A plain value: cheap to copy (the strings are shared).
struct ProcessInfo
{
    qint64 pid = 0;
    qint64 ppid = 0;
    quint64 startTime = 0; // clock ticks after boot
    uint uid = 0; // effective uid, as ps and top show it
    QString userName;
    char state = '?'; // R, S, D, Z, T, t, X, I, ...
    QString name; // comm, or argv[0]'s file name when comm is its truncated prefix; control characters as '?'
    QStringList arguments; // argv; empty for kernel threads and zombies
    QString exePath; // target of /proc/PID/exe; empty when it cannot be read
    int threads = 0;
    qint64 rssBytes = 0;
    double cpuPercent = 0; // since the previous scan; 100 = one core busy; 0 on the first scan
    bool kernelThread = false;
    bool isOwnProcess = false; // this is Magic Trace Studio itself
    bool isMine = false; // runs as the current user (effective uid == our real uid)
    bool traceable = false; // magic-trace can attach to it (TargetAccess's rule)
    QString reason; // why it cannot be traced; empty when traceable

    ProcessKey key() const { return ProcessKey { pid, startTime }; }
    bool isZombie() const { return state == 'Z' || state == 'X'; }
    // argv joined by spaces; "[name]" for kernel threads, "[name] <defunct>" for zombies (as ps shows them).
    QString commandLine() const;

    friend bool operator==(const ProcessInfo&, const ProcessInfo&) = default;
};
Q_DECLARE_METATYPE(ProcessInfo)
Q_DECLARE_TYPEINFO(ProcessKey, Q_PRIMITIVE_TYPE);

// What changed between two scans. Processes are matched by key(): a reused PID is one removal plus one addition.
struct ProcessDiff
{
    QList<ProcessInfo> added;
    QList<ProcessInfo> changed; // the new values of processes whose fields changed
    QList<ProcessKey> removed;

    bool isEmpty() const { return added.isEmpty() && changed.isEmpty() && removed.isEmpty(); }
    // Both lists sorted by key() (ProcessScanner returns them so).
    static ProcessDiff between(const QList<ProcessInfo>& before, const QList<ProcessInfo>& after);
};
Q_DECLARE_METATYPE(ProcessDiff)
