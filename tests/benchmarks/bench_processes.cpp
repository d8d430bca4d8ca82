// SPDX-License-Identifier: MIT
// Benchmark for the process table (issue 6). Run from a release build:
//   build/release/bin/bench_processes [--extra N] [--fake N] [--repeat N] [--profile-cold N]
// --fake 0 stops after the real /proc. --profile-cold N only runs N cold scans of the real /proc (with the extra
// processes), for a profiler.
// 1. Starts N extra processes (`sleep 600`, default 2,000; killed at the end, and by the kernel if we die).
// 2. On the real /proc: a full cold scan (new scanner), a steady-state scan (same scanner, details cached), and
//    `ps -e -o pid,ppid,uid,stat,rss,comm,args` (run to completion, output read), interleaved, median of N runs.
// 3. On a fake tree of 20,000 processes: cold and steady scans, then model updates with 1 % churn (1 % of the
//    processes exit, as many start, 1 % change values) in flat and tree mode, alone and behind the sorting proxy.
// 4. The UI thread's longest stall while a ProcessTable scans every 20 ms.

#include "../fakeproctree.h"
#include "processes/processfiltermodel.h"
#include "processes/processmodel.h"
#include "processes/processscanner.h"
#include "processes/processtable.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n == 0 ? 0 : (n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2);
}

double ms(qint64 ns)
{
    return double(ns) / 1e6;
}

// CPU time of the calling thread: on a shared, loaded machine it says more about the work than wall time does.
qint64 threadCpuNs()
{
    timespec ts;
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// CPU time (user + system) of the reaped children.
qint64 childrenCpuNs()
{
    rusage usage;
    ::getrusage(RUSAGE_CHILDREN, &usage);
    return (qint64(usage.ru_utime.tv_sec) + usage.ru_stime.tv_sec) * 1'000'000'000
        + (qint64(usage.ru_utime.tv_usec) + usage.ru_stime.tv_usec) * 1000;
}

struct Timed
{
    std::vector<double> wall, cpu;
    void add(qint64 wallNs, qint64 cpuNs)
    {
        wall.push_back(ms(wallNs));
        cpu.push_back(ms(cpuNs));
    }
};

void printRow(const char* what, const Timed& t, const Timed* baseline = nullptr)
{
    std::printf("  %-42s wall %9.2f ms   cpu %9.2f ms", what, median(t.wall), median(t.cpu));
    if (baseline)
        std::printf("   (%3.0f %% / %3.0f %% of ps)", 100 * median(t.wall) / median(baseline->wall),
            100 * median(t.cpu) / median(baseline->cpu));
    std::printf("\n");
}

// Scans once and records wall and thread CPU time.
ProcessScan timedScan(ProcessScanner& scanner, Timed* t)
{
    const qint64 cpu = threadCpuNs();
    ProcessScan scan = scanner.scan();
    t->add(scan.durationNs, threadCpuNs() - cpu);
    return scan;
}

std::vector<pid_t> spawnSleepers(int count)
{
    const QByteArray sleep = QFile::encodeName(QStandardPaths::findExecutable(u"sleep"_s));
    std::vector<pid_t> pids;
    pids.reserve(size_t(count));
    const pid_t parent = ::getpid();
    for (int i = 0; i < count; ++i) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive the benchmark
            if (::getppid() != parent)
                ::_exit(1);
            char* argv[] = { const_cast<char*>("sleep"), const_cast<char*>("600"), nullptr };
            ::execv(sleep.constData(), argv);
            ::_exit(127);
        }
        if (pid > 0)
            pids.push_back(pid);
    }
    return pids;
}

void killAll(const std::vector<pid_t>& pids)
{
    for (pid_t pid : pids)
        ::kill(pid, SIGKILL);
    for (pid_t pid : pids)
        ::waitpid(pid, nullptr, 0);
}

// ps's CPU time is its own (as a reaped child); its wall time includes starting it and reading its output.
void timePs(Timed* t, qsizetype* lines)
{
    const qint64 cpu = childrenCpuNs();
    QElapsedTimer timer;
    timer.start();
    QProcess ps;
    ps.start(u"ps"_s, { u"-e"_s, u"-o"_s, u"pid,ppid,uid,stat,rss,comm,args"_s });
    ps.waitForFinished(60000);
    const QByteArray out = ps.readAllStandardOutput();
    const qint64 wall = timer.nsecsElapsed();
    t->add(wall, childrenCpuNs() - cpu);
    *lines = out.count('\n') - 1;
}

