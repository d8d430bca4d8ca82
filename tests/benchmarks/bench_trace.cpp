// SPDX-License-Identifier: MIT
// bench_trace: the magic-trace controller's two speed targets (issue 4), measured against the test double
// (bin/fake-magic-trace, built with `--target fake-magic-trace`):
//  1. handshake latency: from the double writing "[ Attached" (CLOCK_MONOTONIC, stamped by the double just
//     before its write) to TraceSession's stateChanged(Recording). Target: median < 2 ms. Baseline in the same
//     run: a bare QProcess whose readyReadStandardError handler only looks for "[ Attached".
//  2. stderr drain: a flood of decode warnings (default 500 MB) through TraceSession (split, classify, timestamp,
//     bounded buffer, whole log to disk), in MB/s, with our resident memory sampled every 50 ms, once with a
//     logBatch receiver and once with a logLine receiver. Target: >= 100 MB/s, memory flat. Baseline: a bare
//     QProcess that reads and discards the same flood.
//
// Usage: bench_trace [--rounds N] [--flood-mb M] [--dir DIR]
#include "procstatus.h"
#include "trace/tracesession.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <sys/resource.h>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

qint64 monotonicNs()
{
    timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

qint64 lastStamp(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    return lines.isEmpty() ? 0 : lines.last().toLongLong();
}

double cpuSeconds()
{
    rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

qint64 residentKb()
{
    return std::max<qint64>(procStatusKiB("VmRSS"), 0);
}

struct Stats
{
    double median = 0, p90 = 0, min = 0, max = 0;
};

Stats stats(std::vector<double> v)
{
    Stats s;
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    s.median = v[v.size() / 2];
    s.p90 = v[std::min(v.size() - 1, v.size() * 9 / 10)];
    s.min = v.front();
    s.max = v.back();
    return s;
}

void waitFor(const std::function<bool()>& done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    int rounds = 40;
    int floodMb = 500;
    QString dirArg;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--rounds"_s)
            rounds = args[i + 1].toInt();
        else if (args[i] == u"--flood-mb"_s)
            floodMb = args[i + 1].toInt();
        else if (args[i] == u"--dir"_s)
            dirArg = args[i + 1];
    }
    const QString fake = QCoreApplication::applicationDirPath() + u"/fake-magic-trace"_s;
    if (!QFile::exists(fake)) {
        std::fprintf(stderr, "bench_trace: %s is missing; build the fake-magic-trace target too\n", qPrintable(fake));
        return 1;
    }
    QTemporaryDir tmp((dirArg.isEmpty() ? QDir::tempPath() : dirArg) + u"/bench_trace-XXXXXX"_s);
    const QString stampFile = tmp.filePath(u"stamp"_s);
    const auto caps = MagicTraceCapabilities::forVersion(MagicTraceVersion::fromNumbers(1, 2, 4));

    QProcess target;
    target.start(u"sleep"_s, { u"3600"_s });
    target.waitForStarted();

    qputenv("FAKE_MAGIC_TRACE_VERSION", "v1.2.4");
    qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "30");
    qputenv("FAKE_MAGIC_TRACE_DECODE_MS", "0");
    qputenv("FAKE_MAGIC_TRACE_ATTACHED_STAMP", stampFile.toLocal8Bit());

    // 1a. Baseline: bare QProcess, substring search on what arrives.
    std::vector<double> baseline;
    for (int i = 0; i < rounds; ++i) {
        QFile::remove(stampFile);
        QProcess p;
        qint64 seen = 0;
        QByteArray buffer;
        QObject::connect(&p, &QProcess::readyReadStandardError, &p, [&] {
            buffer += p.readAllStandardError();
            if (!seen && buffer.contains("[ Attached"))
                seen = monotonicNs();
        });
        p.start(
            fake, { u"attach"_s, u"-pid"_s, QString::number(target.processId()), u"-o"_s, tmp.filePath(u"b.fxt"_s) });
        waitFor([&] { return seen != 0 || p.state() == QProcess::NotRunning; }, 30'000);
        const qint64 stamp = lastStamp(stampFile);
        if (seen && stamp)
            baseline.push_back(double(seen - stamp) / 1e6);
        p.kill();
        p.waitForFinished();
    }

    // 1b. TraceSession.
    std::vector<double> ours;
    for (int i = 0; i < rounds; ++i) {
        QFile::remove(stampFile);
        TraceRequest request;
        request.pids = { target.processId() };
        request.outputPath = tmp.filePath(u"s.fxt"_s);
        TraceSession session(fake, caps, request);
        qint64 seen = 0;
        QObject::connect(&session, &TraceSession::stateChanged, &session, [&](TraceSession::State s) {
            if (s == TraceSession::State::Recording && !seen)
                seen = monotonicNs();
        });
        session.start();
        waitFor([&] { return seen != 0 || !session.isActive(); }, 30'000);
        const qint64 stamp = lastStamp(stampFile);
        if (seen && stamp)
            ours.push_back(double(seen - stamp) / 1e6);
        session.abort();
        waitFor([&] { return !session.isActive(); }, 30'000);
    }
    const Stats b = stats(baseline);
    const Stats o = stats(ours);
    std::printf("handshake latency, %d rounds ([ Attached written -> state Recording), ms\n", rounds);
    std::printf("  baseline bare QProcess : median %.3f  p90 %.3f  min %.3f  max %.3f  (n=%zu)\n", b.median, b.p90,
        b.min, b.max, baseline.size());
    std::printf(
        "  TraceSession           : median %.3f  p90 %.3f  min %.3f  max %.3f  (n=%zu)  target median < 2 ms: %s\n",
        o.median, o.p90, o.min, o.max, ours.size(), o.median < 2.0 ? "met" : "MISSED");
    std::fflush(stdout);

    // 2a. Baseline drain: bare QProcess, read and discard.
    qputenv("FAKE_MAGIC_TRACE_SCENARIO", "flood");
    qputenv("FAKE_MAGIC_TRACE_FLOOD_BYTES", QByteArray::number(qint64(floodMb) * 1024 * 1024));
    qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "0");
    qunsetenv("FAKE_MAGIC_TRACE_ATTACHED_STAMP");
    double baselineMBps = 0;
    double baselineCpuMBps = 0;
    {
        const double cpuBefore = cpuSeconds();
        QProcess p;
        qint64 bytes = 0;
        qint64 decodingAt = 0;
        QObject::connect(&p, &QProcess::readyReadStandardError, &p, [&] {
            const QByteArray data = p.readAllStandardError();
            if (!decodingAt && data.contains("[ Decoding"))
                decodingAt = monotonicNs();
            bytes += data.size();
            if (data.contains("[ Attached"))
                ::kill(pid_t(p.processId()), SIGINT);
        });
        p.start(
            fake, { u"attach"_s, u"-pid"_s, QString::number(target.processId()), u"-o"_s, tmp.filePath(u"f.fxt"_s) });
        waitFor([&] { return p.state() == QProcess::NotRunning; }, 600'000);
        const double seconds = double(monotonicNs() - decodingAt) / 1e9;
        baselineMBps = double(bytes) / (1024.0 * 1024.0) / seconds;
        baselineCpuMBps = double(bytes) / (1024.0 * 1024.0) / (cpuSeconds() - cpuBefore);
    }

    std::printf("stderr drain, %d MB flood of decode warnings\n", floodMb);
    std::printf("  baseline bare QProcess read+discard : %.0f MB/s wall, %.0f MB per CPU-second of ours\n",
        baselineMBps, baselineCpuMBps);
    std::fflush(stdout);

    // 2b. TraceSession drain with memory samples: once with a receiver of logBatch (one signal per read, lines
    // decoded by nobody), once with a receiver of logLine (a QString and a signal per line).
    for (const bool perLine : { false, true }) {
        TraceRequest request;
        request.pids = { target.processId() };
        request.outputPath = tmp.filePath(u"flood.fxt"_s);
        TraceSession session(fake, caps, request);
        qint64 decodingAt = 0;
        qint64 lines = 0;
        if (perLine)
            QObject::connect(&session, &TraceSession::logLine, &session, [&lines](const LogLine&) { ++lines; });
        else
            QObject::connect(&session, &TraceSession::logBatch, &session,
                [&lines](const LogBatch& batch) { lines += batch.size(); });
        QObject::connect(&session, &TraceSession::stateChanged, &session, [&](TraceSession::State s) {
            if (s == TraceSession::State::Recording)
                session.stop();
            if (s == TraceSession::State::Decoding)
                decodingAt = monotonicNs();
        });
        const qint64 rssStart = residentKb();
        qint64 rssMax = rssStart;
        std::vector<qint64> samples;
        QTimer sampler;
        QObject::connect(&sampler, &QTimer::timeout, &sampler, [&] {
            const qint64 kb = residentKb();
            samples.push_back(kb);
            rssMax = std::max(rssMax, kb);
        });
        sampler.start(50);
        const double cpuBefore = cpuSeconds();
        session.start();
        waitFor([&] { return !session.isActive(); }, 600'000);
        const qint64 endedAt = monotonicNs();
        const double cpuUsed = cpuSeconds() - cpuBefore;
        sampler.stop();
        const TraceResult& r = session.result();
        const double seconds = double(endedAt - decodingAt) / 1e9;
        const double mb = double(r.logByteCount) / (1024.0 * 1024.0);
        const double oursMBps = mb / seconds;
        std::printf("  TraceSession, %s : %.0f MB/s  (%.1f MB, %lld lines in %.2f s, outcome %s)  target >= 100 MB/s: "
                    "%s\n",
            perLine ? "logLine receiver (per line) " : "logBatch receiver (per read)", oursMBps, mb,
            static_cast<long long>(lines), seconds, qPrintable(TraceResult::outcomeName(r.outcome)),
            oursMBps >= 100 ? "met" : "MISSED");
        std::printf("    CPU: %.2f s user+sys in this process = %.0f MB per CPU-second\n", cpuUsed, mb / cpuUsed);
        std::printf("    resident memory: start %lld KiB, max %lld KiB (+%lld KiB), %zu samples; in-memory log lines "
                    "%lld of %lld; log file %lld bytes\n",
            static_cast<long long>(rssStart), static_cast<long long>(rssMax), static_cast<long long>(rssMax - rssStart),
            samples.size(), static_cast<long long>(session.recentLog().size()), static_cast<long long>(r.logLineCount),
            static_cast<long long>(QFileInfo(r.logPath).size()));
        std::fflush(stdout);
        QFile::remove(r.logPath);
    }
    target.kill();
    target.waitForFinished();
    return 0;
}
