// SPDX-License-Identifier: MIT
#pragma once

#include "finding.h"
#include "magictracelocator.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QProcessEnvironment>
#include <QString>
#include <QVersionNumber>
#include <memory>
#include <optional>

// What to look at. The roots are parameters so that tests (and `doctor` under MTS_PROC_ROOT / MTS_SYS_ROOT /
// MTS_FS_ROOT) can point the check at fake trees.
struct HostCheckOptions
{
    QString procRoot = QStringLiteral("/proc");
    QString sysRoot = QStringLiteral("/sys");
    QString fsRoot = QStringLiteral("/"); // for etc/os-release, .dockerenv, run/.containerenv
    // Used for PATH, MAGIC_TRACE_PERF_PATH, TMPDIR and `container`, and passed to `perf --version`.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    QString perfPath; // empty: MAGIC_TRACE_PERF_PATH, else "perf" from the environment's PATH
    std::optional<MagicTraceLocation> magicTrace; // the locator's answer; without it magic-trace is not judged
    int perfTimeoutMs = 5000;
    QList<qint64> targetPids; // each gets a "target.access" finding: can this user trace that process?

    // The real machine, except where the test-only variables MTS_PROC_ROOT, MTS_SYS_ROOT or MTS_FS_ROOT say otherwise.
    static HostCheckOptions fromEnvironment();
};

// The raw observations behind the findings (for the UI and `doctor --json`).
struct HostFacts
{
    bool intelPt = false;
    std::optional<bool> psbCyc; // caps/psb_cyc; unknown without Intel PT
    bool hardwareCounters = false; // a "cpu" (or hybrid cpu_core) PMU: what perf sampling needs
    QString cpuVendor; // "GenuineIntel", "AuthenticAMD", ...
    bool hypervisor = false;

    QString perfPath; // empty when not found
    bool perfPathFromEnvironment = false; // MAGIC_TRACE_PERF_PATH
    QString perfVersionText; // first line of `perf --version`
    QVersionNumber perfVersion; // null when unknown
    QString perfProblem; // why `perf --version` failed (could not start, timed out, non-zero exit); else empty

    std::optional<int> perfEventParanoid;
    std::optional<int> perfEventMlockKb;
    std::optional<int> kptrRestrict;
    std::optional<int> ptraceScope; // absent when Yama is not active

    std::optional<uint> effectiveUid;
    quint64 capEff = 0;
    quint64 capAmb = 0;
    bool perfPrivileged = false; // root, or CAP_PERFMON / CAP_SYS_ADMIN that magic-trace inherits
    bool ptracePrivileged = false; // root, or CAP_SYS_PTRACE that magic-trace inherits

    QString container; // "docker", "podman", "kubernetes", ...; empty when none was detected
    QString containerEvidence;

    QString tmpDir;
    bool tmpDirWritable = true;

    QString distribution; // os-release ID, e.g. "debian"
    QString distributionLike; // os-release ID_LIKE

    QJsonObject toJson() const;
};

struct HostReport
{
    HostFacts facts;
    QList<Finding> findings; // in a fixed order: magic-trace, processor, perf, kernel settings, user, environment

    bool canTrace() const { return ::canTrace(findings); }
    const Finding* find(const QString& id) const; // nullptr when there is no finding with that id
    QJsonObject toJson() const; // {"canTrace": bool, "findings": [...], "facts": {...}}
};

// Checks whether this machine and user can take a magic-trace trace, and says what to change when not. Reads
// /proc and /sys (roots injectable) and runs `perf --version`; all of it on a worker thread.
class HostCheck : public QObject
{
    Q_OBJECT
public:
    // Capability bits in CapEff / CapAmb.
    static constexpr int capSysPtrace = 19; // = TargetAccess::CapSysPtrace
    static constexpr int capSysAdmin = 21;
    static constexpr int capPerfmon = 38;

    explicit HostCheck(QObject* parent = nullptr);
    ~HostCheck() override;

    void setOptions(const HostCheckOptions& options);
    HostCheckOptions options() const;

    void start(); // finished() follows once, from the thread that owns this object
    bool isRunning() const;

    // The whole check, synchronously. Safe on any thread; may take up to perfTimeoutMs.
    static HostReport run(const HostCheckOptions& options);

Q_SIGNALS:
    void finished(const HostReport& report);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

Q_DECLARE_METATYPE(HostReport)
