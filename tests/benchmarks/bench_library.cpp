// SPDX-License-Identifier: MIT
// bench_library [--entries N] [--listing full|create|load|memory|vanish] [--trace-mib M] [--blocks KIB,...]
//               [--rounds R] [--dir DIR]
//
// 1. Listing a library of N (10,000) entries. "Listed" = the moment the full list of entries is in a LibraryModel
//    attached to a fresh TraceLibrary after loadAsync() (TraceLibrary::listed(); with an index file that is before
//    the disk is checked). "Verified" = loaded(): every entry checked against the disk, the model corrected.
//    Both are measured from loadAsync(), with the CPU time of the process (all threads) and of the UI thread
//    alone. The blocking TraceLibrary::load() (the command line's) is measured too. "full" evicts the library's
//    files from the page cache with posix_fadvise(DONTNEED) between loads (directory and inode caches stay warm);
//    for truly cold figures create the library once (--listing create) and run --listing load after dropping all
//    caches from a root shell on the host (sync; echo 3 > /proc/sys/vm/drop_caches). Target: listed < 300 ms
//    cold. --sidecars-only makes a library of sidecars without trace and log files. "memory" shows, in a fresh
//    process, what the listing's memory costs: the index decoded and dropped record by record, then kept, then
//    the kept metadata copied once more, each with its first-touch page faults.
// 2. Compressing an M MiB (1024) synthetic magic-trace-like trace with zstd through KCompressionDevice against
//    the zstd command at the same level (KArchive's zstd filter never sets a level, so libzstd's default, 3,
//    applies) in the same run, input in the page cache, output to a file on the same file system for all.
//    KCompressionDevice is tried with several write block sizes and from memory. Target: ≥ 0.8× the command's
//    throughput. Also reported: the library's full compress-and-verify.
// Big files are deleted afterwards.
#include "../librarytestutil.h"

#include "library/libraryfiltermodel.h"
#include "library/libraryindex.h"
#include "library/librarymodel.h"
#include "library/tracecompressor.h"
#include "library/tracelibrary.h"

#include <KCompressionDevice>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

void evict(const QString& path, qint64* resident = nullptr)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (resident) {
        // Count the pages still in the page cache (mincore on a mapping of the file).
        const off_t size = ::lseek(fd, 0, SEEK_END);
        if (size > 0) {
            void* map = ::mmap(nullptr, size_t(size), PROT_READ, MAP_SHARED, fd, 0);
            if (map != MAP_FAILED) {
                const size_t pages = (size_t(size) + 4095) / 4096;
                std::vector<unsigned char> vec(pages);
                if (::mincore(map, size_t(size), vec.data()) == 0)
                    *resident += std::count_if(vec.begin(), vec.end(), [](unsigned char c) { return c & 1; });
                ::munmap(map, size_t(size));
            }
        }
    }
    ::close(fd);
}

