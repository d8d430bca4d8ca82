// SPDX-License-Identifier: MIT
#include "fakeproctree.h"
#include "processes/processscanner.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTest>

#include <csignal>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using Proc = FakeProcTree::Proc;

namespace {

const ProcessInfo* findPid(const ProcessScan& scan, qint64 pid)
{
    for (const ProcessInfo& info : scan.processes) {
        if (info.pid == pid)
            return &info;
    }
    return nullptr;
}

Proc proc(qint64 pid, const QByteArray& comm, QList<QByteArray> argv = {})
{
    Proc p;
    p.pid = pid;
    p.comm = comm;
    p.argv = argv.isEmpty() ? QList<QByteArray> { "/usr/bin/" + comm } : argv;
    p.exe = "/usr/bin/" + comm;
    return p;
}

} // namespace

class TestProcessScanner : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fields()
    {
        FakeProcTree tree;
        Proc editor = proc(100, "editor", { "/usr/bin/editor", "--new-window", "file with spaces.txt" });
        editor.ppid = 42;
        editor.threads = 7;
        editor.rssPages = 1000;
        editor.startTime = 555;
        QVERIFY(tree.add(editor));
        Proc daemon = proc(200, "daemon");
        daemon.uid = 0;
        daemon.exe.clear(); // the kernel refuses to resolve another user's exe link
        QVERIFY(tree.add(daemon));
        Proc kthread = proc(2, "kthreadd");
        kthread.kernelThread = true;
        kthread.uid = 0;
        kthread.ppid = 0;
        QVERIFY(tree.add(kthread));
        QVERIFY(tree.add(proc(4242, "magic-trace-stu")));

        ProcessScanner scanner(tree.root(), FakeProcTree::tracer(1000, 4242));
        const ProcessScan scan = scanner.scan();
        QVERIFY(scan.ok);
        QCOMPARE(scan.processes.size(), 4);
        QCOMPARE(scan.processes.first().pid, qint64(2)); // sorted by PID
        QCOMPARE(scan.hidden, 0);
        QCOMPARE(scan.vanished, 0);

        const ProcessInfo* e = findPid(scan, 100);
        QVERIFY(e);
        QCOMPARE(e->ppid, qint64(42));
        QCOMPARE(e->name, u"editor"_s);
        QCOMPARE(e->arguments, QStringList({ u"/usr/bin/editor"_s, u"--new-window"_s, u"file with spaces.txt"_s }));
        QCOMPARE(e->commandLine(), u"/usr/bin/editor --new-window file with spaces.txt"_s);
        QCOMPARE(e->exePath, u"/usr/bin/editor"_s);
        QCOMPARE(e->uid, 1000u);
        QCOMPARE(e->threads, 7);
        QCOMPARE(e->rssBytes, qint64(1000) * ::sysconf(_SC_PAGESIZE));
        QCOMPARE(e->startTime, quint64(555));
        QCOMPARE(e->state, 'S');
        QVERIFY(e->isMine);
        QVERIFY(!e->isOwnProcess);
        QVERIFY(!e->kernelThread);
        QVERIFY2(e->traceable, qPrintable(e->reason));
        QVERIFY(e->reason.isEmpty());

        const ProcessInfo* d = findPid(scan, 200);
        QVERIFY(d);
        QCOMPARE(d->userName, u"root"_s);
        QVERIFY(!d->isMine);
        QVERIFY(!d->traceable);
        QVERIFY2(d->reason.contains(u"Owned by root"), qPrintable(d->reason));
        QVERIFY(d->exePath.isEmpty());

        const ProcessInfo* k = findPid(scan, 2);
        QVERIFY(k);
        QVERIFY(k->kernelThread);
        QVERIFY(k->arguments.isEmpty());
        QCOMPARE(k->commandLine(), u"[kthreadd]"_s);
        QVERIFY(!k->traceable);

        const ProcessInfo* self = findPid(scan, 4242);
        QVERIFY(self);
        QVERIFY(self->isOwnProcess);
        QVERIFY(!self->traceable);
    }

    void awkwardNames_data()
    {
        QTest::addColumn<QByteArray>("comm");
        QTest::addColumn<QList<QByteArray>>("argv");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("commandLine");

        QTest::newRow("parens and spaces") << QByteArray("a) (b") << QList<QByteArray> { "x" } << u"a) (b"_s << u"x"_s;
        QTest::newRow("trailing paren") << QByteArray("evil) S 1 2 3 )") << QList<QByteArray> { "evil" }
                                        << u"evil) S 1 2 3 )"_s << u"evil"_s;
        QTest::newRow("spaces") << QByteArray("Web Content") << QList<QByteArray> { "/usr/lib/firefox", "-content" }
                                << u"Web Content"_s << u"/usr/lib/firefox -content"_s;
        QTest::newRow("newline shown as ?")
            << QByteArray("two\nlines") << QList<QByteArray> { "x" } << u"two?lines"_s << u"x"_s;
        QTest::newRow("non-UTF-8") << QByteArray("caf\xe9") << QList<QByteArray> { "caf\xe9", "\xff\xfe" }
                                   << u"caf\ufffd"_s << u"caf\ufffd \ufffd\ufffd"_s;
        QTest::newRow("truncated comm repaired from argv[0]")
            << QByteArray("averylongprogra") << QList<QByteArray> { "/opt/bin/averylongprogramname", "-v" }
            << u"averylongprogramname"_s << u"/opt/bin/averylongprogramname -v"_s;
        QTest::newRow("short comm kept") << QByteArray("python3")
                                         << QList<QByteArray> { "/usr/bin/python3.12", "script.py" } << u"python3"_s
                                         << u"/usr/bin/python3.12 script.py"_s;
        QTest::newRow("empty argument") << QByteArray("x") << QList<QByteArray> { "x", "", "y" } << u"x"_s << u"x  y"_s;
        QTest::newRow("setproctitle, no NULs")
            << QByteArray("sshd") << QList<QByteArray> { "sshd: alice [priv]" } << u"sshd"_s << u"sshd: alice [priv]"_s;
    }
    void awkwardNames()
    {
        QFETCH(QByteArray, comm);
        QFETCH(QList<QByteArray>, argv);
        QFETCH(QString, name);
        QFETCH(QString, commandLine);
        FakeProcTree tree;
        QVERIFY(tree.add(proc(300, comm, argv)));
        ProcessScanner scanner(tree.root(), FakeProcTree::tracer());
        const ProcessScan scan = scanner.scan();
        QCOMPARE(scan.processes.size(), 1);
        const ProcessInfo& info = scan.processes.first();
        QCOMPARE(info.pid, qint64(300));
        QCOMPARE(info.name, name);
        QCOMPARE(info.commandLine(), commandLine);
        QCOMPARE(info.ppid, qint64(1));
        QCOMPARE(info.threads, 1);
    }

    void vanishingAndBroken()
    {
        FakeProcTree tree;
        QVERIFY(tree.add(proc(10, "alive")));
        // What a process that exits mid-scan looks like: listed, then its files are gone or half there.
        QVERIFY(QDir().mkpath(tree.pidDir(11))); // empty directory
        QVERIFY(tree.add(proc(12, "nostatus")));
        QVERIFY(QFile::remove(tree.pidDir(12) + u"/status"));
        QVERIFY(tree.add(proc(13, "nocmdline")));
        QVERIFY(QFile::remove(tree.pidDir(13) + u"/cmdline"));
        QVERIFY(tree.add(proc(14, "garbage")));
        QVERIFY(FakeProcTree::write(tree.pidDir(14) + u"/stat", "14 (garbage"));
        QVERIFY(tree.add(proc(15, "wrongpid")));
        QVERIFY(FakeProcTree::write(tree.pidDir(15) + u"/stat", FakeProcTree::statLine(proc(16, "x"))));
        QVERIFY(QDir().mkpath(tree.root() + u"/self")); // non-numeric entries are not processes
        QVERIFY(QDir().mkpath(tree.root() + u"/0"));
        QVERIFY(QDir().mkpath(tree.root() + u"/12a"));

        ProcessScanner scanner(tree.root(), FakeProcTree::tracer());
        const ProcessScan scan = scanner.scan();
        QVERIFY(scan.ok);
        QCOMPARE(scan.processes.size(), 1);
        QCOMPARE(scan.processes.first().pid, qint64(10));
        QCOMPARE(scan.vanished, 5);
        QCOMPARE(scan.hidden, 0);

        // A process whose exe link is gone (exiting) is still listed, but not traceable.
        QVERIFY(QFile::remove(tree.pidDir(10) + u"/exe"));
        QVERIFY(tree.add(proc(20, "exiting")));
        QVERIFY(QFile::remove(tree.pidDir(20) + u"/exe"));
        const ProcessScan again = scanner.scan();
        const ProcessInfo* exiting = findPid(again, 20);
        QVERIFY(exiting);
        QVERIFY(!exiting->traceable);
        QVERIFY(exiting->reason.contains(u"exe"));
    }

    void missingRoot()
    {
        ProcessScanner scanner(u"/nonexistent/proc"_s, FakeProcTree::tracer());
        const ProcessScan scan = scanner.scan();
        QVERIFY(!scan.ok);
        QVERIFY(scan.error.contains(u"/nonexistent/proc"));
        QVERIFY(scan.processes.isEmpty());
    }

    void permissionDenied()
    {
        // What hidepid=1 (or a security module) looks like: the PID directory is listed, its files refuse to open.
        FakeProcTree tree;
        QVERIFY(tree.add(proc(10, "visible")));
        QVERIFY(tree.add(proc(11, "hidden")));
        QVERIFY(QFile::setPermissions(tree.pidDir(11) + u"/stat", QFileDevice::Permissions()));
        auto scanAndCheck = [&tree]() {
            ProcessScanner scanner(tree.root(), FakeProcTree::tracer());
            const ProcessScan scan = scanner.scan();
            return scan.ok && scan.processes.size() == 1 && scan.processes.first().pid == 10 && scan.hidden == 1
                && scan.vanished == 0;
        };
        if (::geteuid() != 0) {
            QVERIFY(scanAndCheck());
            return;
        }
        // Root reads any file whatever its mode: scan as "nobody" in a child process.
        QVERIFY(QFile::setPermissions(tree.root(),
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadOther
                | QFileDevice::ExeOther));
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
                ::_exit(2);
            ::_exit(scanAndCheck() ? 0 : 1);
        }
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);
    }

    void pidReuse()
    {
        FakeProcTree tree;
        Proc first = proc(500, "first", { "first", "--old" });
        first.startTime = 1000;
        first.userTicks = 100;
        QVERIFY(tree.add(first));
        ProcessScanner scanner(tree.root(), FakeProcTree::tracer());
        const ProcessScan before = scanner.scan(0);

        QVERIFY(tree.remove(500));
        Proc second = proc(500, "second", { "second", "--new" });
        second.startTime = 2000;
        second.userTicks = 5; // fewer ticks than the old process: must not give a negative or huge CPU %
        QVERIFY(tree.add(second));
        const ProcessScan after = scanner.scan(1'000'000'000);
        QCOMPARE(after.processes.size(), 1);
        const ProcessInfo& info = after.processes.first();
        QCOMPARE(info.startTime, quint64(2000));
        QCOMPARE(info.name, u"second"_s);
        QCOMPARE(info.arguments, QStringList({ u"second"_s, u"--new"_s }));
        QCOMPARE(info.cpuPercent, 0.0);

        const ProcessDiff diff = ProcessDiff::between(before.processes, after.processes);
        QCOMPARE(diff.removed, QList<ProcessKey>({ ProcessKey { 500, 1000 } }));
        QCOMPARE(diff.added.size(), 1);
        QCOMPARE(diff.added.first().key(), (ProcessKey { 500, 2000 }));
        QVERIFY(diff.changed.isEmpty());
    }

    void execRereadsDetails()
    {
        FakeProcTree tree;
        Proc p = proc(600, "bash", { "bash" });
        QVERIFY(tree.add(p));
        ProcessScanner scanner(tree.root(), FakeProcTree::tracer());
        QCOMPARE(scanner.scan().processes.first().name, u"bash"_s);
        // exec keeps PID and start time; comm, cmdline and exe change.
        p.comm = "make";
        p.argv = { "make", "-j8" };
        p.exe = "/usr/bin/make";
        QVERIFY(tree.add(p));
        const ProcessInfo info = scanner.scan().processes.first();
        QCOMPARE(info.name, u"make"_s);
        QCOMPARE(info.commandLine(), u"make -j8"_s);
        QCOMPARE(info.exePath, u"/usr/bin/make"_s);
    }

    void zombies()
    {
        FakeProcTree tree;
        Proc p = proc(700, "worker", { "worker", "--job", "7" });
        QVERIFY(tree.add(p));
        ProcessScanner scanner(tree.root(), FakeProcTree::tracer());
        const ProcessScan alive = scanner.scan();
        QVERIFY(alive.processes.first().traceable);
        QCOMPARE(alive.processes.first().commandLine(), u"worker --job 7"_s);

        // It exits; its parent has not reaped it yet.
        p.state = 'Z';
        p.threads = 1;
        QVERIFY(tree.updateStat(p));
        const ProcessScan dead = scanner.scan();
        const ProcessInfo& zombie = dead.processes.first();
        QVERIFY(zombie.isZombie());
        QVERIFY(!zombie.traceable);
        QVERIFY(zombie.reason.contains(u"Zombie"));
        QCOMPARE(zombie.commandLine(), u"[worker] <defunct>"_s);

        // A zombie seen for the first time.
        Proc z = proc(701, "defunct");
        z.state = 'Z';
        QVERIFY(tree.add(z));
        const ProcessInfo* seen = findPid(scanner.scan(), 701);
        QVERIFY(seen);
        QVERIFY(!seen->traceable);
        QCOMPARE(seen->commandLine(), u"[defunct] <defunct>"_s);
    }

    void longCommandLines_data()
    {
        QTest::addColumn<int>("argumentBytes");
        QTest::newRow("100 kB") << 100 * 1024;
        QTest::newRow("1 MB") << 1024 * 1024;
        QTest::newRow("over the limit") << int(ProcessScanner::MaxCommandLineBytes) + 1000;
    }
    void longCommandLines()
    {
        QFETCH(int, argumentBytes);
        FakeProcTree tree;
        QByteArray big(argumentBytes, 'x');
        for (int i = 0; i < big.size(); i += 1000)
            big[i] = char('a' + (i / 1000) % 26);
        QVERIFY(tree.add(proc(800, "big", { "big", big, "tail" })));
        QVERIFY(tree.add(proc(801, "small", { "small" })));
        ProcessScanner scanner(tree.root(), FakeProcTree::tracer());
        const ProcessScan scan = scanner.scan();
        QCOMPARE(scan.processes.size(), 2);
        const ProcessInfo& info = scan.processes.first();
        if (4 + argumentBytes + 1 + 5 <= ProcessScanner::MaxCommandLineBytes) {
            QCOMPARE(info.arguments.size(), 3);
            QCOMPARE(info.arguments.at(1), QString::fromLatin1(big));
            QCOMPARE(info.arguments.at(2), u"tail"_s);
        } else {
            QCOMPARE(info.arguments.size(), 2); // cut inside the big argument
            QVERIFY(info.arguments.at(1).endsWith(u'\u2026'));
            QCOMPARE(info.arguments.at(1).size(), ProcessScanner::MaxCommandLineBytes - 4 + 1);
        }
        // The reused buffer does not leak into the next process.
        QCOMPARE(scan.processes.at(1).arguments, QStringList({ u"small"_s }));
    }

    void cpuPercent()
    {
        FakeProcTree tree;
        Proc busy = proc(900, "busy");
        Proc idle = proc(901, "idle");
        QVERIFY(tree.add(busy));
        QVERIFY(tree.add(idle));
        ProcessScanner scanner(tree.root(), FakeProcTree::tracer());
        const ProcessScan first = scanner.scan(0);
        for (const ProcessInfo& info : first.processes)
            QCOMPARE(info.cpuPercent, 0.0);

        const long hz = ::sysconf(_SC_CLK_TCK);
        busy.userTicks += quint64(hz); // one second of user time
        busy.systemTicks += quint64(hz) / 2; // and half a second of system time
        QVERIFY(tree.updateStat(busy));
        const ProcessScan second = scanner.scan(2'000'000'000); // two seconds later
        QCOMPARE(findPid(second, 900)->cpuPercent, 75.0);
        QCOMPARE(findPid(second, 901)->cpuPercent, 0.0);
        const ProcessDiff diff = ProcessDiff::between(first.processes, second.processes);
        QCOMPARE(diff.changed.size(), 1);
        QCOMPARE(diff.changed.first().pid, qint64(900));
        QVERIFY(diff.added.isEmpty());
        QVERIFY(diff.removed.isEmpty());
    }

    void fuzzTree()
    {
        // Random bytes in stat, status and cmdline: the scanner must not crash and must keep what parses.
        FakeProcTree tree;
        QRandomGenerator random(1234);
        for (int pid = 1; pid <= 200; ++pid) {
            QVERIFY(tree.add(proc(pid, "p")));
            const char* files[] = { "/stat", "/status", "/cmdline" };
            const QString file = tree.pidDir(pid) + QLatin1StringView(files[random.bounded(3)]);
            QFile f(file);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QByteArray data = f.readAll();
            f.close();
            for (int i = 0; i < 4 && !data.isEmpty(); ++i)
                data[random.bounded(int(data.size()))] = char(random.bounded(256));
            if (random.bounded(4) == 0)
                data.truncate(random.bounded(int(data.size()) + 1));
            QVERIFY(FakeProcTree::write(file, data));
        }
        ProcessScanner scanner(tree.root(), FakeProcTree::tracer());
        const ProcessScan scan = scanner.scan();
        QVERIFY(scan.ok);
        QCOMPARE(int(scan.processes.size()) + scan.vanished, 200);
        for (int i = 1; i < scan.processes.size(); ++i)
            QVERIFY(scan.processes.at(i - 1).key() < scan.processes.at(i).key());
    }

    void realProc()
    {
        const QString marker = u"mts-scanner-test-%1"_s.arg(QRandomGenerator::global()->generate());
        QProcess child;
        child.start(u"sh"_s, { u"-c"_s, u"read line; : "_s + marker });
        QVERIFY(child.waitForStarted(10000));
        const qint64 pid = child.processId();

        ProcessScanner scanner;
        ProcessScan scan = scanner.scan();
        QVERIFY(scan.ok);
        QVERIFY(scan.processes.size() > 3);
        const ProcessInfo* found = findPid(scan, pid);
        QVERIFY(found);
        QVERIFY(found->arguments.value(0).endsWith(u"sh")); // QProcess may pass the resolved path as argv[0]
        QCOMPARE(found->arguments.mid(1), QStringList({ u"-c"_s, u"read line; : "_s + marker }));
        QCOMPARE(found->ppid, qint64(::getpid()));
        QCOMPARE(found->uid, uint(::geteuid()));
        QVERIFY(found->isMine);
        QVERIFY(!found->exePath.isEmpty());
        QVERIFY(found->startTime > 0);
        QVERIFY(found->rssBytes > 0);
        const ProcessInfo* self = findPid(scan, ::getpid());
        QVERIFY(self);
        QVERIFY(self->isOwnProcess);
        QVERIFY(self->threads >= 1);

        const quint64 started = found->startTime;
        child.kill();
        QVERIFY(child.waitForFinished(10000));
        scan = scanner.scan();
        QVERIFY(!findPid(scan, pid) || findPid(scan, pid)->startTime != started);
    }

    // As root the scanner takes the effective uid from the owner of /proc/PID instead of reading status. That owner
    // is the effective uid even for a process that is not dumpable (whose files belong to root): check both, on the
    // first scan and after a setuid() between two scans (which also clears dumpability).
    void realProcEffectiveUid_data()
    {
        QTest::addColumn<uint>("uid");
        QTest::addColumn<bool>("dumpable");
        QTest::addColumn<bool>("changeBetweenScans");
        QTest::newRow("nobody, dumpable") << 65534u << true << false;
        QTest::newRow("nobody, not dumpable") << 65534u << false << false;
        QTest::newRow("root, not dumpable") << 0u << false << false;
        QTest::newRow("setuid to nobody between scans") << 65534u << false << true;
    }
    void realProcEffectiveUid()
    {
        QFETCH(uint, uid);
        QFETCH(bool, dumpable);
        QFETCH(bool, changeBetweenScans);
        if (::geteuid() != 0 || !TargetAccess::currentTracer().hasSysPtrace())
            QSKIP("needs root: the child changes its uid");
        int ready[2], go[2];
        QCOMPARE(::pipe(ready), 0);
        QCOMPARE(::pipe(go), 0);
        const pid_t parent = ::getpid();
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent)
                ::_exit(1);
            char byte = 0;
            auto become = [&] {
                if (uid != 0 && (::setresgid(uid, uid, uid) != 0 || ::setresuid(uid, uid, uid) != 0))
                    ::_exit(2);
                if (!dumpable)
                    ::prctl(PR_SET_DUMPABLE, 0);
            };
            if (!changeBetweenScans)
                become();
            if (::write(ready[1], "r", 1) != 1)
                ::_exit(3);
            if (changeBetweenScans) {
                if (::read(go[0], &byte, 1) != 1)
                    ::_exit(4);
                become();
                if (::write(ready[1], "r", 1) != 1)
                    ::_exit(3);
            }
            ::pause();
            ::_exit(0);
        }
        auto cleanup = qScopeGuard([&] {
            ::kill(child, SIGKILL);
            ::waitpid(child, nullptr, 0);
            for (int fd : { ready[0], ready[1], go[0], go[1] })
                ::close(fd);
        });
        char byte = 0;
        QCOMPARE(::read(ready[0], &byte, 1), ssize_t(1));

        ProcessScanner scanner;
        ProcessScan scan = scanner.scan();
        const ProcessInfo* found = findPid(scan, child);
        QVERIFY(found);
        if (changeBetweenScans) {
            QCOMPARE(found->uid, 0u);
            QCOMPARE(::write(go[1], "g", 1), ssize_t(1));
            QCOMPARE(::read(ready[0], &byte, 1), ssize_t(1));
            scan = scanner.scan();
            found = findPid(scan, child);
            QVERIFY(found);
        }
        QCOMPARE(found->uid, uid);
        QCOMPARE(found->userName, TargetAccess::userName(uid));
        QCOMPARE(found->isMine, uid == 0);
        QVERIFY2(found->traceable, qPrintable(found->reason)); // CAP_SYS_PTRACE: any uid, dumpable or not
        QVERIFY(!found->exePath.isEmpty());
        QVERIFY(found->arguments.value(0).endsWith(u"tst_processscanner"));
    }
};

QTEST_GUILESS_MAIN(TestProcessScanner)
#include "tst_processscanner.moc"
