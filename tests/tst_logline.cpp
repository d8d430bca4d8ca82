// SPDX-License-Identifier: MIT
// LogLine (classification, log file form), LineSplitter (lines across partial reads), LogBatch (lines of one
// read) and LogBuffer (bounded).
#include "trace/logline.h"

#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
Q_DECLARE_METATYPE(LogLine::Kind)

namespace {

struct Collected
{
    QList<QByteArray> lines;
    QList<bool> cut;
};

Collected splitInChunks(const QByteArray& data, const QList<int>& chunkSizes, bool finish = true)
{
    Collected c;
    LineSplitter splitter;
    auto onLine = [&](QByteArrayView line, bool truncated) {
        c.lines.append(line.toByteArray());
        c.cut.append(truncated);
    };
    qsizetype pos = 0;
    int i = 0;
    while (pos < data.size()) {
        const qsizetype n = chunkSizes.isEmpty() ? data.size() : std::max(1, chunkSizes.at(i++ % chunkSizes.size()));
        splitter.feed(QByteArrayView(data).sliced(pos, std::min(n, data.size() - pos)), onLine);
        pos += n;
    }
    if (finish)
        splitter.finish(onLine);
    return c;
}

} // namespace

class TestLogLine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void classify_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<LogLine::Kind>("kind");
        using K = LogLine::Kind;
        QTest::newRow("attached") << u"[ Attached. Press Ctrl-C to stop recording. ]"_s << K::Progress;
        QTest::newRow("attaching") << u"[ Attaching to f @ 0x00005581c0a4f1a9 ]"_s << K::Progress;
        QTest::newRow("perf record") << u"[ perf record: Woken up 58 times to write data ]"_s << K::Progress;
        QTest::newRow("decoding") << u"[ Decoding, this takes a while... ]"_s << K::Progress;
        QTest::newRow("visit") << u"Visit https://magic-trace.org/ and open trace.fxt to view trace."_s << K::Progress;
        QTest::newRow("debug info warning")
            << u"Warning: Debug info is unavailable, so filenames and line numbers will not be available in the trace."_s
            << K::Warning;
        QTest::newRow("decode warning") << u"Warning: perf reported an error decoding the trace: 'x' @ IP 0x1."_s
                                        << K::Warning;
        QTest::newRow("ubuntu wrapper") << u"WARNING: perf not found for kernel 6.5.0"_s << K::Warning;
        QTest::newRow("no intel pt fallback")
            << u"Intel PT support not found. magic-trace will continue and use sampling instead."_s << K::Warning;
        QTest::newRow("perf error") << u"Error:"_s << K::Error;
        QTest::newRow("monitor") << u"(monitor.ml.Error (Failure \"x\")"_s << K::Error;
        QTest::newRow("unix exit") << u"(Unix.Exit (Exit_non_zero 255))"_s << K::Error;
        QTest::newRow("perf missing") << u"magic-trace relies on \"perf\", but it is not present in your path."_s
                                      << K::Error;
        QTest::newRow("paranoid") << u"perf_event_paranoid setting is 4:"_s << K::Error;
        QTest::newRow("program output") << u"hello world"_s << K::Other;
        QTest::newRow("empty") << QString() << K::Other;
        QTest::newRow("bracket but not a marker") << u"[1, 2, 3"_s << K::Other;
    }
    void classify()
    {
        QFETCH(QString, text);
        QFETCH(LogLine::Kind, kind);
        QCOMPARE(LogLine::classify(text), kind);
        QCOMPARE(LogLine::classifyUtf8(text.toUtf8()), kind);
    }

    void classifyUtf8AgreesWithClassify()
    {
        // Lines made of markers, ASCII and Unicode spaces (which trimmed() removes), non-ASCII letters and
        // invalid bytes: the byte-level classification must give what decoding and classifying gives.
        const QList<QByteArray> pieces = { "Warning", "warning", "WARNING", "Error", "ERROR:", "[ ", "]", "Attached",
            "Visit https://magic-trace.org/", " ", "\t", "\xc2\xa0", "\xe2\x80\x83", "\xc2\x85", "\xef\xbb\xbf", "\xff",
            "\xc3\xa9", "\xe2\x84\xaa", "x", "BUG:", "(Unix.Exit", "\r", "\x1f", "Intel PT support not found" };
        QRandomGenerator rng(7);
        for (int round = 0; round < 20000; ++round) {
            QByteArray line;
            const int n = int(rng.bounded(0, 6));
            for (int i = 0; i < n; ++i)
                line += pieces.at(rng.bounded(int(pieces.size())));
            QCOMPARE(LogLine::classifyUtf8(line), LogLine::classify(QString::fromUtf8(line)));
        }
    }

    void batchHoldsLines()
    {
        LogBatch batch(LogLine::Stream::StdOut, 1234, 56);
        QVERIFY(batch.isEmpty());
        batch.append("[ Attached. ]", false, LogLine::Kind::Progress);
        batch.append("", false, LogLine::Kind::Other);
        batch.append("caf\xc3\xa9 \xff", true, LogLine::Kind::Other);
        QCOMPARE(batch.size(), 3);
        QCOMPARE(batch.byteCount(), 13 + 0 + 7 + 3);
        QCOMPARE(batch.bytes(0), QByteArrayView("[ Attached. ]"));
        QCOMPARE(batch.text(1), QString());
        QCOMPARE(batch.text(2), u"caf\u00e9 \ufffd"_s);
        QCOMPARE(batch.kind(0), LogLine::Kind::Progress);
        QVERIFY(batch.isTruncated(2));
        const LogLine line = batch.line(0);
        QCOMPARE(line.text, u"[ Attached. ]"_s);
        QCOMPARE(line.stream, LogLine::Stream::StdOut);
        QCOMPARE(line.timeMs, 1234);
        QCOMPARE(line.elapsedNs, 56);
        QCOMPARE(line.kind, LogLine::Kind::Progress);
        QVERIFY(!line.truncated);
        // Squeezing gives back an unused reserve and keeps the lines.
        LogBatch reserved(LogLine::Stream::StdErr, 0, 0);
        reserved.reserve(1000, 64 * 1024);
        reserved.append("only line", true, LogLine::Kind::Other);
        reserved.squeeze();
        QCOMPARE(reserved.size(), 1);
        QCOMPARE(reserved.text(0), u"only line"_s);
        QVERIFY(reserved.isTruncated(0));
        // Copies share the bytes and stay valid when the original goes on.
        const LogBatch copy = batch;
        batch.append("more", false, LogLine::Kind::Other);
        QCOMPARE(copy.size(), 3);
        QCOMPARE(copy.text(0), u"[ Attached. ]"_s);
    }

    void logFileLine()
    {
        LogLine line;
        line.timeMs = 0;
        line.text = u"[ Attached. ]"_s;
        QVERIFY(line.toLogFileLine().endsWith(u" E| [ Attached. ]\n"_s));
        line.stream = LogLine::Stream::StdOut;
        line.truncated = true;
        QVERIFY(line.toLogFileLine().endsWith(u" O| [ Attached. ] [line cut]\n"_s));
    }

    void splitter_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QList<int>>("chunks");
        QTest::addColumn<QList<QByteArray>>("expected");
        QTest::newRow("whole") << QByteArray("a\nb\n") << QList<int> {} << QList<QByteArray> { "a", "b" };
        QTest::newRow("byte by byte") << QByteArray("ab\ncd\n") << QList<int> { 1 } << QList<QByteArray> { "ab", "cd" };
        QTest::newRow("crlf") << QByteArray("a\r\nb\r\n") << QList<int> {} << QList<QByteArray> { "a", "b" };
        QTest::newRow("crlf split across reads")
            << QByteArray("a\r\nb\r\n") << QList<int> { 2, 1, 3 } << QList<QByteArray> { "a", "b" };
        QTest::newRow("lone cr ends a line")
            << QByteArray("10%\r20%\rdone\n") << QList<int> {} << QList<QByteArray> { "10%", "20%", "done" };
        QTest::newRow("empty lines kept")
            << QByteArray("a\n\nb\n") << QList<int> {} << QList<QByteArray> { "a", "", "b" };
        QTest::newRow("no final newline")
            << QByteArray("a\nlast") << QList<int> { 3 } << QList<QByteArray> { "a", "last" };
        QTest::newRow("cr cr lf") << QByteArray("a\r\r\nb") << QList<int> {} << QList<QByteArray> { "a", "", "b" };
    }
    void splitter()
    {
        QFETCH(QByteArray, input);
        QFETCH(QList<int>, chunks);
        QFETCH(QList<QByteArray>, expected);
        QCOMPARE(splitInChunks(input, chunks).lines, expected);
    }

    void anyChunkingGivesTheSameLines()
    {
        // A crude fuzz: random bytes rich in line ends, cut at random places, must split like the whole buffer.
        QRandomGenerator rng(42);
        const char alphabet[] = { 'a', 'b', '\n', '\r', '\xff', '\xc3', ' ' };
        for (int round = 0; round < 300; ++round) {
            QByteArray data;
            const int size = int(rng.bounded(1, 400));
            for (int i = 0; i < size; ++i)
                data.append(alphabet[rng.bounded(int(sizeof alphabet))]);
            QList<int> chunks;
            for (int i = 0; i < 20; ++i)
                chunks.append(int(rng.bounded(1, 40)));
            QCOMPARE(splitInChunks(data, chunks).lines, splitInChunks(data, {}).lines);
        }
    }

    void longLinesAreCut()
    {
        const QByteArray huge(LineSplitter::maxLineLength * 3 + 5, 'x');
        const QByteArray input = "start\n" + huge + "\nafter\n";
        for (const QList<int>& chunks : { QList<int> {}, QList<int> { 1000 }, QList<int> { 7, 70000 } }) {
            const Collected c = splitInChunks(input, chunks);
            QCOMPARE(c.lines.size(), 3);
            QCOMPARE(c.lines.at(0), QByteArray("start"));
            QCOMPARE(c.lines.at(1).size(), LineSplitter::maxLineLength);
            QVERIFY(c.cut.at(1));
            QCOMPARE(c.lines.at(2), QByteArray("after"));
            QVERIFY(!c.cut.at(2));
        }
    }

    void pendingBytesStayBounded()
    {
        LineSplitter splitter;
        int lines = 0;
        const QByteArray chunk(64 * 1024, 'y');
        for (int i = 0; i < 100; ++i) {
            splitter.feed(chunk, [&](QByteArrayView, bool) { ++lines; });
            QVERIFY(splitter.pendingBytes() <= LineSplitter::maxLineLength);
        }
        QCOMPARE(lines, 1); // one cut line; the rest of the endless line is dropped
    }

    void invalidUtf8IsReplaced()
    {
        const QByteArray bytes("caf\xc3\xa9 \xff\xfe ok");
        const QString text = QString::fromUtf8(bytes);
        QVERIFY(text.startsWith(u"caf\u00e9 "_s));
        QVERIFY(text.contains(QChar::ReplacementCharacter));
        QVERIFY(text.endsWith(u" ok"_s));
    }

    void bufferKeepsHeadAndTail_data()
    {
        QTest::addColumn<QList<int>>("batchSizes"); // empty: one LogLine at a time
        QTest::newRow("line by line") << QList<int> {};
        QTest::newRow("batches of 1") << QList<int> { 1 };
        QTest::newRow("batches of 2") << QList<int> { 2 };
        QTest::newRow("mixed batches") << QList<int> { 3, 1, 7, 4 };
        QTest::newRow("one batch bigger than head and tail") << QList<int> { 100 };
        QTest::newRow("batches bigger than the tail") << QList<int> { 11, 40 };
        QTest::newRow("empty batches in between") << QList<int> { 0, 6, 0, 9 };
    }
    void bufferKeepsHeadAndTail()
    {
        QFETCH(QList<int>, batchSizes);
        LogBuffer buffer(3, 5);
        int next = 0;
        int round = 0;
        while (next < 100) {
            if (batchSizes.isEmpty()) {
                LogLine line;
                line.text = QString::number(next++);
                buffer.append(line);
                continue;
            }
            LogBatch batch(LogLine::Stream::StdErr, 0, 0);
            const int size = batchSizes.at(round++ % batchSizes.size());
            for (int i = 0; i < size && next < 100; ++i)
                batch.append(QByteArray::number(next++), false, LogLine::Kind::Other);
            buffer.append(batch);
        }
        QCOMPARE(buffer.totalLines(), 100);
        QCOMPARE(buffer.droppedLines(), 92);
        QCOMPARE(buffer.totalBytes(), 10 * 2 + 90 * 3); // "0".."9", "10".."99", each with its line end
        QStringList texts;
        for (const LogLine& l : buffer.lines())
            texts << l.text;
        QCOMPARE(texts, (QStringList { u"0"_s, u"1"_s, u"2"_s, u"95"_s, u"96"_s, u"97"_s, u"98"_s, u"99"_s }));
    }

    void bufferHoldsFewBatchesInAFlood()
    {
        // A million lines in batches of 700 (about one read of a flood): head and tail stay 2200 lines.
        LogBuffer buffer;
        LogBatch batch(LogLine::Stream::StdErr, 0, 0);
        for (int i = 0; i < 700; ++i)
            batch.append("Warning: perf reported an error decoding the trace", false, LogLine::Kind::Warning);
        for (int i = 0; i < 1500; ++i)
            buffer.append(batch);
        QCOMPARE(buffer.totalLines(), 1'050'000);
        QCOMPARE(buffer.lines().size(), 2200);
        QCOMPARE(buffer.droppedLines(), 1'050'000 - 2200);
        QCOMPARE(buffer.lines().last().kind, LogLine::Kind::Warning);
    }
};

QTEST_GUILESS_MAIN(TestLogLine)
#include "tst_logline.moc"
