// SPDX-License-Identifier: MIT
#include "fxt/fxtreader.h"
#include "fxt/tracegenerator.h"
#include "lodtestutil.h"
#include "viewer/lanesummary.h"
#include "viewer/levelofdetail.h"
#include "viewer/tracetimelinedata.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <set>
#include <vector>

using namespace Qt::StringLiterals;

namespace {
using LodTest::Lane;
using LodTest::touch;

// Small options, so that the rows of small traces get summaries with several levels.
LaneSummary::Options smallOptions()
{
    LaneSummary::Options options;
    options.minSlices = 64;
    options.slicesPerBucket = 4;
    options.finestAtLeast = 16;
    options.maxBuckets = 1 << 12;
    options.minBuckets = 8;
    return options;
}

// Buckets fine enough for the zooms of the mark tests (down to 1 % of a row on 1600 pixels).
LaneSummary::Options fineOptions()
{
    LaneSummary::Options options = smallOptions();
    options.slicesPerBucket = 1;
    options.finestAtLeast = 1 << 18;
    options.maxBuckets = 1 << 18;
    return options;
}

// Non-overlapping slices: mostly tiny, some long ones, bursts separated by long idle gaps (empty buckets).
Lane burstyLane(quint32 seed, int count)
{
    QRandomGenerator random(seed);
    Lane lane;
    qint64 t = 1'000'000;
    for (int i = 0; i < count; ++i) {
        if (random.bounded(200) == 0)
            t += random.bounded(5'000'000);
        else if (random.bounded(3) == 0)
            t += random.bounded(300);
        const int kind = random.bounded(50);
        const qint64 length = kind == 0 ? random.bounded(2'000'000) : kind < 5 ? 0 : random.bounded(60);
        lane.add(t, t + length);
        t += length;
    }
    return lane;
}

// Short slices separated by gaps spread over many scales (1 ns to 4 ms, log-uniform): at any zoom some columns
// are empty between busy ones, which is where a merged mark could wrongly fill a gap.
Lane sparseLane(quint32 seed, int count)
{
    QRandomGenerator random(seed);
    Lane lane;
    qint64 t = 0;
    for (int i = 0; i < count; ++i) {
        t += random.bounded(1 << random.bounded(23));
        const qint64 length = random.bounded(40);
        lane.add(t, t + length);
        t += length;
    }
    return lane;
}

// The rows of a generated (writer-made) trace, copied out of the loaded TraceData through the viewer's adapter.
std::vector<Lane> generatedLanes(const QString& path, quint32 seed, int threads, quint64 bytes, QString* error)
{
    TraceGeneratorOptions options;
    options.seed = seed;
    options.threads = threads;
    options.targetBytes = bytes;
    if (!TraceGenerator::generateFile(path, options, nullptr, error))
        return {};
    const auto trace = FxtReader::load(path, error);
    if (!trace)
        return {};
    const TraceTimelineData data(trace);
    std::vector<Lane> lanes;
    for (int t = 0; t < data.threads().size(); ++t) {
        for (int d = 0; d < data.threads().at(t).depths; ++d) {
            Lane lane;
            const TimelineLane source { &data, t, d };
            for (qsizetype i = 0; i < source.size(); ++i)
                lane.add(source.start(i), source.end(i));
            lanes.push_back(std::move(lane));
        }
    }
    return lanes;
}

} // namespace

