// SPDX-License-Identifier: MIT
#include "hostcheck.h"

#include "magictraceinstaller.h"
#include "targetaccess.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;
using Severity = Finding::Severity;

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("HostCheck", text);
}

QString joinPath(const QString& root, const QString& relative)
{
    return QDir::cleanPath(root + u'/' + relative);
}

std::optional<QByteArray> readSmallFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    return file.read(256 * 1024);
}

std::optional<int> readInt(const QString& path)
{
    const auto bytes = readSmallFile(path);
    if (!bytes)
        return std::nullopt;
    bool ok = false;
    const int value = bytes->trimmed().toInt(&ok);
    return ok ? std::optional<int>(value) : std::nullopt;
}

bool hasCap(quint64 set, int bit)
{
    return (set >> bit) & 1u;
}

// ---- gathering -------------------------------------------------------------------------------------------

void readProcessor(const HostCheckOptions& options, HostFacts& facts)
{
    const QString pmus = joinPath(options.sysRoot, u"bus/event_source/devices"_s);
    facts.intelPt = QFileInfo::exists(pmus + u"/intel_pt"_s);
    if (facts.intelPt) {
        const auto psb = readInt(pmus + u"/intel_pt/caps/psb_cyc"_s);
        facts.psbCyc = psb.value_or(0) == 1;
    }
    facts.hardwareCounters = QFileInfo::exists(pmus + u"/cpu"_s) || QFileInfo::exists(pmus + u"/cpu_core"_s);

    if (const auto cpuinfo = readSmallFile(joinPath(options.procRoot, u"cpuinfo"_s))) {
        for (const QByteArray& line : cpuinfo->split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon < 0)
                continue;
            const QByteArray key = line.left(colon).trimmed();
            if (key == "vendor_id" && facts.cpuVendor.isEmpty())
                facts.cpuVendor = QString::fromLatin1(line.mid(colon + 1).trimmed());
            else if (key == "flags" && line.mid(colon + 1).split(' ').contains("hypervisor"))
                facts.hypervisor = true;
            if (!facts.cpuVendor.isEmpty() && key == "flags")
                break; // the first processor says it all
        }
    }
}

QString findInPath(const QString& name, const QProcessEnvironment& environment)
{
    const QStringList directories = environment.value(u"PATH"_s).split(u':', Qt::SkipEmptyParts);
    return QStandardPaths::findExecutable(name, directories);
}

void readPerf(const HostCheckOptions& options, HostFacts& facts)
{
    QString path = options.perfPath;
    const QString fromEnvironment = options.environment.value(u"MAGIC_TRACE_PERF_PATH"_s);
    if (path.isEmpty() && !fromEnvironment.isEmpty()) {
        path = fromEnvironment;
        facts.perfPathFromEnvironment = true;
    }
    if (path.isEmpty())
        path = findInPath(u"perf"_s, options.environment);
    else if (!path.contains(u'/'))
        path = findInPath(path, options.environment);
    if (path.isEmpty() || !QFileInfo(path).isExecutable() || QFileInfo(path).isDir()) {
        facts.perfPath = facts.perfPathFromEnvironment ? fromEnvironment : QString();
        return;
    }
    facts.perfPath = path;

    QProcess process;
    QProcessEnvironment environment = options.environment;
    environment.insert(u"PAGER"_s, u"cat"_s);
    environment.insert(u"LC_ALL"_s, u"C"_s);
    process.setProcessEnvironment(environment);
    process.setStandardInputFile(QProcess::nullDevice());
    process.setChildProcessModifier([] { ::setpgid(0, 0); });
    process.start(path, { u"--version"_s });
    if (!process.waitForStarted(options.perfTimeoutMs)) {
        facts.perfProblem = tr("it could not be started: %1").arg(process.errorString());
        return;
    }
    if (!process.waitForFinished(options.perfTimeoutMs)) {
        ::kill(-static_cast<pid_t>(process.processId()), SIGKILL);
        process.kill();
        process.waitForFinished(1000);
        facts.perfProblem = tr("it did not answer within %1 s").arg(options.perfTimeoutMs / 1000.0);
        return;
    }
    const QByteArray out = process.readAllStandardOutput() + process.readAllStandardError();
    facts.perfVersionText = QString::fromUtf8(out).trimmed().section(u'\n', 0, 0).left(300);
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        // Keep every line: the Ubuntu wrapper explains itself on the lines after the first.
        const QString said = QString::fromUtf8(out).simplified().left(600);
        facts.perfProblem = process.exitStatus() != QProcess::NormalExit
            ? tr("it crashed")
            : (said.isEmpty() ? tr("exit status %1").arg(process.exitCode())
                              : tr("exit status %1: %2").arg(process.exitCode()).arg(said));
        return;
    }
    // magic-trace's own pattern: "perf version %d.%d" (anything may follow).
    static const QRegularExpression version(u"^perf version (\\d+)\\.(\\d+)(?:\\.(\\d+))?"_s);
    const QRegularExpressionMatch match = version.match(facts.perfVersionText);
    if (match.hasMatch()) {
        facts.perfVersion = QVersionNumber(match.captured(1).toInt(), match.captured(2).toInt(),
            match.captured(3).isEmpty() ? 0 : match.captured(3).toInt());
    }
}

