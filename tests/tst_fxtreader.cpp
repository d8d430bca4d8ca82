// SPDX-License-Identifier: MIT
#include "fxt/fxtinspect.h"
#include "fxt/fxtreader.h"
#include "fxt/fxtsource.h"
#include "fxt/fxtwriter.h"
#include "fxt/tracegenerator.h"

#include <QBuffer>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;

namespace {

using Build = std::function<void(FxtWriter&)>;
using S = FxtWriter::StringRef;
using T = FxtWriter::ThreadRef;
using A = FxtWriter::Argument;

QByteArray build(const Build& f)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    FxtWriter writer(&buffer);
    f(writer);
    writer.finish();
    return buffer.data();
}

// Loads what `write` writes: from memory when suffix is empty, else from a file in dir with that suffix (which
// chooses the compression).
std::shared_ptr<TraceData> loadWritten(const Build& write, const QString& suffix, const QTemporaryDir& dir)
{
    if (suffix.isEmpty())
        return FxtReader::loadBytes(build(write));
    const QString path = dir.filePath(u"trace"_s + suffix);
    FxtWriter writer;
    QString error;
    if (!writer.open(path, &error))
        return nullptr;
    write(writer);
    if (!writer.finish(&error))
        return nullptr;
    return FxtReader::load(path, &error);
}

// Magic, provider 0 "p", strings 1 "" 2 "cat" 3 "a" 4 "b" 5 "process", thread 1 = (1, 2), names.
void prologue(FxtWriter& w)
{
    w.writeMagic();
    w.writeProviderInfo(0, "p");
    w.writeString(1, "n");
    w.writeString(2, "cat");
    w.writeString(3, "a");
    w.writeString(4, "b");
    w.writeString(5, "process");
    w.writeThread(1, 1, 2);
}

const T thread1 = T::indexed(1);

QString anomalies(const FxtSummary& s)
{
    QStringList parts;
    for (size_t a = 0; a < size_t(FxtAnomaly::Count); ++a)
        if (s.anomalies[a])
            parts << u"%1=%2"_s.arg(fxtAnomalyName(FxtAnomaly(a))).arg(s.anomalies[a]);
    return parts.join(u' ');
}

// Depths of all slices of a thread in (start, file order) order, as "name@depth".
QStringList sliceDepths(const TraceData& data, const TraceThread& t)
{
    struct Item
    {
        quint64 start;
        size_t depth;
        size_t index;
        QString name;
    };
    std::vector<Item> items;
    for (size_t d = 0; d < t.depths.size(); ++d)
        for (size_t i = 0; i < t.depths[d].size(); ++i)
            items.push_back({ t.depths[d][i].start, d, i, data.string(t.depths[d][i].nameId()) });
    std::stable_sort(items.begin(), items.end(),
        [](const Item& a, const Item& b) { return a.start != b.start ? a.start < b.start : a.depth < b.depth; });
    QStringList out;
    for (const Item& i : items)
        out << u"%1@%2"_s.arg(i.name).arg(i.depth);
    return out;
}

} // namespace

class TestFxtReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // ---- the real samples (expected values from shared/samples/SOURCES.md) ----
    void janeStreetDemoV017()
    {
        QString error;
        const auto data = FxtReader::load(QStringLiteral(MTS_SAMPLES_DIR "/janestreet_tracing_demo_v0.17.fxt"), &error);
        QVERIFY2(data, qPrintable(error));
        const FxtSummary& s = data->summary();
        QVERIFY(s.complete);
        QCOMPARE(s.fxtBytes, quint64(832));
        QCOMPARE(s.ticksPerSecond.value_or(0), quint64(1'000'000'000));
        QCOMPARE(s.baseTimeNs.value_or(0), quint64(1));
        QCOMPARE(s.records[2], quint64(7));
        QCOMPARE(s.records[4], quint64(18));
        // The parser test's 18 events by type.
        const std::array<quint64, 12> events { 1, 4, 1, 1, 2, 2, 2, 2, 1, 1, 1, 0 };
        QCOMPARE(s.events, events);
        QCOMPARE(anomalies(s), QString());
        QCOMPARE(data->processes().size(), size_t(1));
        QCOMPARE(data->string(data->processes()[0].nameId), u"myproc"_s);
        QCOMPARE(data->threads().size(), size_t(1));
        const TraceThread& t = data->threads()[0];
        QCOMPARE(t.pid, quint64(1));
        QCOMPARE(t.tid, quint64(2));
        QCOMPARE(data->string(t.nameId), u"mythread"_s);
        QCOMPARE(t.sliceCount, quint64(4));
        QCOMPARE(t.maxDepth, 0);
        QCOMPARE(s.startNs.value_or(0), quint64(10'000));
        QCOMPARE(s.endNs.value_or(0), quint64(40'000'000));
        // Slices: complete 10us-5ms, complete 7-15ms, instant 17ms, begin/end 20-40ms.
        const auto& level = t.depths[0];
        QCOMPARE(level[0].start, quint64(10'000));
        QCOMPARE(level[0].end, quint64(5'000'000));
        QCOMPARE(level[1].start, quint64(7'000'000));
        QCOMPARE(level[1].end, quint64(15'000'000));
        QCOMPARE(level[2].kind(), SliceKind::Instant);
        QCOMPARE(level[3].kind(), SliceKind::BeginEnd);
        QCOMPARE(level[3].end, quint64(40'000'000));
        // Arguments resolve through the temporary string slots as they were when the event was written.
        auto args = data->arguments(level[0].argumentRef);
        QCOMPARE(args.size(), size_t(1));
        QCOMPARE(args[0].name, u"my_funct"_s);
        QCOMPARE(args[0].value.toString(), u"stuff"_s);
        args = data->arguments(level[1].argumentRef);
        QCOMPARE(args.size(), size_t(2));
        QCOMPARE(args[0].value.toString(), u"wow"_s);
        QCOMPARE(args[1].name, u"stuff"_s);
        QCOMPARE(args[1].value.toString(), u"cool"_s);
        // Async: id 1 23->29 ms, id 2 24->31 ms, plus two instants.
        int spans = 0, instants = 0;
        for (const AsyncSpan& a : data->asyncSpans()) {
            if (a.instant) {
                ++instants;
                continue;
            }
            ++spans;
            QVERIFY(a.closed);
            QCOMPARE(a.end, a.id == 1 ? quint64(29'000'000) : quint64(31'000'000));
            QCOMPARE(a.start, a.id == 1 ? quint64(23'000'000) : quint64(24'000'000));
        }
        QCOMPARE(spans, 2);
        QCOMPARE(instants, 2);
        QCOMPARE(data->flows().size(), size_t(3));
        // Counter "my_funct:stuff:1": 1 @7ms, 2.5 @20ms, int64 max @20ms; the pointer sample is not numeric.
        QCOMPARE(data->counters().size(), size_t(1));
        const CounterSeries& c = data->counters()[0];
        QCOMPARE(data->string(c.nameId), u"my_funct"_s);
        QCOMPARE(data->string(c.argumentNameId), u"stuff"_s);
        QCOMPARE(c.counterId, quint64(1));
        QCOMPARE(c.samples.size(), size_t(3));
        QCOMPARE(c.samples[0].value, 1.0);
        QCOMPARE(c.samples[1].value, 2.5);
        QCOMPARE(c.samples[2].value, 9223372036854775807.0);
    }

    void janeStreetDemoV015()
    {
        QString error;
        const auto data = FxtReader::load(QStringLiteral(MTS_SAMPLES_DIR "/janestreet_tracing_demo_v0.15.fxt"), &error);
        QVERIFY2(data, qPrintable(error));
        const FxtSummary& s = data->summary();
        QVERIFY(s.complete);
        const std::array<quint64, 12> events { 1, 2, 1, 1, 2, 0, 0, 0, 1, 1, 1, 0 };
        QCOMPARE(s.events, events);
        QCOMPARE(data->sliceCount(), quint64(4));
        QCOMPARE(data->counters().size(), size_t(1));
        QCOMPARE(data->counters()[0].samples.size(), size_t(2));
        // Temporary slots 3 and 4 hold "wow" and "cool" for the second complete event.
        const auto args = data->arguments(data->threads()[0].depths[0][1].argumentRef);
        QCOMPARE(args.size(), size_t(2));
        QCOMPARE(args[0].value.toString(), u"wow"_s);
        QCOMPARE(args[1].value.toString(), u"cool"_s);
    }

    void realMagicTrace()
    {
        QString error;
        const auto data = FxtReader::load(QStringLiteral(MTS_SAMPLES_DIR "/richiesams_fxt_magic_trace.fxt"), &error);
        QVERIFY2(data, qPrintable(error));
        const FxtSummary& s = data->summary();
        QVERIFY(s.complete);
        QCOMPARE(s.fxtBytes, quint64(992'384));
        QCOMPARE(anomalies(s), QString());
        QCOMPARE(s.unmatchedEnds, quint64(0));
        QCOMPARE(s.unclosedBegins, quint64(0));
        QCOMPARE(s.baseTimeNs.value_or(0), quint64(1650419113989693816ULL));
        QCOMPARE(data->processes().size(), size_t(1));
        QCOMPARE(data->string(data->processes()[0].nameId), u"2248878/2248878"_s);
        QCOMPARE(data->threads().size(), size_t(1));
        const TraceThread& t = data->threads()[0];
        QCOMPARE(data->string(t.nameId), u"main"_s);
        QCOMPARE(t.sliceCount, s.events[2]); // one slice per begin; every begin matched
        QCOMPARE(s.events[2], s.events[3]);
        // The outermost frame is _start, begun at ts 0 by the block written at the end of the file.
        QCOMPARE(t.depths[0][0].start, quint64(0));
        QCOMPARE(data->string(t.depths[0][0].nameId()), u"_start"_s);
        const auto args = data->arguments(t.depths[0][0].argumentRef);
        QVERIFY(args.size() >= 2);
        QCOMPARE(args[0].name, u"address"_s);
        QCOMPARE(args[0].type, quint8(7));
        QCOMPARE(args[1].name, u"symbol"_s);
        QCOMPARE(args[1].value.toString(), u"_start"_s);
        // Slices of one depth are sorted by start and do not overlap.
        for (const auto& level : t.depths)
            for (size_t i = 1; i < level.size(); ++i) {
                QVERIFY(level[i - 1].start <= level[i].start);
                QVERIFY(level[i - 1].end <= level[i].start);
            }
        // Aggregates: one call per slice; self time never exceeds total.
        quint64 calls = 0;
        for (const FunctionStats& f : data->functions()) {
            calls += f.calls;
            QVERIFY(f.selfNs <= f.totalNs);
        }
        QCOMPARE(calls, t.sliceCount);
    }

    // ---- writer-made files: features and damage, compared field by field ----
    void cases_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<bool>("complete");
        QTest::addColumn<qint64>("errorOffset"); // -1: no error
        QTest::addColumn<QString>("anomalies");
        QTest::addColumn<qint64>("slices");
        QTest::addColumn<int>("maxDepth");
        QTest::addColumn<qint64>("unmatchedEnds");
        QTest::addColumn<qint64>("unclosedBegins");

        const QByteArray base = build(prologue);
        const qint64 baseSize = base.size();

        QTest::newRow("empty file") << QByteArray() << false << qint64(0) << u"bad_magic=1"_s << qint64(0) << -1
                                    << qint64(0) << qint64(0);
        QTest::newRow("short garbage") << QByteArray("\x10\x00\x04", 3) << false << qint64(0) << u"bad_magic=1"_s
                                       << qint64(0) << -1 << qint64(0) << qint64(0);
        QTest::newRow("big-endian magic") << QByteArray("\x00\x16\x54\x78\x46\x04\x00\x10", 8) << false << qint64(0)
                                          << u"bad_magic=1"_s << qint64(0) << -1 << qint64(0) << qint64(0);
        QTest::newRow("magic only") << build([](FxtWriter& w) { w.writeMagic(); }) << true << qint64(-1) << QString()
                                    << qint64(0) << -1 << qint64(0) << qint64(0);
        QTest::newRow("stray bytes at end") << base + QByteArray(5, 'x') << false << baseSize << u"truncated_tail=1"_s
                                            << qint64(0) << -1 << qint64(0) << qint64(0);
        QTest::newRow("record size zero")
            << base + QByteArray(8, '\0')
                + build([](FxtWriter& w) { w.durationBegin(thread1, S::indexed(2), S::indexed(3), 1); })
            << false << baseSize << u"record_size_zero=1"_s << qint64(0) << -1 << qint64(0) << qint64(0);
        QTest::newRow("record past end") << base + build([](FxtWriter& w) {
            w.writeRawWords({ 4 | (0xfffULL << 4) | (2ULL << 16), 5 });
        }) << false << baseSize << u"truncated_tail=1"_s
                                         << qint64(0) << -1 << qint64(0) << qint64(0);
        QTest::newRow("string longer than its record") << base + build([](FxtWriter& w) {
            w.writeRawWords({ 2 | (2ULL << 4) | (7ULL << 16) | (20ULL << 32), 0 });
        }) << false << baseSize << u"malformed_record=1"_s
                                                       << qint64(0) << -1 << qint64(0) << qint64(0);
        QTest::newRow("argument of size 0") << base + build([](FxtWriter& w) {
            w.durationBegin(thread1, S::indexed(2), S::indexed(3), 1);
            w.writeRawWords({ 4 | (3ULL << 4) | (2ULL << 16) | (1ULL << 20) | (1ULL << 24) | (3ULL << 48), 2, 0 });
        }) << false << baseSize + 16 << u"malformed_record=1"_s
                                            << qint64(1) << 0 << qint64(0) << qint64(1);
        QTest::newRow("argument past its record") << base + build([](FxtWriter& w) {
            w.writeRawWords({ 4 | (3ULL << 4) | (2ULL << 16) | (1ULL << 20) | (1ULL << 24) | (3ULL << 48), 2,
                3 | (2ULL << 4) | (3ULL << 16) });
        }) << false << baseSize << u"malformed_record=1"_s
                                                  << qint64(0) << -1 << qint64(0) << qint64(0);
        QTest::newRow("complete without end word") << base + build([](FxtWriter& w) {
            w.writeRawWords({ 4 | (2ULL << 4) | (4ULL << 16) | (1ULL << 24) | (3ULL << 48), 2 });
        }) << false << baseSize << u"malformed_record=1"_s
                                                   << qint64(0) << -1 << qint64(0) << qint64(0);
        QTest::newRow("unknown record, event and argument types") << base + build([](FxtWriter& w) {
            w.writeRawWords({ 11 | (2ULL << 4), 0 });
            w.writeEvent(13, thread1, S::indexed(2), S::indexed(3), 5);
            const A args[] = { A::unknown(S::indexed(4), 12, 2), A::int32(S::indexed(4), 3) };
            w.instant(thread1, S::indexed(2), S::indexed(3), 6, args);
        }) << true << qint64(-1) << u"unknown_record_type=1 unknown_event_type=1 unknown_arg_type=1"_s
                                                                  << qint64(1) << 0 << qint64(0) << qint64(0);
        QTest::newRow("unregistered strings drop the event") << base + build([](FxtWriter& w) {
            w.instant(thread1, S::indexed(2), S::indexed(99), 1);
            w.instant(thread1, S::indexed(99), S::indexed(3), 1);
            const A arg = A::string(S::indexed(3), S::indexed(98));
            w.instant(thread1, S::indexed(2), S::indexed(3), 1, std::span(&arg, 1));
            w.instant(thread1, S::indexed(2), S::indexed(3), 2);
        }) << true << qint64(-1) << u"invalid_string_ref=3"_s << qint64(1)
                                                             << 0 << qint64(0) << qint64(0);
        QTest::newRow("complete ending before it starts") << base + build([](FxtWriter& w) {
            w.durationComplete(thread1, S::indexed(2), S::indexed(3), 10, 9);
            w.durationComplete(thread1, S::indexed(2), S::indexed(3), 10, 10);
        }) << true << qint64(-1) << u"complete_end_before_start=1"_s
                                                          << qint64(1) << 0 << qint64(0) << qint64(0);
        QTest::newRow("invalid timestamps") << build([](FxtWriter& w) {
            prologue(w);
            w.instant(thread1, S::indexed(2), S::indexed(3), 0x8000000000000000ULL);
            w.writeInitialization(0);
            w.instant(thread1, S::indexed(2), S::indexed(3), 1);
        }) << true << qint64(-1) << u"invalid_timestamp=2"_s
                                            << qint64(0) << -1 << qint64(0) << qint64(0);
        QTest::newRow("unregistered thread")
            << base + build([](FxtWriter& w) { w.instant(T::indexed(9), S::indexed(2), S::indexed(3), 1); }) << true
            << qint64(-1) << u"invalid_thread_ref=1"_s << qint64(1) << 0 << qint64(0) << qint64(0);
        QTest::newRow("unmatched ends and unclosed begins") << base + build([](FxtWriter& w) {
            w.durationEnd(thread1, S::indexed(2), S::indexed(3), 1);
            w.durationBegin(thread1, S::indexed(2), S::indexed(3), 2);
            w.durationBegin(thread1, S::indexed(2), S::indexed(4), 3);
            w.durationEnd(thread1, S::indexed(2), S::indexed(4), 4);
            w.durationBegin(thread1, S::indexed(2), S::indexed(4), 5);
        }) << true << qint64(-1) << QString() << qint64(3) << 1
                                                            << qint64(1) << qint64(2);
        QTest::newRow("ts-0 begins written last") << base + build([](FxtWriter& w) {
            w.durationEnd(thread1, S::indexed(2), S::indexed(4), 10);
            w.durationEnd(thread1, S::indexed(2), S::indexed(3), 20);
            w.durationBegin(thread1, S::indexed(2), S::indexed(3), 0);
            w.durationBegin(thread1, S::indexed(2), S::indexed(4), 0);
        }) << true << qint64(-1) << QString() << qint64(2)
                                                  << 1 << qint64(0) << qint64(0);
        QTest::newRow("blob, userspace, scheduling, log and large records are skipped") << base
                + build([](FxtWriter& w) {
                      w.writeBlob(S::indexed(3), 1, "payload");
                      w.writeUserspaceObject(T::inlined(1, 0), S::indexed(3), 0x1234);
                      w.writeContextSwitch(0, 3, thread1, T::inlined(1, 5), 7);
                      w.writeLog(thread1, 8, "hello");
                      w.writeLargeBlob(S::indexed(2), S::indexed(3), QByteArray(40'000, 'z'));
                      w.instant(thread1, S::indexed(2), S::indexed(3), 9);
                  }) << true << qint64(-1) << QString() << qint64(1) << 0 << qint64(0) << qint64(0);
    }
    void cases()
    {
        QFETCH(QByteArray, file);
        QFETCH(bool, complete);
        QFETCH(qint64, errorOffset);
        QFETCH(QString, anomalies);
        QFETCH(qint64, slices);
        QFETCH(int, maxDepth);
        QFETCH(qint64, unmatchedEnds);
        QFETCH(qint64, unclosedBegins);
        QString error;
        const auto data = FxtReader::loadBytes(file, &error);
        QVERIFY2(data, qPrintable(error));
        const FxtSummary& s = data->summary();
        QCOMPARE(::anomalies(s), anomalies);
        QCOMPARE(s.complete, complete);
        QCOMPARE(qint64(s.errorOffset.value_or(quint64(-1))), errorOffset);
        if (errorOffset >= 0)
            QCOMPARE(qint64(s.fxtBytes), errorOffset);
        else
            QCOMPARE(qint64(s.fxtBytes), qint64(file.size()));
        QCOMPARE(qint64(data->sliceCount()), slices);
        QCOMPARE(data->maxDepth(), maxDepth);
        QCOMPARE(qint64(s.unmatchedEnds), unmatchedEnds);
        QCOMPARE(qint64(s.unclosedBegins), unclosedBegins);
        QCOMPARE(FxtInspect::exitStatus(*data), s.anomaly(FxtAnomaly::BadMagic) ? 2 : 0);
    }

    void recordCounting()
    {
        const QByteArray file = build([](FxtWriter& w) {
            prologue(w);
            w.writeBlob(S::indexed(3), 1, "x");
            w.writeLargeBlob(S::indexed(2), S::indexed(3), "y");
            w.writeRawWords({ 12 | (1ULL << 4) });
            w.writeProviderEvent(0, 0);
            w.durationComplete(thread1, S::indexed(2), S::indexed(99), 1, 2); // dropped but counted
        });
        const auto data = FxtReader::loadBytes(file);
        const FxtSummary& s = data->summary();
        QCOMPARE(s.records[0], quint64(3)); // magic, provider info, provider event
        QCOMPARE(s.records[2], quint64(5));
        QCOMPARE(s.records[3], quint64(1));
        QCOMPARE(s.records[4], quint64(1));
        QCOMPARE(s.records[5], quint64(1));
        QCOMPARE(s.records[12], quint64(1));
        QCOMPARE(s.records[15], quint64(1));
        QCOMPARE(s.events[4], quint64(1));
        const QByteArray json = FxtInspect::json(*data);
        QVERIFY(json.contains("\"unknown\": 1}"));
        QVERIFY(json.contains("\"large\": 1"));
    }

    // The depth rule of inspect-json.md §10 on interleaved completes, begins, ends and instants.
    void depthRule_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<QStringList>("expected");
        const auto ev = [](FxtWriter& w, char kind, quint64 ts, quint16 name, quint64 end = 0) {
            const S n = S::indexed(name);
            if (kind == 'B')
                w.durationBegin(thread1, S::indexed(2), n, ts);
            else if (kind == 'E')
                w.durationEnd(thread1, S::indexed(2), n, ts);
            else if (kind == 'I')
                w.instant(thread1, S::indexed(2), n, ts);
            else
                w.durationComplete(thread1, S::indexed(2), n, ts, end);
        };
        QTest::newRow("complete is open during [start, end)") << build([&](FxtWriter& w) {
            prologue(w);
            ev(w, 'X', 0, 3, 10);
            ev(w, 'I', 9, 4);
            ev(w, 'I', 10, 4);
        }) << QStringList { u"a@0"_s, u"b@1"_s, u"b@0"_s };
        QTest::newRow("end with only completes open is unmatched") << build([&](FxtWriter& w) {
            prologue(w);
            ev(w, 'X', 0, 3, 10);
            ev(w, 'E', 3, 4);
            ev(w, 'I', 4, 4);
        }) << QStringList { u"a@0"_s, u"b@1"_s };
        QTest::newRow("end removes completes above its begin") << build([&](FxtWriter& w) {
            prologue(w);
            ev(w, 'B', 0, 3);
            ev(w, 'X', 1, 4, 20);
            ev(w, 'E', 5, 3);
            ev(w, 'I', 6, 4);
        }) << QStringList { u"a@0"_s, u"b@1"_s, u"b@0"_s };
        QTest::newRow("finished complete leaves the middle of the stack") << build([&](FxtWriter& w) {
            prologue(w);
            ev(w, 'X', 0, 3, 10);
            ev(w, 'B', 1, 4);
            ev(w, 'I', 12, 3);
            ev(w, 'E', 13, 4);
            ev(w, 'I', 14, 3);
        }) << QStringList { u"a@0"_s, u"b@1"_s, u"a@1"_s, u"a@0"_s };
        QTest::newRow("ties keep file order") << build([&](FxtWriter& w) {
            prologue(w);
            ev(w, 'B', 5, 3);
            ev(w, 'E', 5, 3);
            ev(w, 'B', 5, 4);
            ev(w, 'I', 5, 3);
            ev(w, 'E', 6, 4);
        }) << QStringList { u"a@0"_s, u"b@0"_s, u"a@1"_s };
        QTest::newRow("zero-length complete pushes nothing") << build([&](FxtWriter& w) {
            prologue(w);
            ev(w, 'X', 5, 3, 5);
            ev(w, 'I', 5, 4);
        }) << QStringList { u"a@0"_s, u"b@0"_s };
    }
    void depthRule()
    {
        QFETCH(QByteArray, file);
        QFETCH(QStringList, expected);
        const auto data = FxtReader::loadBytes(file);
        QVERIFY(data);
        QCOMPARE(data->threads().size(), size_t(1));
        QCOMPARE(sliceDepths(*data, data->threads()[0]), expected);
    }

    // Random nearly-sorted and shuffled event streams against a direct implementation of the depth rule.
    void depthRuleMatchesReference_data()
    {
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<bool>("shuffled");
        for (quint32 seed = 1; seed <= 6; ++seed) {
            QTest::addRow("sorted runs %u", seed) << seed << false;
            QTest::addRow("shuffled %u", seed) << seed << true;
        }
    }
    void depthRuleMatchesReference()
    {
        QFETCH(quint32, seed);
        QFETCH(bool, shuffled);
        QRandomGenerator random(seed);
        struct Ev
        {
            char kind;
            quint64 ts;
            quint64 end;
            quint16 name;
        };
        std::vector<Ev> events;
        quint64 now = 0;
        for (int i = 0; i < 3000; ++i) {
            now += random.bounded(3);
            const int r = random.bounded(10);
            const char kind = r < 4 ? 'B' : r < 8 ? 'E' : r < 9 ? 'I' : 'X';
            events.push_back({ kind, now, now + random.bounded(20), quint16(3 + random.bounded(2)) });
        }
        if (shuffled) {
            std::shuffle(events.begin(), events.end(), std::mt19937(seed));
        } else {
            // Move a block to the end, as magic-trace does with its ts-0 begins.
            std::rotate(events.begin(), events.begin() + 500, events.end());
        }
        const QByteArray file = build([&](FxtWriter& w) {
            prologue(w);
            for (const Ev& e : events) {
                const S n = S::indexed(e.name);
                if (e.kind == 'B')
                    w.durationBegin(thread1, S::indexed(2), n, e.ts);
                else if (e.kind == 'E')
                    w.durationEnd(thread1, S::indexed(2), n, e.ts);
                else if (e.kind == 'I')
                    w.instant(thread1, S::indexed(2), n, e.ts);
                else
                    w.durationComplete(thread1, S::indexed(2), n, e.ts, e.end);
            }
        });
        // Reference: stable sort, then the rule applied literally.
        std::vector<Ev> sorted = events;
        std::stable_sort(sorted.begin(), sorted.end(), [](const Ev& a, const Ev& b) { return a.ts < b.ts; });
        struct Entry
        {
            bool complete;
            quint64 end;
        };
        std::vector<Entry> stack;
        QStringList expected;
        quint64 unmatched = 0;
        for (const Ev& e : sorted) {
            stack.erase(
                std::remove_if(stack.begin(), stack.end(), [&](const Entry& x) { return x.complete && x.end <= e.ts; }),
                stack.end());
            if (e.kind == 'E') {
                auto it = std::find_if(stack.rbegin(), stack.rend(), [](const Entry& x) { return !x.complete; });
                if (it == stack.rend())
                    ++unmatched;
                else
                    stack.erase(std::prev(it.base()), stack.end());
                continue;
            }
            expected << u"%1@%2"_s.arg(e.name == 3 ? u"a"_s : u"b"_s).arg(stack.size());
            if (e.kind == 'B')
                stack.push_back({ false, 0 });
            else if (e.kind == 'X' && e.end > e.ts)
                stack.push_back({ true, e.end });
        }
        const quint64 unclosed
            = quint64(std::count_if(stack.begin(), stack.end(), [](const Entry& x) { return !x.complete; }));
        const auto data = FxtReader::loadBytes(file);
        QVERIFY(data);
        const QStringList actual = sliceDepths(*data, data->threads()[0]);
        // sliceDepths orders ties by depth; order the reference the same way before comparing.
        const auto key = [](const QStringList& l) {
            QStringList copy = l;
            std::sort(copy.begin(), copy.end());
            return copy;
        };
        QCOMPARE(key(actual), key(expected));
        QCOMPARE(data->summary().unmatchedEnds, unmatched);
        QCOMPARE(data->summary().unclosedBegins, unclosed);
    }

    // The depth rule while parsing (in-order threads, with magic-trace's ts-0 tail) and the event-log path give the
    // same model, including where the online rule must hand a thread over to the log.
    void depthRuleWhileParsingMatchesEventLog_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<bool>("expectUnmatched");
        // kind: B begin, E end, I instant, X complete (end = ts + length)
        struct Ev
        {
            char kind;
            quint64 ts;
            quint64 length = 0;
        };
        const auto write = [](const std::vector<std::vector<Ev>>& threads) {
            return build([&](FxtWriter& w) {
                prologue(w);
                w.writeThread(2, 1, 3);
                w.writeThread(3, 4, 5);
                // Threads interleave record by record, as magic-trace's do.
                size_t longest = 0;
                for (const auto& t : threads)
                    longest = std::max(longest, t.size());
                for (size_t i = 0; i < longest; ++i) {
                    for (size_t t = 0; t < threads.size(); ++t) {
                        if (i >= threads[t].size())
                            continue;
                        const Ev& e = threads[t][i];
                        const T thread = T::indexed(quint8(t + 1));
                        const S name = S::indexed(quint16(3 + (e.ts + t) % 2));
                        const std::vector<A> args { A::uint64(S::indexed(3), e.ts) };
                        if (e.kind == 'B')
                            w.durationBegin(thread, S::indexed(2), name, e.ts, args);
                        else if (e.kind == 'E')
                            w.durationEnd(thread, S::indexed(2), name, e.ts);
                        else if (e.kind == 'I')
                            w.instant(thread, S::indexed(2), name, e.ts, args);
                        else
                            w.durationComplete(thread, S::indexed(2), name, e.ts, e.ts + e.length, args);
                    }
                }
            });
        };
        // In time order from `start`: nested begins/ends and instants, `returns` ends of frames opened before the
        // trace (their begins in the tail), and `completes` complete events among them.
        const auto run = [](quint32 seed, int count, quint64 start, int returns, int completes) {
            QRandomGenerator random(seed);
            std::vector<Ev> events;
            quint64 now = start;
            int open = 0;
            for (int i = 0; i < count; ++i) {
                now += random.bounded(3);
                const int r = random.bounded(10);
                if (returns > 0 && open == 0 && r < 2) {
                    events.push_back({ 'E', now });
                    --returns;
                } else if (completes > 0 && r == 9) {
                    events.push_back({ 'X', now, quint64(random.bounded(6)) });
                    --completes;
                } else if (r < 5 && open < 30) {
                    events.push_back({ 'B', now });
                    ++open;
                } else if (r < 9 && open > 0) {
                    events.push_back({ 'E', now });
                    --open;
                } else {
                    events.push_back({ 'I', now });
                }
            }
            if (returns > 0)
                for (; open > 0; --open)
                    events.push_back({ 'E', ++now });
            for (; returns > 0; --returns)
                events.push_back({ 'E', ++now });
            return events;
        };
        const auto tail = [](int begins, quint64 ts) {
            std::vector<Ev> events;
            for (int i = 0; i < begins; ++i)
                events.push_back({ 'B', ts });
            return events;
        };
        const auto join = [](std::vector<Ev> a, const std::vector<Ev>& b) {
            a.insert(a.end(), b.begin(), b.end());
            return a;
        };

        QTest::newRow("in order") << write({ run(1, 3000, 10, 0, 0), run(2, 2000, 10, 0, 0) }) << false;
        QTest::newRow("tail, every frame returns") << write({ join(run(3, 3000, 10, 5, 0), tail(5, 0)) }) << false;
        QTest::newRow("tail, frames left open") << write({ join(run(4, 3000, 10, 3, 0), tail(7, 0)) }) << false;
        QTest::newRow("tail with nested slices and instants") << write({ join(run(5, 3000, 10, 4, 0),
            std::vector<Ev> { { 'B', 0 }, { 'B', 1 }, { 'I', 1 }, { 'B', 2 }, { 'E', 3 }, { 'B', 4 }, { 'B', 5 },
                { 'X', 5, 2 }, { 'I', 8 }, { 'B', 9 } }) }) << false;
        QTest::newRow("more returns than tail frames") << write({ join(run(6, 3000, 10, 6, 0), tail(2, 0)) }) << true;
        QTest::newRow("returns without a tail") << write({ run(7, 3000, 10, 3, 0) }) << true;
        QTest::newRow("complete events in order") << write({ run(8, 3000, 10, 0, 40) }) << false;
        QTest::newRow("complete events and a tail") << write({ join(run(9, 3000, 10, 2, 40), tail(3, 0)) }) << false;
        QTest::newRow("tail at the first event's time")
            << write({ join(run(10, 3000, 10, 2, 0), tail(3, 10)) }) << false;
        QTest::newRow("tail overlapping the run") << write({ join(run(11, 3000, 10, 2, 0), tail(3, 500)) }) << false;
        QTest::newRow("tail ending inside a complete")
            << write({ join(run(12, 3000, 10, 2, 0), std::vector<Ev> { { 'B', 0 }, { 'B', 1 }, { 'X', 2, 100 } }) })
            << false;
        QTest::newRow("two tails") << write(
            { join(join(join(run(13, 3000, 10, 3, 0), tail(2, 0)), std::vector<Ev> { { 'I', 5 } }), tail(1, 0)) })
                                   << false;
        QTest::newRow("three threads, mixed")
            << write({ join(run(14, 4000, 10, 4, 0), tail(4, 0)), run(15, 4000, 10, 2, 0), run(16, 4000, 10, 0, 9) })
            << true;
        QTest::newRow("large buckets") << write({ join(run(17, 400'000, 10, 5, 0), tail(6, 0)) }) << false;
    }
    void depthRuleWhileParsingMatchesEventLog()
    {
        QFETCH(QByteArray, file);
        QFETCH(bool, expectUnmatched);
        const auto load = [&](bool whileParsing) {
            QBuffer buffer(&file);
            buffer.open(QIODevice::ReadOnly);
            FxtReader::Options options;
            options.depthRuleWhileParsing = whileParsing;
            QString error;
            return FxtReader::load(&buffer, options, &error);
        };
        const auto describe = [](const TraceData& data) {
            QStringList lines;
            for (const TraceThread& t : data.threads()) {
                lines << u"thread %1/%2: %3 slices, max depth %4, %5 unmatched, %6 unclosed"_s.arg(t.pid)
                             .arg(t.tid)
                             .arg(t.sliceCount)
                             .arg(t.maxDepth)
                             .arg(t.unmatchedEnds)
                             .arg(t.unclosedBegins);
                for (size_t d = 0; d < t.depths.size(); ++d)
                    for (const TraceSlice& s : t.depths[d])
                        lines << u"%1: %2-%3 kind %4 name %5 args %6"_s.arg(d)
                                     .arg(s.start)
                                     .arg(s.end)
                                     .arg(int(s.kind()))
                                     .arg(s.nameId())
                                     .arg(s.argumentRef);
            }
            for (const FunctionStats& f : data.functions())
                lines << u"function %1: %2 calls, %3 total, %4 self"_s.arg(f.nameId).arg(f.calls).arg(f.totalNs).arg(
                    f.selfNs);
            return lines;
        };
        const auto online = load(true);
        const auto logged = load(false);
        QVERIFY(online && logged);
        QVERIFY(online->sliceCount() > 1000);
        QCOMPARE(online->summary().unmatchedEnds > 0, expectUnmatched);
        QCOMPARE(online->summary().unmatchedEnds, logged->summary().unmatchedEnds);
        QCOMPARE(online->summary().unclosedBegins, logged->summary().unclosedBegins);
        const QStringList expected = describe(*logged);
        const QStringList actual = describe(*online);
        QCOMPARE(actual.size(), expected.size());
        for (qsizetype i = 0; i < actual.size(); ++i)
            QCOMPARE(actual[i], expected[i]);
    }

    void stringsThreadsAndProviders()
    {
        const QByteArray file = build([](FxtWriter& w) {
            prologue(w);
            w.durationComplete(thread1, S::indexed(2), S::indexed(3), 1, 2); // "a"
            w.writeString(3, "renamed"); // the slot is reused: later records see the new string
            w.durationComplete(thread1, S::indexed(2), S::indexed(3), 3, 4);
            // Inline strings and an inline thread.
            w.durationComplete(T::inlined(7, 8), S::inlined("c"), S::inlined("inline name"), 5, 6);
            w.durationComplete(T::inlined(7, 8), S::inlined(""), S::indexed(0), 7, 8);
            // Names: process 7 and thread 8 (the "process" koid argument, inline).
            w.writeKernelObject(1, 7, S::inlined("proc seven"));
            const A pidArg = A::koid(S::inlined("process"), 7);
            w.writeKernelObject(2, 8, S::indexed(4), std::span(&pidArg, 1));
            // A thread object whose "process" argument is not a koid names nothing.
            const A wrongType = A::int32(S::indexed(5), 7);
            w.writeKernelObject(2, 9, S::indexed(4), std::span(&wrongType, 1));
            // A second provider with its own tables and a 24 MHz tick.
            w.writeProviderInfo(5, "second");
            w.writeInitialization(24'000'000);
            w.writeString(1, "other");
            w.writeThread(1, 30, 31);
            w.instant(thread1, S::indexed(1), S::indexed(1), 24); // 24 ticks = 1000 ns
            w.instant(thread1, S::indexed(1), S::indexed(3), 48); // "renamed" is provider 0's: dropped
            w.writeProviderSection(0); // back to provider 0: its tables are intact
            w.durationComplete(thread1, S::indexed(2), S::indexed(3), 9, 10);
            w.writeProviderSection(6); // unknown id: created empty and listed
        });
        const auto data = FxtReader::loadBytes(file);
        QVERIFY(data);
        const FxtSummary& s = data->summary();
        QCOMPARE(anomalies(s), u"invalid_string_ref=1"_s);
        QCOMPARE(s.ticksPerSecond.value_or(0), quint64(24'000'000)); // the first initialization record read
        QCOMPARE(s.providers.size(), size_t(3));
        QCOMPARE(s.providers[0].name, u"p"_s);
        QCOMPARE(s.providers[1].id, quint32(5));
        QCOMPARE(s.providers[1].name, u"second"_s);
        QCOMPARE(s.providers[2].id, quint32(6));
        QCOMPARE(s.providers[2].name, QString());
        // Threads (1,2), (7,8), (30,31); (7,9) is not named because its "process" argument is an int32.
        QCOMPARE(data->threads().size(), size_t(3));
        const TraceThread& t12 = data->threads()[0];
        QCOMPARE(sliceDepths(*data, t12), (QStringList { u"a@0"_s, u"renamed@0"_s, u"renamed@0"_s }));
        const TraceThread& t78 = data->threads()[1];
        QCOMPARE(t78.tid, quint64(8));
        QCOMPARE(data->string(t78.nameId), u"b"_s);
        QCOMPARE(sliceDepths(*data, t78), (QStringList { u"inline name@0"_s, u"@0"_s }));
        const TraceThread& t3031 = data->threads()[2];
        QCOMPARE(t3031.depths[0][0].start, quint64(1000));
        QCOMPARE(data->string(t3031.depths[0][0].nameId()), u"other"_s);
        QCOMPARE(data->processes().size(), size_t(3));
        QCOMPARE(data->string(data->processes()[1].nameId), u"proc seven"_s);
    }

    void argumentsOfEveryType_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::newRow("plain file") << u".fxt"_s;
        QTest::newRow("gzip file") << u".fxt.gz"_s;
        QTest::newRow("zstd file") << u".fxt.zst"_s;
        QTest::newRow("in memory") << QString();
    }
    void argumentsOfEveryType()
    {
        QFETCH(QString, suffix);
        const Build write = [](FxtWriter& w) {
            prologue(w);
            const A args[] = {
                A::null(S::indexed(3)),
                A::int32(S::inlined("i32"), -7),
                A::uint32(S::indexed(3), 2145),
                A::int64(S::indexed(3), -234516543631231LL),
                A::uint64(S::indexed(3), 423621626134123415ULL),
                A::real(S::indexed(3), 3.1415),
                A::string(S::indexed(3), S::inlined("pong")),
                A::pointer(S::indexed(3), 0xabcd),
                A::koid(S::indexed(3), 18),
                A::boolean(S::indexed(3), true),
                A::blob(S::indexed(3), "0123456789"),
                A::string(S::indexed(4), S::indexed(4)),
            };
            w.durationBegin(thread1, S::indexed(2), S::indexed(3), 1, args);
            w.writeString(4, "overwritten later");
            w.durationEnd(thread1, S::indexed(2), S::indexed(3), 2);
        };
        QTemporaryDir dir;
        const std::shared_ptr<TraceData> data = loadWritten(write, suffix, dir);
        QVERIFY(data);
        const TraceSlice& slice = data->threads()[0].depths[0][0];
        const auto args = data->arguments(slice.argumentRef);
        QCOMPARE(args.size(), size_t(12));
        QStringList shown;
        for (const TraceArgument& a : args)
            shown << a.name + u'=' + a.displayValue();
        QCOMPARE(shown,
            (QStringList { u"a=null"_s, u"i32=-7"_s, u"a=2145"_s, u"a=-234516543631231"_s, u"a=423621626134123415"_s,
                u"a=3.1415000000000002"_s, u"a=\"pong\""_s, u"a=0xabcd"_s, u"a=18"_s, u"a=true"_s, u"a=<10 bytes>"_s,
                u"b=\"b\""_s }));
        QCOMPARE(args[10].value.toByteArray(), "0123456789"_ba);
    }

    // Equal argument bytes may share one decoded copy (compressed input), but never across a string slot that
    // was overwritten in between: the third call's symbol must read "second".
    void argumentsFollowOverwrittenStringSlots_data() { argumentsOfEveryType_data(); }
    void argumentsFollowOverwrittenStringSlots()
    {
        QFETCH(QString, suffix);
        const Build write = [](FxtWriter& w) {
            prologue(w);
            w.writeString(6, "first");
            const A args[] = { A::string(S::indexed(3), S::indexed(6)), A::pointer(S::indexed(3), 0x401000) };
            w.durationBegin(thread1, S::indexed(2), S::indexed(3), 1, args);
            w.durationEnd(thread1, S::indexed(2), S::indexed(3), 2);
            w.durationBegin(thread1, S::indexed(2), S::indexed(3), 3, args);
            w.durationEnd(thread1, S::indexed(2), S::indexed(3), 4);
            w.writeString(6, "second");
            w.durationBegin(thread1, S::indexed(2), S::indexed(3), 5, args);
            w.durationEnd(thread1, S::indexed(2), S::indexed(3), 6);
        };
        QTemporaryDir dir;
        const std::shared_ptr<TraceData> data = loadWritten(write, suffix, dir);
        QVERIFY(data);
        const auto& slices = data->threads()[0].depths[0];
        QCOMPARE(slices.size(), size_t(3));
        QStringList symbols;
        for (const TraceSlice& slice : slices) {
            const auto args = data->arguments(slice.argumentRef);
            QCOMPARE(args.size(), size_t(2));
            QCOMPARE(args[1].displayValue(), u"0x401000"_s);
            symbols << args[0].value.toString();
        }
        QCOMPARE(symbols, (QStringList { u"first"_s, u"first"_s, u"second"_s }));
        if (suffix.endsWith(u".gz"_s) || suffix.endsWith(u".zst"_s)) {
            QCOMPARE(slices[0].argumentRef, slices[1].argumentRef); // one copy for equal arguments
            QVERIFY(slices[2].argumentRef != slices[1].argumentRef);
        }
    }

    void generatedTraceRoundTrip_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::newRow("fxt") << u".fxt"_s;
        QTest::newRow("gz") << u".fxt.gz"_s;
        QTest::newRow("zst") << u".fxt.zst"_s;
        QTest::newRow("xz") << u".fxt.xz"_s;
    }
    void generatedTraceRoundTrip()
    {
        QFETCH(QString, suffix);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"gen"_s + suffix);
        TraceGeneratorOptions options;
        options.targetBytes = 1'000'000;
        options.threads = 3;
        TraceGeneratorResult written;
        QString error;
        QVERIFY2(TraceGenerator::generateFile(path, options, &written, &error), qPrintable(error));
        quint64 lastDone = 0;
        int progressCalls = 0;
        FxtReader::Options readOptions;
        readOptions.progress = [&](quint64 done, quint64) {
            QVERIFY(done >= lastDone);
            lastDone = done;
            ++progressCalls;
        };
        const auto data = FxtReader::load(path, readOptions, &error);
        QVERIFY2(data, qPrintable(error));
        QVERIFY(progressCalls > 0);
        const FxtSummary& s = data->summary();
        QVERIFY(s.complete);
        QCOMPARE(anomalies(s), QString());
        QCOMPARE(s.fxtBytes, written.bytes);
        QCOMPARE(data->sliceCount(), written.calls);
        QCOMPARE(s.unmatchedEnds, quint64(0));
        QCOMPARE(s.unclosedBegins, quint64(0));
        QCOMPARE(s.endNs.value_or(0), written.endTimestamp);
        QCOMPARE(data->threads().size(), size_t(3));
        for (const TraceThread& t : data->threads()) {
            QCOMPARE(data->string(t.nameId), u"main"_s);
            QVERIFY(t.maxDepth >= 12);
            QCOMPARE(t.depths[0][0].start, quint64(0)); // the initial stack's outermost frame
            QVERIFY(data->string(data->processes()[size_t(&t - data->threads().data())].nameId).contains(u"[pid="_s));
            const auto args = data->arguments(t.depths[5][0].argumentRef);
            QCOMPARE(args.size(), size_t(2));
            QCOMPARE(args[1].value.toString(), data->string(t.depths[5][0].nameId()));
        }
    }

    // Compressed input keeps one copy per distinct argument bytes, found through a hash table that grows several
    // times over a few thousand functions: every slice must still decode the arguments its own record carried.
    void compressedArgumentsMatchPlain_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::newRow("gz") << u".fxt.gz"_s;
        QTest::newRow("zst") << u".fxt.zst"_s;
    }
    void compressedArgumentsMatchPlain()
    {
        QFETCH(QString, suffix);
        QTemporaryDir dir;
        TraceGeneratorOptions options;
        options.targetBytes = 2'000'000;
        options.threads = 2;
        options.functions = 6000;
        QString error;
        const QString plainPath = dir.filePath(u"plain.fxt"_s);
        const QString packedPath = dir.filePath(u"packed"_s + suffix);
        QVERIFY2(TraceGenerator::generateFile(plainPath, options, nullptr, &error), qPrintable(error));
        QVERIFY2(TraceGenerator::generateFile(packedPath, options, nullptr, &error), qPrintable(error));
        const auto plain = FxtReader::load(plainPath, &error);
        QVERIFY2(plain, qPrintable(error));
        const auto packed = FxtReader::load(packedPath, &error);
        QVERIFY2(packed, qPrintable(error));
        QCOMPARE(packed->sliceCount(), plain->sliceCount());
        QSet<quint32> copies;
        for (size_t t = 0; t < plain->threads().size(); ++t) {
            const TraceThread& a = plain->threads()[t];
            const TraceThread& b = packed->threads()[t];
            QCOMPARE(b.depths.size(), a.depths.size());
            for (size_t d = 0; d < a.depths.size(); ++d) {
                QCOMPARE(b.depths[d].size(), a.depths[d].size());
                for (size_t i = 0; i < a.depths[d].size(); ++i) {
                    const auto expected = plain->arguments(a.depths[d][i].argumentRef);
                    const auto actual = packed->arguments(b.depths[d][i].argumentRef);
                    QCOMPARE(actual.size(), size_t(2));
                    QCOMPARE(actual.size(), expected.size());
                    for (size_t k = 0; k < expected.size(); ++k) {
                        QCOMPARE(actual[k].name, expected[k].name);
                        QCOMPARE(actual[k].displayValue(), expected[k].displayValue());
                    }
                    copies.insert(b.depths[d][i].argumentRef);
                }
            }
        }
        // Shared, not one copy per call: at most one per function, and enough functions to grow the table.
        QVERIFY2(copies.size() > 2048 && copies.size() <= 6000, qPrintable(QString::number(copies.size())));
    }

    // Threads big enough for slice storage of their own mapping, filled partly with the huge pages that the threads
    // built before them freed: every slice must still be the one the file describes.
    void largeThreadsKeepEverySlice()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"large.fxt"_s);
        TraceGeneratorOptions options;
        options.targetBytes = 80'000'000;
        options.threads = 2;
        TraceGeneratorResult written;
        QString error;
        QVERIFY2(TraceGenerator::generateFile(path, options, &written, &error), qPrintable(error));
        const auto data = FxtReader::load(path, &error);
        QVERIFY2(data, qPrintable(error));
        QCOMPARE(data->sliceCount(), written.calls);
        QCOMPARE(data->summary().unmatchedEnds, quint64(0));
        QCOMPARE(data->summary().unclosedBegins, quint64(0));
        quint64 calls = 0;
        for (const FunctionStats& f : data->functions())
            calls += f.calls;
        QCOMPARE(calls, written.calls);
        for (const TraceThread& t : data->threads()) {
            QVERIFY(t.sliceCount * sizeof(TraceSlice) > 12u << 20);
            for (size_t d = 0; d < t.depths.size(); ++d) {
                const std::span<const TraceSlice> slices = t.depths[d];
                for (size_t i = 0; i < slices.size(); ++i) {
                    const TraceSlice& s = slices[i];
                    QVERIFY(s.end >= s.start);
                    QVERIFY(s.kind() == SliceKind::BeginEnd);
                    QVERIFY(s.nameId() < data->stringCount());
                    QVERIFY(i == 0 || slices[i - 1].end <= s.start);
                    if (d == 0)
                        continue;
                    // Inside the parent: the last slice one level up that starts no later.
                    const std::span<const TraceSlice> up = t.depths[d - 1];
                    const auto parent = std::upper_bound(up.begin(), up.end(), s.start,
                        [](quint64 start, const TraceSlice& p) { return start < p.start; });
                    QVERIFY(parent != up.begin());
                    QVERIFY(std::prev(parent)->end >= s.end);
                }
            }
            const TraceSlice& last = t.depths[5].back();
            const auto args = data->arguments(last.argumentRef);
            QCOMPARE(args.size(), size_t(2));
            QCOMPARE(args[1].value.toString(), data->string(last.nameId()));
        }
    }

    // Records straddling chunk boundaries (plain mapped windows and decompressed reads) give the same result.
    void tinyChunks_data()
    {
        QTest::addColumn<int>("chunk");
        QTest::addColumn<QString>("suffix");
        for (int chunk : { 5, 13, 4096 }) {
            QTest::addRow("%d bytes, plain", chunk) << chunk << u".fxt"_s;
            QTest::addRow("%d bytes, gzip", chunk) << chunk << u".fxt.gz"_s;
        }
    }
    void tinyChunks()
    {
        QFETCH(int, chunk);
        QFETCH(QString, suffix);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"t"_s + suffix);
        FxtWriter writer;
        QVERIFY(writer.open(path, nullptr));
        TraceGeneratorOptions options;
        options.targetBytes = 30'000;
        TraceGenerator::generate(writer, options);
        writer.writeLargeBlob(FxtWriter::StringRef::empty(), FxtWriter::StringRef::empty(), QByteArray(50'000, 'b'));
        writer.writeString(4000, QByteArray(3000, 's'));
        writer.writeRawBytes("tail"); // 4 stray bytes: truncated_tail at the very end
        QVERIFY(writer.finish());
        QString error;
        const auto reference = FxtReader::load(path, &error);
        QVERIFY2(reference, qPrintable(error));
        FxtSource::setChunkBytesForTesting(chunk);
        const auto chunked = FxtReader::load(path, &error);
        FxtSource::setChunkBytesForTesting(0);
        QVERIFY2(chunked, qPrintable(error));
        QCOMPARE(chunked->summary().records[15], quint64(1));
        QCOMPARE(chunked->summary().anomaly(FxtAnomaly::TruncatedTail), quint64(1));
        QCOMPARE(FxtInspect::json(*chunked), FxtInspect::json(*reference));
        const TraceSlice& slice = chunked->threads()[0].depths[3][0];
        QCOMPARE(chunked->arguments(slice.argumentRef).size(), size_t(2));
    }

    void wallClock()
    {
        // Found by the fuzzer: a hostile base time must not overflow.
        const QByteArray file = build([](FxtWriter& w) {
            prologue(w);
            w.writeInitialization(1'000'000'000, 5, 7043629817207456009ULL);
            w.instant(thread1, S::indexed(2), S::indexed(3), 3398799467622817262ULL);
            w.instant(thread1, S::indexed(2), S::indexed(3), 105);
        });
        const auto data = FxtReader::loadBytes(file);
        const FxtSummary& s = data->summary();
        QCOMPARE(s.wallClockNs(105).value_or(0), qint64(7043629817207456109LL));
        QVERIFY(!s.wallClockNs(3398799467622817262ULL));
        QVERIFY(!FxtInspect::text(*data, u"x"_s).isEmpty());
    }

    void cancel()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"c.fxt.gz"_s);
        TraceGeneratorOptions options;
        options.targetBytes = 1'000'000;
        QVERIFY(TraceGenerator::generateFile(path, options));
        std::atomic<bool> cancelled { true };
        FxtReader::Options readOptions;
        readOptions.cancel = &cancelled;
        QString error;
        QVERIFY(!FxtReader::load(path, readOptions, &error));
        QVERIFY(!error.isEmpty());
    }

    void unreadable()
    {
        QString error;
        QVERIFY(!FxtReader::load(u"/nonexistent/trace.fxt"_s, &error));
        QVERIFY(error.contains(u"trace.fxt"_s));
    }

    void damagedCompressed_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<int>("cut"); // percentage of the compressed file kept
        QTest::newRow("gzip cut") << u".fxt.gz"_s << 50;
        QTest::newRow("zstd cut") << u".fxt.zst"_s << 60;
        QTest::newRow("xz cut") << u".fxt.xz"_s << 50;
    }
    void damagedCompressed()
    {
        QFETCH(QString, suffix);
        QFETCH(int, cut);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"d"_s + suffix);
        TraceGeneratorOptions options;
        options.targetBytes = 1'000'000;
        QVERIFY(TraceGenerator::generateFile(path, options));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.resize(file.size() * cut / 100));
        file.close();
        QString error;
        const auto data = FxtReader::load(path, &error);
        QVERIFY2(data, qPrintable(error));
        const FxtSummary& s = data->summary();
        QVERIFY(!s.complete);
        QCOMPARE(s.anomaly(FxtAnomaly::DecompressError), quint64(1));
        QCOMPARE(s.errorOffset.value_or(0), s.fxtBytes);
        QVERIFY(s.fxtBytes > 0);
        QVERIFY(data->sliceCount() > 0); // what was decoded before the damage is kept
    }
};

QTEST_GUILESS_MAIN(TestFxtReader)
#include "tst_fxtreader.moc"