QList<ProcessInfo> churn(const QList<ProcessInfo>& before, QRandomGenerator& random, qint64* nextPid, int count)
{
    QList<ProcessInfo> after = before;
    QSet<qint64> exiting;
    for (int i = 0; i < count; ++i) {
        const int victim = 1 + int(random.bounded(int(after.size()) - 1));
        exiting.insert(after.at(victim).pid);
        after.removeAt(victim);
    }
    for (ProcessInfo& p : after) {
        if (exiting.contains(p.ppid))
            p.ppid = 1;
    }
    for (int i = 0; i < count; ++i) {
        ProcessInfo& p = after[random.bounded(int(after.size()))];
        p.cpuPercent = random.bounded(100);
        p.rssBytes += 4096;
    }
    for (int i = 0; i < count; ++i) {
        ProcessInfo p = after.at(random.bounded(int(after.size())));
        p.ppid = p.pid;
        p.pid = (*nextPid)++;
        after.append(p);
    }
    std::sort(after.begin(), after.end(), [](const ProcessInfo& a, const ProcessInfo& b) { return a.key() < b.key(); });
    return after;
}

struct ModelFigures
{
    double applyMs = 0;
    double applyCpuMs = 0;
    double maxMs = 0;
    double diffMs = 0;
};

enum class Proxy { None, SortedByCpu, SortedByCpuAndFiltered, SortedByPid };