void readKernelSettings(const HostCheckOptions& options, HostFacts& facts)
{
    const QString kernel = joinPath(options.procRoot, u"sys/kernel"_s);
    facts.perfEventParanoid = readInt(kernel + u"/perf_event_paranoid"_s);
    facts.perfEventMlockKb = readInt(kernel + u"/perf_event_mlock_kb"_s);
    facts.kptrRestrict = readInt(kernel + u"/kptr_restrict"_s);
    facts.ptraceScope = readInt(kernel + u"/yama/ptrace_scope"_s);
}

void readUser(const HostCheckOptions& options, HostFacts& facts)
{
    const auto status = readSmallFile(joinPath(options.procRoot, u"self/status"_s));
    if (!status)
        return;
    for (const QByteArray& line : status->split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray key = line.left(colon);
        const QByteArray value = line.mid(colon + 1).simplified();
        if (key == "Uid") {
            bool ok = false;
            const uint euid = value.split(' ').value(1).toUInt(&ok);
            if (ok)
                facts.effectiveUid = euid;
        } else if (key == "CapEff") {
            facts.capEff = value.toULongLong(nullptr, 16);
        } else if (key == "CapAmb") {
            facts.capAmb = value.toULongLong(nullptr, 16);
        }
    }
    // magic-trace is our child: root keeps its capabilities across exec; anyone else passes on only ambient ones.
    const bool root = facts.effectiveUid == 0u;
    const quint64 inherited = root ? facts.capEff : (facts.capEff & facts.capAmb);
    facts.perfPrivileged
        = root || hasCap(inherited, HostCheck::capPerfmon) || hasCap(inherited, HostCheck::capSysAdmin);
    facts.ptracePrivileged = root || hasCap(inherited, HostCheck::capSysPtrace);
}

