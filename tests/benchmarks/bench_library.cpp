// SPDX-License-Identifier: MIT
// bench_library [--entries N] [--trace-mib M] [--dir DIR]
//
// 1. Listing a library of N (10,000) entries: TraceLibrary::load() in a fresh object, with the sidecars, traces
//    and logs evicted from the page cache first (posix_fadvise DONTNEED; dropping all caches needs privileges
//    the build machine does not grant, so directory and inode caches stay warm). Target: < 300 ms.
// 2. Compressing an M MiB (1024) synthetic magic-trace-like trace with zstd through KCompressionDevice against
//    the zstd command at the same level (KArchive uses zstd's default, 3) in the same run, single-threaded both.
//    Target: KArchive ≥ 0.8× the command's throughput. Also reported: the library's full compress-and-verify.
// Big files are deleted afterwards.
#include "../librarytestutil.h"

#include "library/tracecompressor.h"
#include "library/tracelibrary.h"

#include <KCompressionDevice>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
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

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

void listing(const QString& root, int count)
{
    const QString folder = root + u"/library"_s;
    QDir().mkpath(folder);
    std::printf("== listing %d entries (sidecar + trace + log each) in %s\n", count, qPrintable(folder));
    QStringList files;
    for (int i = 0; i < count; ++i) {
        TraceMetadata m;
        m.id = u"20260101-%1-server"_s.arg(i, 6, 10, QChar(u'0'));
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
        m.traceFile = m.id + u".fxt.gz"_s;
        m.logFile = m.id + u".log"_s;
        m.fileSize = 4096;
        m.format = u"gzip"_s;
        m.tags = { u"prod"_s, u"latency"_s };
        m.origin = u"recorded"_s;
        m.traceProcesses = { u"/usr/local/bin/server --port 8080 [pid=%1]"_s.arg(m.targetPid) };
        m.traceBaseTime = m.startTime;
        const QString sidecar = folder + u'/' + m.id + u".json"_s;
        LibraryTest::writeFile(sidecar, m.toJsonBytes());
        LibraryTest::writeFile(folder + u'/' + m.traceFile, QByteArray(4096, 'x'));
        LibraryTest::writeFile(folder + u'/' + m.logFile, QByteArray(2048, 'l'));
        files << sidecar << folder + u'/' + m.traceFile << folder + u'/' + m.logFile;
    }
    ::sync();
    QList<double> cold;
    QList<double> warm;
    QList<double> coldCpu;
    QList<double> warmCpu;
    for (int round = 0; round < 5; ++round) {
        qint64 resident = 0;
        for (const QString& file : std::as_const(files))
            evict(file, round == 0 ? &resident : nullptr);
        if (round == 0)
            std::printf("   pages of the library still cached after eviction: %lld\n", qlonglong(resident));
        {
            TraceLibrary library(folder);
            library.setWatching(false);
            QElapsedTimer timer;
            timer.start();
            const double cpu = cpuSeconds();
            QString error;
            if (!library.load(&error) || library.entries().size() != count) {
                std::printf(
                    "   load failed: %s (%lld entries)\n", qPrintable(error), qlonglong(library.entries().size()));
                return;
            }
            cold.append(timer.nsecsElapsed() / 1e6);
            coldCpu.append((cpuSeconds() - cpu) * 1e3);
        }
        {
            TraceLibrary library(folder);
            library.setWatching(false);
            QElapsedTimer timer;
            timer.start();
            const double cpu = cpuSeconds();
            QString error;
            library.load(&error);
            warm.append(timer.nsecsElapsed() / 1e6);
            warmCpu.append((cpuSeconds() - cpu) * 1e3);
        }
    }
    std::printf("   cold (evicted) load: median %.1f ms of 5 (target < 300 ms)   runs:", median(cold));
    for (double v : cold)
        std::printf(" %.1f", v);
    std::printf("\n   warm load:           median %.1f ms of 5\n", median(warm));
    std::printf(
        "   CPU time (all threads): cold median %.1f ms, warm median %.1f ms\n", median(coldCpu), median(warmCpu));
    QDir(folder).removeRecursively();
}

