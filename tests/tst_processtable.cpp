// SPDX-License-Identifier: MIT
#include "fakeproctree.h"
#include "processes/processtable.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using Proc = FakeProcTree::Proc;

namespace {

Proc proc(qint64 pid, const QByteArray& comm)
{
    Proc p;
    p.pid = pid;
    p.comm = comm;
    p.argv = { comm };
    return p;
}

} // namespace

class TestProcessTable : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void firstScanAndDifferences()
    {
        FakeProcTree tree;
        for (qint64 pid : { 1, 10, 11, 12 })
            QVERIFY(tree.add(proc(pid, "p" + QByteArray::number(pid))));
        ProcessTable table(tree.root(), FakeProcTree::tracer());
        QSignalSpy updated(&table, &ProcessTable::updated);
        QSignalSpy finished(&table, &ProcessTable::scanFinished);
        QVERIFY(!table.isActive());

        table.refresh();
        QVERIFY(table.isScanning());
        QCOMPARE(finished.count(), 0); // the scan runs elsewhere; refresh() does not wait for it
        QVERIFY(finished.wait(10000));
        QCOMPARE(updated.count(), 1);
        const auto first = updated.takeFirst().at(0).value<ProcessDiff>();
        QCOMPARE(first.added.size(), 4);
        QVERIFY(first.removed.isEmpty());
        QCOMPARE(table.processes().size(), 4);
        QVERIFY(table.process(ProcessKey { 10, 1000 }));
        QVERIFY(!table.process(ProcessKey { 10, 999 }));

        // Nothing changed: no update, but a finished scan.
        table.refresh();
        QVERIFY(finished.wait(10000));
        QCOMPARE(updated.count(), 0);

        // One exits, one starts, one reuses a PID, one changes.
        QVERIFY(tree.remove(10));
        QVERIFY(tree.add(proc(20, "new")));
        QVERIFY(tree.remove(11));
        Proc reused = proc(11, "reused");
        reused.startTime = 5000;
        QVERIFY(tree.add(reused));
        Proc busy = proc(12, "p12");
        busy.threads = 4;
        QVERIFY(tree.updateStat(busy));
        table.refresh();
        QVERIFY(finished.wait(10000));
        QCOMPARE(updated.count(), 1);
        const auto diff = updated.takeFirst().at(0).value<ProcessDiff>();
        QCOMPARE(diff.removed, QList<ProcessKey>({ ProcessKey { 10, 1000 }, ProcessKey { 11, 1000 } }));
        QCOMPARE(diff.added.size(), 2);
        QCOMPARE(diff.added.at(0).key(), (ProcessKey { 11, 5000 }));
        QCOMPARE(diff.added.at(1).key(), (ProcessKey { 20, 1000 }));
        QCOMPARE(diff.changed.size(), 1);
        QCOMPARE(diff.changed.first().threads, 4);
        QCOMPARE(table.processes().size(), 4);
    }

    void activeScansPeriodicallyAndInactiveDoesNothing()
    {
        FakeProcTree tree;
        QVERIFY(tree.add(proc(1, "init")));
        ProcessTable table(tree.root(), FakeProcTree::tracer());
        table.setInterval(50);
        QSignalSpy finished(&table, &ProcessTable::scanFinished);
        QSignalSpy active(&table, &ProcessTable::activeChanged);
        table.setActive(true);
        QCOMPARE(active.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 3, 20000);

        table.setActive(false);
        if (table.isScanning())
            QVERIFY(finished.wait(10000));
        const qsizetype settled = finished.count();
        QTest::qWait(300); // six intervals: an active table would have scanned several times
        QCOMPARE(finished.count(), settled);
        QVERIFY(!table.isScanning());

        // On demand while inactive: exactly one scan.
        table.refresh();
        QVERIFY(finished.wait(10000));
        QTest::qWait(200);
        QCOMPARE(finished.count(), settled + 1);
    }

    void refreshDuringScanQueuesOneMore()
    {
        FakeProcTree tree;
        QVERIFY(tree.add(proc(1, "init")));
        ProcessTable table(tree.root(), FakeProcTree::tracer());
        QSignalSpy finished(&table, &ProcessTable::scanFinished);
        table.refresh();
        table.refresh();
        table.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 20000);
        QTest::qWait(200);
        QCOMPARE(finished.count(), 2);
    }

    void brokenRoot()
    {
        ProcessTable table(u"/nonexistent/proc"_s, FakeProcTree::tracer());
        QSignalSpy failed(&table, &ProcessTable::scanFailed);
        QSignalSpy updated(&table, &ProcessTable::updated);
        table.refresh();
        QVERIFY(failed.wait(10000));
        QVERIFY(failed.first().at(0).toString().contains(u"/nonexistent/proc"));
        QCOMPARE(updated.count(), 0);
        QVERIFY(table.processes().isEmpty());
    }

    void destroyedWhileScanning()
    {
        FakeProcTree tree;
        for (int pid = 1; pid <= 300; ++pid)
            QVERIFY(tree.add(proc(pid, "p")));
        auto* table = new ProcessTable(tree.root(), FakeProcTree::tracer());
        table->refresh();
        delete table; // the job keeps its own state alive; its result goes nowhere
        QVERIFY(ProcessTable::waitForScans(20000));
    }

    void realProc()
    {
        ProcessTable table;
        QSignalSpy updated(&table, &ProcessTable::updated);
        table.setActive(true);
        QVERIFY(updated.wait(10000));
        const auto diff = updated.first().at(0).value<ProcessDiff>();
        QVERIFY(diff.added.size() > 3);
        bool foundSelf = false;
        for (const ProcessInfo& info : table.processes())
            foundSelf = foundSelf || info.isOwnProcess;
        QVERIFY(foundSelf);
        table.setActive(false);
    }
};

QTEST_GUILESS_MAIN(TestProcessTable)
#include "tst_processtable.moc"
