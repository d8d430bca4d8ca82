// SPDX-License-Identifier: MIT
#include "fxt/fxtreader.h"
#include "fxt/fxtwriter.h"
#include "fxt/tracegenerator.h"
#include "util/duration.h"
#include "viewer/calltreemodel.h"
#include "viewer/functiontablemodel.h"
#include "viewer/timelinewidget.h"
#include "viewer/viewerpage.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QThreadPool>
#include <QTreeView>

using namespace Qt::StringLiterals;

namespace {
constexpr int loadTimeout = 60'000;

// Thread 2 of process 1: main [1000,1100) { a [1010,1040) { c [1015,1025) }, b [1050,1090) { c [1060,1070),
// d [1070,1080) } }; thread 3: a [1000,1030) { c [1005,1010) }; a "CPU" counter on process 1.
bool writeSmallTrace(const QString& path, QString* error)
{
    FxtWriter w;
    if (!w.open(path, error))
        return false;
    w.writeJaneStreetPrologue(1'650'419'113'989'693'816ULL);
    w.writeProcessName(1, "proc [pid=1]");
    w.writeThreadName(1, 2, "main");
    w.writeThreadName(1, 3, "worker");
    const auto t2 = w.threadRef(1, 2);
    const auto t3 = w.threadRef(1, 3);
    const auto cat = w.stringRef("");
    auto begin = [&](const FxtWriter::ThreadRef& t, const char* name, quint64 ts) {
        const FxtWriter::Argument args[] = {
            FxtWriter::Argument::pointer(w.stringRef("address"), 0x401000 + ts),
            FxtWriter::Argument::string(w.stringRef("symbol"), w.stringRef(name)),
        };
        w.durationBegin(t, cat, w.stringRef(name), ts, args);
    };
    auto end = [&](const FxtWriter::ThreadRef& t, const char* name, quint64 ts) {
        w.durationEnd(t, cat, w.stringRef(name), ts);
    };
    begin(t2, "main", 1000);
    begin(t3, "a", 1000);
    begin(t3, "c", 1005);
    end(t3, "c", 1010);
    begin(t2, "a", 1010);
    begin(t2, "c", 1015);
    end(t2, "c", 1025);
    end(t3, "a", 1030);
    end(t2, "a", 1040);
    begin(t2, "b", 1050);
    begin(t2, "c", 1060);
    end(t2, "c", 1070);
    begin(t2, "d", 1070);
    end(t2, "d", 1080);
    end(t2, "b", 1090);
    end(t2, "main", 1100);
    for (quint64 ts : { 1000, 1040, 1080 }) {
        const FxtWriter::Argument freq[] = { FxtWriter::Argument::int32(w.stringRef("freq (MHz)"), int(2000 + ts)) };
        w.counter(t2, cat, w.stringRef("CPU"), ts, freq, 1);
    }
    return w.finish(error);
}

// Opens a writer on path with the Jane Street prologue and one process (1, "p") with one thread (2, "main"),
// w.threadRef(1, 2).
bool startOneThreadTrace(FxtWriter& w, const QString& path, QString* error)
{
    if (!w.open(path, error))
        return false;
    w.writeJaneStreetPrologue(0);
    w.writeProcessName(1, "p");
    w.writeThreadName(1, 2, "main");
    return true;
}

int findRow(const QAbstractItemModel& model, const QString& name)
{
    for (int r = 0; r < model.rowCount(); ++r) {
        if (model.index(r, 0).data().toString() == name)
            return r;
    }
    return -1;
}
} // namespace

