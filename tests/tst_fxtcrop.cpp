// SPDX-License-Identifier: MIT
// cropTrace() and the `crop` command, checked by reading the result back (and through `inspect`).
#include "fxt/fxtcrop.h"
#include "fxt/fxtreader.h"
#include "fxt/tracegenerator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

int runApp(const QStringList& arguments, QByteArray* out = nullptr)
{
    QProcess process;
    process.start(QStringLiteral(MTS_APP_PATH), arguments);
    if (!process.waitForFinished(120'000))
        return -1;
    if (out)
        *out = process.readAllStandardOutput();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

} // namespace

class TestFxtCrop : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void window_data()
    {
        QTest::addColumn<QString>("output");
        QTest::addColumn<quint64>("from");
        QTest::addColumn<quint64>("to");
        QTest::newRow("middle, gzip") << u"c.fxt.gz"_s << quint64(100'000) << quint64(200'000);
        QTest::newRow("start, plain") << u"c.fxt"_s << quint64(0) << quint64(50'000);
        QTest::newRow("everything, zstd") << u"c.fxt.zst"_s << quint64(0) << quint64(1'000'000);
        QTest::newRow("empty window") << u"c.fxt"_s << quint64(500'000) << quint64(500'000);
    }
    void window()
    {
        QFETCH(QString, output);
        QFETCH(quint64, from);
        QFETCH(quint64, to);
        QString error;
        const auto original
            = FxtReader::load(QStringLiteral(MTS_SAMPLES_DIR "/richiesams_fxt_magic_trace.fxt"), &error);
        QVERIFY(original);
        QTemporaryDir dir;
        const QString path = dir.filePath(output);
        CropOptions options;
        options.fromNs = from;
        options.toNs = to;
        CropResult result;
        QVERIFY2(cropTrace(*original, path, options, &result, &error), qPrintable(error));
        const auto cropped = FxtReader::load(path, &error);
        QVERIFY2(cropped, qPrintable(error));
        const FxtSummary& s = cropped->summary();
        QVERIFY(s.complete);
        QCOMPARE(s.unmatchedEnds, quint64(0));
        QCOMPARE(s.unclosedBegins, quint64(0));
        QCOMPARE(cropped->sliceCount(), result.slices);
        QCOMPARE(s.baseTimeNs, original->summary().baseTimeNs);
        // Names kept.
        QCOMPARE(cropped->processes().size(), size_t(1));
        QCOMPARE(cropped->string(cropped->processes()[0].nameId), u"2248878/2248878"_s);
        QCOMPARE(cropped->string(cropped->threads()[0].nameId), u"main"_s);

        // Expected: every original slice overlapping the window, clipped, at the same depth.
        const TraceThread& before = original->threads()[0];
        QMultiMap<QString, QString> expected;
        for (size_t d = 0; d < before.depths.size(); ++d)
            for (const TraceSlice& x : before.depths[d])
                if (x.start < to && x.end > from)
                    expected.insert(u"%1 %2 %3"_s.arg(std::max(x.start, from)).arg(std::min(x.end, to)).arg(d),
                        original->string(x.nameId()));
        QMultiMap<QString, QString> actual;
        const TraceThread& after = cropped->threads()[0];
        for (size_t d = 0; d < after.depths.size(); ++d)
            for (const TraceSlice& x : after.depths[d])
                actual.insert(u"%1 %2 %3"_s.arg(x.start).arg(x.end).arg(d), cropped->string(x.nameId()));
        QCOMPARE(actual.size(), expected.size());
        QCOMPARE(actual, expected);
        if (!expected.isEmpty()) {
            QVERIFY(s.startNs.value_or(0) >= from);
            QVERIFY(s.endNs.value_or(0) <= to);
            // Arguments come along.
            const auto args = cropped->arguments(after.depths[0][0].argumentRef);
            QVERIFY(args.size() >= 2);
            QCOMPARE(args[1].name, u"symbol"_s);
            QCOMPARE(args[1].value.toString(), cropped->string(after.depths[0][0].nameId()));
        }
    }

    void threadFilterThroughTheCommand()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath(u"in.fxt"_s);
        TraceGeneratorOptions options;
        options.targetBytes = 400'000;
        options.threads = 3;
        QVERIFY(TraceGenerator::generateFile(input, options));
        const QString output = dir.filePath(u"out.fxt.xz"_s);
        // Threads of the generator are koids 2, 4, 6.
        QCOMPARE(runApp({ u"crop"_s, input, u"--from"_s, u"10us"_s, u"--to"_s, u"0.5ms"_s, u"--thread"_s, u"4"_s,
                     u"--thread"_s, u"6"_s, u"-o"_s, output }),
            0);
        QByteArray json;
        QCOMPARE(runApp({ u"inspect"_s, u"--json"_s, output }, &json), 0);
        const QJsonObject o = QJsonDocument::fromJson(json).object();
        QCOMPARE(o[u"format"_s].toString(), u"xz"_s);
        QCOMPARE(o[u"complete"_s].toBool(), true);
        const QJsonArray processes = o[u"processes"_s].toArray();
        QCOMPARE(processes.size(), 2);
        QCOMPARE(processes[0][u"threads"_s][0][u"koid"_s].toInteger(), 4);
        QCOMPARE(processes[1][u"threads"_s][0][u"koid"_s].toInteger(), 6);
        QVERIFY(o[u"slices"_s].toInteger() > 0);
        QCOMPARE(o[u"unmatched_ends"_s].toInteger(), 0);
        QCOMPARE(o[u"unclosed_begins"_s].toInteger(), 0);
        const qint64 start = o[u"start_ns"_s].toInteger();
        QVERIFY(start >= 10'000);
        QVERIFY(o[u"end_ns"_s].toInteger() <= 500'000);
    }

    void refusals_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("status");
        QTest::newRow("no output") << QStringList { u"crop"_s, u"IN"_s } << 64;
        QTest::newRow("bad time") << QStringList { u"crop"_s, u"IN"_s, u"--from"_s, u"soon"_s, u"-o"_s, u"OUT"_s }
                                  << 64;
        QTest::newRow("inverted window") << QStringList { u"crop"_s, u"IN"_s, u"--from"_s, u"2ms"_s, u"--to"_s,
            u"1ms"_s, u"-o"_s, u"OUT"_s } << 64;
        QTest::newRow("bad koid") << QStringList { u"crop"_s, u"IN"_s, u"--thread"_s, u"x"_s, u"-o"_s, u"OUT"_s } << 64;
        QTest::newRow("not a trace") << QStringList { u"crop"_s, u"NOTFXT"_s, u"-o"_s, u"OUT"_s } << 2;
        QTest::newRow("missing input") << QStringList { u"crop"_s, u"/nonexistent.fxt"_s, u"-o"_s, u"OUT"_s } << 2;
        QTest::newRow("unwritable output")
            << QStringList { u"crop"_s, u"IN"_s, u"-o"_s, u"/nonexistent/dir/out.fxt"_s } << 2;
    }
    void refusals()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, status);
        QTemporaryDir dir;
        QFile notFxt(dir.filePath(u"not.fxt"_s));
        QVERIFY(notFxt.open(QIODevice::WriteOnly));
        notFxt.write("definitely not a trace");
        notFxt.close();
        arguments.replaceInStrings(u"NOTFXT"_s, notFxt.fileName());
        arguments.replaceInStrings(u"IN"_s, QStringLiteral(MTS_SAMPLES_DIR "/janestreet_tracing_demo_v0.17.fxt"));
        arguments.replaceInStrings(u"OUT"_s, dir.filePath(u"out.fxt"_s));
        QCOMPARE(runApp(arguments), status);
        QVERIFY(!QFile::exists(dir.filePath(u"out.fxt"_s))); // nothing half-written
    }

    void demoTraceKeepsEverythingInWindow()
    {
        // The Jane Street demo has completes, an instant, begin/end, async spans, flows and counters.
        QString error;
        const auto original
            = FxtReader::load(QStringLiteral(MTS_SAMPLES_DIR "/janestreet_tracing_demo_v0.17.fxt"), &error);
        QVERIFY2(original, qPrintable(error));
        QTemporaryDir dir;
        CropOptions options; // whole trace
        QVERIFY(cropTrace(*original, dir.filePath(u"all.fxt"_s), options, nullptr, &error));
        const auto all = FxtReader::load(dir.filePath(u"all.fxt"_s), &error);
        QVERIFY(all);
        QCOMPARE(all->sliceCount(), original->sliceCount());
        QCOMPARE(all->asyncSpans().size(), original->asyncSpans().size());
        QCOMPARE(all->flows().size(), original->flows().size());
        QCOMPARE(all->counters().size(), size_t(1));
        QCOMPARE(all->counters()[0].samples.size(), size_t(3));
        const auto args = all->arguments(all->threads()[0].depths[0][1].argumentRef);
        QCOMPARE(args.size(), size_t(2));
        QCOMPARE(args[0].value.toString(), u"wow"_s);
        // 20..30 ms relative to the start (10 us): the begin/end 20-40 ms is clipped, async spans cut.
        options.fromNs = 20'000'000 - 10'000;
        options.toNs = 30'000'000 - 10'000;
        QVERIFY(cropTrace(*original, dir.filePath(u"part.fxt"_s), options, nullptr, &error));
        const auto part = FxtReader::load(dir.filePath(u"part.fxt"_s), &error);
        QVERIFY2(part, qPrintable(error));
        QCOMPARE(part->sliceCount(), quint64(1));
        QCOMPARE(part->threads()[0].depths[0][0].start, quint64(20'000'000));
        QCOMPARE(part->threads()[0].depths[0][0].end, quint64(30'000'000));
        QCOMPARE(part->summary().unclosedBegins, quint64(0));
        for (const AsyncSpan& a : part->asyncSpans())
            QVERIFY(a.end <= 30'000'000);
    }
};

QTEST_GUILESS_MAIN(TestFxtCrop)
#include "tst_fxtcrop.moc"
