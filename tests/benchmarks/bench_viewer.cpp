// SPDX-License-Identifier: MIT
// Trace viewer benchmark (issue 9). For magic-trace-shaped traces made by TraceGenerator (default 100 MB and
// 1 GB), measures in separate child processes so that peak RSS figures do not mix:
//   reader: FxtReader::load alone (the baseline: load time and peak RSS);
//   viewer: ViewerPage::open → loaded → first timeline frame painted, peak RSS at that point and after the
//           per-function table is computed, then frame times of the timeline rendered into a QImage offscreen,
//           fully zoomed out and at mid / deep zoom with a selected range and a selected slice highlighted.
// Usage: bench_viewer [--sizes 100,1000] [--dir DIR] [--keep]        (run from a Release build)
//        bench_viewer --child reader|viewer FILE                      (used internally)
#include "fxt/fxtreader.h"
#include "fxt/tracedata.h"
#include "fxt/tracegenerator.h"
#include "procstatus.h"
#include "viewer/timelinewidget.h"
#include "viewer/viewerpage.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
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

// CPU time (user + system) of the whole process so far, ms: on a shared, overloaded machine wall time mostly
// measures the other processes, so the figures compare both.
double cpuMs()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
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
        timespec a {}, b {};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
        timeline->renderTo(&image);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
        ms.push_back(double(b.tv_sec - a.tv_sec) * 1e3 + double(b.tv_nsec - a.tv_nsec) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return { ms[ms.size() / 2], ms.back() };
}

int runReader(const QString& path, bool onWorker)
{
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
    QJsonObject out;
    out[u"load_ms"_s] = double(timer.nsecsElapsed()) / 1e6;
    out[u"cpu_ms"_s] = cpuMs() - cpuBefore;
    out[u"peak_rss_kib"_s] = peakRssKiB();
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
    TimelineWidget* timeline = page.timeline();
    int loaded = 0;
    int analysed = 0;
    QObject::connect(&page, &ViewerPage::loaded, [&] { ++loaded; });
    QObject::connect(&page, &ViewerPage::rangeAnalysed, [&] { ++analysed; });
    const double cpuBefore = cpuMs();
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
    timespec mainThread {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mainThread);
    const qint64 rssAtFirstFrame = peakRssKiB();
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
    out[u"main_thread_cpu_ms"_s] = double(mainThread.tv_sec) * 1e3 + double(mainThread.tv_nsec) / 1e6;
    out[u"peak_rss_first_frame_kib"_s] = rssAtFirstFrame;
    out[u"tables_ms"_s] = tablesMs;
    out[u"peak_rss_with_tables_kib"_s] = rssWithTables;
    out[u"slices"_s] = qint64(data->totalSlices());
    out[u"width"_s] = image.width();
    out[u"height"_s] = image.height();

    auto record = [&](const QString& key, const FrameStats& stats) {
        out[key + u"_median_ms"_s] = stats.median;
        out[key + u"_max_ms"_s] = stats.max;
    };
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
    parser.process(app);
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
        const QJsonObject reader = runChild(u"reader"_s, path);
        const QJsonObject viewer = runChild(u"viewer"_s, path);
        if (reader.isEmpty() || viewer.isEmpty()) {
            out << "a child failed" << Qt::endl;
            return 1;
        }
        const double loadMs = reader[u"load_ms"_s].toDouble();
        const double readerRss = reader[u"peak_rss_kib"_s].toDouble() / 1024;
        const double firstFrame = viewer[u"first_frame_ms"_s].toDouble();
        const double viewerRss = viewer[u"peak_rss_first_frame_kib"_s].toDouble() / 1024;
        const double tablesRss = viewer[u"peak_rss_with_tables_kib"_s].toDouble() / 1024;
        out << Qt::endl << "== " << mb << " MB trace, " << viewer[u"slices"_s].toInteger() << " slices ==" << Qt::endl;
        out << "reader alone (baseline): load " << loadMs << " ms, peak RSS " << readerRss << " MiB" << Qt::endl;
        out << "viewer: open -> first frame " << firstFrame << " ms (" << firstFrame / loadMs
            << "x reader; target <= 1.5x), peak RSS " << viewerRss << " MiB (" << viewerRss / readerRss
            << "x reader; target <= 1.1x)" << Qt::endl;
        const double readerCpu = reader[u"cpu_ms"_s].toDouble();
        const double viewerCpu = viewer[u"first_frame_cpu_ms"_s].toDouble();
        out << "CPU time: reader " << readerCpu << " ms, viewer to first frame " << viewerCpu << " ms ("
            << viewerCpu / readerCpu << "x; its UI thread " << viewer[u"main_thread_cpu_ms"_s].toDouble() << " ms)"
            << Qt::endl;
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
        if (!parser.isSet(u"keep"_s))
            QFile::remove(path);
    }
    return 0;
}