class TestViewerPage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void loadsTheRealSample()
    {
        const QString path = QStringLiteral(MTS_SAMPLES_DIR "/richiesams_fxt_magic_trace.fxt");
        if (!QFile::exists(path))
            QSKIP("sample not available");
        ViewerPage page;
        page.resize(1400, 900);
        page.show();
        QSignalSpy loaded(&page, &ViewerPage::loaded);
        QSignalSpy analysed(&page, &ViewerPage::rangeAnalysed);
        page.open(path);
        QVERIFY(page.isLoading());
        QVERIFY(loaded.wait(loadTimeout));
        QVERIFY(!page.isLoading());
        QCOMPARE(page.title(), QStringLiteral("richiesams_fxt_magic_trace.fxt"));
        QVERIFY(page.data());
        QVERIFY(page.data()->totalSlices() > 1000);
        QVERIFY(analysed.count() > 0 || analysed.wait(loadTimeout));
        auto* functions = page.findChild<QTreeView*>();
        QVERIFY(functions);
        // Optional: a screenshot for the README (scripts/screenshots sets MTS_VIEWER_SCREENSHOT to a .png path).
        const QString shot = qEnvironmentVariable("MTS_VIEWER_SCREENSHOT");
        if (!shot.isEmpty()) {
            TimelineWidget* timeline = page.timeline();
            // A typical first look: zoomed into the busy middle with a slice selected.
            timeline->timeView().showRange(
                page.data()->startTime() + (page.data()->endTime() - page.data()->startTime()) * 0.42,
                page.data()->startTime() + (page.data()->endTime() - page.data()->startTime()) * 0.47);
            const QPoint probe(TimelineWidget::labelWidth + 400, timeline->yForDepth(0, 8) + 5);
            const SliceRef slice = timeline->sliceAt(probe);
            if (slice.isValid()) {
                timeline->setSelectedSlice(slice);
                Q_EMIT timeline->sliceSelected(slice);
            }
            QCoreApplication::processEvents();
            QVERIFY(page.grab().save(shot));
        }
    }

    void summaryAggregatesAndTreesOfAWriterMadeTrace_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::newRow("plain") << u".fxt"_s;
        QTest::newRow("gzip") << u".fxt.gz"_s;
        QTest::newRow("zstd") << u".fxt.zst"_s;
    }
    void summaryAggregatesAndTreesOfAWriterMadeTrace()
    {
        QFETCH(QString, suffix);
        const QString path = m_dir.filePath(u"small"_s + suffix);
        QString error;
        QVERIFY2(writeSmallTrace(path, &error), qPrintable(error));
        ViewerPage page;
        page.resize(1200, 800);
        QSignalSpy loaded(&page, &ViewerPage::loaded);
        QSignalSpy analysed(&page, &ViewerPage::rangeAnalysed);
        page.open(path);
        QVERIFY(loaded.wait(loadTimeout));
        QVERIFY(analysed.wait(loadTimeout));
        const auto data = page.data();
        QCOMPARE(data->threads().size(), 2);
        QCOMPARE(data->totalSlices(), 8);
        QCOMPARE(data->counters().size(), 1);
        QCOMPARE(data->startTime(), qint64(1000));
        QCOMPARE(data->endTime(), qint64(1100));
        QVERIFY(data->wallClockStart().isValid());
        QCOMPARE(data->wallClockStart().date(), QDate(2022, 4, 20));

        auto* functions = page.findChild<FunctionTableModel*>();
        QVERIFY(functions);
        QAbstractItemModelTester tester(functions, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int a = findRow(*functions, u"a"_s);
        QVERIFY(a >= 0);
        QCOMPARE(functions->index(a, FunctionTableModel::Calls).data(FunctionTableModel::SortRole).toULongLong(), 2ull);
        QCOMPARE(functions->index(a, FunctionTableModel::Total).data(FunctionTableModel::SortRole).toLongLong(), 60);
        QCOMPARE(functions->index(a, FunctionTableModel::Self).data(FunctionTableModel::SortRole).toLongLong(), 45);
        QCOMPARE(functions->index(a, FunctionTableModel::Max).data(FunctionTableModel::SortRole).toLongLong(), 30);
        QCOMPARE(functions->index(a, FunctionTableModel::Average).data(FunctionTableModel::SortRole).toLongLong(), 30);

        // A range: trees and statistics follow it (trees are built while their tab is shown).
        page.showTab(ViewerPage::Tab::TopDown);
        QVERIFY(analysed.wait(loadTimeout));
        page.selectRange(1020, 1055);
        QVERIFY(analysed.wait(loadTimeout));
        auto trees = page.findChildren<CallTreeModel*>();
        QCOMPARE(trees.size(), 2);
        CallTreeModel* topDown = trees.at(0);
        QAbstractItemModelTester treeTester(topDown, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int main = findRow(*topDown, u"main"_s);
        QVERIFY(main >= 0);
        const QModelIndex mainIndex = topDown->index(main, 0);
        QCOMPARE(topDown->index(main, CallTreeModel::Total).data(CallTreeModel::SortRole).toLongLong(), 35);
        QCOMPARE(topDown->index(main, CallTreeModel::Self).data(CallTreeModel::SortRole).toLongLong(), 10);
        QCOMPARE(topDown->rowCount(mainIndex), 2); // a (20) and b (5)
        QCOMPARE(topDown->index(0, 0, mainIndex).data().toString(), u"a"_s);
        QCOMPARE(topDown->index(0, CallTreeModel::Total, mainIndex).data(CallTreeModel::SortRole).toLongLong(), 20);
        auto* stats = page.findChild<QTextBrowser*>(u"rangeStats"_s);
        QVERIFY2(stats->toPlainText().contains(u"35 ns"_s), qPrintable(stats->toPlainText()));

        // Details of a slice, with arguments decoded on demand.
        TimelineWidget* timeline = page.timeline();
        timeline->fitAll();
        const int thread = data->threads().at(0).koid == 2 ? 0 : 1;
        const QPoint p(int(timeline->xForTime(1030)), timeline->yForDepth(thread, 1) + 5);
        const SliceRef hit = timeline->sliceAt(p);
        QVERIFY(hit.isValid());
        QCOMPARE(data->nameOf(hit), u"a"_s);
        QCOMPARE(hit.depth, 1);
        QCOMPARE(data->selfTime(hit), qint64(20));
        Q_EMIT timeline->sliceSelected(hit);
        const QString details = page.findChild<QTextBrowser*>(u"details"_s)->toPlainText();
        QVERIFY2(details.contains(u"address"_s) && details.contains(u"0x4013f2"_s), qPrintable(details));
        QVERIFY2(details.contains(u"Self time"_s) && details.contains(u"20 ns"_s), qPrintable(details));
    }

    void searchStepsThroughMatches()
    {
        ViewerPage page;
        page.resize(1200, 800);
        QVERIFY(openSmallTrace(page, u"search.fxt"_s));
        QSignalSpy found(&page, &ViewerPage::searchFinished);
        page.search(u"C"_s); // substring, case-insensitive
        QVERIFY(found.wait(loadTimeout));
        QCOMPARE(found.last().at(0).value<qsizetype>(), qsizetype(3));
        page.nextMatch();
        const auto data = page.data();
        QCOMPARE(data->start(page.timeline()->selectedSlice()), qint64(1005));
        page.nextMatch();
        QCOMPARE(data->start(page.timeline()->selectedSlice()), qint64(1015));
        page.previousMatch();
        page.previousMatch();
        QCOMPARE(data->start(page.timeline()->selectedSlice()), qint64(1060)); // wraps round
        page.search(u"^(a|b)$"_s, true);
        QVERIFY(found.wait(loadTimeout));
        QCOMPARE(found.last().at(0).value<qsizetype>(), qsizetype(3));
        page.search(u"(unclosed"_s, true);
        QVERIFY(found.wait(loadTimeout));
        QCOMPARE(found.last().at(0).value<qsizetype>(), qsizetype(0));
    }

    // magic-trace's `file`, `line` and `col` arguments are shown together as the call's source location.
    void detailsShowTheSourceLocation_data()
    {
        QTest::addColumn<QString>("file"); // empty: no file argument
        QTest::addColumn<int>("line"); // 0: no line argument
        QTest::addColumn<int>("column"); // 0: no col argument
        QTest::addColumn<QString>("expected"); // empty: no Source row
        QTest::newRow("file, line and column") << u"src/server.ml"_s << 42 << 7 << u"src/server.ml:42:7"_s;
        QTest::newRow("file and line") << u"a.c"_s << 3 << 0 << u"a.c:3"_s;
        QTest::newRow("file only") << u"a.c"_s << 0 << 0 << u"a.c"_s;
        QTest::newRow("no debug information") << QString() << 0 << 0 << QString();
    }
    void detailsShowTheSourceLocation()
    {
        QFETCH(QString, file);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, expected);
        const QString path = m_dir.filePath(u"source.fxt"_s);
        QString error;
        {
            FxtWriter w;
            QVERIFY2(startOneThreadTrace(w, path, &error), qPrintable(error));
            const auto t = w.threadRef(1, 2);
            std::vector<FxtWriter::Argument> args { FxtWriter::Argument::pointer(w.stringRef("address"), 0x401000) };
            if (!file.isEmpty())
                args.push_back(
                    FxtWriter::Argument::string(w.stringRef("file"), w.stringRef(file.toUtf8().constData())));
            if (line)
                args.push_back(FxtWriter::Argument::int32(w.stringRef("line"), line));
            if (column)
                args.push_back(FxtWriter::Argument::int32(w.stringRef("col"), column));
            w.durationBegin(t, w.stringRef(""), w.stringRef("handle"), 100, args);
            w.durationEnd(t, w.stringRef(""), w.stringRef("handle"), 200);
            QVERIFY2(w.finish(&error), qPrintable(error));
        }
        ViewerPage page;
        QVERIFY(openAndWait(page, path));
        QSignalSpy found(&page, &ViewerPage::searchFinished);
        page.search(u"handle"_s);
        QVERIFY(found.wait(loadTimeout));
        page.nextMatch();
        // One line per row, its cells on separate lines: "Source" then the location.
        const QStringList lines = page.findChild<QTextBrowser*>(u"details"_s)->toPlainText().split(u'\n');
        QVERIFY2(lines.contains(u"0x401000"_s), qPrintable(lines.join(u'|')));
        const qsizetype at = lines.indexOf(u"Source"_s);
        if (expected.isEmpty()) {
            QCOMPARE(at, qsizetype(-1));
        } else {
            QVERIFY2(at >= 0 && at + 1 < lines.size(), qPrintable(lines.join(u'|')));
            QCOMPARE(lines.at(at + 1), expected);
            for (const QString& raw : { u"file"_s, u"line"_s, u"col"_s })
                QVERIFY2(!lines.contains(raw), qPrintable(lines.join(u'|'))); // not repeated as raw arguments
        }
    }

    // A slice with more direct calls than the UI thread should add up: its details appear at once with the self
    // time still being computed, which a worker then fills in.
    void selfTimeOfAWideSliceIsComputedOffTheUiThread()
    {
        // loop [0, 6.1 ms) calls tick 120,000 times, 30 ns each, 50 ns apart: self time 6.1 ms - 3.6 ms.
        constexpr int calls = 120'000;
        static_assert(calls > TimelineData::quickSelfTimeChildren);
        const QString path = m_dir.filePath(u"wide.fxt"_s);
        QString error;
        {
            FxtWriter w;
            QVERIFY2(startOneThreadTrace(w, path, &error), qPrintable(error));
            const auto t = w.threadRef(1, 2);
            const auto cat = w.stringRef("");
            const auto loop = w.stringRef("loop");
            const auto tick = w.stringRef("tick");
            w.durationBegin(t, cat, loop, 0);
            for (int i = 0; i < calls; ++i) {
                w.durationBegin(t, cat, tick, quint64(10 + 50 * i));
                w.durationEnd(t, cat, tick, quint64(40 + 50 * i));
            }
            w.durationEnd(t, cat, loop, 6'100'000);
            QVERIFY2(w.finish(&error), qPrintable(error));
        }
        ViewerPage page;
        QVERIFY(openAndWait(page, path));
        const SliceRef loop { 0, 0, 0 };
        QCOMPARE(page.data()->childCount(loop), qsizetype(calls));
        page.timeline()->setSelectedSlice(loop);
        Q_EMIT page.timeline()->sliceSelected(loop);
        auto* details = page.findChild<QTextBrowser*>(u"details"_s);
        QVERIFY2(details->toPlainText().contains(u"computing"_s), qPrintable(details->toPlainText()));
        const QString expected = Duration::format(6'100'000 - 30 * qint64(calls));
        QTRY_VERIFY2_WITH_TIMEOUT(
            details->toPlainText().contains(expected), qPrintable(details->toPlainText()), loadTimeout);
        // Selected again: the computed value is kept.
        Q_EMIT page.timeline()->sliceSelected(loop);
        QVERIFY(details->toPlainText().contains(expected));
        // A tick has no children: at once.
        const SliceRef tick { 0, 1, 7 };
        Q_EMIT page.timeline()->sliceSelected(tick);
        QVERIFY2(details->toPlainText().contains(u"Self time\n30 ns"_s), qPrintable(details->toPlainText()));
    }

    // Clearing the field while a search runs: the search's result, when it arrives, is not shown.
    void clearedSearchShowsNoStaleMatches()
    {
        ViewerPage page;
        QVERIFY(openSmallTrace(page, u"cleared.fxt"_s));
        QSignalSpy found(&page, &ViewerPage::searchFinished);
        page.search(u"c"_s);
        page.search(QString());
        QCOMPARE(found.count(), 1); // the cleared field, at once
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents(); // delivers the first search's result
        QCOMPARE(found.count(), 1);
        QCOMPARE(page.matchCount(), qsizetype(0));
    }

    // Activating a function in the table goes to its first call in the selected range (or the trace), then to
    // each next call on every further activation.
    void functionTableStepsThroughCalls_data()
    {
        QTest::addColumn<qint64>("rangeFrom"); // -1: no range selected
        QTest::addColumn<QList<qint64>>("starts");
        QTest::newRow("whole trace") << qint64(-1) << QList<qint64> { 1005, 1015, 1060, 1005 };
        QTest::newRow("range from 1050") << qint64(1050) << QList<qint64> { 1060, 1005, 1015 };
    }
    void functionTableStepsThroughCalls()
    {
        QFETCH(qint64, rangeFrom);
        QFETCH(QList<qint64>, starts);
        ViewerPage page;
        QSignalSpy analysed(&page, &ViewerPage::rangeAnalysed);
        QVERIFY(openSmallTrace(page, u"jump.fxt"_s));
        QTRY_VERIFY_WITH_TIMEOUT(analysed.count() >= 1, loadTimeout);
        if (rangeFrom >= 0) {
            page.selectRange(rangeFrom, 1100);
            QVERIFY(analysed.wait(loadTimeout));
        }
        auto* view = page.findChild<QTreeView*>(u"functions"_s);
        QVERIFY(view);
        const int row = findRow(*view->model(), u"c"_s);
        QVERIFY(row >= 0);
        const QModelIndex index = view->model()->index(row, 0);
        QSignalSpy found(&page, &ViewerPage::searchFinished);
        const auto data = page.data();
        page.showTab(ViewerPage::Tab::Functions);
        auto* tabs = page.findChild<QTabWidget*>();
        QVERIFY(tabs && tabs->currentWidget()->isAncestorOf(view));
        for (qsizetype i = 0; i < starts.size(); ++i) {
            Q_EMIT view->activated(index);
            if (i == 0)
                QVERIFY(found.wait(loadTimeout));
            QVERIFY(page.timeline()->selectedSlice().isValid());
            QCOMPARE(data->start(page.timeline()->selectedSlice()), starts.at(i));
            QVERIFY(tabs->currentWidget()->isAncestorOf(view)); // the table stays, ready for the next activation
        }
        QCOMPARE(found.count(), 1); // one search, then steps
    }

    // The functions filter is a case-insensitive regular expression; an invalid one is reported and the last
    // valid filter stays.
    void functionFilterKeepsTheLastValidExpression()
    {
        ViewerPage page;
        QSignalSpy analysed(&page, &ViewerPage::rangeAnalysed);
        QVERIFY(openSmallTrace(page, u"filter.fxt"_s));
        QTRY_VERIFY_WITH_TIMEOUT(analysed.count() >= 1, loadTimeout);
        auto* filter = page.findChild<QLineEdit*>(u"functionFilter"_s);
        auto* view = page.findChild<QTreeView*>(u"functions"_s);
        QVERIFY(filter && view);
        QCOMPARE(view->model()->rowCount(), 5); // main, a, b, c, d
        filter->setText(u"^[AB]$"_s);
        QCOMPARE(view->model()->rowCount(), 2);
        QVERIFY(filter->toolTip().isEmpty());
        filter->setText(u"^[AB"_s); // typing on: not valid yet
        QCOMPARE(view->model()->rowCount(), 2);
        QVERIFY(!filter->toolTip().isEmpty());
        filter->clear();
        QCOMPARE(view->model()->rowCount(), 5);
        QVERIFY(filter->toolTip().isEmpty());
    }

    // Enter pressed before the typing delay has run out searches what was typed and goes to its first match.
    void enterRightAfterTypingGoesToTheFirstMatch()
    {
        ViewerPage page;
        QVERIFY(openSmallTrace(page, u"enter.fxt"_s));
        auto* field = page.findChild<QLineEdit*>(u"search"_s);
        QVERIFY(field);
        QSignalSpy found(&page, &ViewerPage::searchFinished);
        QTest::keyClicks(field, u"d"_s);
        QTest::keyClick(field, Qt::Key_Return);
        QVERIFY(found.wait(loadTimeout));
        QCOMPARE(found.last().at(0).value<qsizetype>(), qsizetype(1));
        QVERIFY(page.timeline()->selectedSlice().isValid());
        QCOMPARE(page.data()->start(page.timeline()->selectedSlice()), qint64(1070));
    }

    // The cropped file is valid FXT that `inspect` reads back with the clipped slices.
    void exportSelectionRoundTripsThroughInspect()
    {
        ViewerPage page;
        QVERIFY(openSmallTrace(page, u"export.fxt"_s));
        QString error;
        const QString output = m_dir.filePath(u"export-selection.fxt.gz"_s);
        QVERIFY(!page.exportSelection(output, &error)); // nothing selected yet
        QVERIFY(!error.isEmpty());
        page.selectRange(1020, 1055);
        QVERIFY2(page.exportSelection(output, &error), qPrintable(error));

        QProcess inspect;
        inspect.start(QStringLiteral(MTS_APP_PATH), { u"inspect"_s, u"--json"_s, output });
        QVERIFY(inspect.waitForFinished(60'000));
        QCOMPARE(inspect.exitCode(), 0);
        const QJsonObject json = QJsonDocument::fromJson(inspect.readAllStandardOutput()).object();
        QCOMPARE(json.value(u"format"_s).toString(), u"gzip"_s);
        QCOMPARE(json.value(u"complete"_s).toBool(), true);
        // Overlapping [1020,1055]: main, a, c(1015-1025), b on thread 2; a on thread 3.
        QCOMPARE(json.value(u"slices"_s).toInt(), 5);
        QCOMPARE(json.value(u"start_ns"_s).toInteger(), 1020);
        QCOMPARE(json.value(u"end_ns"_s).toInteger(), 1055);
        QCOMPARE(json.value(u"unmatched_ends"_s).toInt(), 0);
        QCOMPARE(json.value(u"max_depth"_s).toInt(), 2);
    }

    void failsClearly_data()
    {
        QTest::addColumn<QByteArray>("content"); // empty: the file does not exist
        QTest::newRow("missing") << QByteArray();
        QTest::newRow("not fxt") << QByteArray("hello, this is not a trace\n");
    }
    void failsClearly()
    {
        QFETCH(QByteArray, content);
        const QString path = m_dir.filePath(u"bad-%1.fxt"_s.arg(QLatin1StringView(QTest::currentDataTag())));
        if (!content.isEmpty()) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        ViewerPage page;
        QSignalSpy failed(&page, &ViewerPage::failed);
        QSignalSpy loaded(&page, &ViewerPage::loaded);
        page.open(path);
        QVERIFY(failed.wait(loadTimeout));
        QVERIFY(!failed.first().at(0).toString().isEmpty());
        QCOMPARE(loaded.count(), 0);
        QVERIFY(!page.data());
    }

    void cancelStopsALoad()
    {
        const QString path = m_dir.filePath(u"big.fxt"_s);
        TraceGeneratorOptions options;
        options.targetBytes = 40 << 20;
        QString error;
        QVERIFY2(TraceGenerator::generateFile(path, options, nullptr, &error), qPrintable(error));
        ViewerPage page;
        QSignalSpy failed(&page, &ViewerPage::failed);
        QSignalSpy loaded(&page, &ViewerPage::loaded);
        page.open(path);
        page.cancel();
        QVERIFY(failed.wait(loadTimeout));
        QCOMPARE(loaded.count(), 0);
        QFile::remove(path);
    }

    void severalPagesLoadAtOnce()
    {
        const QString one = m_dir.filePath(u"one.fxt"_s);
        const QString two = m_dir.filePath(u"two.fxt.gz"_s);
        QString error;
        QVERIFY(writeSmallTrace(one, &error));
        QVERIFY(writeSmallTrace(two, &error));
        ViewerPage first;
        ViewerPage second;
        QSignalSpy firstLoaded(&first, &ViewerPage::loaded);
        QSignalSpy secondLoaded(&second, &ViewerPage::loaded);
        QSignalSpy titles(&second, &ViewerPage::titleChanged);
        first.open(one);
        second.open(two);
        QTRY_VERIFY_WITH_TIMEOUT(firstLoaded.count() == 1 && secondLoaded.count() == 1, loadTimeout);
        QCOMPARE(titles.last().at(0).toString(), u"two.fxt.gz"_s);
        QVERIFY(first.data() != second.data());
        QCOMPARE(first.data()->totalSlices(), second.data()->totalSlices());
    }

    void destroyedWhileLoading()
    {
        const QString path = m_dir.filePath(u"one.fxt"_s);
        QString error;
        QVERIFY(writeSmallTrace(path, &error));
        auto* page = new ViewerPage;
        page->open(path);
        delete page; // the worker finishes on its own; nothing must touch the page
        QTest::qWait(200);
    }

private:
    // Writes the small trace into the test folder as `name` and opens it in the page: false, with a warning, when
    // either fails.
    bool openSmallTrace(ViewerPage& page, const QString& name)
    {
        const QString path = m_dir.filePath(name);
        QString error;
        if (!writeSmallTrace(path, &error)) {
            qWarning("cannot write %s: %s", qPrintable(path), qPrintable(error));
            return false;
        }
        return openAndWait(page, path);
    }

    // Opens path in the page and waits until it has loaded.
    static bool openAndWait(ViewerPage& page, const QString& path)
    {
        QSignalSpy loaded(&page, &ViewerPage::loaded);
        page.open(path);
        return loaded.wait(loadTimeout);
    }

    QTemporaryDir m_dir;
};

QTEST_MAIN(TestViewerPage)
#include "tst_viewerpage.moc"