void readEnvironment(const HostCheckOptions& options, HostFacts& facts)
{
    // Containers: marker files first (precise), then cgroup paths, then systemd's `container` variable.
    if (QFileInfo::exists(joinPath(options.fsRoot, u".dockerenv"_s))) {
        facts.container = u"docker"_s;
        facts.containerEvidence = joinPath(options.fsRoot, u".dockerenv"_s);
    } else if (QFileInfo::exists(joinPath(options.fsRoot, u"run/.containerenv"_s))) {
        facts.container = u"podman"_s;
        facts.containerEvidence = joinPath(options.fsRoot, u"run/.containerenv"_s);
    } else {
        static const std::pair<const char*, const char*> markers[] = { { "kubepods", "kubernetes" },
            { "docker", "docker" }, { "libpod", "podman" }, { "containerd", "containerd" }, { "lxc", "lxc" } };
        for (const char* file : { "1/cgroup", "self/cgroup" }) {
            const QString path = joinPath(options.procRoot, QString::fromLatin1(file));
            const auto cgroup = readSmallFile(path);
            if (!cgroup)
                continue;
            for (const auto& [needle, name] : markers) {
                if (cgroup->contains(needle)) {
                    facts.container = QString::fromLatin1(name);
                    facts.containerEvidence = path;
                    break;
                }
            }
            if (!facts.container.isEmpty())
                break;
        }
        const QString variable = options.environment.value(u"container"_s);
        if (facts.container.isEmpty() && !variable.isEmpty()) {
            facts.container = variable;
            facts.containerEvidence = u"container=%1"_s.arg(variable);
        }
    }
    // Last resort: on a real system PID 1 is an init system; in a container it is the runtime's shim or the
    // containerised program itself.
    const QString initPath = joinPath(options.procRoot, u"1/comm"_s);
    const auto init = readSmallFile(initPath);
    if (facts.container.isEmpty() && init && !init->trimmed().isEmpty()) {
        static const QList<QByteArray> systemInits
            = { "systemd", "init", "runit", "openrc-init", "s6-svscan", "upstart", "busybox", "launchd" };
        static const QList<QByteArray> containerInits
            = { "docker-init", "tini", "dumb-init", "catatonit", "podman-init", "conmon" };
        const QByteArray name = init->trimmed();
        if (!systemInits.contains(name)) {
            facts.container = containerInits.contains(name) ? QString::fromLatin1(name) : tr("probable");
            facts.containerEvidence = tr("process 1 is \"%1\", not a system init").arg(QString::fromUtf8(name));
        }
    }

    facts.tmpDir = options.environment.value(u"TMPDIR"_s);
    if (facts.tmpDir.isEmpty())
        facts.tmpDir = u"/tmp"_s;
    facts.tmpDirWritable
        = QFileInfo(facts.tmpDir).isDir() && ::access(QFile::encodeName(facts.tmpDir).constData(), W_OK | X_OK) == 0;

    if (const auto osRelease = readSmallFile(joinPath(options.fsRoot, u"etc/os-release"_s))) {
        for (const QByteArray& line : osRelease->split('\n')) {
            auto value = [&] { return QString::fromUtf8(line.mid(line.indexOf('=') + 1).trimmed()).remove(u'"'); };
            if (line.startsWith("ID="))
                facts.distribution = value();
            else if (line.startsWith("ID_LIKE="))
                facts.distributionLike = value();
        }
    }
}

// ---- judging ---------------------------------------------------------------------------------------------

Finding make(
    const char* id, Severity severity, const QString& message, const QString& fix = {}, const QString& security = {})
{
    return Finding { QString::fromLatin1(id), severity, message, fix, security };
}

QString sysctlFix(const QString& key, const QString& value)
{
    return u"sudo sysctl %1=%2\n"
           "echo '%1 = %2' | sudo tee /etc/sysctl.d/60-magic-trace.conf   # keep it after a reboot"_s.arg(key, value);
}

QString perfInstallCommand(const HostFacts& facts)
{
    const QString ids = facts.distribution + u' ' + facts.distributionLike;
    if (facts.distribution == u"ubuntu"_s || ids.contains(u"ubuntu"_s))
        return u"sudo apt install linux-tools-common linux-tools-$(uname -r)"_s;
    if (facts.distribution == u"debian"_s || ids.contains(u"debian"_s))
        return u"sudo apt install linux-perf"_s;
    if (ids.contains(u"fedora"_s) || ids.contains(u"rhel"_s) || ids.contains(u"centos"_s))
        return u"sudo dnf install perf"_s;
    if (ids.contains(u"arch"_s))
        return u"sudo pacman -S perf"_s;
    if (ids.contains(u"suse"_s))
        return u"sudo zypper install perf"_s;
    return u"sudo apt install linux-perf        # Debian\n"
           "sudo apt install linux-tools-$(uname -r)   # Ubuntu\n"
           "sudo dnf install perf               # Fedora"_s;
}

std::optional<MagicTraceCandidate> foundMagicTrace(const HostCheckOptions& options)
{
    return options.magicTrace ? options.magicTrace->found() : std::nullopt;
}

