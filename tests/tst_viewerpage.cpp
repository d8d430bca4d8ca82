// SPDX-License-Identifier: MIT
#include "fxt/fxtreader.h"
#include "fxt/fxtwriter.h"
#include "fxt/tracegenerator.h"
#include "viewer/calltreemodel.h"
#include "viewer/functiontablemodel.h"
#include "viewer/timelinewidget.h"
#include "viewer/viewerpage.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
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
        // Optional: a screenshot for the README (scripts set MTS_VIEWER_SCREENSHOT to a .png path).
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
        const QString path = m_dir.filePath(u"search.fxt"_s);
        QString error;
        QVERIFY2(writeSmallTrace(path, &error), qPrintable(error));
        ViewerPage page;
        page.resize(1200, 800);
        QSignalSpy loaded(&page, &ViewerPage::loaded);
        page.open(path);
        QVERIFY(loaded.wait(loadTimeout));
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

    // The cropped file is valid FXT that `inspect` reads back with the clipped slices.
    void exportSelectionRoundTripsThroughInspect()
    {
        const QString path = m_dir.filePath(u"export.fxt"_s);
        QString error;
        QVERIFY2(writeSmallTrace(path, &error), qPrintable(error));
        ViewerPage page;
        QSignalSpy loaded(&page, &ViewerPage::loaded);
        page.open(path);
        QVERIFY(loaded.wait(loadTimeout));
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
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestViewerPage)
#include "tst_viewerpage.moc"
