// SPDX-License-Identifier: MIT
#include "host/targetaccess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace TargetAccess;

Q_DECLARE_METATYPE(TargetAccess::Tracer)
Q_DECLARE_METATYPE(TargetAccess::Target)

namespace {

Tracer user(uint uid, quint64 caps = 0)
{
    Tracer t;
    t.pid = 4242;
    for (uint& id : t.uid)
        id = uid;
    for (uint& id : t.gid)
        id = uid;
    t.capPermitted = t.capEffective = caps;
    t.perfEventParanoid = 2;
    return t;
}

Target process(uint uid, ExeAccess exe = ExeAccess::Readable, char state = 'S')
{
    Target t;
    t.pid = 100;
    t.state = state;
    t.hasCredentials = true;
    for (uint& id : t.uid)
        id = uid;
    for (uint& id : t.gid)
        id = uid;
    t.exe = exe;
    t.ownerName = u"user%1"_s.arg(uid);
    return t;
}

bool writeFile(const QString& path, const QByteArray& data)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

QByteArray statLine(qint64 pid, const QByteArray& comm, char state, quint32 flags = 0)
{
    return QByteArray::number(pid) + " (" + comm + ") " + state + " 1 1 1 0 -1 " + QByteArray::number(flags)
        + " 0 0 0 0 5 7 0 0 20 0 3 0 12345 1000000 250 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0\n";
}

QByteArray statusText(uint uid, quint64 capPrm = 0)
{
    const QByteArray u = QByteArray::number(uid);
    return "Name:\tx\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t100\nUid:\t" + u + '\t' + u + '\t' + u + '\t' + u
        + "\nGid:\t" + u + '\t' + u + '\t' + u + '\t' + u + "\nThreads:\t3\nCapInh:\t0000000000000000\nCapPrm:\t"
        + QByteArray::number(capPrm, 16).rightJustified(16, '0') + "\nCapEff:\t0000000000000000\n";
}

} // namespace

