// SPDX-License-Identifier: MIT
#include "logview.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

class TestLogView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void linesArriveInBatches()
    {
        LogView view;
        view.appendLine(u"[ Attached. Press Ctrl-C to stop recording. ]"_s, LogView::LineClass::Progress);
        view.appendLine(u"second"_s);
        // Queued, then shown by the flush timer without anyone calling flush().
        QTRY_COMPARE(view.lineCount(), 2);
        QCOMPARE(view.lineText(0), u"[ Attached. Press Ctrl-C to stop recording. ]"_s);
        QCOMPARE(view.lineText(1), u"second"_s);
    }

    void memoryIsBounded_data()
    {
        QTest::addColumn<int>("limit");
        QTest::addColumn<int>("appended");
        QTest::addColumn<bool>("flushEachLine");
        QTest::newRow("flood in one batch") << 1000 << 50'000 << false;
        QTest::newRow("flood shown line by line") << 500 << 3'000 << true;
        QTest::newRow("under the limit") << 1000 << 10 << false;
    }
    void memoryIsBounded()
    {
        QFETCH(int, limit);
        QFETCH(int, appended);
        QFETCH(bool, flushEachLine);
        LogView view;
        view.setMaximumLines(limit);
        for (int i = 0; i < appended; ++i) {
            view.appendLine(
                u"Warning: perf reported an error decoding the trace: line %1"_s.arg(i), LogView::LineClass::Warning);
            if (flushEachLine && i % 97 == 0)
                view.flush();
        }
        view.flush();
        const int expected = qMin(limit, appended);
        QCOMPARE(view.lineCount(), expected);
        // The newest lines are the ones kept.
        QVERIFY(view.lineText(expected - 1).endsWith(u"line %1"_s.arg(appended - 1)));
        QVERIFY(view.lineText(0).endsWith(u"line %1"_s.arg(appended - expected)));
    }

    // A caller draining a flood hands over only the lines the view keeps; the others still show in the count.
    void skippedLinesAreCounted()
    {
        LogView view;
        view.setMaximumLines(100);
        view.addSkippedLines(4900);
        for (int i = 0; i < 100; ++i)
            view.appendLine(u"line %1"_s.arg(i));
        view.flush();
        QCOMPARE(view.lineCount(), 100);
        bool counted = false;
        for (const QLabel* label : view.findChildren<QLabel*>())
            counted = counted || label->text().contains(u"4900 older line"_s);
        QVERIFY(counted);
    }

    void longLinesAreCut()
    {
        LogView view;
        view.appendLine(QString(1'000'000, u'x'));
        view.flush();
        QCOMPARE(view.lineCount(), 1);
        QVERIFY(view.lineText(0).size() <= LogView::maximumLineLength() + 2);
    }

    void autoScrollPausesWhenScrolledUp()
    {
        LogView view;
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy following(&view, &LogView::followingChanged);
        QScrollBar* bar = view.textEdit()->verticalScrollBar();
        for (int i = 0; i < 500; ++i)
            view.appendLine(u"line %1"_s.arg(i));
        view.flush();
        QVERIFY(bar->maximum() > 0);
        QVERIFY(view.isFollowing());
        QCOMPARE(bar->value(), bar->maximum());

        // The user scrolls up: following stops and new lines do not move the view.
        bar->setValue(10);
        QVERIFY(!view.isFollowing());
        QCOMPARE(following.count(), 1);
        QCOMPARE(following.last().at(0).toBool(), false);
        for (int i = 0; i < 200; ++i)
            view.appendLine(u"more %1"_s.arg(i));
        view.flush();
        QCOMPARE(bar->value(), 10);

        // Back at the end: following resumes, and new lines keep the end in view.
        bar->setValue(bar->maximum());
        QVERIFY(view.isFollowing());
        view.appendLine(u"last"_s);
        view.flush();
        QCOMPARE(bar->value(), bar->maximum());

        // "Follow" also jumps to the end.
        bar->setValue(0);
        QVERIFY(!view.isFollowing());
        view.setFollowing(true);
        QCOMPARE(bar->value(), bar->maximum());
    }

    void findWrapsAround()
    {
        LogView view;
        view.appendLine(u"[ Attached. Press Ctrl-C to stop recording. ]"_s);
        view.appendLine(u"Warning: something"_s);
        view.appendLine(u"[ Decoding, this takes a while... ]"_s);
        QVERIFY(view.find(u"decoding"_s));
        QCOMPARE(view.textEdit()->textCursor().selectedText(), u"Decoding"_s);
        QVERIFY(view.find(u"attached"_s)); // wraps to the start
        QCOMPARE(view.textEdit()->textCursor().blockNumber(), 0);
        QVERIFY(!view.find(u"not there"_s));
    }

    void copyAllTakesEverything()
    {
        LogView view;
        view.appendLine(u"one"_s);
        view.appendLine(u"two"_s);
        view.flush();
        QCOMPARE(view.toPlainText(), u"one\ntwo"_s);
    }

    void classify_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<int>("lineClass");
        QTest::newRow("handshake") << u"[ Attached. Press Ctrl-C to stop recording. ]"_s
                                   << int(LogView::LineClass::Progress);
        QTest::newRow("visit") << u"Visit https://magic-trace.org/ and open trace.fxt to view trace."_s
                               << int(LogView::LineClass::Progress);
        QTest::newRow("warning") << u"Warning: perf reported an error decoding the trace"_s
                                 << int(LogView::LineClass::Warning);
        QTest::newRow("error") << u"Error: perf failed"_s << int(LogView::LineClass::Error);
        QTest::newRow("exit") << u"(Unix.Exit (Exit_non_zero 255))"_s << int(LogView::LineClass::Error);
        QTest::newRow("program output") << u"hello from the program"_s << int(LogView::LineClass::Other);
    }
    void classify()
    {
        QFETCH(QString, line);
        QFETCH(int, lineClass);
        QCOMPARE(int(LogView::classify(line)), lineClass);
    }

    void savedLogIsShownLineByLine()
    {
        LogView view;
        view.setPlainLog(u"12:00:00.000 E| [ Attached. ]\r\n12:00:01.000 E| Warning: x\n"_s);
        QCOMPARE(view.lineCount(), 2);
        QCOMPARE(view.lineText(1), u"12:00:01.000 E| Warning: x"_s);
    }
};

QTEST_MAIN(TestLogView)
#include "tst_logview.moc"
