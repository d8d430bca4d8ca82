// SPDX-License-Identifier: MIT
#include "viewer/timeviewport.h"

#include <QTest>

class TestTimeViewport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void mapping()
    {
        TimeViewport v;
        v.setWidth(1000);
        v.setBounds(1'000, 11'000);
        QCOMPARE(v.start(), 1000.0);
        QCOMPARE(v.span(), 10000.0);
        QCOMPARE(v.timeToX(1000), 0.0);
        QCOMPARE(v.timeToX(6000), 500.0);
        QCOMPARE(v.xToTime(250), 3500.0);
        QCOMPARE(v.nsPerPixel(), 10.0);
    }

    void zoomKeepsTimeUnderCursor_data()
    {
        QTest::addColumn<double>("x");
        QTest::addColumn<double>("factor");
        QTest::addColumn<int>("steps");
        QTest::newRow("in at middle") << 500.0 << 1.25 << 10;
        QTest::newRow("in near left") << 37.0 << 2.0 << 5;
        QTest::newRow("in near right") << 961.0 << 1.1 << 30;
        QTest::newRow("deep zoom") << 333.0 << 3.0 << 12;
        QTest::newRow("in then out") << 700.0 << 0.8 << 3; // after zooming in first, see below
    }
    void zoomKeepsTimeUnderCursor()
    {
        QFETCH(double, x);
        QFETCH(double, factor);
        QFETCH(int, steps);
        TimeViewport v;
        v.setWidth(1000);
        v.setBounds(0, 1'000'000'000);
        v.zoomAround(500, 16); // leave room to zoom out without touching the bounds
        const double anchor = v.xToTime(x);
        for (int i = 0; i < steps; ++i) {
            const double before = v.span();
            v.zoomAround(x, factor);
            QVERIFY(factor > 1 ? v.span() < before : v.span() > before);
            QVERIFY2(std::abs(v.xToTime(x) - anchor) < 1e-6 * std::max(1.0, v.nsPerPixel()),
                qPrintable(QString::number(v.xToTime(x) - anchor)));
        }
    }

    void zoomStopsAtBounds()
    {
        TimeViewport v;
        v.setWidth(800);
        v.setBounds(0, 100'000);
        v.zoomAround(400, 0.1); // cannot zoom out past the whole trace
        QCOMPARE(v.start(), 0.0);
        QCOMPARE(v.span(), 100000.0);
        for (int i = 0; i < 100; ++i)
            v.zoomAround(400, 4);
        QCOMPARE(v.span(), TimeViewport::minimumSpan);
        QVERIFY(v.start() >= 0 && v.end() <= 100'000);
    }

    void panKeepsContentUnderPointer_data()
    {
        QTest::addColumn<double>("dx");
        QTest::newRow("right") << 120.0;
        QTest::newRow("left") << -45.5;
        QTest::newRow("one pixel") << 1.0;
    }
    void panKeepsContentUnderPointer()
    {
        QFETCH(double, dx);
        TimeViewport v;
        v.setWidth(1000);
        v.setBounds(0, 1'000'000);
        v.showRange(400'000, 500'000);
        // Dragging the content by -dx pixels: the time that was at x + dx is now at x.
        const double timeAt = v.xToTime(300 + dx);
        v.panByPixels(dx);
        QVERIFY(std::abs(v.xToTime(300) - timeAt) < 1e-6);
        QCOMPARE(v.span(), 100000.0);
    }

    void panClamps()
    {
        TimeViewport v;
        v.setWidth(100);
        v.setBounds(0, 1000);
        v.showRange(100, 200);
        v.panByPixels(-10'000);
        QCOMPARE(v.start(), 0.0);
        v.panByPixels(1e9);
        QCOMPARE(v.end(), 1000.0);
        QCOMPARE(v.span(), 100.0);
    }

    void fitAndShowRange()
    {
        TimeViewport v;
        v.setWidth(640);
        v.setBounds(50, 5050);
        v.showRange(3000, 2000); // reversed selection
        QCOMPARE(v.start(), 2000.0);
        QCOMPARE(v.end(), 3000.0);
        v.setWidth(320); // resizing keeps the range
        QCOMPARE(v.start(), 2000.0);
        QCOMPARE(v.end(), 3000.0);
        v.fit();
        QCOMPARE(v.start(), 50.0);
        QCOMPARE(v.end(), 5050.0);
        v.showRange(4990, 4995); // narrower than the minimum: widened, still inside
        QCOMPARE(v.span(), TimeViewport::minimumSpan);
        QVERIFY(v.end() <= 5050);
    }
};

QTEST_GUILESS_MAIN(TestTimeViewport)
#include "tst_timeviewport.moc"