void judgeMagicTrace(const HostCheckOptions& options, QList<Finding>& findings)
{
    if (!options.magicTrace)
        return;
    for (const MagicTraceCandidate& candidate : options.magicTrace->candidates) {
        if (candidate.isUsable())
            break;
        const bool configured = candidate.source == MagicTraceCandidate::Source::Settings;
        findings.append(make("magic-trace.skipped", configured ? Severity::Warning : Severity::Info,
            configured ? tr("The configured magic-trace is unusable, so it was skipped: %1").arg(candidate.problem)
                       : tr("Skipped a magic-trace that does not work: %1").arg(candidate.problem)));
    }
    const auto found = options.magicTrace->found();
    if (!found) {
        findings.append(make("magic-trace.missing", Severity::Blocker,
            tr("magic-trace is not installed: it is not in PATH, not configured, and not in %1.")
                .arg(MagicTraceLocator::defaultInstallDirectory()),
            u"magic-trace-studio doctor --install"_s,
            tr("Downloads the magic-trace %1 release binary from GitHub into your own data directory (only you can "
               "write there). Add --sha256 HASH to refuse a binary whose checksum differs; without it the download "
               "is not verified.")
                .arg(MagicTraceRelease::defaultVersion())));
        return;
    }
    const QString versionText = found->versionText;
    findings.append(make("magic-trace.found", Severity::Ok, tr("magic-trace %1 at %2.").arg(versionText, found->path)));
    if (found->version.isValid() && !found->capabilities().samplingFallback) {
        findings.append(make("magic-trace.old", Severity::Info,
            tr("magic-trace %1 is old: it writes uncompressed traces, cannot trace several processes at once and has "
               "no sampling mode (all added in v1.2.0).")
                .arg(versionText),
            u"magic-trace-studio doctor --install"_s));
    }
}

void judgeProcessor(const HostCheckOptions& options, const HostFacts& facts, QList<Finding>& findings)
{
    if (facts.intelPt) {
        findings.append(make("intel-pt.present", Severity::Ok, tr("The processor has Intel Processor Trace.")));
        if (facts.psbCyc.value_or(false)) {
            findings.append(
                make("intel-pt.timing", Severity::Ok, tr("Intel PT has cycle-accurate timing (about 10 ns).")));
        } else {
            findings.append(make("intel-pt.timing", Severity::Warning,
                tr("This processor's Intel PT lacks cycle-accurate mode (caps/psb_cyc is not 1), so timings in the "
                   "trace are only accurate to about 1 µs instead of about 10 ns. Newer Intel processors do better.")));
        }
        return;
    }
    QString why;
    QString fix;
    if (facts.cpuVendor == u"AuthenticAMD"_s || facts.cpuVendor == u"HygonGenuine"_s) {
        why = facts.hypervisor
            ? tr("This is a virtual machine on an AMD processor; Intel Processor Trace exists only on Intel "
                 "processors.")
            : tr("This is an AMD processor; Intel Processor Trace exists only on Intel processors.");
        fix = tr("Trace on a physical Intel machine (Skylake or newer).");
    } else if (facts.hypervisor) {
        why = tr("This is a virtual machine, and most hypervisors do not pass Intel Processor Trace through to "
                 "guests.");
        fix = tr("Trace on a physical Intel machine (Skylake or newer), or on the VM's host.");
    } else if (!facts.cpuVendor.isEmpty() && facts.cpuVendor != u"GenuineIntel"_s) {
        why = tr("This processor (%1) is not an Intel processor.").arg(facts.cpuVendor);
        fix = tr("Trace on a physical Intel machine (Skylake or newer).");
    } else {
        why = tr("The processor is too old, or the kernel does not expose Intel PT.");
        fix = tr("Trace on an Intel machine of the Skylake generation or newer, with a kernel of 4.2 or newer.");
    }
    QString fallback;
    const auto magicTrace = foundMagicTrace(options);
    if (!magicTrace || !magicTrace->version.isValid() || magicTrace->capabilities().samplingFallback) {
        fallback = facts.hardwareCounters
            ? tr(" magic-trace v1.2 and newer then fall back to perf sampling, which records far fewer calls and "
                 "fails with some perf versions.")
            : tr(" The sampling fallback of magic-trace v1.2 and newer will not work either: this machine exposes no "
                 "hardware performance counters (no \"cpu\" PMU).");
    }
    findings.append(make("intel-pt.missing", Severity::Blocker,
        tr("No Intel Processor Trace (%1 is missing). %2")
                .arg(joinPath(options.sysRoot, u"bus/event_source/devices/intel_pt"_s), why)
            + fallback,
        fix));
}

