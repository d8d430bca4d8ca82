// SPDX-License-Identifier: MIT
#include "viewer/timeaxis.h"
#include "viewer/timeviewport.h"

#include <QTest>

class TestTimeAxis : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void step_data()
    {
        QTest::addColumn<double>("nsPerPixel");
        QTest::addColumn<double>("minPixels");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("sub-ns pixels") << 0.01 << 80.0 << qint64(1);
        QTest::newRow("exact 1") << 1.0 << 100.0 << qint64(100);
        QTest::newRow("round up to 2") << 1.1 << 100.0 << qint64(200);
        QTest::newRow("round up to 5") << 3.0 << 100.0 << qint64(500);
        QTest::newRow("round up to 10") << 6.0 << 100.0 << qint64(1000);
        QTest::newRow("seconds") << 1.5e7 << 90.0 << qint64(2'000'000'000);
    }
    void step()
    {
        QFETCH(double, nsPerPixel);
        QFETCH(double, minPixels);
        QFETCH(qint64, expected);
        QCOMPARE(TimeAxis::stepFor(nsPerPixel, minPixels), expected);
    }

    void format_data()
    {
        QTest::addColumn<qint64>("value");
        QTest::addColumn<qint64>("step");
        QTest::addColumn<QString>("expected");
        QTest::newRow("ns") << qint64(40) << qint64(20) << QStringLiteral("40 ns");
        QTest::newRow("us whole") << qint64(3'000) << qint64(1'000) << QStringLiteral("3 \u00b5s");
        QTest::newRow("us tenths") << qint64(2'500) << qint64(500) << QStringLiteral("2.5 \u00b5s");
        QTest::newRow("ms hundredths") << qint64(1'250'000) << qint64(50'000) << QStringLiteral("1.25 ms");
        QTest::newRow("ms step 2") << qint64(14'000'000) << qint64(2'000'000) << QStringLiteral("14 ms");
        QTest::newRow("s") << qint64(5'000'000'000) << qint64(1'000'000'000) << QStringLiteral("5 s");
        QTest::newRow("s tenths") << qint64(1'200'000'000) << qint64(200'000'000) << QStringLiteral("1.2 s");
        QTest::newRow("zero") << qint64(0) << qint64(100'000) << QStringLiteral("0 \u00b5s");
    }
    void format()
    {
        QFETCH(qint64, value);
        QFETCH(qint64, step);
        QFETCH(QString, expected);
        QCOMPARE(TimeAxis::formatWithStep(value, step), expected);
    }

    void ticksCoverTheViewAtRoundTimes()
    {
        TimeViewport v;
        v.setWidth(1000);
        v.setBounds(1'000'000, 11'000'000); // 10 ms trace starting at 1 ms absolute
        const TimeAxis::Ticks t = TimeAxis::ticksFor(v, v.boundsStart(), 90);
        QCOMPARE(t.step, qint64(1'000'000));
        QVERIFY(t.baseLabel.isEmpty());
        QCOMPARE(t.ticks.size(), 11);
        QCOMPARE(t.ticks.first().label, QStringLiteral("0 ms"));
        QCOMPARE(t.ticks.first().x, 0.0);
        QCOMPARE(t.ticks.at(3).label, QStringLiteral("3 ms"));
        QCOMPARE(t.ticks.at(3).x, 300.0);
        for (qsizetype i = 1; i < t.ticks.size(); ++i)
            QVERIFY(t.ticks.at(i).x - t.ticks.at(i - 1).x >= 90);
    }

    void deepZoomUsesABase()
    {
        TimeViewport v;
        v.setWidth(1000);
        v.setBounds(0, 10'000'000'000); // 10 s
        v.showRange(7'123'456'000, 7'123'457'000); // 1 µs window, 7 s in
        const TimeAxis::Ticks t = TimeAxis::ticksFor(v, 0, 90);
        QCOMPARE(t.step, qint64(100));
        QVERIFY(!t.baseLabel.isEmpty());
        QVERIFY(t.base <= 7'123'456'000);
        for (const TimeAxis::Tick& tick : t.ticks) {
            QVERIFY(tick.label.startsWith(u'+'));
            QVERIFY2(tick.label.size() <= 12, qPrintable(tick.label));
            QVERIFY(tick.x >= -0.001 && tick.x <= 1000.001);
        }
    }
};

QTEST_GUILESS_MAIN(TestTimeAxis)
#include "tst_timeaxis.moc"
