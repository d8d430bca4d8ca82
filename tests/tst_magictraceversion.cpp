// SPDX-License-Identifier: MIT
#include "host/magictraceversion.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestMagicTraceVersion : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("output");
        QTest::addColumn<QString>("expected"); // toString(), or empty when it must be refused
        QTest::newRow("release") << u"v1.2.4\n"_s << u"1.2.4"_s;
        QTest::newRow("old release") << u"v1.0.2"_s << u"1.0.2"_s;
        QTest::newRow("master build") << u"v1.2.4-12-gd31ceba\n"_s << u"1.2.4+12"_s;
        QTest::newRow("dirty") << u"v1.2.3-dirty"_s << u"1.2.3"_s;
        QTest::newRow("no v") << u"1.1.0"_s << u"1.1.0"_s;
        QTest::newRow("with program name") << u"magic-trace v1.2.1"_s << u"1.2.1"_s;
        QTest::newRow("surrounding blanks") << u"  \tv1.2.0  \n\n"_s << u"1.2.0"_s;
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("only blanks") << u" \n"_s << QString();
        QTest::newRow("garbage") << u"command not found"_s << QString();
        QTest::newRow("two numbers") << u"v1.2"_s << QString();
        QTest::newRow("zero") << u"v0.0.0"_s << QString();
        QTest::newRow("glued to a word") << u"xv1.2.4"_s << QString();
        QTest::newRow("huge number") << u"v99999.1.1"_s << QString();
    }
    void parse()
    {
        QFETCH(QString, output);
        QFETCH(QString, expected);
        QString error;
        const auto version = MagicTraceVersion::parse(output, &error);
        if (expected.isEmpty()) {
            QVERIFY(!version);
            QVERIFY(!error.isEmpty());
        } else {
            QVERIFY2(version, qPrintable(error));
            QCOMPARE(version->toString(), expected);
            QVERIFY(version->isValid());
        }
    }

    void ordering()
    {
        const auto v102 = MagicTraceVersion::fromNumbers(1, 0, 2);
        const auto v124 = MagicTraceVersion::fromNumbers(1, 2, 4);
        const auto master = *MagicTraceVersion::parse(u"v1.2.4-3-gabcdef0"_s);
        QVERIFY(v102 < v124);
        QVERIFY(v124 < master);
        QVERIFY(MagicTraceVersion::fromNumbers(1, 10, 0) > MagicTraceVersion::fromNumbers(1, 9, 9));
        QCOMPARE(v124, *MagicTraceVersion::parse(u"v1.2.4"_s));
    }

    void capabilities_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<bool>("multiplePids");
        QTest::addColumn<bool>("sampling");
        QTest::addColumn<bool>("secondSigintKills");
        QTest::addColumn<bool>("perfPath");
        QTest::addColumn<bool>("compressed");
        QTest::addColumn<bool>("sexp");
        QTest::addColumn<QString>("defaultOutput");
        QTest::newRow("1.0.2") << u"v1.0.2"_s << false << false << false << false << false << false << u"trace.fxt"_s;
        QTest::newRow("1.1.0") << u"v1.1.0"_s << false << false << false << false << false << true << u"trace.fxt"_s;
        QTest::newRow("1.2.0") << u"v1.2.0"_s << true << true << false << false << false << true << u"trace.fxt"_s;
        QTest::newRow("1.2.1") << u"v1.2.1"_s << true << true << true << false << false << true << u"trace.fxt"_s;
        QTest::newRow("1.2.3") << u"v1.2.3"_s << true << true << true << true << false << true << u"trace.fxt"_s;
        QTest::newRow("1.2.4") << u"v1.2.4"_s << true << true << true << true << true << true << u"trace.fxt.gz"_s;
        QTest::newRow("master") << u"v1.2.4-7-gd31ceba"_s << true << true << true << true << true << true
                                << u"trace.fxt.gz"_s;
    }
    void capabilities()
    {
        QFETCH(QString, version);
        QFETCH(bool, multiplePids);
        QFETCH(bool, sampling);
        QFETCH(bool, secondSigintKills);
        QFETCH(bool, perfPath);
        QFETCH(bool, compressed);
        QFETCH(bool, sexp);
        QFETCH(QString, defaultOutput);
        const auto caps = MagicTraceCapabilities::forVersion(*MagicTraceVersion::parse(version));
        QCOMPARE(caps.multiplePids, multiplePids);
        QCOMPARE(caps.sampling, sampling);
        QCOMPARE(caps.callgraphMode, sampling);
        QCOMPARE(caps.filter, sampling);
        QCOMPARE(caps.samplingFallback, sampling);
        QCOMPARE(caps.requiresIntelPt, !sampling);
        QCOMPARE(caps.secondSigintKillsDecoding, secondSigintKills);
        QCOMPARE(caps.perfPathEnvironment, perfPath);
        QCOMPARE(caps.compressedOutput, compressed);
        QCOMPARE(caps.sexpOutput, sexp);
        QCOMPARE(caps.defaultOutputName, defaultOutput);
    }

    void refusalNamesTheVersion()
    {
        const auto caps = MagicTraceCapabilities::forVersion(MagicTraceVersion::fromNumbers(1, 0, 2));
        const QString text = caps.refusal(MagicTraceFeature::Sampling);
        QVERIFY(text.contains(u"-sampling"_s));
        QVERIFY(text.contains(u"1.2.0"_s));
        QVERIFY(text.contains(u"1.0.2"_s));
        QVERIFY(caps.refusal(MagicTraceFeature::PerfPathEnvironment).contains(u"1.2.3"_s));
        const auto newer = MagicTraceCapabilities::forVersion(MagicTraceVersion::fromNumbers(1, 2, 4));
        QVERIFY(newer.refusal(MagicTraceFeature::Sampling).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMagicTraceVersion)
#include "tst_magictraceversion.moc"
