// SPDX-License-Identifier: MIT
#include "viewer/memorytimelinedata.h"
#include "viewer/slicecolors.h"
#include "viewer/timelinewidget.h"

#include <QAction>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

using namespace Qt::StringLiterals;

namespace {
// Process 1 with threads 2 and 3, process 4 with thread 5; each thread three levels deep; a counter on process 1.
std::shared_ptr<MemoryTimelineData> sample()
{
    auto data = std::make_shared<MemoryTimelineData>();
    const int p1 = data->addProcess(1, u"first"_s);
    const int p2 = data->addProcess(4, u"second"_s);
    const int t2 = data->addThread(p1, 2, u"main"_s);
    const int t3 = data->addThread(p1, 3, u"helper"_s);
    const int t5 = data->addThread(p2, 5, u"main"_s);
    for (const int t : { t2, t3, t5 }) {
        data->addSlice(t, 0, 0, 1'000'000, u"root"_s);
        data->addSlice(t, 1, 100'000, 400'000, u"left"_s);
        data->addSlice(t, 1, 500'000, 900'000, u"right"_s);
        data->addSlice(t, 2, 150'000, 200'000, u"leaf"_s);
        data->addSlice(t, 2, 600'000, 600'000, u"instant"_s); // zero length
        // Many tiny slices that merge at low zoom.
        for (int i = 0; i < 1000; ++i)
            data->addSlice(t, 2, 700'000 + i * 100, 700'000 + i * 100 + 50, u"tiny"_s);
    }
    const int c = data->addCounter(p1, u"CPU: freq (MHz)"_s);
    data->addCounterPoint(c, 0, 1000);
    data->addCounterPoint(c, 500'000, 3000);
    data->finish();
    return data;
}

void wheel(QWidget* target, QPointF pos, int delta, Qt::KeyboardModifiers modifiers)
{
    QWheelEvent event(
        pos, target->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton, modifiers, Qt::NoScrollPhase, false);
    QApplication::sendEvent(target, &event);
}
} // namespace

class TestTimelineWidget : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_data = sample();
        m_widget = std::make_unique<TimelineWidget>();
        m_widget->resize(1200, 900);
        m_widget->setData(m_data);
        m_widget->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_widget.get()));
    }
    void cleanup() { m_widget.reset(); }

    void hitTestingPicksSliceAndDepth_data()
    {
        QTest::addColumn<int>("thread");
        QTest::addColumn<int>("depth");
        QTest::addColumn<qint64>("time");
        QTest::addColumn<QString>("expected"); // empty: nothing there
        QTest::newRow("root") << 0 << 0 << qint64(50'000) << u"root"_s;
        QTest::newRow("left at depth 1") << 0 << 1 << qint64(300'000) << u"left"_s;
        QTest::newRow("right on another thread") << 1 << 1 << qint64(800'000) << u"right"_s;
        QTest::newRow("leaf at depth 2") << 2 << 2 << qint64(175'000) << u"leaf"_s;
        QTest::newRow("gap at depth 1") << 0 << 1 << qint64(450'000) << QString();
        QTest::newRow("instant within a pixel") << 0 << 2 << qint64(600'300) << u"instant"_s;
    }
    void hitTestingPicksSliceAndDepth()
    {
        QFETCH(int, thread);
        QFETCH(int, depth);
        QFETCH(qint64, time);
        QFETCH(QString, expected);
        const int y = m_widget->yForDepth(thread, depth) + TimelineWidget::rowHeight / 2;
        const QPoint pos(int(m_widget->xForTime(double(time))), y);
        const SliceRef slice = m_widget->sliceAt(pos);
        if (expected.isEmpty()) {
            QVERIFY(!slice.isValid());
            return;
        }
        QVERIFY(slice.isValid());
        QCOMPARE(slice.thread, thread);
        QCOMPARE(slice.depth, depth);
        QCOMPARE(m_data->nameOf(slice), expected);

        // A click selects it and says so.
        QSignalSpy selected(m_widget.get(), &TimelineWidget::sliceSelected);
        QTest::mouseClick(m_widget->viewport(), Qt::LeftButton, {}, pos);
        QCOMPARE(selected.count(), 1);
        QCOMPARE(m_widget->selectedSlice(), slice);
    }

    void ctrlWheelZoomsAroundTheCursor_data()
    {
        QTest::addColumn<int>("x");
        QTest::addColumn<int>("delta");
        QTest::newRow("in at 300") << 300 << 240;
        QTest::newRow("in at 1000") << 1000 << 600;
        QTest::newRow("in then out") << 700 << -120;
    }
    void ctrlWheelZoomsAroundTheCursor()
    {
        QFETCH(int, x);
        QFETCH(int, delta);
        wheel(m_widget->viewport(), QPointF(500, 100), 1200, Qt::ControlModifier); // start zoomed in
        const double before = m_widget->timeForX(x);
        const double span = m_widget->timeView().span();
        wheel(m_widget->viewport(), QPointF(x, 100), delta, Qt::ControlModifier);
        QVERIFY(delta > 0 ? m_widget->timeView().span() < span : m_widget->timeView().span() > span);
        QVERIFY2(std::abs(m_widget->timeForX(x) - before) < 1e-6 * span,
            qPrintable(QString::number(m_widget->timeForX(x) - before)));
    }

    void keysZoomAndPan()
    {
        m_widget->setFocus();
        const double span = m_widget->timeView().span();
        QTest::keyClick(m_widget.get(), Qt::Key_W);
        QVERIFY(m_widget->timeView().span() < span);
        const double start = m_widget->timeView().start();
        QTest::keyClick(m_widget.get(), Qt::Key_D);
        QVERIFY(m_widget->timeView().start() > start);
        QTest::keyClick(m_widget.get(), Qt::Key_A);
        QCOMPARE(m_widget->timeView().start(), start);
        QTest::keyClick(m_widget.get(), Qt::Key_S);
        QCOMPARE(m_widget->timeView().span(), span);
        QTest::keyClick(m_widget.get(), Qt::Key_W);
        QTest::keyClick(m_widget.get(), Qt::Key_0);
        QCOMPARE(m_widget->timeView().span(), span);
    }

    // A window shortcut on one of the timeline's keys (the main window's Stop is Esc) does not fire while the
    // timeline has the focus; with a modifier the key is the window's again.
    void navigationKeysWinOverWindowShortcuts_data()
    {
        QTest::addColumn<int>("key");
        QTest::addColumn<int>("modifiers");
        QTest::addColumn<bool>("shortcutFires");
        QTest::newRow("Esc") << int(Qt::Key_Escape) << int(Qt::NoModifier) << false;
        QTest::newRow("W") << int(Qt::Key_W) << int(Qt::NoModifier) << false;
        QTest::newRow("0") << int(Qt::Key_0) << int(Qt::NoModifier) << false;
        QTest::newRow("Ctrl+W") << int(Qt::Key_W) << int(Qt::ControlModifier) << true;
        QTest::newRow("X (not the timeline's)") << int(Qt::Key_X) << int(Qt::NoModifier) << true;
    }
    void navigationKeysWinOverWindowShortcuts()
    {
        QFETCH(int, key);
        QFETCH(int, modifiers);
        QFETCH(bool, shortcutFires);
        QAction windowAction;
        windowAction.setShortcut(QKeySequence(key | modifiers));
        m_widget->addAction(&windowAction);
        m_widget->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_widget.get()));
        m_widget->setFocus();
        m_widget->setSelectedRange(std::pair { qint64(100'000), qint64(200'000) });
        QSignalSpy fired(&windowAction, &QAction::triggered);
        QTest::keyClick(m_widget.get(), Qt::Key(key), Qt::KeyboardModifiers(modifiers));
        QCOMPARE(fired.count(), shortcutFires ? 1 : 0);
        if (key == Qt::Key_Escape)
            QVERIFY(!m_widget->selectedRange()); // Esc reached the timeline and cleared the selection
        m_widget->removeAction(&windowAction);
    }

    void dragPansWithThePointer()
    {
        m_widget->timeView().showRange(200'000, 400'000);
        const QPoint from(600, 200);
        const QPoint to(450, 200);
        const double grabbed = m_widget->timeForX(from.x());
        QTest::mousePress(m_widget->viewport(), Qt::LeftButton, {}, from);
        QTest::mouseMove(m_widget->viewport(), QPoint(550, 200));
        QTest::mouseMove(m_widget->viewport(), to);
        QTest::mouseRelease(m_widget->viewport(), Qt::LeftButton, {}, to);
        QVERIFY(std::abs(m_widget->timeForX(to.x()) - grabbed) < 1e-6 * m_widget->timeView().span());
        QCOMPARE(m_widget->timeView().span(), 200'000.0);
        QVERIFY(!m_widget->selectedSlice().isValid()); // a drag is not a click
    }

    void horizontalScrollBarFollowsAndDrives()
    {
        m_widget->timeView().showRange(0, 100'000);
        m_widget->zoomAroundX(0, 1); // syncs the bar
        QScrollBar* bar = m_widget->horizontalScrollBar();
        QCOMPARE(bar->value(), 0);
        bar->setValue(bar->maximum());
        QVERIFY(std::abs(m_widget->timeView().end() - 1'000'000.0) < 10);
    }

    void shiftDragSelectsARange()
    {
        QSignalSpy ranges(m_widget.get(), &TimelineWidget::rangeSelected);
        const QPoint from(int(m_widget->xForTime(250'000)), 300);
        const QPoint to(int(m_widget->xForTime(750'000)), 300);
        QTest::mousePress(m_widget->viewport(), Qt::LeftButton, Qt::ShiftModifier, from);
        QTest::mouseMove(m_widget->viewport(), to);
        QTest::mouseRelease(m_widget->viewport(), Qt::LeftButton, Qt::ShiftModifier, to);
        QCOMPARE(ranges.count(), 1);
        const auto range = m_widget->selectedRange();
        QVERIFY(range);
        const double tolerance = 2 * m_widget->timeView().nsPerPixel();
        QVERIFY(std::abs(double(range->first) - 250'000) <= tolerance);
        QVERIFY(std::abs(double(range->second) - 750'000) <= tolerance);
        m_widget->zoomToSelection();
        QCOMPARE(m_widget->timeView().start(), double(range->first));
        QCOMPARE(m_widget->timeView().end(), double(range->second));
        QTest::keyClick(m_widget.get(), Qt::Key_Escape);
        QVERIFY(!m_widget->selectedRange());
    }

    void processesFold()
    {
        const int y = m_widget->yForDepth(2, 0);
        QVERIFY(y > 0);
        const int headerY = TimelineWidget::axisHeight + 5; // first process header
        QTest::mouseClick(m_widget->viewport(), Qt::LeftButton, {}, QPoint(100, headerY));
        QVERIFY(m_widget->isProcessCollapsed(0));
        QCOMPARE(m_widget->yForDepth(0, 0), -1);
        QVERIFY(m_widget->yForDepth(2, 0) < y); // the next process moved up
        m_widget->setProcessCollapsed(0, false);
        QCOMPARE(m_widget->yForDepth(2, 0), y);
    }

    void paintsSlicesInTheirColours()
    {
        QImage image(m_widget->viewport()->size(), QImage::Format_ARGB32_Premultiplied);
        m_widget->renderTo(&image);
        const QPoint left(int(m_widget->xForTime(250'000)), m_widget->yForDepth(0, 1) + 8);
        QCOMPARE(QColor(image.pixel(left)).rgb(), SliceColors::forName(u"left"_s).rgb());
        // Tiny slices at this zoom merge into marks: the region they cover is painted, the gap after it is not.
        const QPoint tiny(int(m_widget->xForTime(750'000)), m_widget->yForDepth(0, 2) + 8);
        QVERIFY(QColor(image.pixel(tiny)) != QColor(image.pixel(QPoint(int(m_widget->xForTime(850'000)), tiny.y()))));
        // Highlighted search matches get an outline; others are faded.
        m_widget->setHighlightedNames({ m_data->nameId(u"leaf"_s) });
        m_widget->renderTo(&image);
        QVERIFY(QColor(image.pixel(left)).rgb() != SliceColors::forName(u"left"_s).rgb());
    }

    // The counter is a step graph: each value holds until the next point, the last one until the trace ends, and
    // the area under it is filled all the way (1000 from 0, 3000 from 500 µs, trace end at 1 ms).
    void counterIsAStepGraphToTheEnd()
    {
        QImage image(m_widget->viewport()->size(), QImage::Format_ARGB32_Premultiplied);
        m_widget->renderTo(&image);
        const int top = m_widget->yForCounter(0);
        QVERIFY(top >= 0);
        const int nearBase = top + TimelineWidget::counterHeight - 6;
        const int atTwoThirds = top + 4 + (TimelineWidget::counterHeight - 8) / 3; // the height of 2000
        auto at = [&](double time, int y) { return QColor(image.pixel(int(m_widget->xForTime(time)), y)).rgb(); };
        const QRgb filled = at(270'000, nearBase);
        QVERIFY(filled != at(270'000, atTwoThirds)); // above the first value: not filled
        QCOMPARE(at(870'000, atTwoThirds), filled); // under the last value, up to the trace's end
        QCOMPARE(at(870'000, nearBase), filled);
        QCOMPARE(at(990'000, nearBase), filled);
    }

    void colorsAreStable()
    {
        QCOMPARE(SliceColors::forName(u"do_syscall_64"_s).rgb(), SliceColors::forName(u"do_syscall_64"_s).rgb());
        QCOMPARE(SliceColors::stableHash(u"abc"_s), 440920331u); // FNV-1a: the same in every run
        QCOMPARE(SliceColors::forName(u"[unknown]"_s).rgb(), SliceColors::forName(u"[syscall]"_s).rgb());
    }

private:
    std::shared_ptr<MemoryTimelineData> m_data;
    std::unique_ptr<TimelineWidget> m_widget;
};

QTEST_MAIN(TestTimelineWidget)
#include "tst_timelinewidget.moc"
