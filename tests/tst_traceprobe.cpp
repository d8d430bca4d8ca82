// SPDX-License-Identifier: MIT
// TraceProbe: containers sniffed by content, FXT recognised, names and start time read from the first records.
#include "librarytestutil.h"

#include "library/traceprobe.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace LibraryTest;
using TraceProbe::Compression;

class TestTraceProbe : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void sniff_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("compression");
        QTest::newRow("gzip") << QByteArray("\x1f\x8b\x08\x00", 4) << int(Compression::GZip);
        QTest::newRow("zstd") << QByteArray("\x28\xb5\x2f\xfd\x00", 5) << int(Compression::Zstd);
        QTest::newRow("xz") << QByteArray("\xfd\x37\x7a\x58\x5a\x00\x00", 7) << int(Compression::Xz);
        QTest::newRow("fxt") << QByteArray("\x10\x00\x04\x46\x78\x54\x16\x00", 8) << int(Compression::None);
        QTest::newRow("empty") << QByteArray() << int(Compression::None);
        QTest::newRow("one byte") << QByteArray("\x1f", 1) << int(Compression::None);
    }
    void sniff()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, compression);
        QCOMPARE(int(TraceProbe::sniff(head)), compression);
    }

    void names_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("isTrace");
        QTest::addColumn<QString>("base");
        QTest::newRow("fxt") << u"trace.fxt"_s << true << u"trace"_s;
        QTest::newRow("gz") << u"trace (2).fxt.gz"_s << true << u"trace (2)"_s;
        QTest::newRow("old") << u"trace.fxt.gz.old"_s << true << u"trace"_s;
        QTest::newRow("ftf") << u"x.ftf"_s << true << u"x"_s;
        QTest::newRow("json") << u"trace.json"_s << false << u"trace.json"_s;
        QTest::newRow("fxt in the middle") << u"a.fxt.txt"_s << false << u"a.fxt.txt"_s;
    }
    void names()
    {
        QFETCH(QString, name);
        QFETCH(bool, isTrace);
        QFETCH(QString, base);
        QCOMPARE(TraceProbe::isTraceFileName(name), isTrace);
        QCOMPARE(TraceProbe::baseName(name), base);
    }

    void realMagicTraceSample()
    {
        QString error;
        const auto summary
            = TraceProbe::probe(QStringLiteral(MTS_SAMPLES_DIR "/richiesams_fxt_magic_trace.fxt"), &error);
        QVERIFY2(summary, qPrintable(error));
        QVERIFY(summary->isFxt);
        QCOMPARE(summary->compression, Compression::None);
        QCOMPARE(summary->processNames, QStringList { u"2248878/2248878"_s });
        QCOMPARE(summary->pid, 2248878);
        QCOMPARE(summary->baseTime, QDateTime::fromMSecsSinceEpoch(1650419113989, QTimeZone::UTC));
    }

    void janeStreetDemoWithoutWallClock()
    {
        QString error;
        const auto summary
            = TraceProbe::probe(QStringLiteral(MTS_SAMPLES_DIR "/janestreet_tracing_demo_v0.17.fxt"), &error);
        QVERIFY(summary);
        QVERIFY(summary->isFxt);
        QVERIFY(!summary->baseTime.isValid()); // base time 0 means "unknown", not 1970
    }

    void compressedFiles_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("expected");
        QTest::newRow("gzip") << int(KCompressionDevice::GZip) << int(Compression::GZip);
        QTest::newRow("zstd") << int(KCompressionDevice::Zstd) << int(Compression::Zstd);
        QTest::newRow("xz") << int(KCompressionDevice::Xz) << int(Compression::Xz);
    }
    void compressedFiles()
    {
        QFETCH(int, type);
        QFETCH(int, expected);
        // The name says nothing: content decides.
        const QString path = m_dir.filePath(u"misnamed-%1.fxt"_s.arg(type));
        QVERIFY(writeCompressed(path, smallTrace("ls -l [pid=31]"), KCompressionDevice::CompressionType(type)));
        QString error;
        const auto summary = TraceProbe::probe(path, &error);
        QVERIFY(summary);
        QCOMPARE(int(summary->compression), expected);
        QVERIFY(summary->isFxt);
        QCOMPARE(summary->pid, 31);
        QCOMPARE(TraceProbe::displayProcessName(summary->processNames.value(0)), u"ls -l"_s);
    }

    void notATrace()
    {
        const QString path = m_dir.filePath(u"text.fxt"_s);
        QVERIFY(writeFile(path, "hello"));
        QString error;
        const auto summary = TraceProbe::probe(path, &error);
        QVERIFY(summary);
        QVERIFY(!summary->isFxt);
        QVERIFY(!TraceProbe::probe(m_dir.filePath(u"missing.fxt"_s), &error));
        QVERIFY(!error.isEmpty());
    }

    // Truncated and bit-flipped prefixes never crash or loop.
    void fuzzSummarise()
    {
        FxtGenerator generator(3, 40);
        QByteArray valid = fxtPrologue("fuzz [pid=1]") + generator.strings();
        generator.appendCalls(valid, 4096);
        QRandomGenerator random(11);
        for (int i = 0; i < 3000; ++i) {
            QByteArray bytes = valid.left(random.bounded(int(valid.size())));
            for (int e = 0; e < 3 && !bytes.isEmpty(); ++e)
                bytes[random.bounded(int(bytes.size()))] = char(random.bounded(256));
            if (random.bounded(2))
                std::memcpy(bytes.data(), valid.constData(), qMin<qsizetype>(8, bytes.size()));
            const TraceProbe::Summary summary = TraceProbe::summarise(bytes);
            QVERIFY(summary.processNames.size() <= bytes.size());
        }
    }
};

QTEST_GUILESS_MAIN(TestTraceProbe)
#include "tst_traceprobe.moc"
