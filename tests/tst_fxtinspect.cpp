// SPDX-License-Identifier: MIT
// `inspect` through the built application: the JSON contract of inspect-json.md and its exit statuses.
#include "fxt/fxtwriter.h"
#include "fxt/tracegenerator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct Run
{
    int status = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QStringList& arguments)
{
    QProcess process;
    process.start(QStringLiteral(MTS_APP_PATH), arguments);
    Run r;
    if (!process.waitForFinished(120'000))
        return r;
    r.status = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    r.out = process.readAllStandardOutput();
    r.err = process.readAllStandardError();
    return r;
}

const QStringList kKeys { u"format"_s, u"bytes"_s, u"fxt_bytes"_s, u"complete"_s, u"ticks_per_second"_s, u"providers"_s,
    u"records"_s, u"events"_s, u"processes"_s, u"slices"_s, u"max_depth"_s, u"unmatched_ends"_s, u"unclosed_begins"_s,
    u"start_ns"_s, u"end_ns"_s, u"anomalies"_s, u"error"_s };

// Top-level keys in the order they appear in the text.
QStringList keyOrder(const QByteArray& json)
{
    const auto position = [&](const QString& key) { return json.indexOf(QByteArray("\n  \"" + key.toUtf8() + "\":")); };
    QStringList found;
    for (const QString& key : kKeys)
        if (position(key) >= 0)
            found << key;
    std::sort(
        found.begin(), found.end(), [&](const QString& a, const QString& b) { return position(a) < position(b); });
    return found;
}

} // namespace

class TestFxtInspect : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void realSample()
    {
        const Run r
            = run({ u"inspect"_s, u"--json"_s, QStringLiteral(MTS_SAMPLES_DIR "/richiesams_fxt_magic_trace.fxt") });
        QCOMPARE(r.status, 0);
        QCOMPARE(keyOrder(r.out), kKeys);
        QJsonParseError parseError;
        const QJsonObject o = QJsonDocument::fromJson(r.out, &parseError).object();
        QCOMPARE(parseError.error, QJsonParseError::NoError);
        QCOMPARE(o.keys().size(), kKeys.size());
        QCOMPARE(o[u"format"_s].toString(), u"fxt"_s);
        QCOMPARE(o[u"bytes"_s].toInteger(), 992384);
        QCOMPARE(o[u"fxt_bytes"_s].toInteger(), 992384);
        QCOMPARE(o[u"complete"_s].toBool(), true);
        QCOMPARE(o[u"ticks_per_second"_s].toInteger(), 1000000000);
        QCOMPARE(o[u"providers"_s].toArray().size(), 1);
        QCOMPARE(o[u"providers"_s][0][u"name"_s].toString(), u"jane_tracing"_s);
        const QJsonObject records = o[u"records"_s].toObject();
        QCOMPARE(records.keys().size(), 12);
        QCOMPARE(records[u"metadata"_s].toInteger(), 3);
        QCOMPARE(records[u"initialization"_s].toInteger(), 1);
        QCOMPARE(records[u"kernel_object"_s].toInteger(), 2);
        QCOMPARE(o[u"events"_s].toObject().keys().size(), 12);
        QCOMPARE(o[u"events"_s][u"2"_s].toInteger(), o[u"events"_s][u"3"_s].toInteger());
        const QJsonArray processes = o[u"processes"_s].toArray();
        QCOMPARE(processes.size(), 1);
        QCOMPARE(processes[0][u"koid"_s].toInteger(), 1);
        QCOMPARE(processes[0][u"name"_s].toString(), u"2248878/2248878"_s);
        QCOMPARE(processes[0][u"threads"_s][0][u"koid"_s].toInteger(), 2);
        QCOMPARE(processes[0][u"threads"_s][0][u"name"_s].toString(), u"main"_s);
        QCOMPARE(o[u"slices"_s].toInteger(), o[u"events"_s][u"2"_s].toInteger());
        QCOMPARE(o[u"unmatched_ends"_s].toInteger(), 0);
        QCOMPARE(o[u"unclosed_begins"_s].toInteger(), 0);
        QCOMPARE(o[u"start_ns"_s].toInteger(), 0);
        QCOMPARE(o[u"anomalies"_s].toObject().size(), 0);
        QVERIFY(o[u"error"_s].isNull());
    }

    void exitStatuses_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("content"); // written to a file substituted for "FILE"
        QTest::addColumn<int>("status");
        QTest::newRow("no file") << QStringList { u"inspect"_s } << QByteArray() << 64;
        QTest::newRow("two files") << QStringList { u"inspect"_s, u"FILE"_s, u"FILE"_s } << QByteArray("x") << 64;
        QTest::newRow("unknown option") << QStringList { u"inspect"_s, u"--jsn"_s, u"FILE"_s } << QByteArray("x") << 64;
        QTest::newRow("missing file") << QStringList { u"inspect"_s, u"--json"_s, u"/nonexistent.fxt"_s }
                                      << QByteArray() << 2;
        QTest::newRow("not fxt") << QStringList { u"inspect"_s, u"--json"_s, u"FILE"_s } << QByteArray("hello world!")
                                 << 2;
        QTest::newRow("empty") << QStringList { u"inspect"_s, u"--json"_s, u"FILE"_s } << QByteArray("") << 2;
        QByteArray truncated(FxtFormat::kMagic, 8);
        truncated += QByteArray("\x04\x00\x00\x00", 4);
        QTest::newRow("damaged fxt is still fxt")
            << QStringList { u"inspect"_s, u"--json"_s, u"FILE"_s } << truncated << 0;
        QTest::newRow("text summary") << QStringList { u"inspect"_s, u"FILE"_s } << truncated << 0;
    }
    void exitStatuses()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, content);
        QFETCH(int, status);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"input.fxt"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
        file.close();
        arguments.replaceInStrings(u"FILE"_s, path);
        const Run r = run(arguments);
        QCOMPARE(r.status, status);
        if (status != 0)
            QVERIFY(!r.err.isEmpty());
        if (status == 2 && !r.out.isEmpty()) {
            const QJsonObject o = QJsonDocument::fromJson(r.out).object();
            QCOMPARE(o[u"complete"_s].toBool(), false);
            QCOMPARE(o[u"fxt_bytes"_s].toInteger(), 0);
            QCOMPARE(o[u"error"_s][u"offset"_s].toInteger(), 0);
            QCOMPARE(o[u"anomalies"_s][u"bad_magic"_s].toInteger(), 1);
        }
        if (status == 0 && arguments.contains(u"--json"_s)) {
            const QJsonObject o = QJsonDocument::fromJson(r.out).object();
            QCOMPARE(o[u"complete"_s].toBool(), false);
            QCOMPARE(o[u"fxt_bytes"_s].toInteger(), 8);
            QCOMPARE(o[u"error"_s][u"offset"_s].toInteger(), 8);
            QCOMPARE(o[u"anomalies"_s][u"truncated_tail"_s].toInteger(), 1);
        }
        if (status == 0 && !arguments.contains(u"--json"_s))
            QVERIFY(r.out.contains("truncated_tail"));
    }

    void exactIntegersAndCompressedFormat()
    {
        // koids and ids above 2^53 must be printed exactly; format comes from the magic bytes, not the name.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"big.fxt"_s); // a zstd file despite its name
        FxtWriter w;
        QString error;
        QVERIFY(w.open(path, FxtFormat::Format::Zstd, &error));
        w.writeMagic();
        w.writeProviderInfo(0xfffffffeU, "prov");
        const quint64 pid = 18446744073709551615ULL;
        const quint64 tid = 9007199254740993ULL;
        w.writeKernelObject(1, pid, FxtWriter::StringRef::inlined("big"));
        w.instant(
            FxtWriter::ThreadRef::inlined(pid, tid), {}, FxtWriter::StringRef::inlined("i"), 9223372036854775807ULL);
        QVERIFY(w.finish(&error));
        const Run r = run({ u"inspect"_s, u"--json"_s, path });
        QCOMPARE(r.status, 0);
        QVERIFY(r.out.contains("\"format\": \"zstd\""));
        QVERIFY(r.out.contains("{\"id\": 4294967294, \"name\": \"prov\"}"));
        QVERIFY(r.out.contains("\"koid\": 18446744073709551615, \"name\": \"big\""));
        QVERIFY(r.out.contains("\"koid\": 9007199254740993, \"name\": \"\", \"slices\": 1, \"max_depth\": 0"));
        QVERIFY(r.out.contains("\"start_ns\": 9223372036854775807,"));
        QVERIFY(r.out.contains("\"ticks_per_second\": null,"));
    }

    void generatedTraceSummary()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"g.fxt.gz"_s);
        TraceGeneratorOptions options;
        options.targetBytes = 500'000;
        options.threads = 2;
        TraceGeneratorResult written;
        QVERIFY(TraceGenerator::generateFile(path, options, &written));
        const Run r = run({ u"inspect"_s, u"--json"_s, path });
        QCOMPARE(r.status, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o[u"format"_s].toString(), u"gzip"_s);
        QCOMPARE(o[u"bytes"_s].toInteger(), QFileInfo(path).size());
        QCOMPARE(o[u"fxt_bytes"_s].toInteger(), qint64(written.bytes));
        QCOMPARE(o[u"slices"_s].toInteger(), qint64(written.calls));
        QCOMPARE(o[u"processes"_s].toArray().size(), 2);
        const Run text = run({ u"inspect"_s, path });
        QCOMPARE(text.status, 0);
        QVERIFY(text.out.contains("2022-04-20 01:45:13"));
        QVERIFY(text.out.contains("Top functions"));
        QVERIFY(text.out.contains("mts_function_"));
    }
};

QTEST_GUILESS_MAIN(TestFxtInspect)
#include "tst_fxtinspect.moc"