ModelFigures benchModel(const QList<ProcessInfo>& start, ProcessModel::Mode mode, Proxy withProxy, int repeat)
{
    ProcessModel model;
    model.setMode(mode);
    ProcessFilterModel proxy;
    if (withProxy != Proxy::None) {
        proxy.setSourceModel(&model);
        if (withProxy == Proxy::SortedByPid)
            proxy.sort(ProcessModel::PidColumn, Qt::AscendingOrder);
        else
            proxy.sort(ProcessModel::CpuColumn, Qt::DescendingOrder);
        if (withProxy == Proxy::SortedByCpuAndFiltered) {
            // About one process in nine matches by name; every other row is tested against the command line.
            QEventLoop loop;
            QObject::connect(&proxy, &ProcessFilterModel::filterApplied, &loop, &QEventLoop::quit);
            proxy.setDebounceInterval(0);
            proxy.setFilterText(u"proc-1"_s);
            loop.exec();
            proxy.setHideKernelThreads(true);
        }
    }
    model.setProcesses(start);
    QRandomGenerator random(99);
    qint64 nextPid = 10'000'000;
    QList<ProcessInfo> current = start;
    std::vector<double> apply, applyCpu, diffs;
    const int churnCount = int(start.size() / 100);
    for (int i = 0; i < repeat; ++i) {
        const QList<ProcessInfo> next = churn(current, random, &nextPid, churnCount);
        QElapsedTimer timer;
        timer.start();
        const ProcessDiff diff = ProcessDiff::between(current, next); // done on the worker in the app
        diffs.push_back(ms(timer.nsecsElapsed()));
        const qint64 cpu = threadCpuNs();
        timer.restart();
        model.applyDiff(diff); // the UI thread's share
        apply.push_back(ms(timer.nsecsElapsed()));
        applyCpu.push_back(ms(threadCpuNs() - cpu));
        current = next;
    }
    if (model.processCount() != current.size())
        std::fprintf(stderr, "model holds %d processes, expected %lld\n", model.processCount(), qint64(current.size()));
    return { median(apply), median(applyCpu), *std::max_element(apply.begin(), apply.end()), median(diffs) };
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress shows even when redirected to a file
    int extra = 2000;
    int fake = 20000;
    int repeat = 9;
    int profileCold = 0;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == u"--extra")
            extra = args[i + 1].toInt();
        else if (args[i] == u"--fake")
            fake = args[i + 1].toInt();
        else if (args[i] == u"--repeat")
            repeat = std::max(1, args[i + 1].toInt());
        else if (args[i] == u"--profile-cold")
            profileCold = args[i + 1].toInt();
    }
    std::printf(
        "bench_processes: %d extra processes, fake tree of %d, %d repetitions (medians)\n", extra, fake, repeat);

    // --- real /proc ---------------------------------------------------------------------------------------------
    const std::vector<pid_t> sleepers = spawnSleepers(extra);
    QThread::msleep(500); // let the children exec
    if (profileCold > 0) {
        Timed cold;
        rusage before, after;
        ::getrusage(RUSAGE_THREAD, &before);
        for (int i = 0; i < profileCold; ++i) {
            ProcessScanner scanner;
            timedScan(scanner, &cold);
        }
        ::getrusage(RUSAGE_THREAD, &after);
        // The floor: the same files read with no parsing and nothing kept.
        Timed floor;
        rusage floorBefore, floorAfter;
        ::getrusage(RUSAGE_THREAD, &floorBefore);
        for (int i = 0; i < profileCold; ++i) {
            const qint64 cpu = threadCpuNs();
            QElapsedTimer timer;
            timer.start();
            const int dirFd = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            DIR* dir = ::fdopendir(::dup(dirFd));
            static char buffer[65536];
            while (const dirent* entry = ::readdir(dir)) {
                if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
                    continue;
                char path[sizeof entry->d_name + 16]; // room for any name plus "/cmdline"
                for (const char* file : { "stat", "status", "cmdline" }) {
                    std::snprintf(path, sizeof path, "%s/%s", entry->d_name, file);
                    const int fd = ::openat(dirFd, path, O_RDONLY | O_CLOEXEC);
                    if (fd >= 0) {
                        [[maybe_unused]] const ssize_t n = ::read(fd, buffer, sizeof buffer);
                        ::close(fd);
                    }
                }
                std::snprintf(path, sizeof path, "%s/exe", entry->d_name);
                [[maybe_unused]] const ssize_t n = ::readlinkat(dirFd, path, buffer, sizeof buffer);
            }
            ::closedir(dir);
            ::close(dirFd);
            floor.add(timer.nsecsElapsed(), threadCpuNs() - cpu);
        }
        ::getrusage(RUSAGE_THREAD, &floorAfter);
        killAll(sleepers);
        printRow("ProcessScanner, cold (first scan)", cold);
        auto us = [](const timeval& a, const timeval& b) {
            return double(b.tv_sec - a.tv_sec) * 1e6 + double(b.tv_usec - a.tv_usec);
        };
        std::printf("  per scan: user %.2f ms, system %.2f ms\n",
            us(before.ru_utime, after.ru_utime) / 1000 / profileCold,
            us(before.ru_stime, after.ru_stime) / 1000 / profileCold);
        printRow("open/read/close stat, status, cmdline + exe link", floor);
        std::printf("  per scan: user %.2f ms, system %.2f ms\n",
            us(floorBefore.ru_utime, floorAfter.ru_utime) / 1000 / profileCold,
            us(floorBefore.ru_stime, floorAfter.ru_stime) / 1000 / profileCold);
        return 0;
    }
    Timed cold, warm, ps;
    qsizetype scanned = 0, psLines = 0;
    ProcessScanner steady;
    steady.scan();
    for (int i = 0; i < repeat; ++i) {
        {
            ProcessScanner scanner;
            scanned = timedScan(scanner, &cold).processes.size();
        }
        timedScan(steady, &warm);
        timePs(&ps, &psLines);
    }
    killAll(sleepers);
    std::printf("\nReal /proc, %lld processes listed (ps: %lld lines)\n", qint64(scanned), qint64(psLines));
    printRow("ps -e -o pid,ppid,uid,stat,rss,comm,args", ps);
    printRow("ProcessScanner, cold (first scan)", cold, &ps);
    printRow("ProcessScanner, steady (each refresh)", warm, &ps);
    if (fake <= 0)
        return 0; // --fake 0: the real /proc only

    // --- fake tree --------------------------------------------------------------------------------------------
    FakeProcTree tree;
    {
        QElapsedTimer build;
        build.start();
        QRandomGenerator random(5);
        for (int pid = 1; pid <= fake; ++pid) {
            FakeProcTree::Proc p;
            p.pid = pid;
            p.ppid = pid == 1 ? 0 : 1 + qint64(random.bounded(pid - 1));
            p.comm = "proc-" + QByteArray::number(pid);
            p.argv = { "/usr/bin/proc-" + QByteArray::number(pid), "--serve", "--port=" + QByteArray::number(pid) };
            p.exe = "/usr/bin/proc";
            p.uid = pid % 3 ? 1000 : 0;
            if (!tree.add(p)) {
                std::fprintf(stderr, "cannot write the fake tree in %s\n", qPrintable(tree.root()));
                return 1;
            }
        }
        std::printf("\nFake tree: %d processes written in %.1f s (%s)\n", fake, build.elapsed() / 1000.0,
            qPrintable(tree.root()));
    }
    Timed fakeCold, fakeWarm;
    QList<ProcessInfo> fakeList;
    ProcessScanner fakeSteady(tree.root(), FakeProcTree::tracer());
    fakeSteady.scan();
    for (int i = 0; i < repeat; ++i) {
        ProcessScanner scanner(tree.root(), FakeProcTree::tracer());
        fakeList = timedScan(scanner, &fakeCold).processes;
        timedScan(fakeSteady, &fakeWarm);
    }
    printRow("ProcessScanner, cold", fakeCold);
    printRow("ProcessScanner, steady", fakeWarm);

    for (const qsizetype rows : { qsizetype(2000), fakeList.size() }) {
        const QList<ProcessInfo> start = fakeList.mid(0, rows);
        std::printf("\nModel update, %lld rows, 1 %% churn (%lld exit, %lld start, %lld change); UI-thread time\n",
            qint64(rows), qint64(rows / 100), qint64(rows / 100), qint64(rows / 100));
        for (const auto mode : { ProcessModel::Mode::Flat, ProcessModel::Mode::Tree }) {
            for (const Proxy proxy :
                { Proxy::None, Proxy::SortedByPid, Proxy::SortedByCpu, Proxy::SortedByCpuAndFiltered }) {
                const ModelFigures f = benchModel(start, mode, proxy, repeat);
                const char* proxyName[] = { "", " + proxy by CPU", " + proxy by CPU, text filter", " + proxy by PID" };
                std::printf("  %-42s wall %9.2f ms   cpu %9.2f ms   (max wall %.2f ms; diff on worker %.2f ms)\n",
                    qPrintable(u"%1%2"_s.arg(mode == ProcessModel::Mode::Flat ? u"flat"_s : u"tree"_s,
                        QString::fromLatin1(proxyName[int(proxy)]))),
                    f.applyMs, f.applyCpuMs, f.maxMs, f.diffMs);
            }
        }
    }

    // --- UI thread while scanning ---------------------------------------------------------------------------------
    {
        ProcessTable table(tree.root(), FakeProcTree::tracer());
        ProcessModel model;
        ProcessFilterModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(ProcessModel::CpuColumn, Qt::DescendingOrder);
        model.setTable(&table);
        table.setInterval(20);
        int scans = 0;
        QElapsedTimer gap;
        qint64 worst = 0;
        QTimer tick;
        tick.setInterval(1);
        QObject::connect(&tick, &QTimer::timeout, [&] {
            worst = std::max(worst, gap.nsecsElapsed());
            gap.restart();
        });
        QEventLoop loop;
        QObject::connect(&table, &ProcessTable::scanFinished, &loop, [&] {
            if (++scans == 1) { // the first fill (a model reset) is not a refresh: measure from here
                tick.start();
                gap.start();
            } else if (scans > 10) {
                loop.quit();
            }
        });
        QElapsedTimer busy;
        busy.start();
        table.setActive(true);
        loop.exec();
        table.setActive(false);
        const qint64 scanningWorst = worst;
        const qint64 scanningSpan = busy.nsecsElapsed();
        // The same measurement with nothing scanning, for as long: what the loaded machine does on its own.
        worst = 0;
        QTimer::singleShot(int(scanningSpan / 1'000'000), &loop, &QEventLoop::quit);
        gap.restart();
        loop.exec();
        tick.stop();
        std::printf("\nUI thread while ProcessTable rescans the fake tree every 20 ms (10 scans, model and proxy "
                    "attached):\n  longest event-loop stall %.2f ms; with no scan running, same duration: %.2f ms "
                    "(1 ms timer)\n",
            ms(scanningWorst), ms(worst));
    }
    return 0;
}
