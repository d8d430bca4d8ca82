// SPDX-License-Identifier: MIT
// Trace viewer benchmark (issue 9). For magic-trace-shaped traces made by TraceGenerator (default 100 MB and
// 1 GB), measures in separate child processes so that peak RSS figures do not mix:
//   reader: FxtReader::load alone (the baseline: load time and peak RSS);
//   viewer: ViewerPage::open → loaded → first timeline frame painted, peak RSS at that point and after the
//           per-function table is computed, then frame times of the timeline rendered into a QImage offscreen,
//           fully zoomed out and at mid / deep zoom with a selected range and a selected slice highlighted.
//           Also: the first paint into a fresh image (page faults), the level of detail alone with and without
//           the coverage summaries, the summaries' cost at load, and one cold frame per zoom.
//   Both report their RSS just before the trace is opened, so that what the trace costs can be told apart from
//   what the viewer's window holds anyway.
// Usage: bench_viewer [--sizes 100,1000] [--dir DIR] [--rounds 3] [--keep]   (run from a Release build)
// Environment: MTS_VIEWER_SCREENSHOT=file.png (the page, zoomed out), MTS_VIEWER_SMAPS=prefix (smaps copies),
//              MTS_BENCH_DEBUG=1 (row sizes, deciles, on stderr).
//        bench_viewer --child reader|viewer FILE     one measurement as JSON (used internally); by hand also
//                     reader-worker (loading on a worker thread) and gui-reader (the same in a QApplication)
#include "fxt/fxtreader.h"
#include "fxt/tracedata.h"
#include "fxt/tracegenerator.h"
#include "procstatus.h"
#include "viewer/timelinewidget.h"
#include "viewer/tracetimelinedata.h"
#include "viewer/viewerpage.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScrollBar>
#include <QTextStream>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <sys/resource.h>

using namespace Qt::StringLiterals;

