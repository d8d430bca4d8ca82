// SPDX-License-Identifier: MIT
#include "lodtestutil.h"
#include "viewer/levelofdetail.h"

#include <QRandomGenerator>
#include <QTest>
#include <set>
#include <vector>

namespace {
using LodTest::Lane;
using LodTest::touch;

// Non-overlapping slices with random lengths and gaps, many of them far below a pixel.
Lane randomLane(quint32 seed, int count)
{
    QRandomGenerator random(seed);
    Lane lane;
    qint64 t = 0;
    for (int i = 0; i < count; ++i) {
        t += random.bounded(3) == 0 ? random.bounded(500) : 0;
        const qint64 length = random.bounded(10) == 0 ? random.bounded(20'000) : random.bounded(40);
        lane.add(t, t + length);
        t += length;
    }
    return lane;
}

} // namespace

class TestLevelOfDetail : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void describe()
    {
        Lane sorted;
        sorted.add(0, 10);
        sorted.add(10, 15);
        sorted.add(20, 60);
        const Lod::LaneInfo a = Lod::describe(sorted);
        QVERIFY(a.endsSorted);
        QCOMPARE(a.maxDuration, qint64(40));
        Lane overlapping = sorted;
        overlapping.add(30, 35); // ends before the previous slice
        QVERIFY(!Lod::describe(overlapping).endsSorted);
    }

    void visibleRange_data()
    {
        QTest::addColumn<double>("from");
        QTest::addColumn<double>("to");
        QTest::addColumn<qsizetype>("first");
        QTest::addColumn<qsizetype>("last");
        // slices: [0,10) [10,15) [20,60) [70,70] [80,100)
        QTest::newRow("all") << -5.0 << 200.0 << qsizetype(0) << qsizetype(5);
        QTest::newRow("inside one") << 30.0 << 40.0 << qsizetype(2) << qsizetype(3);
        QTest::newRow("gap") << 61.0 << 69.0 << qsizetype(3) << qsizetype(3);
        QTest::newRow("instant") << 70.0 << 70.0 << qsizetype(3) << qsizetype(4);
        QTest::newRow("edges touch") << 15.0 << 20.0 << qsizetype(1) << qsizetype(3);
        QTest::newRow("after") << 101.0 << 300.0 << qsizetype(5) << qsizetype(5);
    }
    void visibleRange()
    {
        QFETCH(double, from);
        QFETCH(double, to);
        QFETCH(qsizetype, first);
        QFETCH(qsizetype, last);
        Lane lane;
        lane.add(0, 10);
        lane.add(10, 15);
        lane.add(20, 60);
        lane.add(70, 70);
        lane.add(80, 100);
        for (const bool sortedPath : { true, false }) {
            Lod::LaneInfo info = Lod::describe(lane);
            info.endsSorted = sortedPath; // both lookups must agree
            const auto range = Lod::visibleRange(lane, info, from, to);
            QCOMPARE(range.first, first);
            QCOMPARE(range.second, last);
        }
    }

