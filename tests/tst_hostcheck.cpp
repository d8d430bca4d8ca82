// SPDX-License-Identifier: MIT
// HostCheck against fake /proc, /sys and / trees built per test row from a machine that can trace, changed in one
// respect at a time.
#include "host/hostcheck.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Severity = Finding::Severity;
using StringMap = QMap<QString, QString>;

namespace {

const char* const intelCpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) "
                                 "i7-8700\nflags\t\t: fpu vme de pse tsc msr intel_pt\n\nprocessor\t: 1\n";
const char* const amdCpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu vme de pse\n";
const char* const vmCpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse hypervisor\n";

QString status(uint uid, quint64 capEff, quint64 capAmb)
{
    return u"Name:\ttst\nUmask:\t0022\nUid:\t%1\t%1\t%1\t%1\nGid:\t%1\t%1\t%1\t%1\nCapInh:\t0000000000000000\n"
           "CapPrm:\t%2\nCapEff:\t%2\nCapBnd:\t000001ffffffffff\nCapAmb:\t%3\n"_s.arg(uid)
               .arg(capEff, 16, 16, QLatin1Char('0'))
               .arg(capAmb, 16, 16, QLatin1Char('0'));
}

constexpr quint64 perfmon = quint64(1) << HostCheck::capPerfmon;

// A Debian machine with Intel PT, perf 5.15, paranoid 2, a normal user, magic-trace v1.2.4: everything works.
QMap<QString, QString> goodMachine()
{
    return {
        { u"sys/bus/event_source/devices/intel_pt/type"_s, u"8"_s },
        { u"sys/bus/event_source/devices/intel_pt/caps/psb_cyc"_s, u"1"_s },
        { u"sys/bus/event_source/devices/cpu/type"_s, u"4"_s },
        { u"proc/cpuinfo"_s, QString::fromLatin1(intelCpuinfo) },
        { u"proc/sys/kernel/perf_event_paranoid"_s, u"2\n"_s },
        { u"proc/sys/kernel/perf_event_mlock_kb"_s, u"516\n"_s },
        { u"proc/sys/kernel/kptr_restrict"_s, u"0\n"_s },
        { u"proc/sys/kernel/yama/ptrace_scope"_s, u"1\n"_s },
        { u"proc/self/status"_s, status(1000, 0, 0) },
        { u"proc/1/cgroup"_s, u"0::/init.scope\n"_s },
        { u"proc/1/comm"_s, u"systemd\n"_s },
        { u"fs/etc/os-release"_s, u"PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nID=debian\n"_s },
        { u"bin/perf"_s, u"#!/bin/sh\necho 'perf version 5.15.0'\n"_s },
        { u"tmp/.keep"_s, QString() },
    };
}

MagicTraceLocation magicTraceAt(const QString& spec)
{
    MagicTraceLocation location;
    if (spec == u"none"_s)
        return location;
    QString versionText = spec.isEmpty() ? u"v1.2.4"_s : spec;
    if (spec == u"configured-broken"_s) {
        MagicTraceCandidate broken;
        broken.path = u"/opt/custom/magic-trace"_s;
        broken.source = MagicTraceCandidate::Source::Settings;
        broken.status = MagicTraceCandidate::Status::NotMagicTrace;
        broken.problem = u"/opt/custom/magic-trace -version printed \"hello\""_s;
        location.candidates.append(broken);
        versionText = u"v1.2.4"_s;
    }
    MagicTraceCandidate good;
    good.path = u"/usr/local/bin/magic-trace"_s;
    good.status = MagicTraceCandidate::Status::Ok;
    good.versionText = versionText;
    good.version = MagicTraceLocator::parseVersionOutput(versionText).value_or(MagicTraceVersion());
    location.candidates.append(good);
    return location;
}

} // namespace