class TestTargetAccess : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseStat_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QByteArray>("comm");
        QTest::addColumn<char>("state");
        QTest::addColumn<qint64>("ppid");
        QTest::addColumn<quint64>("startTime");
        QTest::addColumn<qint64>("rss");

        const QByteArray tail = " 1 1 1 0 -1 4194560 0 0 0 0 5 7 0 0 20 0 3 0 12345 1000000 250 18446744073709551615\n";
        QTest::newRow("plain") << ("17 (bash) S" + tail) << true << QByteArray("bash") << 'S' << qint64(1)
                               << quint64(12345) << qint64(250);
        QTest::newRow("spaces") << ("17 (Web Content) R" + tail) << true << QByteArray("Web Content") << 'R'
                                << qint64(1) << quint64(12345) << qint64(250);
        QTest::newRow("parens and spaces") << ("17 (a) (b) ) ( x) Z" + tail) << true << QByteArray("a) (b) ) ( x")
                                           << 'Z' << qint64(1) << quint64(12345) << qint64(250);
        QTest::newRow("newline in comm") << ("17 (a\nb) S" + tail) << true << QByteArray("a\nb") << 'S' << qint64(1)
                                         << quint64(12345) << qint64(250);
        QTest::newRow("empty comm") << ("17 () S" + tail) << true << QByteArray() << 'S' << qint64(1) << quint64(12345)
                                    << qint64(250);
        QTest::newRow("truncated") << QByteArray("17 (bash) S 1 1 1 0") << false << QByteArray() << 'S' << qint64(0)
                                   << quint64(0) << qint64(0);
        QTest::newRow("no parens") << QByteArray("17 bash S 1 2 3") << false << QByteArray() << '?' << qint64(0)
                                   << quint64(0) << qint64(0);
        QTest::newRow("empty") << QByteArray() << false << QByteArray() << '?' << qint64(0) << quint64(0) << qint64(0);
        QTest::newRow("no pid") << ("(bash) S" + tail) << false << QByteArray() << '?' << qint64(0) << quint64(0)
                                << qint64(0);
        QTest::newRow("double space") << ("17 (bash) S  1 1 1 0 -1" + tail) << false << QByteArray() << '?' << qint64(0)
                                      << quint64(0) << qint64(0);
    }
    void parseStat()
    {
        QFETCH(QByteArray, line);
        QFETCH(bool, ok);
        StatFields stat;
        QCOMPARE(TargetAccess::parseStat(line, &stat), ok);
        if (!ok)
            return;
        QFETCH(QByteArray, comm);
        QFETCH(char, state);
        QFETCH(qint64, ppid);
        QFETCH(quint64, startTime);
        QFETCH(qint64, rss);
        QCOMPARE(stat.pid, qint64(17));
        QCOMPARE(stat.comm, comm);
        QCOMPARE(stat.state, state);
        QCOMPARE(stat.ppid, ppid);
        QCOMPARE(stat.flags, quint32(4194560));
        QCOMPARE(stat.userTicks, quint64(5));
        QCOMPARE(stat.systemTicks, quint64(7));
        QCOMPARE(stat.threads, 3);
        QCOMPARE(stat.startTime, startTime);
        QCOMPARE(stat.rssPages, rss);
    }

    void parseStatFuzz()
    {
        // Every prefix and a few mutations of a valid line: parsing must never read out of bounds or crash.
        const QByteArray line = statLine(5, "a) (b", 'S');
        for (qsizetype i = 0; i <= line.size(); ++i) {
            StatFields stat;
            TargetAccess::parseStat(QByteArrayView(line.constData(), i), &stat);
            QByteArray mutated = line;
            if (i < mutated.size()) {
                mutated[i] = ')';
                TargetAccess::parseStat(mutated, &stat);
                mutated[i] = '\0';
                TargetAccess::parseStat(mutated, &stat);
            }
        }
    }

    void parseStatus()
    {
        const StatusFields s = TargetAccess::parseStatus(
            "Name:\tWeb Content\nPid:\t77\nUid:\t1000\t0\t1001\t1002\nGid:\t5\t6\t7\t8\nThreads:\t12\n"
            "CapPrm:\t0000000000080000\nCapEff:\t000001fffeffffff\nbroken line\n:\n");
        QCOMPARE(s.name, QByteArray("Web Content"));
        QCOMPARE(s.pid, qint64(77));
        QVERIFY(s.hasUid && s.hasGid);
        QCOMPARE(s.uid[0], 1000u);
        QCOMPARE(s.uid[1], 0u);
        QCOMPARE(s.uid[2], 1001u);
        QCOMPARE(s.uid[3], 1002u);
        QCOMPARE(s.gid[3], 8u);
        QCOMPARE(s.threads, 12);
        QCOMPARE(s.capPermitted, quint64(1) << CapSysPtrace);
        QCOMPARE(s.capEffective, quint64(0x000001fffeffffff));
        QVERIFY(!TargetAccess::parseStatus("Name:\tx\n").hasUid);
    }

    void evaluate_data()
    {
        QTest::addColumn<Tracer>("tracer");
        QTest::addColumn<Target>("target");
        QTest::addColumn<bool>("traceable");
        QTest::addColumn<QString>("reasonContains");

        const quint64 ptrace = quint64(1) << CapSysPtrace;
        QTest::newRow("same user") << user(1000) << process(1000) << true << QString();
        QTest::newRow("other user") << user(1000) << process(0) << false << u"Owned by user0"_s;
        QTest::newRow("other user, CAP_SYS_PTRACE") << user(1000, ptrace) << process(0) << true << QString();
        QTest::newRow("root") << user(0, 0x000001fffeffffff) << process(1000) << true << QString();
        QTest::newRow("root without CAP_SYS_PTRACE") << user(0) << process(1000) << false << u"Owned by"_s;

        Target setuid = process(1000);
        setuid.uid[1] = 0;
        QTest::newRow("set-user-ID") << user(1000) << setuid << false << u"set-user-ID"_s;
        Target setgid = process(1000);
        setgid.gid[2] = 42;
        QTest::newRow("set-group-ID") << user(1000) << setgid << false << u"set-group-ID"_s;
        Target fsuid = process(1000);
        fsuid.uid[3] = 0; // the kernel does not compare the target's fsuid
        QTest::newRow("target fsuid differs") << user(1000) << fsuid << true << QString();
        Target caps = process(1000);
        caps.capPermitted = quint64(1) << 13; // CAP_NET_RAW
        QTest::newRow("file capabilities") << user(1000) << caps << false << u"capabilities"_s;
        QTest::newRow("file capabilities, privileged") << user(1000, ptrace) << caps << true << QString();

        QTest::newRow("not dumpable") << user(1000) << process(1000, ExeAccess::Denied) << false << u"dumpable"_s;
        QTest::newRow("denied while privileged")
            << user(0, ptrace) << process(1000, ExeAccess::Denied) << false << u"security module"_s;
        QTest::newRow("no executable") << user(1000) << process(1000, ExeAccess::Missing) << false << u"exe"_s;
        QTest::newRow("zombie") << user(1000) << process(1000, ExeAccess::Missing, 'Z') << false << u"Zombie"_s;
        QTest::newRow("zombie, root") << user(0, 0x000001fffeffffff) << process(1000, ExeAccess::Missing, 'Z') << false
                                      << u"Zombie"_s;
        Target kthread = process(0, ExeAccess::Missing);
        kthread.kernelThread = true;
        QTest::newRow("kernel thread, root") << user(0, 0x000001fffeffffff) << kthread << false << u"Kernel thread"_s;
        Target self = process(1000);
        self.pid = 4242;
        QTest::newRow("ourselves") << user(1000) << self << false << u"Magic Trace Studio itself"_s;

        Target unknown = process(0, ExeAccess::Denied);
        unknown.hasCredentials = false; // status unreadable: the exe check alone decides
        QTest::newRow("no status, exe denied") << user(1000) << unknown << false << u"denied"_s;

        Tracer paranoid = user(1000);
        paranoid.perfEventParanoid = 3;
        QTest::newRow("paranoid 3") << paranoid << process(1000) << false << u"perf_event_paranoid is 3"_s;
        Tracer paranoidPerfmon = paranoid;
        paranoidPerfmon.capEffective = quint64(1) << CapPerfmon;
        QTest::newRow("paranoid 3, CAP_PERFMON") << paranoidPerfmon << process(1000) << true << QString();
        Tracer yama = user(1000);
        yama.ptraceScope = 3; // only PTRACE_MODE_ATTACH is restricted by Yama; attaching with perf is a read
        QTest::newRow("yama 3 does not block attach") << yama << process(1000) << true << QString();
    }
    void evaluate()
    {
        QFETCH(Tracer, tracer);
        QFETCH(Target, target);
        QFETCH(bool, traceable);
        QFETCH(QString, reasonContains);
        const Verdict verdict = TargetAccess::evaluate(tracer, target);
        QCOMPARE(verdict.traceable, traceable);
        if (traceable)
            QVERIFY(verdict.reason.isEmpty());
        else
            QVERIFY2(verdict.reason.contains(reasonContains), qPrintable(verdict.reason));
    }

    void launchBlocked()
    {
        Tracer tracer = user(1000);
        QVERIFY(launchBlockedReason(tracer).isEmpty());
        tracer.ptraceScope = 2;
        QVERIFY(launchBlockedReason(tracer).isEmpty());
        tracer.ptraceScope = 3;
        QVERIFY(launchBlockedReason(tracer).contains(u"ptrace_scope is 3"));
    }

    void fakeTree()
    {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString r = root.path();
        QVERIFY(writeFile(r + u"/self/status", statusText(1000).replace("Pid:\t100", "Pid:\t4242")));
        QVERIFY(writeFile(r + u"/sys/kernel/yama/ptrace_scope", "1\n"));
        QVERIFY(writeFile(r + u"/sys/kernel/perf_event_paranoid", "3\n"));
        // 100: ours, with an executable; 200: root's, exe unreadable; 2: a kernel thread; 300: a zombie.
        QVERIFY(writeFile(r + u"/100/stat", statLine(100, "my app", 'S')));
        QVERIFY(writeFile(r + u"/100/status", statusText(1000)));
        QVERIFY(QFile::link(u"/usr/bin/true"_s, r + u"/100/exe"));
        QVERIFY(writeFile(r + u"/200/stat", statLine(200, "sshd", 'S')));
        QVERIFY(writeFile(r + u"/200/status", statusText(0)));
        QVERIFY(writeFile(r + u"/2/stat", statLine(2, "kthreadd", 'S', PfKthread)));
        QVERIFY(writeFile(r + u"/2/status", statusText(0)));
        QVERIFY(writeFile(r + u"/300/stat", statLine(300, "defunct", 'Z')));
        QVERIFY(writeFile(r + u"/300/status", statusText(1000)));

        QString error;
        const std::optional<Tracer> tracer = readTracer(r, &error);
        QVERIFY2(tracer, qPrintable(error));
        QCOMPARE(tracer->pid, qint64(4242));
        QCOMPARE(tracer->uid[0], 1000u);
        QCOMPARE(tracer->ptraceScope, 1);
        QCOMPARE(tracer->perfEventParanoid, 3);

        const std::optional<Target> mine = readTarget(r, 100, &error);
        QVERIFY2(mine, qPrintable(error));
        QCOMPARE(mine->exe, ExeAccess::Readable);
        QCOMPARE(mine->state, 'S');
        QVERIFY(!mine->kernelThread);
        QVERIFY(mine->hasCredentials);

        // paranoid 3 on this fake host refuses even our own process; the sysctl is read from the fake tree.
        QVERIFY(check(100, r).reason.contains(u"perf_event_paranoid is 3"));
        QVERIFY(writeFile(r + u"/sys/kernel/perf_event_paranoid", "1\n"));
        QVERIFY(check(100, r).traceable);
        QVERIFY(check(200, r).reason.contains(u"Owned by"));
        QVERIFY(check(2, r).reason.contains(u"Kernel thread"));
        QVERIFY(check(300, r).reason.contains(u"Zombie"));
        const Verdict gone = check(999, r);
        QVERIFY(!gone.traceable);
        QVERIFY(gone.reason.contains(u"no process 999"));
        QVERIFY(!readTarget(r, -1, &error));
        QVERIFY(!readTracer(r + u"/nowhere", &error));
        QVERIFY(error.contains(u"self/status"));
    }

    void realProc()
    {
        const Tracer me = currentTracer();
        QCOMPARE(me.pid, qint64(::getpid()));
        QCOMPARE(me.uid[0], uint(::getuid()));
        const Verdict self = check(::getpid());
        QVERIFY(!self.traceable);
        QVERIFY(self.reason.contains(u"itself"));

        QProcess child;
        child.start(u"sleep"_s, { u"30"_s });
        QVERIFY(child.waitForStarted(10000));
        QString error;
        const std::optional<Target> target = readTarget(u"/proc"_s, child.processId(), &error);
        QVERIFY2(target, qPrintable(error));
        QVERIFY(target->hasCredentials);
        QCOMPARE(target->uid[0], me.uid[0]);
        QCOMPARE(target->exe, ExeAccess::Readable);
        const Verdict verdict = check(child.processId());
        if (me.perfEventParanoid <= 2 || me.canUsePerfUnrestricted())
            QVERIFY2(verdict.traceable, qPrintable(verdict.reason));
        child.kill();
        QVERIFY(child.waitForFinished(10000));
        QVERIFY(!check(child.processId()).traceable);
    }

    void userNames()
    {
        QCOMPARE(userName(0), u"root"_s);
        QCOMPARE(userName(4'000'000'000u), u"4000000000"_s);
    }
};

QTEST_GUILESS_MAIN(TestTargetAccess)
#include "tst_targetaccess.moc"