// CPU seconds used so far by this process (all threads) or by its waited-for children. The machine the figures
// come from is shared, so wall time is reported next to CPU time, which contention inflates far less.
double cpuSeconds(int who = RUSAGE_SELF)
{
    rusage usage {};
    ::getrusage(who, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

long minorFaults()
{
    rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

double threadCpuSeconds()
{
    struct timespec now
    {
    };
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

double loadAverage()
{
    double load[1] = { 0 };
    return ::getloadavg(load, 1) == 1 ? load[0] : -1;
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

QString libraryFolder(const QString& root)
{
    return root + u"/library"_s;
}

// Makes N entries (sidecar + trace + log each) in root/library unless it already holds them; returns all files.
QStringList createLibrary(const QString& root, int count, bool sidecarsOnly = false)
{
    const QString folder = libraryFolder(root);
    QDir().mkpath(folder);
    QStringList files;
    const bool exists = QDir(folder).entryList({ u"*.json"_s }, QDir::Files).size() == count;
    std::printf("== library of %d entries (%s) in %s%s\n", count,
        sidecarsOnly ? "sidecars only" : "sidecar + trace + log each", qPrintable(folder),
        exists ? " (already there)" : "");
    for (int i = 0; i < count; ++i) {
        TraceMetadata m;
        m.id = u"20260101-%1-server"_s.arg(i, 6, 10, QChar(u'0'));
        m.traceFile = m.id + u".fxt.gz"_s;
        m.logFile = m.id + u".log"_s;
        const QString sidecar = folder + u'/' + m.id + u".json"_s;
        files << sidecar;
        if (!sidecarsOnly)
            files << folder + u'/' + m.traceFile << folder + u'/' + m.logFile;
        if (exists)
            continue;
        m.title = u"Trace number %1 of the request handler"_s.arg(i);
        m.targetPid = 10000 + i;
        m.processName = u"server"_s;
        m.commandLine = u"/usr/local/bin/server --port 8080 --workers 16 --config /etc/server/config.yaml"_s;
        m.executable = u"/usr/local/bin/server"_s;
        m.user = u"jane"_s;
        m.startTime = QDateTime(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::UTC).addSecs(i * 60);
        m.endTime = m.startTime.addSecs(5);
        m.durationMs = 5000;
        m.mode = u"attach"_s;
        m.options = QJsonObject { { u"full-execution"_s, false }, { u"trigger"_s, u"handle_request"_s },
            { u"multi-thread"_s, true }, { u"timer-resolution"_s, u"normal"_s } };
        m.magicTraceArguments = { u"attach"_s, u"-p"_s, QString::number(m.targetPid), u"-trigger"_s,
            u"handle_request"_s, u"-output"_s, m.id + u".fxt.gz"_s };
        m.magicTraceVersion = u"v1.2.4"_s;
        m.perfVersion = u"6.1.0"_s;
        m.outcome = TraceOutcome::Succeeded;
        m.exitCode = 0;
        m.fileSize = 4096;
        m.format = u"gzip"_s;
        m.tags = { u"prod"_s, u"latency"_s };
        m.origin = u"recorded"_s;
        m.traceProcesses = { u"/usr/local/bin/server --port 8080 [pid=%1]"_s.arg(m.targetPid) };
        m.traceBaseTime = m.startTime;
        LibraryTest::writeFile(sidecar, m.toJsonBytes());
        if (sidecarsOnly)
            continue;
        LibraryTest::writeFile(folder + u'/' + m.traceFile, QByteArray(4096, 'x'));
        LibraryTest::writeFile(folder + u'/' + m.logFile, QByteArray(2048, 'l'));
    }
    ::sync();
    return files;
}

// One TraceLibrary::load() in a fresh object: wall and CPU milliseconds.
bool timedLoad(const QString& folder, int count, double* wallMs, double* cpuMs)
{
    TraceLibrary library(folder);
    library.setWatching(false);
    QElapsedTimer timer;
    timer.start();
    const double cpu = cpuSeconds();
    QString error;
    if (!library.load(&error) || library.entries().size() != count) {
        std::printf("   load failed: %s (%lld entries)\n", qPrintable(error), qlonglong(library.entries().size()));
        return false;
    }
    *wallMs = timer.nsecsElapsed() / 1e6;
    *cpuMs = (cpuSeconds() - cpu) * 1e3;
    return true;
}

// What the UI sees: loadAsync() on a fresh library with a model attached, until listed() and until loaded().
struct AsyncLoad
{
    double listedMs = 0;
    double listedCpuMs = 0;
    qsizetype listedRows = 0;
    double verifiedMs = 0;
    double verifiedCpuMs = 0;
    double uiThreadCpuMs = 0; // time the UI thread was busy during the whole load
    qsizetype verifiedRows = 0;
    long listedFaults = 0; // minor page faults until listed (fresh memory is expensive on this VM)
};

// sortedProxy: the library page's view of the model too (LibraryFilterModel sorted by date, newest first), which
// sorts the rows as they arrive, on the UI thread.
bool timedAsyncLoad(const QString& folder, int count, AsyncLoad* figures, bool sortedProxy = false)
{
    TraceLibrary library(folder);
    library.setWatching(false);
    LibraryModel model;
    model.setLibrary(&library);
    LibraryFilterModel proxy;
    if (sortedProxy) {
        proxy.setSourceModel(&model);
        proxy.sort(LibraryModel::Date, Qt::DescendingOrder);
    }
    QEventLoop loop;
    QElapsedTimer timer;
    const double cpu = cpuSeconds();
    const double uiCpu = threadCpuSeconds();
    const long faults = minorFaults();
    QObject::connect(&library, &TraceLibrary::listed, &loop, [&] {
        figures->listedFaults = minorFaults() - faults;
        figures->listedMs = timer.nsecsElapsed() / 1e6;
        figures->listedCpuMs = (cpuSeconds() - cpu) * 1e3;
        figures->listedRows = model.rowCount();
        if (sortedProxy) {
            // The proxy holds every row, newest first, by the time listed() is emitted.
            const auto dateAt = [&proxy](int row) {
                return proxy.index(row, LibraryModel::Date).data(LibraryModel::SortRole).toDateTime();
            };
            if (proxy.rowCount() != count || !(dateAt(0) > dateAt(count - 1)))
                figures->listedRows = -1;
        }
    });
    QObject::connect(&library, &TraceLibrary::loaded, &loop, [&] {
        figures->verifiedMs = timer.nsecsElapsed() / 1e6;
        figures->verifiedCpuMs = (cpuSeconds() - cpu) * 1e3;
        figures->verifiedRows = model.rowCount();
        loop.quit();
    });
    timer.start();
    library.loadAsync();
    loop.exec();
    figures->uiThreadCpuMs = (threadCpuSeconds() - uiCpu) * 1e3;
    if (figures->listedRows != count || figures->verifiedRows != count) {
        std::printf("   async load failed: %lld rows listed, %lld verified\n", qlonglong(figures->listedRows),
            qlonglong(figures->verifiedRows));
        return false;
    }
    return true;
}

void printAsync(const char* label, const AsyncLoad& f)
{
    std::printf("   %s listed %.1f ms wall / %.1f ms CPU (%ld page faults); verified %.1f ms wall / %.1f ms CPU;"
                " UI thread busy %.1f ms (load avg %.2f)\n",
        label, f.listedMs, f.listedCpuMs, f.listedFaults, f.verifiedMs, f.verifiedCpuMs, f.uiThreadCpuMs,
        loadAverage());
}

// For runs from a host shell that drops all caches (sync; echo 3 > /proc/sys/vm/drop_caches) before this
// process starts: the first load is as cold as the machine can make it, the second one is warm.
// In a fresh process every page the listing fills is touched for the first time; on this VM each such fault
// costs tens of microseconds, so the listing's cost follows its memory more than its work.
void memoryBreakdown(const QString& root)
{
    const QString folder = libraryFolder(root);
    auto report = [](const char* what, qsizetype records, long faults, double cpu) {
        std::printf("   %-52s %6lld records, %6ld page faults, %6.1f ms CPU\n", what, qlonglong(records),
            minorFaults() - faults, (cpuSeconds() - cpu) * 1e3);
    };
    QString error;
    long faults = minorFaults();
    double cpu = cpuSeconds();
    qsizetype decoded = 0;
    LibraryIndex::readEach(
        folder, [&](LibraryIndex::Record&, quint32) { ++decoded; }, &error);
    report("index read and decoded, each record dropped:", decoded, faults, cpu);
    faults = minorFaults();
    cpu = cpuSeconds();
    QList<TraceMetadata> kept;
    LibraryIndex::readEach(
        folder,
        [&](LibraryIndex::Record& record, quint32 count) {
            if (kept.isEmpty())
                kept.reserve(count);
            kept.append(std::move(record.metadata));
        },
        &error);
    report("the same, every record's metadata kept:", kept.size(), faults, cpu);
    faults = minorFaults();
    cpu = cpuSeconds();
    QList<TraceMetadata> copy;
    copy.reserve(kept.size());
    for (const TraceMetadata& metadata : std::as_const(kept))
        copy.append(metadata); // strings shared: only the array is new
    report("one more array of that metadata (shared strings):", copy.size(), faults, cpu);
}

void loadOnce(const QString& root, int count, bool sortedProxy)
{
    const QString folder = libraryFolder(root);
    const bool hadIndex = QFileInfo::exists(folder + u"/.library-index"_s);
    AsyncLoad figures;
    if (!timedAsyncLoad(folder, count, &figures, sortedProxy))
        return;
    std::printf("   index file %s%s\n", hadIndex ? "present" : "absent",
        sortedProxy ? "; the model has the library page's sorted proxy" : "");
    printAsync("first loadAsync in this process (cold):", figures);
    if (!timedAsyncLoad(folder, count, &figures, sortedProxy))
        return;
    printAsync("second loadAsync (warm):               ", figures);
    double wall = 0;
    double cpu = 0;
    if (!timedLoad(folder, count, &wall, &cpu))
        return;
    std::printf("   blocking load() (warm): %.1f ms wall, %.1f ms CPU (load avg %.2f)\n", wall, cpu, loadAverage());
    // Where the listing's time goes: reading and decoding the index file alone.
    QElapsedTimer timer;
    timer.start();
    const double before = cpuSeconds();
    QString error;
    const auto records = LibraryIndex::read(folder, &error);
    std::printf("   of which LibraryIndex::read (warm): %.1f ms wall, %.1f ms CPU, %lld records\n",
        timer.nsecsElapsed() / 1e6, (cpuSeconds() - before) * 1e3, qlonglong(records ? records->size() : -1));
}

// 3. --listing vanish: the UI thread's time for a rescan after every entry's files (or every other entry's) were
//    deleted by hand, with the library page's model and sorted proxy attached: the rows leave by runs.
void vanish(const QString& root, int count)
{
    for (const bool everyOther : { false, true }) {
        const QStringList files = createLibrary(root, count, true);
        const QString folder = libraryFolder(root);
        TraceLibrary library(folder);
        library.setWatching(false);
        QString error;
        if (!library.load(&error)) {
            std::printf("   load failed: %s\n", qPrintable(error));
            return;
        }
        LibraryModel model;
        LibraryFilterModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(LibraryModel::Date, Qt::DescendingOrder);
        model.setLibrary(&library);
        int gone = 0;
        for (qsizetype i = 0; i < files.size(); ++i) {
            if (everyOther && i % 2)
                continue;
            QFile::remove(files.at(i));
            ++gone;
        }
        QEventLoop loop;
        QObject::connect(&library, &TraceLibrary::rescanned, &loop, &QEventLoop::quit);
        QElapsedTimer timer;
        timer.start();
        const double uiCpu = threadCpuSeconds();
        library.rescan();
        loop.exec();
        std::printf("   %d of %d entries deleted (%s): rescan to rescanned() %.1f ms wall, UI thread %.1f ms CPU; %d "
                    "rows left\n",
            gone, count, everyOther ? "every other" : "all", timer.nsecsElapsed() / 1e6,
            (threadCpuSeconds() - uiCpu) * 1e3, proxy.rowCount());
        QDir(folder).removeRecursively();
    }
}

void listing(const QString& root, int count, bool sidecarsOnly)
{
    const QStringList files = createLibrary(root, count, sidecarsOnly);
    const QString folder = libraryFolder(root);
    QList<double> cold;
    QList<double> warm;
    QList<double> coldCpu;
    QList<double> warmCpu;
    QList<double> coldVerified;
    QList<double> warmVerified;
    double wall = 0;
    double cpu = 0;
    if (!timedLoad(folder, count, &wall, &cpu))
        return;
    std::printf("   first load after creating the library: %.1f ms wall, %.1f ms CPU\n", wall, cpu);
    for (int round = 0; round < 5; ++round) {
        qint64 resident = 0;
        for (const QString& file : std::as_const(files))
            evict(file, round == 0 ? &resident : nullptr);
        evict(folder + u"/.library-index"_s, round == 0 ? &resident : nullptr);
        if (round == 0)
            std::printf("   pages of the library still cached after eviction: %lld\n", qlonglong(resident));
        AsyncLoad figures;
        if (!timedAsyncLoad(folder, count, &figures))
            return;
        printAsync("evicted:", figures);
        cold.append(figures.listedMs);
        coldCpu.append(figures.listedCpuMs);
        coldVerified.append(figures.verifiedMs);
        if (!timedAsyncLoad(folder, count, &figures))
            return;
        printAsync("warm:   ", figures);
        warm.append(figures.listedMs);
        warmCpu.append(figures.listedCpuMs);
        warmVerified.append(figures.verifiedMs);
    }
    std::printf("   evicted: listed median %.1f ms of 5 (target < 300 ms), verified median %.1f ms; CPU until listed"
                " median %.1f ms\n",
        median(cold), median(coldVerified), median(coldCpu));
    std::printf("   warm:    listed median %.1f ms of 5, verified median %.1f ms; CPU until listed median %.1f ms\n",
        median(warm), median(warmVerified), median(warmCpu));
    if (timedLoad(folder, count, &wall, &cpu))
        std::printf("   blocking load() (warm): %.1f ms wall, %.1f ms CPU\n", wall, cpu);
}

// Compresses with KCompressionDevice (zstd, KArchive's level: ZSTD_createCStream's default, 3) to a file,
// writing `block` bytes at a time, from the input file (read in the same blocks) or from memory.
bool kArchiveCompress(const QString& input, const QByteArray* inMemory, const QString& output, qint64 block)
{
    QFile in(input);
    if (!inMemory && !in.open(QIODevice::ReadOnly))
        return false;
    KCompressionDevice out(output, KCompressionDevice::Zstd);
    if (!out.open(QIODevice::WriteOnly))
        return false;
    if (inMemory) {
        for (qint64 at = 0; at < inMemory->size(); at += block) {
            const qint64 size = qMin(block, inMemory->size() - at);
            if (out.write(inMemory->constData() + at, size) != size)
                return false;
        }
    } else {
        QByteArray buffer(block, Qt::Uninitialized);
        for (;;) {
            const qint64 got = in.read(buffer.data(), buffer.size());
            if (got <= 0)
                break;
            if (out.write(buffer.constData(), got) != got)
                return false;
        }
    }
    out.close();
    return out.error() == QFileDevice::NoError;
}

struct Contender
{
    Contender(const QString& name, std::function<bool(const QString& output)> run, bool child = false)
        : name(name)
        , run(std::move(run))
        , child(child)
    { }
    QString name;
    std::function<bool(const QString& output)> run;
    bool child; // CPU time is the waited-for child's
    std::function<void()> before = [] {}; // untimed set-up and tear-down of each round
    std::function<void()> after = [] {};
    QList<double> walls;
    QList<double> cpus;
    qint64 outputSize = 0;
};

void compression(const QString& root, qint64 mib, const QList<qint64>& blocksKiB, int rounds)
{
    const QString input = root + u"/big.fxt"_s;
    const qint64 bytes = mib * 1024 * 1024;
    std::printf("== zstd compression of a %lld MiB synthetic trace (%s), output on the same file system\n",
        qlonglong(mib), qPrintable(input));
    {
        QFile file(input);
        if (!file.open(QIODevice::WriteOnly))
            return;
        LibraryTest::FxtGenerator generator(1, 20000);
        QByteArray chunk = LibraryTest::fxtPrologue("server --port 8080 [pid=4242]") + generator.strings();
        qint64 written = 0;
        while (written < bytes) {
            generator.appendCalls(chunk, qMin<qint64>(8 * 1024 * 1024, bytes - written - chunk.size()));
            file.write(chunk);
            written += chunk.size();
            chunk.clear();
        }
    }
    const double inputMiB = QFileInfo(input).size() / 1048576.0;
    // Read once so that every contender starts from the page cache.
    {
        QFile file(input);
        file.open(QIODevice::ReadOnly);
        QByteArray buffer(8 << 20, Qt::Uninitialized);
        while (file.read(buffer.data(), buffer.size()) > 0) { }
    }
    // The in-memory copy exists only while its contender runs (a resident copy of the whole input slowed the
    // other contenders of the same process at 1 GiB).
    QByteArray inMemory;
    QList<Contender> contenders;
    for (qint64 kib : blocksKiB) {
        contenders.append({ u"KCompressionDevice, file -> file, %1 KiB writes"_s.arg(kib),
            [input, kib](const QString& output) { return kArchiveCompress(input, nullptr, output, kib * 1024); } });
    }
    const qint64 memoryBlock = blocksKiB.isEmpty() ? 1024 * 1024 : blocksKiB.last() * 1024;
    contenders.append({ u"KCompressionDevice, memory -> file, %1 KiB writes"_s.arg(memoryBlock / 1024),
        [input, &inMemory, memoryBlock](
            const QString& output) { return kArchiveCompress(input, &inMemory, output, memoryBlock); } });
    contenders.last().before = [input, &inMemory] {
        QFile file(input);
        if (file.open(QIODevice::ReadOnly))
            inMemory = file.readAll();
    };
    contenders.last().after = [&inMemory] { inMemory = QByteArray(); };
    const QStringList commandLines[] = { { u"-3"_s }, { u"-3"_s, u"--single-thread"_s } };
    for (const QStringList& arguments : commandLines) {
        contenders.append({ u"zstd %1 (command)"_s.arg(arguments.join(u' ')),
            [input, arguments](const QString& output) {
                return QProcess::execute(
                           u"zstd"_s, arguments + QStringList { u"-q"_s, u"-f"_s, input, u"-o"_s, output })
                    == 0;
            },
            true });
    }
    const QString output = root + u"/out.fxt.zst"_s;
    for (int round = 0; round < rounds; ++round) {
        for (Contender& contender : contenders) {
            QFile::remove(output);
            contender.before();
            ::sync();
            QElapsedTimer timer;
            timer.start();
            const double cpu = cpuSeconds(contender.child ? RUSAGE_CHILDREN : RUSAGE_SELF);
            if (!contender.run(output)) {
                std::printf("   %s failed (is the zstd command installed?)\n", qPrintable(contender.name));
                return;
            }
            contender.walls.append(timer.nsecsElapsed() / 1e9);
            contender.cpus.append(cpuSeconds(contender.child ? RUSAGE_CHILDREN : RUSAGE_SELF) - cpu);
            contender.outputSize = QFileInfo(output).size();
            contender.after();
            std::printf("   [round %d] %-52s wall %6.2f s  CPU %6.2f s\n", round + 1, qPrintable(contender.name),
                contender.walls.last(), contender.cpus.last());
        }
    }
    QFile::remove(output);
    const double bestCommand = *std::min_element(
        contenders.at(blocksKiB.size() + 1).walls.begin(), contenders.at(blocksKiB.size() + 1).walls.end());
    std::printf("   %-52s %9s %9s %9s %9s %10s\n", "contender (level 3 everywhere)", "best s", "MiB/s", "CPU med",
        "out MiB", "vs zstd -3");
    for (const Contender& contender : std::as_const(contenders)) {
        const double best = *std::min_element(contender.walls.begin(), contender.walls.end());
        std::printf("   %-52s %9.2f %9.0f %9.2f %9.1f %9.2fx\n", qPrintable(contender.name), best, inputMiB / best,
            median(contender.cpus), contender.outputSize / 1048576.0, bestCommand / best);
    }

    // The whole library operation: compress, read back and compare byte for byte, rename.
    const QString target = root + u"/big.fxt.zst"_s;
    QElapsedTimer timer;
    timer.start();
    QString error;
    if (TraceCompressor::recompress(input, TraceProbe::Compression::Zstd, target, nullptr, &error)) {
        const double seconds = timer.nsecsElapsed() / 1e9;
        std::printf("   TraceCompressor::recompress (compress + verify + rename): %.2f s = %.0f MiB/s of input\n",
            seconds, inputMiB / seconds);
    } else {
        std::printf("   TraceCompressor::recompress failed: %s\n", qPrintable(error));
    }
    QFile::remove(target);
    QFile::remove(input);
}

} // namespace

int main(int argc, char** argv)
{
    std::setvbuf(stdout, nullptr, _IONBF, 0); // progress shows up even when piped
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption entriesOption(
        u"entries"_s, u"Library size for the listing benchmark."_s, u"N"_s, u"10000"_s);
    const QCommandLineOption listingOption(u"listing"_s,
        u"full: create, measure (evicted and warm), delete; create: only create DIR/library; load: two loads of "
        "an existing DIR/library (run after dropping all caches); memory: page faults of the listing's parts in a "
        "fresh process; vanish: a rescan after entries' files were deleted."_s,
        u"MODE"_s, u"full"_s);
    const QCommandLineOption traceOption(u"trace-mib"_s, u"Size of the trace to compress (MiB)."_s, u"M"_s, u"1024"_s);
    const QCommandLineOption blocksOption(
        u"blocks"_s, u"Write block sizes (KiB) to try for KCompressionDevice."_s, u"LIST"_s, u"64,1024,16384"_s);
    const QCommandLineOption roundsOption(u"rounds"_s, u"Compression rounds."_s, u"R"_s, u"3"_s);
    const QCommandLineOption sidecarsOnlyOption(
        u"sidecars-only"_s, u"The library to create has sidecars only (no trace and log files)."_s);
    const QCommandLineOption proxyOption(u"sorted-proxy"_s,
        u"load: the model also has the library page's proxy, sorted by date (its sort runs on the UI thread)."_s);
    const QCommandLineOption dirOption(u"dir"_s, u"Where to put the files (default: a temporary folder)."_s, u"DIR"_s);
    parser.addOptions({ entriesOption, listingOption, traceOption, blocksOption, roundsOption, sidecarsOnlyOption,
        proxyOption, dirOption });
    parser.addHelpOption();
    parser.process(app);
    std::unique_ptr<QTemporaryDir> temporary;
    QString root = parser.value(dirOption);
    if (root.isEmpty()) {
        temporary = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/bench_library-XXXXXX"_s);
        root = temporary->path();
    }
    QDir().mkpath(root);
    const int entries = parser.value(entriesOption).toInt();
    const QString mode = parser.value(listingOption);
    if (entries > 0 && mode == u"create"_s) {
        createLibrary(root, entries, parser.isSet(sidecarsOnlyOption));
    } else if (entries > 0 && mode == u"memory"_s) {
        memoryBreakdown(root);
    } else if (entries > 0 && mode == u"vanish"_s) {
        vanish(root, entries);
    } else if (entries > 0 && mode == u"load"_s) {
        loadOnce(root, entries, parser.isSet(proxyOption));
    } else if (entries > 0) {
        listing(root, entries, parser.isSet(sidecarsOnlyOption));
        QDir(libraryFolder(root)).removeRecursively();
    }
    QList<qint64> blocks;
    for (const QString& block : parser.value(blocksOption).split(u',', Qt::SkipEmptyParts))
        blocks.append(block.toLongLong());
    if (parser.value(traceOption).toLongLong() > 0 && !blocks.isEmpty())
        compression(root, parser.value(traceOption).toLongLong(), blocks, qMax(1, parser.value(roundsOption).toInt()));
    return 0;
}