void judgePerf(const HostCheckOptions& options, const HostFacts& facts, QList<Finding>& findings)
{
    const auto magicTrace = foundMagicTrace(options);
    if (facts.perfPathFromEnvironment && magicTrace && magicTrace->version.isValid()
        && !magicTrace->capabilities().perfPathEnvironment) {
        findings.append(make("perf.env-ignored", Severity::Warning,
            tr("MAGIC_TRACE_PERF_PATH is set, but magic-trace %1 ignores it (it is read since v1.2.3) and runs the "
               "perf found in PATH.")
                .arg(magicTrace->versionText),
            u"magic-trace-studio doctor --install"_s));
    }
    if (facts.perfPath.isEmpty() || (facts.perfPathFromEnvironment && !QFileInfo(facts.perfPath).isExecutable())) {
        findings.append(make("perf.missing", Severity::Blocker,
            facts.perfPathFromEnvironment
                ? tr("MAGIC_TRACE_PERF_PATH names %1, which is not an executable program; magic-trace needs perf.")
                      .arg(facts.perfPath)
                : tr("perf is not installed (not found in PATH); magic-trace drives Intel PT through perf."),
            perfInstallCommand(facts)));
        return;
    }
    if (!facts.perfProblem.isEmpty()) {
        findings.append(make("perf.broken", Severity::Blocker,
            tr("\"%1 --version\" failed (%2); magic-trace then reports that perf is not present.")
                .arg(facts.perfPath, facts.perfProblem),
            perfInstallCommand(facts)));
        return;
    }
    if (facts.perfVersion.isNull()) {
        findings.append(make("perf.version-unknown", Severity::Blocker,
            tr("%1 --version printed \"%2\", which magic-trace cannot interpret (it expects \"perf version X.Y\").")
                .arg(facts.perfPath, facts.perfVersionText),
            perfInstallCommand(facts)));
        return;
    }
    findings.append(make("perf.found", Severity::Ok,
        tr("perf %1 at %2%3.")
            .arg(facts.perfVersion.toString(), facts.perfPath,
                facts.perfPathFromEnvironment ? tr(" (from MAGIC_TRACE_PERF_PATH)") : QString())));
    if (facts.perfVersion < QVersionNumber(5, 4)) {
        findings.append(make("perf.old", Severity::Warning,
            tr("perf %1 is older than 5.4: a program started by magic-trace (run mode) that ends on its own leaves "
               "an empty trace, and kernel tracing needs 5.5.")
                .arg(facts.perfVersion.toString()),
            perfInstallCommand(facts)));
    }
    // Released magic-trace (v1.2.4 and older) cannot parse perf 6 output; only unreleased master can.
    const bool releasedMagicTrace = !magicTrace
        || (magicTrace->version.isValid() && magicTrace->version.commitsAfterTag == 0
            && magicTrace->version <= MagicTraceVersion::fromNumbers(1, 2, 4));
    if (facts.perfVersion.majorVersion() >= 6 && releasedMagicTrace) {
        findings.append(make("perf.too-new", Severity::Warning,
            tr("perf %1 is version 6 or newer, whose output the decoder of magic-trace %2 fails on (\"BUG: exception "
               "raised while parsing perf output\", magic-trace issue #334): recording works, but decoding the trace "
               "may fail.")
                .arg(facts.perfVersion.toString(), magicTrace ? magicTrace->versionText : tr("v1.2.4 and older")),
            tr("Point magic-trace (v1.2.3 or newer) at a perf 5.x binary: export "
               "MAGIC_TRACE_PERF_PATH=/path/to/perf-5.x\n"
               "or build magic-trace from its master branch, where this is fixed.")));
    }
}

