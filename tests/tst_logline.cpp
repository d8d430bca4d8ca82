// SPDX-License-Identifier: MIT
// LogLine (classification, log file form), LineSplitter (lines across partial reads) and LogBuffer (bounded).
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

    void bufferKeepsHeadAndTail()
    {
        LogBuffer buffer(3, 5);
        for (int i = 0; i < 100; ++i) {
            LogLine line;
            line.text = QString::number(i);
            buffer.append(line);
        }
        QCOMPARE(buffer.totalLines(), 100);
        QCOMPARE(buffer.droppedLines(), 92);
        QStringList texts;
        for (const LogLine& l : buffer.lines())
            texts << l.text;
        QCOMPARE(texts, (QStringList { u"0"_s, u"1"_s, u"2"_s, u"95"_s, u"96"_s, u"97"_s, u"98"_s, u"99"_s }));
    }
};

QTEST_GUILESS_MAIN(TestLogLine)
#include "tst_logline.moc"