class TestHostCheck : public QObject
{
    Q_OBJECT
private:
    // Writes the good machine with `changes` applied ("path" → content; an empty QString() content with a
    // leading '-' in the key deletes) and returns options pointing at it.
    static HostCheckOptions buildTree(const QTemporaryDir& dir, const QMap<QString, QString>& changes,
        const QString& magicTrace, const QMap<QString, QString>& environment)
    {
        QMap<QString, QString> files = goodMachine();
        for (auto it = changes.begin(); it != changes.end(); ++it) {
            if (it.key().startsWith(u'-')) {
                const QString prefix = it.key().mid(1);
                for (auto f = files.begin(); f != files.end();)
                    f = f.key().startsWith(prefix) ? files.erase(f) : std::next(f);
            } else {
                files.insert(it.key(), it.value());
            }
        }
        for (auto it = files.begin(); it != files.end(); ++it) {
            const QString path = dir.filePath(it.key());
            QDir().mkpath(QFileInfo(path).path());
            if (it.value().startsWith(u'@')) { // a symbolic link, e.g. /proc/PID/exe
                QFile::link(it.value().mid(1), path);
                continue;
            }
            QFile file(path);
            if (!file.open(QIODevice::WriteOnly))
                qFatal("cannot write %s", qPrintable(path));
            file.write(it.value().toUtf8());
            file.close();
            if (it.value().startsWith(u"#!"_s))
                file.setPermissions(file.permissions() | QFileDevice::ExeOwner);
        }
        HostCheckOptions options;
        options.procRoot = dir.filePath(u"proc"_s);
        options.sysRoot = dir.filePath(u"sys"_s);
        options.fsRoot = dir.filePath(u"fs"_s);
        options.perfTimeoutMs = 1500;
        QProcessEnvironment env;
        env.insert(u"PATH"_s, dir.filePath(u"bin"_s));
        env.insert(u"TMPDIR"_s, dir.filePath(u"tmp"_s));
        for (auto it = environment.begin(); it != environment.end(); ++it)
            env.insert(it.key(), QString(it.value()).replace(u"$ROOT"_s, dir.path()));
        options.environment = env;
        options.magicTrace = magicTraceAt(magicTrace);
        return options;
    }

private Q_SLOTS:
    void goodMachineCanTrace()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const HostReport report = HostCheck::run(buildTree(dir, {}, {}, {}));
        for (const Finding& finding : report.findings) {
            QVERIFY2(finding.severity == Severity::Ok || finding.severity == Severity::Info,
                qPrintable(finding.id + u": "_s + finding.message));
        }
        QVERIFY(report.canTrace());
        QCOMPARE(report.facts.perfVersion, QVersionNumber(5, 15, 0));
        QCOMPARE(report.facts.perfEventParanoid, 2);
        QCOMPARE(report.facts.effectiveUid, 1000u);
        QVERIFY(report.facts.intelPt);
        QCOMPARE(report.facts.distribution, u"debian"_s);
        // Every check speaks, once.
        QStringList ids;
        for (const Finding& finding : report.findings)
            ids << finding.id;
        for (const QString& id : { u"magic-trace.found"_s, u"intel-pt.present"_s, u"intel-pt.timing"_s, u"perf.found"_s,
                 u"perf.paranoid"_s, u"perf.mlock"_s, u"kernel.kptr-restrict"_s, u"kernel.ptrace-scope"_s,
                 u"user.privileges"_s, u"environment.container"_s }) {
            QCOMPARE(ids.count(id), 1);
        }
    }

    void finding_data()
    {
        QTest::addColumn<StringMap>("changes");
        QTest::addColumn<QString>("magicTrace");
        QTest::addColumn<StringMap>("environment");
        QTest::addColumn<QString>("id");
        QTest::addColumn<int>("severity"); // -1: the finding must be absent
        QTest::addColumn<QString>("mentions");
        QTest::addColumn<QString>("fixMentions");
        QTest::addColumn<bool>("canTrace");
        using Files = QMap<QString, QString>;
        using Env = QMap<QString, QString>;
        const int ok = int(Severity::Ok), info = int(Severity::Info), warning = int(Severity::Warning),
                  blocker = int(Severity::Blocker), absent = -1;
        const QString noPt = u"-sys/bus/event_source/devices/intel_pt"_s;
        const QString paranoid = u"proc/sys/kernel/perf_event_paranoid"_s;
        const QString perf = u"bin/perf"_s;

        // Processor
        QTest::newRow("AMD") << Files { { noPt, {} }, { u"proc/cpuinfo"_s, QString::fromLatin1(amdCpuinfo) } }
                             << QString() << Env {} << u"intel-pt.missing"_s << blocker << u"AMD processor"_s
                             << u"physical Intel machine"_s << false;
        QTest::newRow("VM") << Files { { noPt, {} }, { u"proc/cpuinfo"_s, QString::fromLatin1(vmCpuinfo) } }
                            << QString() << Env {} << u"intel-pt.missing"_s << blocker << u"virtual machine"_s
                            << u"host"_s << false;
        QTest::newRow("no PT, no counters")
            << Files { { noPt, {} }, { u"-sys/bus/event_source/devices/cpu"_s, {} } } << QString() << Env {}
            << u"intel-pt.missing"_s << blocker << u"no hardware performance counters"_s << u"Skylake"_s << false;
        QTest::newRow("no PT, v1.0.2 has no fallback")
            << Files { { noPt, {} } } << u"v1.0.2"_s << Env {} << u"intel-pt.missing"_s << blocker << u"is missing"_s
            << u"Skylake"_s << false;
        QTest::newRow("no psb_cyc") << Files { { u"sys/bus/event_source/devices/intel_pt/caps/psb_cyc"_s, u"0"_s } }
                                    << QString() << Env {} << u"intel-pt.timing"_s << warning << u"1 µs"_s << QString()
                                    << true;

        // perf
        QTest::newRow("perf missing, Debian")
            << Files { { u"-bin/perf"_s, {} } } << QString() << Env {} << u"perf.missing"_s << blocker
            << u"not installed"_s << u"sudo apt install linux-perf"_s << false;
        QTest::newRow("perf missing, Ubuntu")
            << Files { { u"-bin/perf"_s, {} }, { u"fs/etc/os-release"_s, u"ID=ubuntu\nID_LIKE=debian\n"_s } }
            << QString() << Env {} << u"perf.missing"_s << blocker << u"PATH"_s << u"linux-tools-$(uname -r)"_s
            << false;
        QTest::newRow("perf missing, Fedora")
            << Files { { u"-bin/perf"_s, {} }, { u"fs/etc/os-release"_s, u"ID=fedora\n"_s } } << QString() << Env {}
            << u"perf.missing"_s << blocker << u"PATH"_s << u"sudo dnf install perf"_s << false;
        QTest::newRow("Ubuntu wrapper without tools")
            << Files { { perf,
                   u"#!/bin/sh\necho 'WARNING: perf not found for kernel 5.15.0-91' >&2\necho '  You may need to "
                   "install linux-tools-5.15.0-91-generic' >&2\nexit 2\n"_s } }
            << QString() << Env {} << u"perf.broken"_s << blocker << u"perf not found for kernel 5.15.0-91"_s
            << u"apt install"_s << false;
        QTest::newRow("perf hangs") << Files { { perf, u"#!/bin/sh\nexec /bin/sleep 60\n"_s } } << QString() << Env {}
                                    << u"perf.broken"_s << blocker << u"did not answer"_s << QString() << false;
        QTest::newRow("unparseable perf version")
            << Files { { perf, u"#!/bin/sh\necho 'perf version '\n"_s } } << QString() << Env {}
            << u"perf.version-unknown"_s << blocker << u"cannot interpret"_s << QString() << false;
        QTest::newRow("perf 6 with v1.2.4")
            << Files { { perf, u"#!/bin/sh\necho 'perf version 6.12.43'\n"_s } } << QString() << Env {}
            << u"perf.too-new"_s << warning << u"#334"_s << u"MAGIC_TRACE_PERF_PATH"_s << true;
        QTest::newRow("perf 6 with master build")
            << Files { { perf, u"#!/bin/sh\necho 'perf version 6.12.43'\n"_s } } << u"v1.2.4-31-gd31ceba"_s << Env {}
            << u"perf.too-new"_s << absent << QString() << QString() << true;
        QTest::newRow("perf 5.15 with v1.2.4")
            << Files {} << QString() << Env {} << u"perf.too-new"_s << absent << QString() << QString() << true;
        QTest::newRow("perf 5.3") << Files { { perf, u"#!/bin/sh\necho 'perf version 5.3.18'\n"_s } } << QString()
                                  << Env {} << u"perf.old"_s << warning << u"older than 5.4"_s << QString() << true;
        QTest::newRow("MAGIC_TRACE_PERF_PATH used")
            << Files { { u"-bin/perf"_s, {} }, { u"other/perf-5"_s, u"#!/bin/sh\necho 'perf version 5.10.0'\n"_s } }
            << QString() << Env { { u"MAGIC_TRACE_PERF_PATH"_s, u"$ROOT/other/perf-5"_s } } << u"perf.found"_s << ok
            << u"MAGIC_TRACE_PERF_PATH"_s << QString() << true;
        QTest::newRow("MAGIC_TRACE_PERF_PATH ignored by v1.2.2")
            << Files { { u"other/perf-5"_s, u"#!/bin/sh\necho 'perf version 5.10.0'\n"_s } } << u"v1.2.2"_s
            << Env { { u"MAGIC_TRACE_PERF_PATH"_s, u"$ROOT/other/perf-5"_s } } << u"perf.env-ignored"_s << warning
            << u"since v1.2.3"_s << QString() << true;
        QTest::newRow("MAGIC_TRACE_PERF_PATH wrong")
            << Files {} << QString() << Env { { u"MAGIC_TRACE_PERF_PATH"_s, u"/nonexistent/perf"_s } }
            << u"perf.missing"_s << blocker << u"/nonexistent/perf"_s << QString() << false;

        // perf_event_paranoid
        QTest::newRow("paranoid 3 (Debian)")
            << Files { { paranoid, u"3\n"_s } } << QString() << Env {} << u"perf.paranoid"_s << blocker << u"is 3"_s
            << u"sudo sysctl kernel.perf_event_paranoid=2"_s << false;
        QTest::newRow("paranoid 4 (Ubuntu)")
            << Files { { paranoid, u"4\n"_s } } << QString() << Env {} << u"perf.paranoid"_s << blocker << u"is 4"_s
            << u"/etc/sysctl.d/"_s << false;
        QTest::newRow("paranoid -1") << Files { { paranoid, u"-1\n"_s } } << QString() << Env {} << u"perf.paranoid"_s
                                     << ok << u"is -1"_s << QString() << true;
        QTest::newRow("paranoid 4 as root")
            << Files { { paranoid, u"4\n"_s }, { u"proc/self/status"_s, status(0, 0x1ffffffffffull, 0) } } << QString()
            << Env {} << u"perf.paranoid"_s << ok << u"root"_s << QString() << true;
        QTest::newRow("paranoid 4, ambient CAP_PERFMON")
            << Files { { paranoid, u"4\n"_s }, { u"proc/self/status"_s, status(1000, perfmon, perfmon) } } << QString()
            << Env {} << u"perf.paranoid"_s << ok << u"does not restrict"_s << QString() << true;
        QTest::newRow("paranoid 4, CAP_PERFMON not inherited")
            << Files { { paranoid, u"4\n"_s }, { u"proc/self/status"_s, status(1000, perfmon, 0) } } << QString()
            << Env {} << u"perf.paranoid"_s << blocker << u"is 4"_s << QString() << false;
        QTest::newRow("capability not inherited is explained")
            << Files { { paranoid, u"4\n"_s }, { u"proc/self/status"_s, status(1000, perfmon, 0) } } << QString()
            << Env {} << u"user.privileges"_s << info << u"not as ambient"_s << QString() << false;
        QTest::newRow("no perf events in kernel")
            << Files { { u"-" + paranoid, {} } } << QString() << Env {} << u"perf.paranoid"_s << blocker
            << u"no perf events"_s << QString() << false;

        // Other kernel settings
        QTest::newRow("mlock small") << Files { { u"proc/sys/kernel/perf_event_mlock_kb"_s, u"128\n"_s } } << QString()
                                     << Env {} << u"perf.mlock"_s << warning << u"Permission error mapping pages"_s
                                     << u"sudo sysctl kernel.perf_event_mlock_kb=2048"_s << true;
        QTest::newRow("mlock small as root")
            << Files { { u"proc/sys/kernel/perf_event_mlock_kb"_s, u"128\n"_s },
                   { u"proc/self/status"_s, status(0, 0x1ffffffffffull, 0) } }
            << QString() << Env {} << u"perf.mlock"_s << ok << u"does not limit"_s << QString() << true;
        QTest::newRow("kptr_restrict 1") << Files { { u"proc/sys/kernel/kptr_restrict"_s, u"1\n"_s } } << QString()
                                         << Env {} << u"kernel.kptr-restrict"_s << info << u"root only"_s << QString()
                                         << true;
        QTest::newRow("kptr_restrict 2") << Files { { u"proc/sys/kernel/kptr_restrict"_s, u"2\n"_s } } << QString()
                                         << Env {} << u"kernel.kptr-restrict"_s << warning << u"even from root"_s
                                         << u"kernel.kptr_restrict=1"_s << true;
        QTest::newRow("ptrace_scope 2") << Files { { u"proc/sys/kernel/yama/ptrace_scope"_s, u"2\n"_s } } << QString()
                                        << Env {} << u"kernel.ptrace-scope"_s << warning << u"run mode"_s
                                        << u"kernel.yama.ptrace_scope=1"_s << true;
        QTest::newRow("ptrace_scope 2 as root")
            << Files { { u"proc/sys/kernel/yama/ptrace_scope"_s, u"2\n"_s },
                   { u"proc/self/status"_s, status(0, 0x1ffffffffffull, 0) } }
            << QString() << Env {} << u"kernel.ptrace-scope"_s << ok << u"is 2"_s << QString() << true;
        QTest::newRow("ptrace_scope 3") << Files { { u"proc/sys/kernel/yama/ptrace_scope"_s, u"3\n"_s } } << QString()
                                        << Env {} << u"kernel.ptrace-scope"_s << warning << u"until the next reboot"_s
                                        << u"reboot"_s << true;
        QTest::newRow("no Yama") << Files { { u"-proc/sys/kernel/yama"_s, {} } } << QString() << Env {}
                                 << u"kernel.ptrace-scope"_s << ok << u"not active"_s << QString() << true;

        // User
        QTest::newRow("root") << Files { { u"proc/self/status"_s, status(0, 0x1ffffffffffull, 0) } } << QString()
                              << Env {} << u"user.privileges"_s << info << u"root"_s << QString() << true;
        QTest::newRow("CAP_SYS_PTRACE ambient") << Files { { u"proc/self/status"_s,
            status(1000, quint64(1) << HostCheck::capSysPtrace, quint64(1) << HostCheck::capSysPtrace) } }
                                                << QString() << Env {} << u"user.privileges"_s << info
                                                << u"Other users' processes can be traced"_s << QString() << true;
        QTest::newRow("plain user") << Files {} << QString() << Env {} << u"user.privileges"_s << info
                                    << u"other users' processes need root"_s << QString() << true;

        // Environment
        QTest::newRow("docker") << Files { { u"fs/.dockerenv"_s, QString() } } << QString() << Env {}
                                << u"environment.container"_s << warning << u"docker container"_s
                                << u"--cap-add PERFMON"_s << true;
        QTest::newRow("podman") << Files { { u"fs/run/.containerenv"_s, QString() } } << QString() << Env {}
                                << u"environment.container"_s << warning << u"podman"_s << QString() << true;
        QTest::newRow("kubernetes cgroup")
            << Files { { u"proc/1/cgroup"_s, u"0::/kubepods/besteffort/pod1234/abcdef\n"_s } } << QString() << Env {}
            << u"environment.container"_s << warning << u"kubernetes"_s << QString() << true;
        QTest::newRow("nspawn variable") << Files {} << QString() << Env { { u"container"_s, u"systemd-nspawn"_s } }
                                         << u"environment.container"_s << warning << u"systemd-nspawn"_s << QString()
                                         << true;
        QTest::newRow("tini as PID 1") << Files { { u"proc/1/comm"_s, u"tini\n"_s } } << QString() << Env {}
                                       << u"environment.container"_s << warning << u"process 1 is \"tini\""_s
                                       << QString() << true;
        QTest::newRow("unknown PID 1") << Files { { u"proc/1/comm"_s, u"process_api\n"_s } } << QString() << Env {}
                                       << u"environment.container"_s << warning << u"probable container"_s << QString()
                                       << true;
        QTest::newRow("sysvinit PID 1") << Files { { u"proc/1/comm"_s, u"init\n"_s } } << QString() << Env {}
                                        << u"environment.container"_s << ok << u"Not running"_s << QString() << true;
        QTest::newRow("TMPDIR missing") << Files {} << QString() << Env { { u"TMPDIR"_s, u"$ROOT/nowhere"_s } }
                                        << u"environment.tmpdir"_s << warning << u"not writable"_s << u"TMPDIR"_s
                                        << true;

        // magic-trace
        QTest::newRow("magic-trace missing") << Files {} << u"none"_s << Env {} << u"magic-trace.missing"_s << blocker
                                             << u"not installed"_s << u"magic-trace-studio doctor --install"_s << false;
        QTest::newRow("magic-trace old") << Files {} << u"v1.0.2"_s << Env {} << u"magic-trace.old"_s << info
                                         << u"v1.2.0"_s << u"--install"_s << true;
        QTest::newRow("configured magic-trace broken")
            << Files {} << u"configured-broken"_s << Env {} << u"magic-trace.skipped"_s << warning
            << u"printed \"hello\""_s << QString() << true;
    }
    void finding()
    {
        QFETCH(StringMap, changes);
        QFETCH(QString, magicTrace);
        QFETCH(StringMap, environment);
        QFETCH(QString, id);
        QFETCH(int, severity);
        QFETCH(QString, mentions);
        QFETCH(QString, fixMentions);
        QFETCH(bool, canTrace);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const HostReport report = HostCheck::run(buildTree(dir, changes, magicTrace, environment));
        QString all;
        for (const Finding& f : report.findings)
            all += u"\n  "_s + Finding::severityName(f.severity) + u' ' + f.id + u": "_s + f.message;
        const Finding* finding = report.find(id);
        if (severity < 0) {
            QVERIFY2(!finding, qPrintable(all));
        } else {
            QVERIFY2(finding, qPrintable(all));
            QCOMPARE(Finding::severityName(finding->severity), Finding::severityName(Severity(severity)));
            QVERIFY2(finding->message.contains(mentions), qPrintable(finding->message));
            QVERIFY2(finding->fix.contains(fixMentions), qPrintable(finding->fix));
            if (finding->severity == Severity::Blocker && id != u"perf.broken"_s && id != u"perf.version-unknown"_s
                && id != u"perf.paranoid"_s)
                QVERIFY2(!finding->fix.isEmpty(), "a blocker says what to do");
            if (finding->fix.contains(u"sysctl"_s))
                QVERIFY2(!finding->security.isEmpty(), "a relaxed kernel setting says what it costs");
        }
        QCOMPARE(report.canTrace(), canTrace);
        QCOMPARE(report.toJson().value(u"canTrace"_s).toBool(), canTrace);
    }

    void targetAccess_data()
    {
        QTest::addColumn<uint>("owner");
        QTest::addColumn<bool>("exeLink");
        QTest::addColumn<qint64>("pid");
        QTest::addColumn<int>("severity");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("own process") << 1000u << true << qint64(4242) << int(Severity::Ok) << u"can be traced"_s;
        QTest::newRow("root's process") << 0u << true << qint64(4242) << int(Severity::Blocker) << u"needs root"_s;
        QTest::newRow("no executable") << 1000u << false << qint64(4242) << int(Severity::Blocker) << u"exe"_s;
        QTest::newRow("no such process") << 1000u << true << qint64(999999) << int(Severity::Blocker)
                                         << u"no process 999999"_s;
    }
    void targetAccess()
    {
        QFETCH(uint, owner);
        QFETCH(bool, exeLink);
        QFETCH(qint64, pid);
        QFETCH(int, severity);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        StringMap files { { u"proc/4242/stat"_s,
                              u"4242 (my worker) S 1 4242 4242 0 -1 4194304 100 0 0 0 5 3 0 0 20 0 1 0 123456 1000000 "
                              "200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"_s },
            { u"proc/4242/status"_s, status(owner, 0, 0) } };
        if (exeLink)
            files.insert(u"proc/4242/exe"_s, u"@/usr/bin/true"_s);
        HostCheckOptions options = buildTree(dir, files, {}, {});
        options.targetPids = { pid };
        const HostReport report = HostCheck::run(options);
        const Finding* finding = report.find(u"target.access"_s);
        QVERIFY(finding);
        QCOMPARE(Finding::severityName(finding->severity), Finding::severityName(Severity(severity)));
        QVERIFY2(finding->message.contains(mentions, Qt::CaseInsensitive), qPrintable(finding->message));
        QCOMPARE(report.canTrace(), severity == int(Severity::Ok));
    }

    void unreadableTreeGivesFindingsNotCrashes()
    {
        HostCheckOptions options;
        options.procRoot = u"/nonexistent/proc"_s;
        options.sysRoot = u"/nonexistent/sys"_s;
        options.fsRoot = u"/nonexistent"_s;
        options.environment = QProcessEnvironment();
        const HostReport report = HostCheck::run(options);
        QVERIFY(!report.canTrace());
        QVERIFY(report.find(u"intel-pt.missing"_s));
        QVERIFY(report.find(u"perf.missing"_s));
        QVERIFY(!report.find(u"magic-trace.missing"_s)); // not judged without a locator result
    }

    void garbageInFilesIsTolerated()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const HostReport report = HostCheck::run(buildTree(dir,
            { { u"proc/sys/kernel/perf_event_paranoid"_s, u"banana"_s }, { u"proc/self/status"_s, u"\x01\x02"_s },
                { u"proc/cpuinfo"_s, QString(100000, u':') } },
            {}, {}));
        QCOMPARE(report.find(u"perf.paranoid"_s)->severity, Severity::Blocker); // unreadable means unknown
        QVERIFY(!report.facts.effectiveUid.has_value());
    }

    void asynchronousCheckMatchesSynchronous()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const HostCheckOptions options
            = buildTree(dir, { { u"proc/sys/kernel/perf_event_paranoid"_s, u"3"_s } }, {}, {});
        HostCheck check;
        check.setOptions(options);
        QSignalSpy finished(&check, &HostCheck::finished);
        check.start();
        QVERIFY(check.isRunning());
        QVERIFY(finished.wait(20'000));
        QVERIFY(!check.isRunning());
        const auto report = finished.first().first().value<HostReport>();
        QCOMPARE(report.toJson(), HostCheck::run(options).toJson());
        QVERIFY(!report.canTrace());
    }

    void jsonShape()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QJsonObject json = HostCheck::run(buildTree(dir, {}, {}, {})).toJson();
        QVERIFY(json.value(u"canTrace"_s).isBool());
        const QJsonArray findings = json.value(u"findings"_s).toArray();
        QVERIFY(!findings.isEmpty());
        for (const QJsonValue& value : findings) {
            const QJsonObject finding = value.toObject();
            QVERIFY(!finding.value(u"id"_s).toString().isEmpty());
            QVERIFY(QStringList({ u"ok"_s, u"info"_s, u"warning"_s, u"blocker"_s })
                        .contains(finding.value(u"severity"_s).toString()));
            QVERIFY(!finding.value(u"message"_s).toString().isEmpty());
        }
        QCOMPARE(json.value(u"facts"_s).toObject().value(u"perfVersion"_s).toString(), u"5.15.0"_s);
        QCOMPARE(json.value(u"facts"_s).toObject().value(u"perfEventParanoid"_s).toInt(), 2);
    }

    // The real machine: whatever it is, the Intel PT verdict must agree with /sys.
    void realMachineIsConsistent()
    {
        const HostReport report = HostCheck::run(HostCheckOptions());
        const bool pt = QFileInfo::exists(u"/sys/bus/event_source/devices/intel_pt"_s);
        QCOMPARE(report.facts.intelPt, pt);
        QVERIFY(report.find(pt ? u"intel-pt.present"_s : u"intel-pt.missing"_s));
        QCOMPARE(report.facts.effectiveUid, uint(::geteuid()));
    }
};

QTEST_GUILESS_MAIN(TestHostCheck)
#include "tst_hostcheck.moc"