void judgeKernelSettings(const HostFacts& facts, QList<Finding>& findings)
{
    const QString who = facts.effectiveUid == 0u ? tr("root") : tr("this user");
    if (!facts.perfEventParanoid) {
        findings.append(make("perf.paranoid", Severity::Blocker,
            tr("The kernel has no perf events support (/proc/sys/kernel/perf_event_paranoid is missing); magic-trace "
               "cannot record anything.")));
    } else if (facts.perfPrivileged) {
        findings.append(make("perf.paranoid", Severity::Ok,
            tr("perf_event_paranoid is %1, which does not restrict %2.").arg(*facts.perfEventParanoid).arg(who)));
    } else if (*facts.perfEventParanoid <= 2) {
        findings.append(make("perf.paranoid", Severity::Ok,
            tr("perf_event_paranoid is %1: you may trace your own processes' user-space code (with the smaller "
               "256 KiB snapshot buffer; 4 MiB needs root or -1).")
                .arg(*facts.perfEventParanoid)));
    } else {
        findings.append(make("perf.paranoid", Severity::Blocker,
            tr("perf_event_paranoid is %1: this kernel forbids perf to users without privileges (a Debian/Ubuntu "
               "addition above the standard 2), so perf will refuse to record.")
                .arg(*facts.perfEventParanoid),
            sysctlFix(u"kernel.perf_event_paranoid"_s, u"2"_s),
            tr("Level 2 lets every local user profile and trace their own processes' user-space code; the kernel "
               "and other users' processes stay off limits. perf_event_open is a large kernel interface that has "
               "had privilege-escalation bugs, which is why some distributions close it by default. Alternative: "
               "run magic-trace as root for each trace.")));
    }

    if (facts.perfEventMlockKb) {
        const int kb = *facts.perfEventMlockKb;
        if (!facts.perfPrivileged && facts.perfEventParanoid.value_or(0) >= 0 && kb < 516) {
            findings.append(make("perf.mlock", Severity::Warning,
                tr("perf_event_mlock_kb is %1 KiB, below the kernel default of 516: perf may fail with \"Permission "
                   "error mapping pages\" when it maps the trace buffer.")
                    .arg(kb),
                sysctlFix(u"kernel.perf_event_mlock_kb"_s, u"2048"_s),
                tr("Each user may then lock up to 2 MiB of memory per CPU for perf buffers.")));
        } else {
            findings.append(make("perf.mlock", Severity::Ok,
                facts.perfPrivileged
                    ? tr("perf_event_mlock_kb is %1 KiB; it does not limit %2.").arg(kb).arg(who)
                    : tr("perf_event_mlock_kb is %1 KiB: enough for the default snapshot buffer; -multi-thread or "
                         "a larger -snapshot-size may need more.")
                          .arg(kb)));
        }
    }

    if (facts.kptrRestrict) {
        const int value = *facts.kptrRestrict;
        if (value >= 2) {
            findings.append(make("kernel.kptr-restrict", Severity::Warning,
                tr("kptr_restrict is %1: kernel addresses are hidden even from root, so kernel frames in traces made "
                   "with -trace-include-kernel will have no names.")
                    .arg(value),
                sysctlFix(u"kernel.kptr_restrict"_s, u"1"_s),
                tr("Root (and CAP_SYSLOG) can then read kernel symbol addresses, which helps an attacker who "
                   "already has root defeat kernel address randomisation.")));
        } else {
            findings.append(make("kernel.kptr-restrict", value == 0 ? Severity::Ok : Severity::Info,
                value == 0 ? tr("kptr_restrict is 0: kernel symbols can be resolved.")
                           : tr("kptr_restrict is 1: kernel symbols are visible to root only; this matters only for "
                                "kernel tracing, which needs root anyway.")));
        }
    }

    if (!facts.ptraceScope) {
        findings.append(make("kernel.ptrace-scope", Severity::Ok,
            tr("Yama ptrace restrictions are not active; magic-trace can start programs (run mode).")));
    } else if (*facts.ptraceScope >= 3) {
        findings.append(make("kernel.ptrace-scope", Severity::Warning,
            tr("Yama ptrace_scope is %1: ptrace is disabled for everyone until the next reboot, so magic-trace "
               "cannot start programs (run mode fails with \"expected child to stop\"). Attaching to running "
               "processes is not affected.")
                .arg(*facts.ptraceScope),
            u"echo 'kernel.yama.ptrace_scope = 1' | sudo tee /etc/sysctl.d/60-magic-trace.conf   # then reboot"_s,
            tr("Level 1 lets a process trace only its own descendants, which is what debuggers and run mode need.")));
    } else if (*facts.ptraceScope == 2 && !facts.ptracePrivileged) {
        findings.append(make("kernel.ptrace-scope", Severity::Warning,
            tr("Yama ptrace_scope is 2: only processes with CAP_SYS_PTRACE may use ptrace, so magic-trace cannot "
               "start programs (run mode). Attaching to running processes is not affected."),
            sysctlFix(u"kernel.yama.ptrace_scope"_s, u"1"_s),
            tr("Level 1 lets a process trace only its own descendants, which is what debuggers and run mode need.")));
    } else {
        findings.append(make("kernel.ptrace-scope", Severity::Ok,
            tr("Yama ptrace_scope is %1; magic-trace can start programs (run mode).").arg(*facts.ptraceScope)));
    }
}

