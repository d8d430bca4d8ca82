// SPDX-License-Identifier: MIT
#include "fakeproctree.h"
#include "processes/processmodel.h"
#include "processes/processtable.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include <functional>

using namespace Qt::StringLiterals;
using Mode = ProcessModel::Mode;

namespace {

ProcessInfo info(qint64 pid, qint64 ppid, const QString& name = QString())
{
    ProcessInfo p;
    p.pid = pid;
    p.ppid = ppid;
    p.startTime = 100;
    p.name = name.isEmpty() ? u"p%1"_s.arg(pid) : name;
    p.arguments = { p.name, u"--id"_s, QString::number(pid) };
    p.userName = u"alice"_s;
    p.traceable = true;
    p.isMine = true;
    p.threads = 1;
    return p;
}

void sortByKey(QList<ProcessInfo>& list)
{
    std::sort(list.begin(), list.end(), [](const ProcessInfo& a, const ProcessInfo& b) { return a.key() < b.key(); });
}

// One scan's worth of change on a plausible system: some exit (their children are reparented to 1, as the kernel
// does), some start under random parents, some change values, a few change parent.
QList<ProcessInfo> churn(const QList<ProcessInfo>& before, QRandomGenerator& random, qint64* nextPid, int count)
{
    QList<ProcessInfo> after = before;
    QSet<qint64> exiting;
    for (int i = 0; i < count && after.size() > 2; ++i) {
        const int victim = 1 + int(random.bounded(int(after.size()) - 1)); // never PID 1
        exiting.insert(after.at(victim).pid);
        after.removeAt(victim);
    }
    for (ProcessInfo& p : after) {
        if (exiting.contains(p.ppid))
            p.ppid = 1;
    }
    for (int i = 0; i < count; ++i) {
        ProcessInfo& p = after[random.bounded(int(after.size()))];
        p.cpuPercent = random.bounded(400);
        p.rssBytes = random.bounded(1 << 30);
    }
    for (int i = 0; i < count / 4 + 1; ++i) {
        ProcessInfo& p = after[random.bounded(int(after.size()))];
        if (p.pid != 1)
            p.ppid = after.at(random.bounded(int(after.size()))).pid; // may even make a cycle: must not hang
    }
    for (int i = 0; i < count; ++i) {
        const qint64 parent = after.at(random.bounded(int(after.size()))).pid;
        after.append(info((*nextPid)++, parent));
    }
    sortByKey(after);
    return after;
}

QList<ProcessInfo> initialTree(int count)
{
    QList<ProcessInfo> list;
    list.append(info(1, 0, u"init"_s));
    for (int pid = 2; pid <= count; ++pid)
        list.append(info(pid, 1 + (pid * 7919) % (pid - 1)));
    return list;
}

// Every row's parent row is its parent process, when that is in the model and no cycle prevents it.
void checkTreeShape(const ProcessModel& model, const QModelIndex& parent = QModelIndex())
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        const ProcessInfo* p = model.processAt(index);
        QVERIFY(p);
        QCOMPARE(index.parent(), parent);
        const QModelIndex expected = model.indexOfPid(p->ppid);
        if (parent.isValid()) {
            QCOMPARE(model.processAt(parent)->pid, p->ppid);
        } else if (expected.isValid() && p->ppid != p->pid) {
            // Top level although the parent is there: only allowed when that parent descends from this row.
            bool cycle = false;
            for (QModelIndex up = expected; up.isValid(); up = up.parent())
                cycle = cycle || model.processAt(up)->pid == p->pid;
            QVERIFY2(cycle, qPrintable(u"pid %1 should be under %2"_s.arg(p->pid).arg(p->ppid)));
        }
        checkTreeShape(model, index);
    }
}

int countRows(const QAbstractItemModel& model, const QModelIndex& parent = QModelIndex())
{
    int n = model.rowCount(parent);
    for (int row = 0; row < model.rowCount(parent); ++row)
        n += countRows(model, model.index(row, 0, parent));
    return n;
}

} // namespace

class TestProcessModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void churnKeepsModelConsistent_data()
    {
        QTest::addColumn<Mode>("mode");
        QTest::newRow("flat") << Mode::Flat;
        QTest::newRow("tree") << Mode::Tree;
    }
    void churnKeepsModelConsistent()
    {
        QFETCH(Mode, mode);
        ProcessModel model;
        model.setMode(mode);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QRandomGenerator random(42);
        qint64 nextPid = 1000;
        QList<ProcessInfo> current = initialTree(150);
        model.setProcesses(current);
        QCOMPARE(resets.count(), 1); // the first fill
        QCOMPARE(model.processCount(), 150);
        for (int round = 0; round < 20; ++round) {
            current = churn(current, random, &nextPid, 1 + round % 12);
            model.setProcesses(current);
            QCOMPARE(model.processes(), current);
            QCOMPARE(countRows(model), int(current.size()));
            if (mode == Mode::Tree)
                checkTreeShape(model);
            if (QTest::currentTestFailed())
                return;
        }
        QCOMPARE(resets.count(), 1); // never again
    }

    void flatRowsAndData()
    {
        ProcessModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ProcessInfo root = info(1, 0, u"init"_s);
        root.traceable = false;
        root.reason = u"Owned by root: tracing another user's process needs root or CAP_SYS_PTRACE."_s;
        root.userName = u"root"_s;
        root.isMine = false;
        ProcessInfo app = info(20, 1, u"editor"_s);
        app.cpuPercent = 12.34;
        app.rssBytes = 3 * 1024 * 1024;
        app.threads = 9;
        app.exePath = u"/usr/bin/editor"_s;
        model.setProcesses({ root, app });
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(ProcessModel::ColumnCount));
        QVERIFY(!model.hasChildren(model.index(0, 0)));
        QVERIFY(model.flags(model.index(0, 0)) & Qt::ItemNeverHasChildren);

        const QModelIndex row = model.indexOf(app.key());
        QCOMPARE(row.row(), 1);
        auto cell = [&](int column, int role = Qt::DisplayRole) { return row.siblingAtColumn(column).data(role); };
        QCOMPARE(cell(ProcessModel::PidColumn).toLongLong(), 20);
        QCOMPARE(cell(ProcessModel::NameColumn).toString(), u"editor"_s);
        QCOMPARE(cell(ProcessModel::UserColumn).toString(), u"alice"_s);
        QCOMPARE(cell(ProcessModel::CpuColumn).toString(), QLocale().toString(12.3, 'f', 1));
        QVERIFY(cell(ProcessModel::MemoryColumn).toString().contains(u"3"));
        QCOMPARE(cell(ProcessModel::ThreadsColumn).toInt(), 9);
        QCOMPARE(cell(ProcessModel::CommandLineColumn).toString(), u"editor --id 20"_s);
        // Numbers sort as shown: rounded to the display's precision, in order across units.
        QCOMPARE(cell(ProcessModel::CpuColumn, ProcessModel::SortRole).toDouble(), 12.3);
        const qint64 mib = 1024 * 1024;
        QCOMPARE(
            cell(ProcessModel::MemoryColumn, ProcessModel::SortRole).toLongLong(), ProcessModel::memoryKey(3 * mib));
        QCOMPARE(ProcessModel::memoryKey(3 * mib + 4096), ProcessModel::memoryKey(3 * mib));
        QVERIFY(ProcessModel::memoryKey(1000) < ProcessModel::memoryKey(1023));
        QVERIFY(ProcessModel::memoryKey(1023) < ProcessModel::memoryKey(1024));
        QVERIFY(ProcessModel::memoryKey(3 * mib) < ProcessModel::memoryKey(3 * mib + mib / 2));
        QVERIFY(ProcessModel::memoryKey(1023 * mib) < ProcessModel::memoryKey(1024 * mib));
        QVERIFY(ProcessModel::memoryKey(0) < ProcessModel::memoryKey(1));
        QCOMPARE(cell(ProcessModel::NameColumn, Qt::ToolTipRole).toString(), u"/usr/bin/editor"_s);
        QVERIFY(cell(0, ProcessModel::TraceableRole).toBool());
        QVERIFY(cell(0, ProcessModel::MineRole).toBool());
        QCOMPARE(cell(0, ProcessModel::StartTimeRole).toULongLong(), quint64(100));
        QCOMPARE(cell(0, ProcessModel::ProcessInfoRole).value<ProcessInfo>(), app);
        QCOMPARE(cell(ProcessModel::PidColumn, Qt::TextAlignmentRole).value<Qt::Alignment>(),
            Qt::AlignRight | Qt::AlignVCenter);

        const QModelIndex rootRow = model.indexOfPid(1);
        QVERIFY(!rootRow.data(ProcessModel::TraceableRole).toBool());
        QVERIFY(rootRow.data(Qt::ToolTipRole).toString().contains(u"Owned by root"));
        QVERIFY(rootRow.data(ProcessModel::ReasonRole).toString().contains(u"CAP_SYS_PTRACE"));
        QCOMPARE(model.headerData(ProcessModel::CpuColumn, Qt::Horizontal).toString(), u"CPU %"_s);
        QVERIFY(!model.indexOf(ProcessKey { 20, 99 }).isValid());
        QVERIFY(!model.processAt(QModelIndex()));
    }

    void treeShapeAndOrphans()
    {
        ProcessModel model;
        model.setMode(Mode::Tree);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // 1 ─ 10 ─ 100 ─ 1000
        //   │     └ 101
        //   └ 11
        // 500 (parent 499 not visible: top level)
        QList<ProcessInfo> list
            = { info(1, 0), info(10, 1), info(11, 1), info(100, 10), info(101, 10), info(1000, 100), info(500, 499) };
        model.setProcesses(list);
        QCOMPARE(model.rowCount(), 2);
        checkTreeShape(model);
        QCOMPARE(model.indexOfPid(1000).parent(), model.indexOfPid(100));
        QCOMPARE(model.rowCount(model.indexOfPid(10)), 2);

        QPersistentModelIndex grandchild = model.indexOfPid(1000);
        QPersistentModelIndex child = model.indexOfPid(101);
        QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

        // 10 exits and, as on a fake tree or with a hidden reaper, its children still name it as parent: they
        // move up to 1 (their grandparent) before 10's row goes.
        list.removeAt(1);
        model.setProcesses(list);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(moved.count(), 1);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(model.indexOfPid(100).parent(), model.indexOfPid(1));
        QCOMPARE(model.indexOfPid(101).parent(), model.indexOfPid(1));
        QVERIFY(grandchild.isValid());
        QCOMPARE(model.processAt(grandchild)->pid, qint64(1000));
        QCOMPARE(grandchild.parent(), model.indexOfPid(100));
        QCOMPARE(model.processAt(child)->pid, qint64(101));

        // 100 and its parent's parent exit at once; 1000 goes to the top.
        list = { info(1000, 100), info(500, 499) };
        model.setProcesses(list);
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(grandchild.isValid());
        QVERIFY(!grandchild.parent().isValid());
        QVERIFY(!child.isValid());

        // The missing parent appears: 500 moves under it.
        list.append(info(499, 1000));
        sortByKey(list);
        model.setProcesses(list);
        QCOMPARE(model.indexOfPid(500).parent(), model.indexOfPid(499));
        QCOMPARE(model.indexOfPid(499).parent(), model.indexOfPid(1000));
        checkTreeShape(model);
        QCOMPARE(resets.count(), 0);
    }

    // A sorting proxy handles each move as a layout change of both parents: an orphaned family whose new parent
    // the same scan reports moves there at once, not first to its grandparent.
    void orphansMoveOnceToTheirReportedParent()
    {
        ProcessModel model;
        model.setMode(Mode::Tree);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<ProcessInfo> list = { info(1, 0), info(2, 1), info(3, 2), info(4, 3), info(5, 3) };
        model.setProcesses(list);
        QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
        list.removeAt(2); // 3 exits; the kernel hands 4 and 5 to init
        list[2].ppid = 1;
        list[3].ppid = 1;
        model.setProcesses(list);
        QCOMPARE(moved.count(), 1);
        QCOMPARE(model.indexOfPid(4).parent(), model.indexOfPid(1));
        QCOMPARE(model.indexOfPid(5).parent(), model.indexOfPid(1));
        checkTreeShape(model);

        // Children reported under different parents: up to the grandparent first, then each to its place.
        list = { info(1, 0), info(2, 1), info(3, 2), info(4, 3), info(5, 3) };
        model.setProcesses(list);
        list.removeAt(2);
        list[2].ppid = 1;
        list[3].ppid = 2;
        model.setProcesses(list);
        QCOMPARE(model.indexOfPid(4).parent(), model.indexOfPid(1));
        QCOMPARE(model.indexOfPid(5).parent(), model.indexOfPid(2));
        checkTreeShape(model);
    }

    void cyclesDoNotHang()
    {
        for (Mode mode : { Mode::Flat, Mode::Tree }) {
            ProcessModel model;
            model.setMode(mode);
            QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            model.setProcesses({ info(1, 0), info(5, 6), info(6, 5), info(7, 7) });
            QCOMPARE(countRows(model), 4);
            // New processes that form a cycle among themselves.
            model.setProcesses({ info(1, 0), info(5, 6), info(6, 5), info(7, 7), info(8, 9), info(9, 8) });
            QCOMPARE(countRows(model), 6);
            ProcessInfo moved = info(1, 6); // 1's parent becomes 6, which is under 5 under 6...
            model.setProcesses({ moved, info(5, 6), info(6, 5), info(7, 7), info(8, 9), info(9, 8) });
            QCOMPARE(countRows(model), 6);
        }
    }

    void modeSwitchKeepsData()
    {
        ProcessModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QList<ProcessInfo> list = initialTree(50);
        model.setProcesses(list);
        QCOMPARE(model.rowCount(), 50);
        model.setMode(Mode::Tree);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(countRows(model), 50);
        checkTreeShape(model);
        model.setMode(Mode::Flat);
        QCOMPARE(model.rowCount(), 50);
        QCOMPARE(model.processes(), list);
    }

    void selectionSurvivesRefresh_data()
    {
        QTest::addColumn<Mode>("mode");
        QTest::newRow("flat") << Mode::Flat;
        QTest::newRow("tree") << Mode::Tree;
    }
    void selectionSurvivesRefresh()
    {
        QFETCH(Mode, mode);
        ProcessModel model;
        model.setMode(mode);
        QItemSelectionModel selection(&model);
        QRandomGenerator random(7);
        qint64 nextPid = 5000;
        QList<ProcessInfo> current = initialTree(400);
        model.setProcesses(current);

        // Select a few processes that will never exit (the churn only removes random ones; we protect these by
        // keeping them out of its reach: they are re-added if removed).
        const QList<qint64> chosen = { 1, 37, 211, 399 };
        for (qint64 pid : chosen)
            selection.select(model.indexOfPid(pid), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        selection.setCurrentIndex(model.indexOfPid(211), QItemSelectionModel::NoUpdate);
        const QPersistentModelIndex watched = model.indexOfPid(37, ProcessModel::CommandLineColumn);

        for (int round = 0; round < 20; ++round) {
            QList<ProcessInfo> next = churn(current, random, &nextPid, 8);
            for (qint64 pid : chosen) {
                const bool present
                    = std::any_of(next.cbegin(), next.cend(), [&](const ProcessInfo& p) { return p.pid == pid; });
                if (!present) {
                    auto old = std::find_if(
                        current.cbegin(), current.cend(), [&](const ProcessInfo& p) { return p.pid == pid; });
                    next.append(*old);
                }
            }
            sortByKey(next);
            current = next;
            model.setProcesses(current);

            QSet<qint64> selected;
            for (const QModelIndex& index : selection.selectedRows())
                selected.insert(model.processAt(index)->pid);
            QCOMPARE(selected, QSet<qint64>(chosen.cbegin(), chosen.cend()));
            QCOMPARE(model.processAt(selection.currentIndex())->pid, qint64(211));
            QVERIFY(watched.isValid());
            QCOMPARE(model.processAt(watched)->pid, qint64(37));
            QCOMPARE(watched.column(), int(ProcessModel::CommandLineColumn));
        }
    }

    void changedRowsSignalDataChanged()
    {
        ProcessModel model;
        QList<ProcessInfo> list = { info(1, 0), info(2, 1), info(3, 1) };
        model.setProcesses(list);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        list[1].cpuPercent = 50;
        model.setProcesses(list);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex(), model.indexOfPid(2, ProcessModel::CpuColumn));
        QCOMPARE(changed.first().at(1).toModelIndex(), model.indexOfPid(2, ProcessModel::CpuColumn));
        QCOMPARE(inserted.count(), 0);

        // Adjacent rows that change come in one signal.
        changed.clear();
        list[1].cpuPercent = 20;
        list[2].threads = 5;
        model.setProcesses(list);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex(), model.indexOfPid(2, ProcessModel::CpuColumn));
        QCOMPARE(changed.first().at(1).toModelIndex(), model.indexOfPid(3, ProcessModel::ThreadsColumn));

        // Applying a diff with keys the model does not know: removals ignored, changes added.
        ProcessDiff odd;
        odd.removed = { ProcessKey { 77, 1 } };
        odd.changed = { info(78, 1) };
        model.applyDiff(odd);
        QCOMPARE(model.processCount(), 4);
        QVERIFY(model.indexOfPid(78).isValid());
    }

    // Only what the user can see changing is signalled, with the cells and the roles that changed: a sorting,
    // filtering proxy does work for every dataChanged, and a refresh changes many invisible digits.
    void dataChangedOnlyForShownChanges_data()
    {
        QTest::addColumn<std::function<void(ProcessInfo&)>>("change");
        QTest::addColumn<int>("firstColumn"); // -1: no signal
        QTest::addColumn<int>("lastColumn");
        QTest::addColumn<bool>("allRoles");
        QTest::addColumn<bool>("filterRole");
        using F = std::function<void(ProcessInfo&)>;
        const int cpu = ProcessModel::CpuColumn;
        const int memory = ProcessModel::MemoryColumn;
        QTest::newRow("cpu below display precision")
            << F([](ProcessInfo& p) { p.cpuPercent = 12.34; }) << -1 << -1 << false << false;
        QTest::newRow("cpu shown value changes")
            << F([](ProcessInfo& p) { p.cpuPercent = 12.36; }) << cpu << cpu << false << false;
        QTest::newRow("memory below display precision")
            << F([](ProcessInfo& p) { p.rssBytes += 4096; }) << -1 << -1 << false << false;
        QTest::newRow("memory shown value changes")
            << F([](ProcessInfo& p) { p.rssBytes += 512 * 1024; }) << memory << memory << false << false;
        QTest::newRow("threads") << F([](ProcessInfo& p) { p.threads = 9; }) << int(ProcessModel::ThreadsColumn)
                                 << int(ProcessModel::ThreadsColumn) << false << false;
        QTest::newRow("state letter only") << F([](ProcessInfo& p) { p.state = 'R'; }) << -1 << -1 << false << false;
        QTest::newRow("becomes a zombie")
            << F([](ProcessInfo& p) { p.state = 'Z'; }) << int(ProcessModel::CommandLineColumn)
            << int(ProcessModel::CommandLineColumn) << false << true;
        QTest::newRow("name (and so command line)")
            << F([](ProcessInfo& p) { p.name = u"renamed"_s; }) << int(ProcessModel::NameColumn)
            << int(ProcessModel::CommandLineColumn) << false << true;
        QTest::newRow("arguments") << F([](ProcessInfo& p) { p.arguments = { u"x"_s }; })
                                   << int(ProcessModel::CommandLineColumn) << int(ProcessModel::CommandLineColumn)
                                   << false << true;
        QTest::newRow("no longer traceable") << F([](ProcessInfo& p) {
            p.traceable = false;
            p.reason = u"why"_s;
        }) << 0 << int(ProcessModel::ColumnCount - 1)
                                             << true << true;
        QTest::newRow("cpu and memory") << F([](ProcessInfo& p) {
            p.cpuPercent = 50;
            p.rssBytes *= 2;
        }) << cpu << memory << false << false;
    }

    void dataChangedOnlyForShownChanges()
    {
        QFETCH(std::function<void(ProcessInfo&)>, change);
        QFETCH(int, firstColumn);
        QFETCH(int, lastColumn);
        QFETCH(bool, allRoles);
        QFETCH(bool, filterRole);
        for (const Mode mode : { Mode::Flat, Mode::Tree }) {
            ProcessModel model;
            model.setMode(mode);
            QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            QList<ProcessInfo> list = { info(1, 0), info(2, 1), info(3, 1) };
            list[1].cpuPercent = 12.3;
            list[1].rssBytes = 10 * 1024 * 1024;
            list[1].state = 'S';
            model.setProcesses(list);
            const QString shownCpu = model.indexOfPid(2, ProcessModel::CpuColumn).data().toString();
            QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
            change(list[1]);
            model.setProcesses(list);
            QCOMPARE(*model.processAt(model.indexOfPid(2)), list[1]); // the data is always current
            if (firstColumn < 0) {
                QCOMPARE(changed.count(), 0);
                QCOMPARE(model.indexOfPid(2, ProcessModel::CpuColumn).data().toString(), shownCpu);
                continue;
            }
            QCOMPARE(changed.count(), 1);
            QCOMPARE(changed.first().at(0).toModelIndex(), model.indexOfPid(2, firstColumn));
            QCOMPARE(changed.first().at(1).toModelIndex(), model.indexOfPid(2, lastColumn));
            const auto roles = changed.first().at(2).value<QList<int>>();
            QCOMPARE(roles.isEmpty(), allRoles);
            if (!allRoles) {
                QVERIFY(roles.contains(Qt::DisplayRole));
                QVERIFY(roles.contains(ProcessModel::SortRole));
                QCOMPARE(roles.contains(ProcessModel::FilterRole), filterRole);
            }
        }
    }

    void followsTable()
    {
        FakeProcTree tree;
        FakeProcTree::Proc p;
        for (qint64 pid : { 1, 2, 3 }) {
            p.pid = pid;
            p.ppid = pid == 1 ? 0 : 1;
            QVERIFY(tree.add(p));
        }
        ProcessTable table(tree.root(), FakeProcTree::tracer());
        ProcessModel model;
        model.setMode(Mode::Tree);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setTable(&table);
        QSignalSpy finished(&table, &ProcessTable::scanFinished);
        table.refresh();
        QVERIFY(finished.wait(10000));
        QCOMPARE(countRows(model), 3);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(tree.remove(3));
        table.refresh();
        QVERIFY(finished.wait(10000));
        QCOMPARE(countRows(model), 2);

        // A second model attached later starts from the table's current state.
        ProcessModel late;
        late.setTable(&table);
        QCOMPARE(late.processCount(), 2);
    }
};

QTEST_GUILESS_MAIN(TestProcessModel)
#include "tst_processmodel.moc"
