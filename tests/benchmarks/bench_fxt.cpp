// SPDX-License-Identifier: MIT
// FXT reader benchmark (issue 3). Generates a magic-trace-shaped trace (default 1 GiB), then measures in one run:
//  (a) the floor: walking every record header of the memory-mapped file;
//  (b) a full load (parse, sort, match, aggregate) of the plain file: MB/s and peak RSS;
//  (c) full loads of the .fxt.gz and .fxt.zst versions against `gzip -dc` / `zstd -dc` > /dev/null.
// Each load runs in a child process (this program with --load) so that peak RSS is its own. Before (b) it
// measures, in another child, how long this machine takes to hand a process as much fresh memory as the model
// needs: the kernel zeroes every new page, and in a virtual machine the host may have to back it first.
//
//   build/release/bin/bench_fxt [--size BYTES] [--dir DIR] [--threads N] [--rounds N] [--keep]
#include "fxt/fxtreader.h"
#include "fxt/tracegenerator.h"
#include "procstatus.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
#include <sys/resource.h>

namespace {

double mb(quint64 bytes)
{
    return double(bytes) / 1e6;
}

qint64 peakRssBytes()
{
    return procStatusKiB("VmHWM") * 1024;
}

// User + system CPU seconds of this process (who = RUSAGE_SELF) or of its waited-for children.
double cpuSeconds(int who)
{
    struct rusage usage;
    getrusage(who, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Child mode: load one file, print "seconds cpu_seconds peak_rss slices complete fxt_bytes model_bytes".
int loadOnly(const QString& path, bool eventLog)
{
    QElapsedTimer timer;
    timer.start();
    const double cpuBefore = cpuSeconds(RUSAGE_SELF);
    QString error;
    FxtReader::Options options;
    options.depthRuleWhileParsing = !eventLog;
    const auto data = FxtReader::load(path, options, &error);
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    const double cpu = cpuSeconds(RUSAGE_SELF) - cpuBefore;
    if (!data) {
        std::fprintf(stderr, "load failed: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("%.4f %.4f %lld %llu %d %llu %llu\n", seconds, cpu, static_cast<long long>(peakRssBytes()),
        static_cast<unsigned long long>(data->sliceCount()), data->summary().complete ? 1 : 0,
        static_cast<unsigned long long>(data->summary().fxtBytes),
        static_cast<unsigned long long>(data->memoryBytes()));
    return 0;
}

// Child mode: map BYTES of fresh anonymous memory the way the reader maps slices (huge pages where offered,
// populated in one call) and print the seconds it took.
int touchOnly(quint64 bytes)
{
    QElapsedTimer timer;
    timer.start();
    void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        return 1;
    madvise(memory, bytes, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
    madvise(memory, bytes, MADV_POPULATE_WRITE);
#else
    for (quint64 i = 0; i < bytes; i += 4096)
        static_cast<volatile char*>(memory)[i] = 1;
#endif
    std::printf("%.4f\n", double(timer.nsecsElapsed()) / 1e9);
    munmap(memory, bytes);
    return 0;
}

double measureTouch(quint64 bytes)
{
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), { QStringLiteral("--touch"), QString::number(bytes) });
    if (!child.waitForFinished(-1) || child.exitCode() != 0)
        return -1;
    return child.readAllStandardOutput().trimmed().toDouble();
}

// KiB of free guest memory this virtual machine has handed back to its host so far (Linux's free page reporting),
// or -1 where the kernel does not report. Memory handed back while a load runs must be backed by the host again
// before the load can use it, which is what makes some loads on such a machine a second slower than others.
qint64 reportedKiB()
{
    QFile file(QStringLiteral("/sys/module/page_reporting/parameters/reported_kib"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    bool ok = false;
    const qint64 kib = file.readAll().trimmed().toLongLong(&ok);
    return ok ? kib : -1;
}

struct LoadFigures
{
    double seconds = 0;
    double cpu = 0;
    qint64 peakRss = 0;
    quint64 slices = 0;
    bool complete = false;
    quint64 fxtBytes = 0;
    quint64 modelBytes = 0;
    qint64 reportedMiB = -1; // guest memory handed back to the host since the previous load ended (see reportedKiB)
};

bool measureLoad(const QString& path, LoadFigures* f, bool eventLog = false)
{
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QStringList arguments { QStringLiteral("--load"), path };
    if (eventLog)
        arguments << QStringLiteral("--event-log");
    // Counted from the end of the previous load: memory handed back before a load starts is as cold as memory
    // handed back while it runs.
    static qint64 reportedAtLastEnd = -1;
    const qint64 reportedBefore = reportedAtLastEnd >= 0 ? reportedAtLastEnd : reportedKiB();
    child.start(QCoreApplication::applicationFilePath(), arguments);
    if (!child.waitForFinished(-1) || child.exitCode() != 0)
        return false;
    const qint64 reportedAfter = reportedKiB();
    reportedAtLastEnd = reportedAfter;
    if (reportedBefore >= 0 && reportedAfter >= 0)
        f->reportedMiB = (reportedAfter - reportedBefore) / 1024;
    const QList<QByteArray> parts = child.readAllStandardOutput().trimmed().split(' ');
    if (parts.size() != 7)
        return false;
    f->seconds = parts[0].toDouble();
    f->cpu = parts[1].toDouble();
    f->peakRss = parts[2].toLongLong();
    f->slices = parts[3].toULongLong();
    f->complete = parts[4] == "1";
    f->fxtBytes = parts[5].toULongLong();
    f->modelBytes = parts[6].toULongLong();
    return true;
}

// Wall seconds of a shell command; *cpu = its CPU seconds (user + system of the shell and its children).
double timeShell(const QString& command, double* cpu = nullptr)
{
    QElapsedTimer timer;
    timer.start();
    const double before = cpuSeconds(RUSAGE_CHILDREN);
    QProcess shell;
    shell.start(QStringLiteral("/bin/sh"), { QStringLiteral("-c"), command });
    shell.waitForFinished(-1);
    if (shell.exitCode() != 0)
        std::fprintf(stderr, "command failed: %s\n", qPrintable(command));
    if (cpu)
        *cpu = cpuSeconds(RUSAGE_CHILDREN) - before;
    return double(timer.nsecsElapsed()) / 1e9;
}

// (a) Record headers only, on the mapped file.
double headerFloor(const QString& path, quint64* records)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const qint64 size = file.size();
    QElapsedTimer timer;
    timer.start();
    const uchar* map = file.map(0, size);
    quint64 offset = 0, count = 0;
    while (offset + 8 <= quint64(size)) {
        quint64 header;
        std::memcpy(&header, map + offset, 8);
        const quint64 type = header & 0xf;
        const quint64 words = type == 15 ? (header >> 4) & 0xffffffffULL : (header >> 4) & 0xfff;
        if (words == 0)
            break;
        offset += words * 8;
        ++count;
    }
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    file.unmap(const_cast<uchar*>(map));
    *records = count;
    return seconds;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("FXT reader benchmark (see docs/benchmarks.md)."));
    parser.addHelpOption();
    const QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("Trace size in bytes."),
        QStringLiteral("BYTES"), QStringLiteral("1073741824"));
    const QCommandLineOption dirOption(
        QStringLiteral("dir"), QStringLiteral("Where to put the files."), QStringLiteral("DIR"), QDir::tempPath());
    const QCommandLineOption threadsOption(
        QStringLiteral("threads"), QStringLiteral("Traced threads."), QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption keepOption(QStringLiteral("keep"), QStringLiteral("Keep the generated files."));
    const QCommandLineOption loadOption(
        QStringLiteral("load"), QStringLiteral("(internal) load FILE and print figures."), QStringLiteral("FILE"));
    const QCommandLineOption roundsOption(QStringLiteral("rounds"),
        QStringLiteral("Loads of each file (each in its own process; the best is compared)."), QStringLiteral("N"),
        QStringLiteral("1"));
    const QCommandLineOption touchOption(QStringLiteral("touch"),
        QStringLiteral("(internal) populate BYTES of fresh memory and print the seconds."), QStringLiteral("BYTES"));
    const QCommandLineOption eventLogOption(QStringLiteral("event-log"),
        QStringLiteral("With --load: every thread through the event log (the reader before the depth rule ran while "
                       "parsing)."));
    parser.addOptions(
        { sizeOption, dirOption, threadsOption, keepOption, loadOption, roundsOption, touchOption, eventLogOption });
    parser.process(app);
    if (parser.isSet(loadOption))
        return loadOnly(parser.value(loadOption), parser.isSet(eventLogOption));
    if (parser.isSet(touchOption))
        return touchOnly(parser.value(touchOption).toULongLong());

    const QString dir = parser.value(dirOption);
    const QString plain = QDir(dir).filePath(QStringLiteral("bench_fxt.fxt"));
    const QString gz = plain + QStringLiteral(".gz");
    const QString zst = plain + QStringLiteral(".zst");

    TraceGeneratorOptions options;
    options.targetBytes = parser.value(sizeOption).toULongLong();
    options.threads = parser.value(threadsOption).toInt();
    TraceGeneratorResult generated;
    QElapsedTimer timer;
    timer.start();
    QString error;
    if (!TraceGenerator::generateFile(plain, options, &generated, &error)) {
        std::fprintf(stderr, "generation failed: %s\n", qPrintable(error));
        return 1;
    }
    const double generateSeconds = double(timer.nsecsElapsed()) / 1e9;
    std::printf("generated %s: %.1f MB, %llu calls (%.1f bytes/call), %d threads, in %.1f s (%.0f MB/s written)\n",
        qPrintable(plain), mb(generated.bytes), static_cast<unsigned long long>(generated.calls),
        double(generated.bytes) / double(generated.calls), options.threads, generateSeconds,
        mb(generated.bytes) / generateSeconds);
    timeShell(QStringLiteral("gzip -c '%1' > '%2'").arg(plain, gz));
    timeShell(QStringLiteral("zstd -q -c '%1' > '%2'").arg(plain, zst));
    const quint64 gzBytes = quint64(QFileInfo(gz).size());
    const quint64 zstBytes = quint64(QFileInfo(zst).size());
    std::printf("compressed with gzip -6: %.1f MB, zstd -3: %.1f MB\n", mb(gzBytes), mb(zstBytes));

    // Warm the page cache for all three so that every measurement reads from memory.
    timeShell(QStringLiteral("cat '%1' '%2' '%3' > /dev/null").arg(plain, gz, zst));
    timeShell(QStringLiteral("sleep 5")); // let the machine settle (see the fresh-memory figure)

    quint64 records = 0;
    const double cpuBefore = cpuSeconds(RUSAGE_SELF);
    const double floorSeconds = headerFloor(plain, &records);
    const double floorCpu = cpuSeconds(RUSAGE_SELF) - cpuBefore;
    std::printf("\n(a) floor, record headers only: %llu records in %.3f s wall = %.0f MB/s; %.3f s CPU = %.0f MB/s\n",
        static_cast<unsigned long long>(records), floorSeconds, mb(generated.bytes) / floorSeconds, floorCpu,
        mb(generated.bytes) / floorCpu);

    // What a page of new memory costs here: the first touch after the machine has been quiet, then the same
    // right after a process freed as much (in a VM with free page reporting the first can be many times dearer).
    const quint64 touchBytes = generated.calls * 24;
    const double coldTouch = measureTouch(touchBytes);
    const double warmTouch = measureTouch(touchBytes);
    std::printf("    fresh memory, %.0f MB (24 bytes per call) in one process: %.3f s; again right after: %.3f s\n",
        mb(touchBytes), coldTouch, warmTouch);

    // Rounds alternate the reader as it is and the same reader with every thread sent through the event log (the
    // path all threads took before the depth rule ran while parsing), so both see the same machine.
    LoadFigures f, logged;
    const int rounds = std::max(1, parser.value(roundsOption).toInt());
    for (int round = 0; round < rounds; ++round) {
        LoadFigures r, l;
        if (!measureLoad(plain, &r) || !measureLoad(plain, &l, true)) {
            std::fprintf(stderr, "plain load failed\n");
            return 1;
        }
        std::printf("    round %d: %.3f s wall, %.3f s CPU, peak RSS %.0f MB, %lld MiB handed to the host since the "
                    "previous load; event log only: %.3f s wall, %.3f s CPU, peak RSS %.0f MB, %lld MiB handed\n",
            round + 1, r.seconds, r.cpu, mb(quint64(r.peakRss)), r.reportedMiB, l.seconds, l.cpu,
            mb(quint64(l.peakRss)), l.reportedMiB);
        if (round == 0 || r.seconds < f.seconds)
            f = r;
        if (round == 0 || l.seconds < logged.seconds)
            logged = l;
    }
    std::printf("(b') event log only (baseline), best: %.3f s wall = %.0f MB/s; peak RSS %.0f MB\n", logged.seconds,
        mb(generated.bytes) / logged.seconds, mb(quint64(logged.peakRss)));
    const double plainRate = mb(generated.bytes) / f.seconds;
    std::printf("(b) full load .fxt: %.3f s wall = %.0f MB/s; %.3f s CPU = %.0f MB/s (target >= 400); peak RSS "
                "%.0f MB = %.2f x file (target <= 0.6), model %.0f MB, %llu slices, complete %d\n",
        f.seconds, plainRate, f.cpu, mb(generated.bytes) / f.cpu, mb(quint64(f.peakRss)),
        double(f.peakRss) / double(generated.bytes), mb(f.modelBytes), static_cast<unsigned long long>(f.slices),
        f.complete ? 1 : 0);
    const bool slicesOk = f.slices == generated.calls;

    struct Compressed
    {
        const char* label;
        QString path;
        QString tool;
        quint64 bytes;
    };
    // As many rounds as for the plain file, each: the decompressor alone, then two loads back to back; the best
    // of each is compared. Each load reports how much freed memory this virtual machine handed back to its host
    // since the previous load ended (free page reporting): a load that gets such memory waits for the host to back
    // every page again (the "fresh memory" figure above), which costs it a second or more on 1 GiB.
    for (const Compressed& c : { Compressed { "gz", gz, QStringLiteral("gzip"), gzBytes },
             Compressed { "zst", zst, QStringLiteral("zstd"), zstBytes } }) {
        double bestTool = 0, bestToolCpu = 0;
        LoadFigures best;
        for (int round = 0; round < rounds; ++round) {
            double toolCpu = 0;
            const double toolSeconds
                = timeShell(QStringLiteral("%1 -dc '%2' > /dev/null").arg(c.tool, c.path), &toolCpu);
            std::printf("    .fxt.%s round %d: `%s -dc` %.3f s wall, %.3f s CPU\n", c.label, round + 1,
                qPrintable(c.tool), toolSeconds, toolCpu);
            if (round == 0 || toolSeconds < bestTool) {
                bestTool = toolSeconds;
                bestToolCpu = toolCpu;
            }
            for (int load = 0; load < 2; ++load) {
                LoadFigures cf;
                if (!measureLoad(c.path, &cf)) {
                    std::fprintf(stderr, "%s load failed\n", c.label);
                    return 1;
                }
                std::printf("        load: %.3f s wall, %.3f s CPU, peak RSS %.0f MB, %lld MiB handed to the host "
                            "since the previous load; ratio %.2f\n",
                    cf.seconds, cf.cpu, mb(quint64(cf.peakRss)), cf.reportedMiB, cf.seconds / toolSeconds);
                if ((round == 0 && load == 0) || cf.seconds < best.seconds)
                    best = cf;
            }
        }
        std::printf(
            "(c) full load .fxt.%s, best: %.3f s wall, %.3f s CPU (%.0f MB/s of FXT), peak RSS %.0f MB; `%s -dc` "
            "alone, best: %.3f s wall, %.3f s CPU; ratio wall %.2f, CPU %.2f (target <= 1.3)\n",
            c.label, best.seconds, best.cpu, mb(generated.bytes) / best.cpu, mb(quint64(best.peakRss)),
            qPrintable(c.tool), bestTool, bestToolCpu, best.seconds / bestTool, best.cpu / bestToolCpu);
    }
    if (!parser.isSet(keepOption)) {
        QFile::remove(plain);
        QFile::remove(gz);
        QFile::remove(zst);
    }
    if (!slicesOk) {
        std::fprintf(stderr, "slice count mismatch: %llu loaded, %llu written\n",
            static_cast<unsigned long long>(f.slices), static_cast<unsigned long long>(generated.calls));
        return 1;
    }
    return 0;
}
