// SPDX-License-Identifier: MIT
#include "traceoptionspanel.h"

#include <QCheckBox>
#include <QTest>

using namespace Qt::StringLiterals;

class TestTraceOptionsPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void versionGatesOptions_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("flag");
        QTest::addColumn<bool>("enabled");
        QTest::newRow("sampling on 1.0.2") << u"1.0.2"_s << u"-sampling"_s << false;
        QTest::newRow("sampling on 1.2.0") << u"1.2.0"_s << u"-sampling"_s << true;
        QTest::newRow("filter on 1.1.0") << u"1.1.0"_s << u"-filter"_s << false;
        QTest::newRow("filter on 1.2.4") << u"1.2.4"_s << u"-filter"_s << true;
        QTest::newRow("compressed output on 1.2.3") << u"1.2.3"_s << u"-output"_s << false;
        QTest::newRow("compressed output on 1.2.4") << u"1.2.4"_s << u"-output"_s << true;
        QTest::newRow("multi-thread everywhere") << u"1.0.2"_s << u"-multi-thread"_s << true;
        QTest::newRow("unknown version enables all") << QString() << u"-sampling"_s << true;
    }
    void versionGatesOptions()
    {
        QFETCH(QString, version);
        QFETCH(QString, flag);
        QFETCH(bool, enabled);
        TraceOptionsPanel panel;
        panel.setMagicTraceVersion(QVersionNumber::fromString(version));
        QCOMPARE(panel.isOptionEnabled(flag), enabled);
        if (!enabled) // the tooltip names the version that added it
            QVERIFY2(panel.optionToolTip(flag).contains(u"1.2."_s), qPrintable(panel.optionToolTip(flag)));
    }

    void oldVersionFallsBackToPlainFxt()
    {
        TraceOptionsPanel panel;
        TraceOptionValues values;
        values.outputFormat = u"fxt.zst"_s;
        panel.setValues(values);
        panel.setMagicTraceVersion(QVersionNumber(1, 0, 2));
        QCOMPARE(panel.values().outputFormat, u"fxt"_s);
    }

    void everyOptionSaysWhatItDoes()
    {
        TraceOptionsPanel panel;
        for (const QString& flag : { u"-output"_s, u"-trigger"_s, u"-multi-thread"_s, u"-multi-snapshot"_s,
                 u"-full-execution"_s, u"-snapshot-size"_s, u"-timer-resolution"_s, u"-sampling"_s,
                 u"-callgraph-mode"_s, u"-trace-include-kernel"_s, u"-filter"_s }) {
            QVERIFY2(panel.optionToolTip(flag).size() > 60, qPrintable(flag));
        }
    }

    void dependentOptions()
    {
        TraceOptionsPanel panel;
        QVERIFY(!panel.isOptionEnabled(u"-callgraph-mode"_s)); // sampling only
        QVERIFY(!panel.isOptionEnabled(u"-multi-snapshot"_s)); // trigger only
        TraceOptionValues values;
        values.sampling = true;
        values.trigger = u"my_function"_s;
        panel.setValues(values);
        QVERIFY(panel.isOptionEnabled(u"-callgraph-mode"_s));
        QVERIFY(panel.isOptionEnabled(u"-multi-snapshot"_s));
    }

    void valuesRoundTrip()
    {
        TraceOptionValues values;
        values.outputFormat = u"fxt.zst"_s;
        values.trigger = u"."_s;
        values.multiThread = true;
        values.multiSnapshot = true;
        values.fullExecution = true;
        values.snapshotSize = u"4M"_s;
        values.timerResolution = u"High"_s;
        values.sampling = true;
        values.callgraphMode = u"dwarf"_s;
        values.kernel = TraceOptionValues::Kernel::IncludeKernel;
        values.filter = u"(start stop)"_s;
        QCOMPARE(TraceOptionValues::fromVariantMap(values.toVariantMap()), values);
        TraceOptionsPanel panel;
        panel.setValues(values);
        QCOMPARE(panel.values(), values);
        QCOMPARE(values.toArguments(),
            QStringList({ u"-trigger"_s, u"."_s, u"-multi-thread"_s, u"-multi-snapshot"_s, u"-full-execution"_s,
                u"-snapshot-size"_s, u"4M"_s, u"-timer-resolution"_s, u"High"_s, u"-sampling"_s, u"-callgraph-mode"_s,
                u"dwarf"_s, u"-trace-include-kernel"_s, u"-filter"_s, u"(start stop)"_s }));
    }

    // The flags shown for a recorded trace are the ones the trace was taken with (one mapping, in TraceRequest).
    void sampleTimerResolutionIsTheFlagMagicTraceGets()
    {
        TraceOptionValues values;
        values.timerResolution = u"Sample"_s;
        values.sampleFrequency = 500;
        TraceRequest request;
        values.applyTo(request);
        QCOMPARE(request.timerResolution, u"(Sample ((freq 500)))"_s);
        QCOMPARE(values.toArguments(), QStringList({ u"-timer-resolution"_s, u"(Sample ((freq 500)))"_s }));
        values.timerResolution = u"Normal"_s;
        QVERIFY(values.toArguments().isEmpty());
    }

    void garbageSettingsGiveDefaults()
    {
        const TraceOptionValues values = TraceOptionValues::fromVariantMap(
            { { u"outputFormat"_s, u"exe"_s }, { u"timerResolution"_s, u"Ludicrous"_s }, { u"kernel"_s, 9 } });
        QCOMPARE(values.outputFormat, TraceOptionValues().outputFormat);
        QCOMPARE(values.timerResolution, u"Normal"_s);
        QCOMPARE(values.kernel, TraceOptionValues::Kernel::KernelOnly);
    }
};

QTEST_MAIN(TestTraceOptionsPanel)
#include "tst_traceoptionspanel.moc"