class TestLaneSummary : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void rows_data()
    {
        QTest::addColumn<QString>("source"); // "generated", "bursty" or "sparse"
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<int>("size"); // threads for generated traces, slices for bursty rows
        QTest::newRow("generated, 2 threads") << u"generated"_s << 7u << 2;
        QTest::newRow("generated, 5 threads") << u"generated"_s << 11u << 5;
        QTest::newRow("bursty row") << u"bursty"_s << 3u << 20'000;
        QTest::newRow("bursty row, odd size") << u"bursty"_s << 4u << 3'333;
        QTest::newRow("sparse row") << u"sparse"_s << 9u << 20'000;
    }

    // Every bucket of every level answers what a scan of all slices answers.
    void rows()
    {
        QFETCH(QString, source);
        QFETCH(quint32, seed);
        QFETCH(int, size);
        const std::vector<Lane> lanes = this->lanes(source, seed, size);
        QVERIFY(!lanes.empty());
        int summarised = 0;
        for (const Lane& lane : lanes) {
            const LaneSummary summary = LaneSummary::build(lane, Lod::describe(lane).endsSorted, smallOptions());
            if (lane.size() < smallOptions().minSlices) {
                QVERIFY(summary.isEmpty());
                continue;
            }
            QVERIFY(!summary.isEmpty());
            ++summarised;
            QCOMPARE(summary.origin(), lane.start(0));
            for (int level = 0; level < summary.levelCount(); ++level) {
                const qint64 width = summary.bucketWidth(level);
                QCOMPARE(width, summary.bucketWidth(0) << level);
                const qsizetype count = summary.bucketCount(level);
                // The buckets cover every start.
                QVERIFY(summary.bucketStart(level, count) > lane.start(lane.size() - 1));
                QCOMPARE(summary.firstIndex(level, count), lane.size());
                qsizetype index = 0;
                for (qsizetype b = 0; b < count; ++b) {
                    const qint64 from = summary.bucketStart(level, b);
                    const qint64 to = from + width;
                    while (index < lane.size() && lane.start(index) < from)
                        ++index;
                    QCOMPARE(summary.firstIndex(level, b), index);
                    qint64 firstStart = -1, maxEnd = -1, maxDuration = -1;
                    for (qsizetype k = index; k < lane.size() && lane.start(k) < to; ++k) {
                        if (firstStart < 0)
                            firstStart = lane.start(k);
                        maxEnd = std::max(maxEnd, lane.end(k));
                        maxDuration = std::max(maxDuration, lane.end(k) - lane.start(k));
                    }
                    // The span bounds every duration (what decides whether a bucket can be a merged mark).
                    const LaneSummary::Bucket& bucket = summary.bucket(level, b);
                    if (firstStart >= 0)
                        QVERIFY(qint64(bucket.span()) >= maxDuration);
                    if (firstStart < 0)
                        continue; // empty: only firstIndex means something
                    QCOMPARE(from + qint64(bucket.firstStartOffset), firstStart);
                    if (bucket.maxEndOffset != LaneSummary::saturated)
                        QCOMPARE(from + qint64(bucket.maxEndOffset), maxEnd);
                    else
                        QVERIFY(maxEnd - from >= qint64(LaneSummary::saturated));
                }
            }
            QVERIFY(summary.levelCount() >= 2);
            // A pyramid of halving levels: less than twice the finest level.
            QVERIFY(summary.memoryBytes()
                <= qsizetype(2 * (summary.bucketCount(0) + summary.levelCount()) * sizeof(LaneSummary::Bucket)));
        }
        QVERIFY(summarised > 0);
    }

    void marksFromTheSummaryConserveTime_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<int>("size");
        QTest::addColumn<double>("zoom"); // fraction of the row visible
        QTest::addColumn<double>("offset"); // start of the view as a fraction of the row
        QTest::newRow("generated, all") << u"generated"_s << 7u << 2 << 1.0 << 0.0;
        QTest::newRow("generated, wider than the trace") << u"generated"_s << 7u << 2 << 3.0 << -1.0;
        QTest::newRow("generated, a third") << u"generated"_s << 11u << 3 << 0.3 << 0.25;
        QTest::newRow("generated, 5 %") << u"generated"_s << 11u << 3 << 0.05 << 0.6;
        QTest::newRow("bursty, all") << u"bursty"_s << 3u << 20'000 << 1.0 << 0.0;
        QTest::newRow("bursty, half") << u"bursty"_s << 5u << 20'000 << 0.5 << 0.1;
        QTest::newRow("bursty, 1 %") << u"bursty"_s << 6u << 20'000 << 0.01 << 0.45;
        QTest::newRow("bursty, past the end") << u"bursty"_s << 8u << 20'000 << 0.4 << 0.8;
        QTest::newRow("sparse, all") << u"sparse"_s << 9u << 20'000 << 1.0 << 0.0;
        QTest::newRow("sparse, a tenth") << u"sparse"_s << 10u << 20'000 << 0.1 << 0.3;
        QTest::newRow("sparse, 1 %") << u"sparse"_s << 12u << 20'000 << 0.01 << 0.55;
    }

    // The same invariants as without a summary (tst_levelofdetail): marks partition the visible slices, span
    // exactly their slices, light up exactly the columns the slices light up, at most one merged mark starts in
    // a column; and the summary was really used.
    void marksFromTheSummaryConserveTime()
    {
        QFETCH(QString, source);
        QFETCH(quint32, seed);
        QFETCH(int, size);
        QFETCH(double, zoom);
        QFETCH(double, offset);
        const std::vector<Lane> lanes = this->lanes(source, seed, size);
        QVERIFY(!lanes.empty());
        int usedSummary = 0;
        for (const int width : { 997, 1600 }) {
            for (const Lane& lane : lanes) {
                if (lane.size() == 0)
                    continue;
                const Lod::LaneInfo info = Lod::describe(lane);
                const LaneSummary summary = LaneSummary::build(lane, info.endsSorted, fineOptions());
                const double total = double(lane.ends.back() - lane.starts.front());
                const double viewStart = double(lane.starts.front()) + offset * total;
                const double viewEnd = viewStart + zoom * total;
                const double nsPerPixel = (viewEnd - viewStart) / width;
                if (!summary.isEmpty() && summary.levelFor(nsPerPixel) >= 0)
                    ++usedSummary;

                std::vector<Lod::Mark> marks;
                Lod::forEachMark(lane, info, summary.isEmpty() ? nullptr : &summary, viewStart, nsPerPixel, viewEnd,
                    [&](const Lod::Mark& m) { marks.push_back(m); });
                const auto [first, last] = Lod::visibleRange(lane, info, viewStart, viewEnd);
                std::set<qint64> sliceColumns;
                std::set<qint64> markColumns;
                std::vector<int> mergedPerColumn(size_t(width), 0);
                qsizetype next = first;
                for (const Lod::Mark& m : marks) {
                    QCOMPARE(m.first, next);
                    QVERIFY(m.count >= 1);
                    qint64 lo = std::numeric_limits<qint64>::max(), hi = std::numeric_limits<qint64>::min();
                    for (qsizetype k = m.first; k < m.first + m.count; ++k) {
                        lo = std::min(lo, lane.start(k));
                        hi = std::max(hi, lane.end(k));
                        touch(sliceColumns, double(lane.start(k)), double(lane.end(k)), viewStart, nsPerPixel, width);
                    }
                    QCOMPARE(m.start, lo);
                    QCOMPARE(m.end, hi);
                    touch(markColumns, double(m.start), double(m.end), viewStart, nsPerPixel, width);
                    if (m.merged()) {
                        const qint64 column = qint64(std::floor((double(m.start) - viewStart) / nsPerPixel));
                        if (column >= 0 && column < width)
                            QCOMPARE(++mergedPerColumn[size_t(column)], 1);
                    }
                    next = m.first + m.count;
                }
                QCOMPARE(next, last);
                QCOMPARE(markColumns, sliceColumns);
                QVERIFY(qsizetype(marks.size()) <= 2 * width + 2);
            }
        }
        QVERIFY(usedSummary > 0);
    }

    // The adapter over a loaded trace builds summaries for dense rows with sorted ends only, equal to the
    // summary of the same row built through the generic accessors.
    void adapterSummarisesDenseRows()
    {
        const QString path = m_dir.filePath(u"dense.fxt"_s);
        TraceGeneratorOptions options;
        options.threads = 2;
        options.targetBytes = 2 << 20;
        QString error;
        QVERIFY2(TraceGenerator::generateFile(path, options, nullptr, &error), qPrintable(error));
        const auto trace = FxtReader::load(path, &error);
        QVERIFY2(trace, qPrintable(error));
        LaneSummary::Options summaryOptions = smallOptions();
        summaryOptions.minSlices = 600;
        const TraceTimelineData data(trace, summaryOptions);
        int dense = 0, sparse = 0;
        qsizetype bytes = 0;
        for (int t = 0; t < data.threads().size(); ++t) {
            for (int d = 0; d < data.threads().at(t).depths; ++d) {
                const LaneSummary* summary = data.laneSummary(t, d);
                const bool wanted = data.sliceCount(t, d) >= summaryOptions.minSlices;
                QCOMPARE(summary != nullptr, wanted && data.laneInfo(t, d).endsSorted);
                (summary ? dense : sparse) += 1;
                if (!summary)
                    continue;
                bytes += summary->memoryBytes();
                const TimelineLane lane { &data, t, d };
                const LaneSummary generic = LaneSummary::build(lane, true, summaryOptions);
                QCOMPARE(summary->levelCount(), generic.levelCount());
                for (int level = 0; level < generic.levelCount(); ++level) {
                    QCOMPARE(summary->bucketCount(level), generic.bucketCount(level));
                    for (qsizetype b = 0; b <= generic.bucketCount(level); ++b)
                        QCOMPARE(summary->firstIndex(level, b), generic.firstIndex(level, b));
                }
            }
        }
        QVERIFY(dense > 0);
        QVERIFY(sparse > 0);
        QCOMPARE(data.summaryBytes(), bytes);
        // With the default options, rows this small are read directly.
        const TraceTimelineData defaults(trace);
        QCOMPARE(defaults.summaryBytes(), qsizetype(0));
    }

private:
    std::vector<Lane> lanes(const QString& source, quint32 seed, int size)
    {
        if (source == u"bursty"_s)
            return { burstyLane(seed, size) };
        if (source == u"sparse"_s)
            return { sparseLane(seed, size) };
        const QString path = m_dir.filePath(u"generated-%1-%2.fxt"_s.arg(seed).arg(size));
        QString error;
        std::vector<Lane> lanes = generatedLanes(path, seed, size, 3 << 20, &error);
        if (lanes.empty())
            qWarning("%s", qPrintable(error));
        return lanes;
    }

    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestLaneSummary)
#include "tst_lanesummary.moc"