namespace {

qint64 peakRssKiB()
{
    return procStatusKiB("VmHWM");
}

// CPU time of the calling thread so far, ms.
double threadCpuMs()
{
    timespec now {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

// CPU time (user + system) of the whole process so far, ms: on a shared, overloaded machine wall time mostly
// measures the other processes, so the figures compare both.
double cpuMs()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

// MTS_VIEWER_SMAPS=prefix: a copy of /proc/self/smaps as prefix-<child>-<trace>.txt (reader after its load,
// viewer at its first frame), to see which mappings the memory is in.
void dumpSmaps(const QString& child, const QString& trace)
{
    const QString prefix = qEnvironmentVariable("MTS_VIEWER_SMAPS");
    if (prefix.isEmpty())
        return;
    QFile in(u"/proc/self/smaps"_s);
    QFile copy(prefix + u'-' + child + u'-' + QFileInfo(trace).completeBaseName() + u".txt"_s);
    if (in.open(QIODevice::ReadOnly) && copy.open(QIODevice::WriteOnly | QIODevice::Truncate))
        copy.write(in.readAll()); // proc files report size 0: QFile::copy would copy nothing
}

struct FrameStats
{
    double median = 0;
    double max = 0;
};

FrameStats timeFrames(TimelineWidget* timeline, QImage& image, int frames)
{
    // Thread CPU time per frame: wall time on this shared machine would mostly measure the other processes.
    std::vector<double> ms;
    for (int i = 0; i < frames; ++i) {
        const double before = threadCpuMs();
        timeline->renderTo(&image);
        ms.push_back(threadCpuMs() - before);
    }
    std::sort(ms.begin(), ms.end());
    return { ms[ms.size() / 2], ms.back() };
}

int runReader(const QString& path, bool onWorker)
{
    const qint64 rssBefore = procStatusKiB("VmRSS");
    const double cpuBefore = cpuMs();
    QElapsedTimer timer;
    timer.start();
    QString error;
    // On a worker thread, as the viewer loads (the baseline is the main thread, as `inspect` loads).
    const auto data = onWorker ? QtConcurrent::run([&] { return FxtReader::load(path, &error); }).result()
                               : FxtReader::load(path, &error);
    if (!data) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    dumpSmaps(u"reader"_s, path);
    QJsonObject out;
    out[u"load_ms"_s] = double(timer.nsecsElapsed()) / 1e6;
    out[u"cpu_ms"_s] = cpuMs() - cpuBefore;
    out[u"peak_rss_kib"_s] = peakRssKiB();
    out[u"rss_before_kib"_s] = rssBefore;
    out[u"slices"_s] = qint64(data->sliceCount());
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}

// Runs the event loop until done() is true (polled every 10 ms) or the timeout passes. A blocking event loop,
// not a processEvents() spin, so the main thread's CPU time stays the viewer's own.
template<class Done> bool waitUntil(Done done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(10);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    poll.start();
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return done();
}

int runViewer(const QString& path)
{
    ViewerPage page;
    page.resize(1600, 1000);
    page.show();
    QCoreApplication::processEvents();
    page.repaint(); // as a user's window is, before they open a trace
    TimelineWidget* timeline = page.timeline();
    int loaded = 0;
    int analysed = 0;
    QObject::connect(&page, &ViewerPage::loaded, [&] { ++loaded; });
    QObject::connect(&page, &ViewerPage::rangeAnalysed, [&] { ++analysed; });
    // The shown, painted, empty page: what the process holds before it has any trace.
    const qint64 rssBefore = procStatusKiB("VmRSS");
    const double cpuBefore = cpuMs();
    const double mainThreadBefore = threadCpuMs();
    QElapsedTimer timer;
    timer.start();
    page.open(path);
    if (!waitUntil([&] { return loaded > 0; }, 600'000)) {
        std::fprintf(stderr, "load did not finish\n");
        return 1;
    }
    const double loadedMs = double(timer.nsecsElapsed()) / 1e6;
    // First frame: what the user sees first, painted through the widget's own paint path.
    timeline->viewport()->repaint();
    const double firstFrameMs = double(timer.nsecsElapsed()) / 1e6;
    const double firstFrameCpuMs = cpuMs() - cpuBefore;
    const double mainThreadMs = threadCpuMs() - mainThreadBefore;
    const qint64 rssAtFirstFrame = peakRssKiB();
    dumpSmaps(u"viewer"_s, path);
    if (!waitUntil([&] { return analysed > 0; }, 600'000)) {
        std::fprintf(stderr, "function table did not finish\n");
        return 1;
    }
    const double tablesMs = double(timer.nsecsElapsed()) / 1e6;
    const qint64 rssWithTables = peakRssKiB();

    QImage image(timeline->viewport()->size(), QImage::Format_ARGB32_Premultiplied);
    const auto data = page.data();
    const double start = double(data->startTime());
    const double span = double(data->endTime() - data->startTime());
    QJsonObject out;
    out[u"first_frame_ms"_s] = firstFrameMs;
    out[u"loaded_ms"_s] = loadedMs;
    out[u"first_frame_cpu_ms"_s] = firstFrameCpuMs;
    out[u"main_thread_cpu_ms"_s] = mainThreadMs;
    out[u"peak_rss_first_frame_kib"_s] = rssAtFirstFrame;
    out[u"rss_before_kib"_s] = rssBefore;
    out[u"tables_ms"_s] = tablesMs;
    out[u"peak_rss_with_tables_kib"_s] = rssWithTables;
    out[u"slices"_s] = qint64(data->totalSlices());
    out[u"width"_s] = image.width();
    out[u"height"_s] = image.height();

    auto record = [&](const QString& key, const FrameStats& stats) {
        out[key + u"_median_ms"_s] = stats.median;
        out[key + u"_max_ms"_s] = stats.max;
    };
    // The first paint into a freshly allocated image pays for its page faults (~1000 for 4 MB, expensive on this
    // virtual machine); a window's backing store is allocated once, so that frame is reported on its own and
    // the view-change frames below paint into an image already touched.
    {
        rusage a {}, b {};
        getrusage(RUSAGE_THREAD, &a);
        out[u"frame_fresh_image_ms"_s] = timeFrames(timeline, image, 1).max;
        getrusage(RUSAGE_THREAD, &b);
        out[u"frame_fresh_image_faults"_s] = qint64(b.ru_minflt - a.ru_minflt);
    }
    // Level of detail alone (no painting), fit-all at the widget's width, every row of every thread: with the
    // summaries and without (slice by slice), twice each; the first pass of each is the colder one.
    {
        const double viewWidth = double(image.width() - TimelineWidget::labelWidth);
        const double npp = span / viewWidth;
        auto lodPass = [&](bool withSummary) {
            const double before = threadCpuMs();
            qsizetype marks = 0;
            for (int t = 0; t < data->threads().size(); ++t) {
                for (int d = 0; d < data->threads().at(t).depths; ++d) {
                    const TimelineLane lane { data.get(), t, d };
                    Lod::forEachMark(lane, data->laneInfo(t, d), withSummary ? data->laneSummary(t, d) : nullptr, start,
                        npp, start + span, [&](const Lod::Mark&) { ++marks; });
                }
            }
            return threadCpuMs() - before;
        };
        if (qEnvironmentVariableIsSet("MTS_BENCH_DEBUG")) {
            std::vector<qsizetype> sizes;
            for (int t = 0; t < data->threads().size(); ++t)
                for (int d = 0; d < data->threads().at(t).depths; ++d)
                    sizes.push_back(data->sliceCount(t, d));
            std::sort(sizes.begin(), sizes.end());
            std::fprintf(stderr, "rows %zu:", sizes.size());
            for (int q = 0; q <= 10; ++q)
                std::fprintf(
                    stderr, " %lld", (long long)sizes[std::min(sizes.size() - 1, sizes.size() * size_t(q) / 10)]);
            std::fprintf(stderr, "\n");
        }
        // What the summaries cost at load: the adapter built again, with and without them (worker-thread work).
        auto adapterMs = [&](const LaneSummary::Options& options) {
            const double before = threadCpuMs();
            const TraceTimelineData again(dynamic_cast<const TraceTimelineData&>(*data).traceShared(), options);
            return threadCpuMs() - before;
        };
        LaneSummary::Options none;
        none.minSlices = std::numeric_limits<qsizetype>::max();
        out[u"adapter_without_summaries_ms"_s] = adapterMs(none);
        out[u"adapter_with_summaries_ms"_s] = adapterMs({});
        out[u"lod_summary_first_ms"_s] = lodPass(true);
        out[u"lod_slices_first_ms"_s] = lodPass(false);
        out[u"lod_summary_again_ms"_s] = lodPass(true);
        out[u"lod_slices_again_ms"_s] = lodPass(false);
    }
    // UI-thread work outside painting: handing the loaded trace to the timeline (colours per name, counter ranges).
    {
        const double before = threadCpuMs();
        timeline->setData(data);
        out[u"set_data_ms"_s] = threadCpuMs() - before;
        out[u"names"_s] = qint64(data->nameCount());
    }
    timeline->fitAll();
    record(u"frame_zoomed_out"_s, timeFrames(timeline, image, 15));
    // MTS_VIEWER_SCREENSHOT=path.png: also save the whole page, zoomed out, to look at.
    const QString shot = qEnvironmentVariable("MTS_VIEWER_SCREENSHOT");
    if (!shot.isEmpty())
        page.grab().save(shot);

    // Mid zoom (1 % of the trace) with a selected range and a selected slice.
    timeline->timeView().showRange(start + span * 0.40, start + span * 0.41);
    page.selectRange(qint64(start + span * 0.402), qint64(start + span * 0.405));
    const QPoint probe(TimelineWidget::labelWidth + 500, timeline->yForDepth(0, 5) + 5);
    timeline->setSelectedSlice(timeline->sliceAt(probe));
    record(u"frame_mid_zoom_selection"_s, timeFrames(timeline, image, 15));

    // Deep zoom (20 µs window), scrolled down to the deepest lanes of the first thread.
    timeline->timeView().showRange(start + span * 0.5, start + span * 0.5 + 20'000);
    timeline->verticalScrollBar()->setValue(timeline->verticalScrollBar()->maximum() / 4);
    record(u"frame_deep_zoom"_s, timeFrames(timeline, image, 15));

    // Every zoom, one cold frame each: from fit-all down by factors of 4 to a 10 µs window, each jump to a new
    // place in the trace (so the slices it reads were not read by the frame before), top of the lanes; then
    // back to fit-all after all that has evicted the caches.
    double sweepMax = 0;
    double sweepMaxSpan = 0;
    int sweepFrames = 0;
    timeline->verticalScrollBar()->setValue(0);
    auto coldFrame = [&](double from, double to) {
        timeline->timeView().showRange(from, to);
        const double before = threadCpuMs();
        timeline->renderTo(&image);
        return threadCpuMs() - before;
    };
    quint32 place = 12345;
    for (double window = span; window >= 10'000; window /= 4) {
        place = place * 1103515245u + 12345u;
        const double at = start + (span - window) * double(place % 1000) / 999.0;
        const double ms = coldFrame(at, at + window);
        ++sweepFrames;
        if (ms > sweepMax) {
            sweepMax = ms;
            sweepMaxSpan = window;
        }
    }
    out[u"frame_sweep_max_ms"_s] = sweepMax;
    out[u"frame_sweep_max_window_ns"_s] = sweepMaxSpan;
    out[u"frame_sweep_frames"_s] = sweepFrames;
    out[u"frame_fit_all_after_sweep_ms"_s] = coldFrame(start, start + span);
    out[u"summary_bytes"_s] = qint64(data->summaryBytes());
    out[u"peak_rss_end_kib"_s] = peakRssKiB();
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}

QJsonObject runChild(const QString& mode, const QString& path)
{
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), { u"--child"_s, mode, path });
    if (!child.waitForFinished(-1) || child.exitCode() != 0)
        return {};
    return QJsonDocument::fromJson(child.readAllStandardOutput().trimmed()).object();
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 4 && qstrcmp(argv[1], "--child") == 0) {
        if (qstrcmp(argv[2], "reader") == 0 || qstrcmp(argv[2], "reader-worker") == 0) {
            QCoreApplication app(argc, argv);
            return runReader(QString::fromLocal8Bit(argv[3]), qstrcmp(argv[2], "reader-worker") == 0);
        }
        qputenv("QT_QPA_PLATFORM", "offscreen");
        QApplication app(argc, argv);
        if (qstrcmp(argv[2], "gui-reader") == 0)
            return runReader(QString::fromLocal8Bit(argv[3]), true);
        return runViewer(QString::fromLocal8Bit(argv[3]));
    }
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({ u"sizes"_s, u"Trace sizes in MB, comma separated."_s, u"list"_s, u"100,1000"_s });
    parser.addOption({ u"dir"_s, u"Where to write the generated traces."_s, u"dir"_s, QDir::tempPath() });
    parser.addOption({ u"keep"_s, u"Keep the generated traces."_s });
    parser.addOption(
        { u"rounds"_s, u"Reader and viewer runs per trace, alternating; the best of each counts."_s, u"n"_s, u"3"_s });
    parser.process(app);
    const int rounds = std::max(1, parser.value(u"rounds"_s).toInt());
    QTextStream out(stdout);
    for (const QString& size : parser.value(u"sizes"_s).split(u',')) {
        const quint64 mb = size.toULongLong();
        const QString path = QDir(parser.value(u"dir"_s)).filePath(u"bench-viewer-%1mb.fxt"_s.arg(mb));
        if (!QFile::exists(path)) {
            TraceGeneratorOptions options;
            options.targetBytes = mb * 1'000'000;
            options.threads = 8;
            TraceGeneratorResult result;
            QString error;
            QElapsedTimer timer;
            timer.start();
            if (!TraceGenerator::generateFile(path, options, &result, &error)) {
                out << "cannot generate " << path << ": " << error << Qt::endl;
                return 1;
            }
            out << "generated " << path << ": " << result.bytes / 1e6 << " MB, " << result.calls << " slices in "
                << timer.elapsed() << " ms" << Qt::endl;
        }
        // Reader and viewer children alternate; each side's fastest round is compared (this VM's first touch of
        // memory its host took back swings single loads by up to 2x), and its frames are those of that round.
        QJsonObject reader;
        QJsonObject viewer;
        QString readerTimes;
        QString viewerTimes;
        for (int round = 0; round < rounds; ++round) {
            const QJsonObject r = runChild(u"reader"_s, path);
            const QJsonObject v = runChild(u"viewer"_s, path);
            if (r.isEmpty() || v.isEmpty()) {
                out << "a child failed" << Qt::endl;
                return 1;
            }
            readerTimes += u' ' + QString::number(r[u"load_ms"_s].toDouble(), 'f', 0);
            viewerTimes += u' ' + QString::number(v[u"first_frame_ms"_s].toDouble(), 'f', 0);
            if (reader.isEmpty() || r[u"load_ms"_s].toDouble() < reader[u"load_ms"_s].toDouble())
                reader = r;
            if (viewer.isEmpty() || v[u"first_frame_ms"_s].toDouble() < viewer[u"first_frame_ms"_s].toDouble())
                viewer = v;
        }
        const double loadMs = reader[u"load_ms"_s].toDouble();
        const double readerRss = reader[u"peak_rss_kib"_s].toDouble() / 1024;
        const double firstFrame = viewer[u"first_frame_ms"_s].toDouble();
        const double viewerRss = viewer[u"peak_rss_first_frame_kib"_s].toDouble() / 1024;
        const double tablesRss = viewer[u"peak_rss_with_tables_kib"_s].toDouble() / 1024;
        out << Qt::endl << "== " << mb << " MB trace, " << viewer[u"slices"_s].toInteger() << " slices ==" << Qt::endl;
        out << "rounds, ms: reader load" << readerTimes << "; viewer first frame" << viewerTimes << Qt::endl;
        out << "reader alone (baseline): load " << loadMs << " ms, peak RSS " << readerRss << " MiB" << Qt::endl;
        out << "viewer: open -> first frame " << firstFrame << " ms (" << firstFrame / loadMs
            << "x reader; target <= 1.5x), peak RSS " << viewerRss << " MiB (" << viewerRss / readerRss
            << "x reader; target <= 1.1x)" << Qt::endl;
        // What the trace itself costs each process: its peak minus what it held just before the trace was opened
        // (the reader: a bare process; the viewer: its window already shown and painted).
        const double readerBefore = reader[u"rss_before_kib"_s].toDouble() / 1024;
        const double viewerBefore = viewer[u"rss_before_kib"_s].toDouble() / 1024;
        out << "before opening: reader process " << readerBefore << " MiB, viewer with its window shown "
            << viewerBefore << " MiB (+" << viewerBefore - readerBefore << " MiB)" << Qt::endl;
        out << "added by the trace (peak minus before opening): reader " << readerRss - readerBefore << " MiB, viewer "
            << viewerRss - viewerBefore << " MiB (" << (viewerRss - viewerBefore) / (readerRss - readerBefore)
            << "x reader)" << Qt::endl;
        const double readerCpu = reader[u"cpu_ms"_s].toDouble();
        const double viewerCpu = viewer[u"first_frame_cpu_ms"_s].toDouble();
        out << "CPU time: reader " << readerCpu << " ms, viewer to first frame " << viewerCpu << " ms ("
            << viewerCpu / readerCpu << "x; of which its UI thread " << viewer[u"main_thread_cpu_ms"_s].toDouble()
            << " ms)" << Qt::endl;
        out << "viewer: loaded signal at " << viewer[u"loaded_ms"_s].toDouble() << " ms" << Qt::endl;
        out << "viewer: function table ready at " << viewer[u"tables_ms"_s].toDouble() << " ms, peak RSS then "
            << tablesRss << " MiB (" << tablesRss / readerRss << "x reader)" << Qt::endl;
        out << "frames, thread CPU time (" << viewer[u"width"_s].toInt() << "x" << viewer[u"height"_s].toInt()
            << ", target < 16 ms): zoomed out median " << viewer[u"frame_zoomed_out_median_ms"_s].toDouble()
            << " / max " << viewer[u"frame_zoomed_out_max_ms"_s].toDouble() << " ms; mid zoom with selection "
            << viewer[u"frame_mid_zoom_selection_median_ms"_s].toDouble() << " / "
            << viewer[u"frame_mid_zoom_selection_max_ms"_s].toDouble() << " ms; deep zoom "
            << viewer[u"frame_deep_zoom_median_ms"_s].toDouble() << " / "
            << viewer[u"frame_deep_zoom_max_ms"_s].toDouble() << " ms" << Qt::endl;
        out << "first paint into a fresh image (page faults, not level of detail): "
            << viewer[u"frame_fresh_image_ms"_s].toDouble() << " ms, " << viewer[u"frame_fresh_image_faults"_s].toInt()
            << " minor faults" << Qt::endl;
        out << "level of detail alone, all " << viewer[u"slices"_s].toInteger()
            << " slices' rows at fit-all: with summaries " << viewer[u"lod_summary_first_ms"_s].toDouble() << " / "
            << viewer[u"lod_summary_again_ms"_s].toDouble() << " ms, slice by slice "
            << viewer[u"lod_slices_first_ms"_s].toDouble() << " / " << viewer[u"lod_slices_again_ms"_s].toDouble()
            << " ms" << Qt::endl;
        out << "adapter over the loaded trace (worker thread, CPU): "
            << viewer[u"adapter_with_summaries_ms"_s].toDouble() << " ms with summaries, "
            << viewer[u"adapter_without_summaries_ms"_s].toDouble() << " ms without" << Qt::endl;
        out << "cold frames, one per zoom (" << viewer[u"frame_sweep_frames"_s].toInt()
            << " zooms from fit-all to 10 us, each at a new place): max " << viewer[u"frame_sweep_max_ms"_s].toDouble()
            << " ms (window " << viewer[u"frame_sweep_max_window_ns"_s].toDouble() / 1e6
            << " ms); fit-all after the sweep " << viewer[u"frame_fit_all_after_sweep_ms"_s].toDouble()
            << " ms; level-of-detail summaries " << viewer[u"summary_bytes"_s].toDouble() / 1024 << " KiB" << Qt::endl;
        out << "UI thread besides painting: TimelineWidget::setData " << viewer[u"set_data_ms"_s].toDouble() << " ms ("
            << viewer[u"names"_s].toInteger() << " names)" << Qt::endl;
        if (!parser.isSet(u"keep"_s))
            QFile::remove(path);
    }
    return 0;
}