void judgeUser(const HostFacts& facts, QList<Finding>& findings)
{
    if (!facts.effectiveUid)
        return;
    if (*facts.effectiveUid == 0) {
        findings.append(make("user.privileges", Severity::Info,
            tr("Running as root: any process and the kernel can be traced, with the larger 4 MiB snapshot buffer. "
               "Trace files written by magic-trace will belong to root.")));
        return;
    }
    QStringList held;
    if (hasCap(facts.capEff, HostCheck::capPerfmon))
        held << u"CAP_PERFMON"_s;
    if (hasCap(facts.capEff, HostCheck::capSysAdmin))
        held << u"CAP_SYS_ADMIN"_s;
    if (hasCap(facts.capEff, HostCheck::capSysPtrace))
        held << u"CAP_SYS_PTRACE"_s;
    QString message = tr("Running as uid %1. ").arg(*facts.effectiveUid);
    if (!held.isEmpty() && !facts.perfPrivileged && !facts.ptracePrivileged) {
        message += tr("This process holds %1, but not as ambient capabilities, so magic-trace (started by it) will "
                      "not have them. ")
                       .arg(held.join(u", "_s));
    }
    message += facts.ptracePrivileged ? tr("Other users' processes can be traced (CAP_SYS_PTRACE). ")
                                      : tr("You can trace your own processes; other users' processes need root. ");
    message += tr("Kernel tracing needs root: magic-trace checks for uid 0 and ignores CAP_PERFMON.");
    findings.append(make("user.privileges", Severity::Info, message));
}

void judgeEnvironment(const HostFacts& facts, QList<Finding>& findings)
{
    if (facts.container.isEmpty()) {
        findings.append(make("environment.container", Severity::Ok, tr("Not running inside a container.")));
    } else {
        findings.append(make("environment.container", Severity::Warning,
            tr("Running inside a %1 container (%2): container runtimes usually block perf_event_open (seccomp, "
               "missing CAP_PERFMON), and only processes of this container can be traced; their symbols may not be "
               "found (magic-trace issue #307).")
                .arg(facts.container, facts.containerEvidence),
            u"docker run --cap-add PERFMON --cap-add SYS_PTRACE --security-opt seccomp=unconfined ...\n"
            "# or run Magic Trace Studio on the host instead"_s,
            tr("These options let the container's processes use the kernel's performance monitoring and ptrace "
               "interfaces and drop the system-call filter, which weakens the container's isolation.")));
    }
    if (!facts.tmpDirWritable) {
        findings.append(make("environment.tmpdir", Severity::Warning,
            tr("The temporary directory %1 is not writable; magic-trace keeps perf data there while it records and "
               "fails with \"Read-only file system\" or \"Permission denied\".")
                .arg(facts.tmpDir),
            u"mkdir -p ~/.cache/tmp && export TMPDIR=~/.cache/tmp"_s));
    }
}

void judgeTargets(const HostCheckOptions& options, QList<Finding>& findings)
{
    for (const qint64 pid : options.targetPids) {
        const TargetAccess::Verdict verdict = TargetAccess::check(pid, options.procRoot);
        findings.append(verdict.traceable
                ? make("target.access", Severity::Ok, tr("Process %1 can be traced by this user.").arg(pid))
                : make("target.access", Severity::Blocker,
                    tr("Process %1 cannot be traced: %2").arg(pid).arg(verdict.reason)));
    }
}

} // namespace

