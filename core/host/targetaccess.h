// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <optional>

// "Can this user trace process PID, and if not, why not?"
//
// magic-trace attaches without ptrace: perf opens per-thread Intel PT events with perf_event_open(), which the kernel
// allows after ptrace_may_access(PTRACE_MODE_READ_REALCREDS), and magic-trace itself first resolves
// /proc/PID/exe (a readlink the kernel guards with the same check, PTRACE_MODE_READ_FSCREDS). So the rule is the
// kernel's "may read" rule, not the "may attach" one:
//   - the tracer's real uid equals the target's real, effective and saved uid (same for gids), or the tracer has
//     CAP_SYS_PTRACE (root normally has it);
//   - the target is dumpable (set-user-ID programs and programs that called PR_SET_DUMPABLE 0 are not) and holds
//     no permitted capability the tracer lacks, unless the tracer has CAP_SYS_PTRACE;
//   - /proc/PID/exe resolves (kernel threads and zombies have no executable; magic-trace fails without it);
//   - perf_event_paranoid above 2 (a Debian/Ubuntu patch) refuses perf to anyone without CAP_PERFMON or
//     CAP_SYS_ADMIN.
// Yama's ptrace_scope only restricts PTRACE_MODE_ATTACH, so it never blocks attaching; scope 3 blocks
// PTRACE_TRACEME and with it magic-trace's "run" mode (see launchBlockedReason()).
//
// Every path is below a /proc root given by the caller, so tests and host checks can use fake trees.
namespace TargetAccess {

// Capability bit numbers (linux/capability.h).
constexpr int CapSysPtrace = 19;
constexpr int CapSysAdmin = 21;
constexpr int CapPerfmon = 38;

constexpr bool hasCapability(quint64 mask, int capability)
{
    return (mask >> capability) & 1;
}

// The fields of /proc/PID/status that matter here. Missing lines leave the defaults.
struct StatusFields
{
    QByteArray name;
    qint64 pid = -1;
    uint uid[4] = { 0, 0, 0, 0 }; // real, effective, saved, filesystem
    uint gid[4] = { 0, 0, 0, 0 };
    quint64 capPermitted = 0;
    quint64 capEffective = 0;
    int threads = 0;
    bool hasUid = false;
    bool hasGid = false;
};
StatusFields parseStatus(QByteArrayView text);

// The fields of /proc/PID/stat that matter here and to the process table. comm may hold any bytes, spaces and
// parentheses included, so the fields are counted from the LAST ')'.
struct StatFields
{
    qint64 pid = -1;
    QByteArray comm;
    char state = '?';
    qint64 ppid = 0;
    quint32 flags = 0;
    quint64 userTicks = 0;
    quint64 systemTicks = 0;
    int threads = 0;
    quint64 startTime = 0; // clock ticks after boot (field 22)
    qint64 rssPages = 0;
};
// Returns false for a line that is not a stat line; never reads past text.
bool parseStat(QByteArrayView text, StatFields* out);

constexpr quint32 PfKthread = 0x00200000; // task flag PF_KTHREAD (stat field 9)

// Who is tracing.
struct Tracer
{
    qint64 pid = -1;
    uint uid[4] = { 0, 0, 0, 0 }; // real, effective, saved, filesystem
    uint gid[4] = { 0, 0, 0, 0 };
    quint64 capPermitted = 0;
    quint64 capEffective = 0;
    int ptraceScope = -1; // kernel.yama.ptrace_scope; -1: Yama is not there
    int perfEventParanoid = 2; // kernel.perf_event_paranoid; the kernel's default when unreadable

    bool hasSysPtrace() const { return hasCapability(capEffective, CapSysPtrace); }
    bool canUsePerfUnrestricted() const
    {
        return hasCapability(capEffective, CapPerfmon) || hasCapability(capEffective, CapSysAdmin);
    }
};

// Reads procRoot/self/status, procRoot/sys/kernel/yama/ptrace_scope and procRoot/sys/kernel/perf_event_paranoid.
// Fails only when self/status cannot be read or has no Uid line.
std::optional<Tracer> readTracer(const QString& procRoot, QString* error);
// This process, from /proc; falls back to getuid()/getgid() (no capabilities) when /proc cannot be read.
Tracer currentTracer();

enum class ExeAccess {
    Readable, // readlink(/proc/PID/exe) worked
    Denied, // EACCES/EPERM: the kernel refused the ptrace read check
    Missing, // ENOENT and others: kernel thread, zombie, exiting process, or no /proc entry
};

// What is known about the target.
struct Target
{
    qint64 pid = -1;
    char state = '?';
    bool kernelThread = false;
    bool hasCredentials = false; // uid/gid/capPermitted below came from status
    uint uid[4] = { 0, 0, 0, 0 };
    uint gid[4] = { 0, 0, 0, 0 };
    quint64 capPermitted = 0;
    ExeAccess exe = ExeAccess::Missing;
    QString ownerName; // optional; looked up from uid[0] when empty and needed
};

// Reads stat, status and the exe link of one process. Fails (with *error) when the process does not exist or its
// stat cannot be read (it exited, or hidepid hides it).
std::optional<Target> readTarget(const QString& procRoot, qint64 pid, QString* error);

struct Verdict
{
    bool traceable = false;
    QString reason; // why not, in a short sentence for a tooltip; empty when traceable
};

// The rule itself: pure, no I/O (except a user name lookup when target.ownerName is empty and needed).
Verdict evaluate(const Tracer& tracer, const Target& target);

// readTracer + readTarget + evaluate, for one PID.
Verdict check(qint64 pid, const QString& procRoot = QStringLiteral("/proc"));

// Why magic-trace's "run" mode (start a program under trace) cannot work for this tracer, or an empty string.
QString launchBlockedReason(const Tracer& tracer);

// The login name for uid, or the number as text when there is none. Thread-safe (getpwuid_r).
QString userName(uint uid);

} // namespace TargetAccess