bool kArchiveCompress(const QString& input, const QString& output, double* seconds)
{
    QFile::remove(output);
    QElapsedTimer timer;
    timer.start();
    const double cpu = cpuSeconds();
    QFile in(input);
    if (!in.open(QIODevice::ReadOnly))
        return false;
    KCompressionDevice out(output, KCompressionDevice::Zstd);
    if (!out.open(QIODevice::WriteOnly))
        return false;
    QByteArray buffer(1024 * 1024, Qt::Uninitialized);
    for (;;) {
        const qint64 got = in.read(buffer.data(), buffer.size());
        if (got <= 0)
            break;
        if (out.write(buffer.constData(), got) != got)
            return false;
    }
    out.close();
    *seconds = timer.nsecsElapsed() / 1e9;
    std::printf("   [KArchive run: wall %.2f s, CPU %.2f s]\n", *seconds, cpuSeconds() - cpu);
    return out.error() == QFileDevice::NoError;
}

bool commandCompress(const QString& input, const QString& output, double* seconds)
{
    QFile::remove(output);
    QElapsedTimer timer;
    timer.start();
    const double cpu = cpuSeconds(RUSAGE_CHILDREN);
    const int status = QProcess::execute(u"zstd"_s, { u"-3"_s, u"-T1"_s, u"-q"_s, u"-f"_s, input, u"-o"_s, output });
    *seconds = timer.nsecsElapsed() / 1e9;
    std::printf("   [zstd command run: wall %.2f s, CPU %.2f s]\n", *seconds, cpuSeconds(RUSAGE_CHILDREN) - cpu);
    return status == 0;
}

void compression(const QString& root, qint64 mib)
{
    const QString input = root + u"/big.fxt"_s;
    const qint64 bytes = mib * 1024 * 1024;
    std::printf("== zstd compression of a %lld MiB synthetic trace (%s)\n", qlonglong(mib), qPrintable(input));
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
    // Read once so that both contenders start from the page cache.
    {
        QFile file(input);
        file.open(QIODevice::ReadOnly);
        QByteArray buffer(8 << 20, Qt::Uninitialized);
        while (file.read(buffer.data(), buffer.size()) > 0) { }
    }
    const QString viaKArchive = root + u"/karchive.fxt.zst"_s;
    const QString viaCommand = root + u"/command.fxt.zst"_s;
    QList<double> karchive;
    QList<double> command;
    for (int round = 0; round < 3; ++round) {
        double seconds = 0;
        if (kArchiveCompress(input, viaKArchive, &seconds))
            karchive.append(seconds);
        if (commandCompress(input, viaCommand, &seconds))
            command.append(seconds);
    }
    if (karchive.isEmpty() || command.isEmpty()) {
        std::printf("   compression failed (is the zstd command installed?)\n");
        return;
    }
    const double best = *std::min_element(karchive.begin(), karchive.end());
    const double bestCommand = *std::min_element(command.begin(), command.end());
    std::printf("   KCompressionDevice (zstd level 3): best %.2f s = %.0f MiB/s, output %.1f MiB (ratio %.2f); runs:",
        best, inputMiB / best, QFileInfo(viaKArchive).size() / 1048576.0,
        inputMiB * 1048576.0 / QFileInfo(viaKArchive).size());
    for (double v : karchive)
        std::printf(" %.2f", v);
    std::printf("\n   zstd -3 -T1 command:                best %.2f s = %.0f MiB/s, output %.1f MiB; runs:",
        bestCommand, inputMiB / bestCommand, QFileInfo(viaCommand).size() / 1048576.0);
    for (double v : command)
        std::printf(" %.2f", v);
    std::printf("\n   KArchive / command throughput: %.2f× (target ≥ 0.80×)\n", bestCommand / best);
    QFile::remove(viaKArchive);
    QFile::remove(viaCommand);

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
    const QCommandLineOption traceOption(u"trace-mib"_s, u"Size of the trace to compress (MiB)."_s, u"M"_s, u"1024"_s);
    const QCommandLineOption dirOption(u"dir"_s, u"Where to put the files (default: a temporary folder)."_s, u"DIR"_s);
    parser.addOptions({ entriesOption, traceOption, dirOption });
    parser.addHelpOption();
    parser.process(app);
    std::unique_ptr<QTemporaryDir> temporary;
    QString root = parser.value(dirOption);
    if (root.isEmpty()) {
        temporary = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/bench_library-XXXXXX"_s);
        root = temporary->path();
    }
    QDir().mkpath(root);
    if (parser.value(entriesOption).toInt() > 0)
        listing(root, parser.value(entriesOption).toInt());
    if (parser.value(traceOption).toLongLong() > 0)
        compression(root, parser.value(traceOption).toLongLong());
    return 0;
}