    // Merged marks partition the slices, span exactly from their first start to their last end, and light up
    // exactly the pixel columns the slices light up: no time is lost or invented at pixel resolution.
    void marksConserveTime_data()
    {
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<int>("count");
        QTest::addColumn<double>("zoom"); // fraction of the lane visible
        QTest::addColumn<double>("offset"); // start of the view as a fraction of the lane
        QTest::newRow("all, many per pixel") << 1u << 200'000 << 1.0 << 0.0;
        QTest::newRow("mid zoom") << 2u << 50'000 << 0.05 << 0.3;
        QTest::newRow("deep zoom") << 3u << 20'000 << 0.0005 << 0.61;
        QTest::newRow("few slices") << 4u << 12 << 1.0 << 0.0;
        QTest::newRow("view past the end") << 5u << 5'000 << 0.2 << 0.9;
    }
    void marksConserveTime()
    {
        QFETCH(quint32, seed);
        QFETCH(int, count);
        QFETCH(double, zoom);
        QFETCH(double, offset);
        const Lane lane = randomLane(seed, count);
        const Lod::LaneInfo info = Lod::describe(lane);
        const int width = 1000;
        const double total = static_cast<double>(lane.ends.back());
        const double viewStart = offset * total;
        const double viewEnd = viewStart + zoom * total;
        const double nsPerPixel = (viewEnd - viewStart) / width;

        std::vector<Lod::Mark> marks;
        Lod::forEachMark(lane, info, viewStart, nsPerPixel, viewEnd, [&](const Lod::Mark& m) { marks.push_back(m); });
        const auto [first, last] = Lod::visibleRange(lane, info, viewStart, viewEnd);

        std::set<qint64> sliceColumns;
        std::set<qint64> markColumns;
        qsizetype next = first;
        std::vector<qsizetype> mergedPerColumn(width + 2, 0);
        for (const Lod::Mark& m : marks) {
            QCOMPARE(m.first, next); // consecutive, nothing skipped or repeated
            QVERIFY(m.count >= 1);
            qint64 lo = std::numeric_limits<qint64>::max(), hi = std::numeric_limits<qint64>::min();
            for (qsizetype k = m.first; k < m.first + m.count; ++k) {
                lo = std::min(lo, lane.start(k));
                hi = std::max(hi, lane.end(k));
                touch(sliceColumns, lane.start(k), lane.end(k), viewStart, nsPerPixel, width);
            }
            QCOMPARE(m.start, lo);
            QCOMPARE(m.end, hi);
            touch(markColumns, m.start, m.end, viewStart, nsPerPixel, width);
            if (m.merged()) {
                const qint64 column = static_cast<qint64>(std::floor((m.start - viewStart) / nsPerPixel));
                if (column >= 0 && column < width)
                    QCOMPARE(++mergedPerColumn[static_cast<size_t>(column)], qsizetype(1));
            }
            next = m.first + m.count;
        }
        QCOMPARE(next, last);
        QCOMPARE(markColumns, sliceColumns);
        // Bounded work: at most one merged mark per column plus marks at least a pixel wide.
        QVERIFY(qsizetype(marks.size()) <= 2 * width + 2);
        if (count > 10'000 && zoom == 1.0)
            QVERIFY(marks.size() < size_t(count / 10));
    }

    void hitTest_data()
    {
        QTest::addColumn<double>("t");
        QTest::addColumn<double>("tolerance");
        QTest::addColumn<qsizetype>("expected");
        // slices: [0,10) [10,15) [20,60) [70,70] [80,100)
        QTest::newRow("inside first") << 5.0 << 0.0 << qsizetype(0);
        QTest::newRow("boundary belongs to the next") << 10.0 << 0.0 << qsizetype(1);
        QTest::newRow("gap, no tolerance") << 17.0 << 0.0 << qsizetype(-1);
        QTest::newRow("gap, nearer the next") << 18.5 << 2.0 << qsizetype(2);
        QTest::newRow("gap, nearer the previous") << 16.0 << 2.0 << qsizetype(1);
        QTest::newRow("instant exactly") << 70.0 << 0.0 << qsizetype(3);
        QTest::newRow("instant within a pixel") << 70.4 << 0.5 << qsizetype(3);
        QTest::newRow("before all") << -3.0 << 1.0 << qsizetype(-1);
        QTest::newRow("after all") << 100.5 << 1.0 << qsizetype(4);
    }
    void hitTest()
    {
        QFETCH(double, t);
        QFETCH(double, tolerance);
        QFETCH(qsizetype, expected);
        Lane lane;
        lane.add(0, 10);
        lane.add(10, 15);
        lane.add(20, 60);
        lane.add(70, 70);
        lane.add(80, 100);
        for (const bool sortedPath : { true, false }) {
            Lod::LaneInfo info = Lod::describe(lane);
            info.endsSorted = sortedPath;
            QCOMPARE(Lod::hitTest(lane, info, t, tolerance), expected);
        }
    }
};

QTEST_GUILESS_MAIN(TestLevelOfDetail)
#include "tst_levelofdetail.moc"