HostCheckOptions HostCheckOptions::fromEnvironment()
{
    HostCheckOptions options;
    if (qEnvironmentVariableIsSet("MTS_PROC_ROOT"))
        options.procRoot = qEnvironmentVariable("MTS_PROC_ROOT");
    if (qEnvironmentVariableIsSet("MTS_SYS_ROOT"))
        options.sysRoot = qEnvironmentVariable("MTS_SYS_ROOT");
    if (qEnvironmentVariableIsSet("MTS_FS_ROOT"))
        options.fsRoot = qEnvironmentVariable("MTS_FS_ROOT");
    return options;
}

QJsonObject HostFacts::toJson() const
{
    auto optionalInt = [](const std::optional<int>& value) { return value ? QJsonValue(*value) : QJsonValue(); };
    return QJsonObject {
        { u"intelPt"_s, intelPt },
        { u"psbCyc"_s, psbCyc ? QJsonValue(*psbCyc) : QJsonValue() },
        { u"hardwareCounters"_s, hardwareCounters },
        { u"cpuVendor"_s, cpuVendor },
        { u"hypervisor"_s, hypervisor },
        { u"perfPath"_s, perfPath },
        { u"perfVersion"_s, perfVersion.isNull() ? QJsonValue() : QJsonValue(perfVersion.toString()) },
        { u"perfProblem"_s, perfProblem.isEmpty() ? QJsonValue() : QJsonValue(perfProblem) },
        { u"perfEventParanoid"_s, optionalInt(perfEventParanoid) },
        { u"perfEventMlockKb"_s, optionalInt(perfEventMlockKb) },
        { u"kptrRestrict"_s, optionalInt(kptrRestrict) },
        { u"ptraceScope"_s, optionalInt(ptraceScope) },
        { u"effectiveUid"_s, effectiveUid ? QJsonValue(qint64(*effectiveUid)) : QJsonValue() },
        { u"capEff"_s, QString::number(capEff, 16) },
        { u"capAmb"_s, QString::number(capAmb, 16) },
        { u"perfPrivileged"_s, perfPrivileged },
        { u"ptracePrivileged"_s, ptracePrivileged },
        { u"container"_s, container.isEmpty() ? QJsonValue() : QJsonValue(container) },
        { u"tmpDir"_s, tmpDir },
        { u"distribution"_s, distribution },
    };
}

const Finding* HostReport::find(const QString& id) const
{
    for (const Finding& finding : findings) {
        if (finding.id == id)
            return &finding;
    }
    return nullptr;
}

QJsonObject HostReport::toJson() const
{
    QJsonArray list;
    for (const Finding& finding : findings)
        list.append(finding.toJson());
    return QJsonObject { { u"canTrace"_s, canTrace() }, { u"findings"_s, list }, { u"facts"_s, facts.toJson() } };
}

struct HostCheck::Private
{
    HostCheckOptions options;
    QFutureWatcher<HostReport> watcher;
    bool running = false;
};

HostCheck::HostCheck(QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    qRegisterMetaType<HostReport>();
    connect(&d->watcher, &QFutureWatcher<HostReport>::finished, this, [this] {
        d->running = false;
        Q_EMIT finished(d->watcher.result());
    });
}

HostCheck::~HostCheck()
{
    d->watcher.waitForFinished();
}

void HostCheck::setOptions(const HostCheckOptions& options)
{
    d->options = options;
}

HostCheckOptions HostCheck::options() const
{
    return d->options;
}

bool HostCheck::isRunning() const
{
    return d->running;
}

void HostCheck::start()
{
    if (d->running)
        return; // the running check will report
    d->running = true;
    d->watcher.setFuture(QtConcurrent::run(&HostCheck::run, d->options));
}

HostReport HostCheck::run(const HostCheckOptions& options)
{
    HostReport report;
    HostFacts& facts = report.facts;
    readProcessor(options, facts);
    readPerf(options, facts);
    readKernelSettings(options, facts);
    readUser(options, facts);
    readEnvironment(options, facts);

    judgeMagicTrace(options, report.findings);
    judgeProcessor(options, facts, report.findings);
    judgePerf(options, facts, report.findings);
    judgeKernelSettings(facts, report.findings);
    judgeUser(facts, report.findings);
    judgeEnvironment(facts, report.findings);
    judgeTargets(options, report.findings);
    return report;
}
