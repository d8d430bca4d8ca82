// SPDX-License-Identifier: MIT
#include "processes/processfiltermodel.h"
#include "processes/processmodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

ProcessInfo info(qint64 pid, qint64 ppid, const QString& name, const QString& user, QStringList arguments = {})
{
    ProcessInfo p;
    p.pid = pid;
    p.ppid = ppid;
    p.startTime = 1;
    p.name = name;
    p.userName = user;
    p.arguments = arguments.isEmpty() ? QStringList { name } : arguments;
    p.isMine = user == u"alice";
    p.traceable = p.isMine;
    p.reason = p.traceable ? QString() : u"Owned by %1"_s.arg(user);
    return p;
}

QList<ProcessInfo> sample()
{
    QList<ProcessInfo> list;
    list.append(info(1, 0, u"systemd"_s, u"root"_s, { u"/sbin/init"_s, u"splash"_s }));
    ProcessInfo kworker = info(2, 0, u"kthreadd"_s, u"root"_s);
    kworker.kernelThread = true;
    kworker.arguments.clear();
    list.append(kworker);
    list.append(info(9, 1, u"sshd"_s, u"root"_s, { u"sshd: alice [priv]"_s }));
    list.append(info(10, 9, u"bash"_s, u"alice"_s, { u"-bash"_s }));
    list.append(info(100, 10, u"Web Content"_s, u"alice"_s, { u"/usr/lib/firefox/firefox"_s, u"-contentproc"_s }));
    list.append(info(1000, 10, u"python3"_s, u"alice"_s, { u"python3"_s, u"Server.py"_s, u"--port"_s, u"8080"_s }));
    list.append(info(2000, 1, u"postgres"_s, u"postgres"_s, { u"postgres"_s, u"-D"_s, u"/var/lib/pg"_s }));
    list[3].cpuPercent = 5;
    list[4].cpuPercent = 80;
    list[5].cpuPercent = 12.5;
    list[6].cpuPercent = 100;
    list[4].rssBytes = 900'000'000;
    list[5].rssBytes = 50'000'000;
    list[6].rssBytes = 100'000'000;
    return list;
}

QList<qint64> visiblePids(const QAbstractItemModel& model, const QModelIndex& parent = QModelIndex())
{
    QList<qint64> pids;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        pids.append(index.data(ProcessModel::PidRole).toLongLong());
        pids.append(visiblePids(model, index));
    }
    return pids;
}

QList<qint64> sorted(QList<qint64> list)
{
    std::sort(list.begin(), list.end());
    return list;
}

} // namespace

class TestProcessFilterModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void textFilter_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<qint64>>("pids");
        QTest::newRow("empty") << QString() << QList<qint64> { 1, 2, 9, 10, 100, 1000, 2000 };
        QTest::newRow("name, case-insensitive") << u"WEB"_s << QList<qint64> { 100 };
        QTest::newRow("name with space") << u"web content"_s << QList<qint64> { 100 };
        QTest::newRow("pid") << u"100"_s << QList<qint64> { 100, 1000 };
        QTest::newRow("user") << u"postgres"_s << QList<qint64> { 2000 };
        QTest::newRow("command line") << u"--port"_s << QList<qint64> { 1000 };
        QTest::newRow("command line, case") << u"server.PY"_s << QList<qint64> { 1000 };
        QTest::newRow("two words, both must match") << u"alice python"_s << QList<qint64> { 1000 };
        QTest::newRow("kernel thread by bracketed name") << u"[kthreadd]"_s << QList<qint64> { 2 };
        QTest::newRow("nothing") << u"no such thing"_s << QList<qint64> {};
        QTest::newRow("digits inside PIDs") << u"00"_s << QList<qint64> { 100, 1000, 2000 };
        QTest::newRow("not across name and PID") << u"bash10"_s << QList<qint64> {};
        QTest::newRow("not across user and command line") << u"alice-bash"_s << QList<qint64> {};
        QTest::newRow("not across arguments") << u"firefox-contentproc"_s << QList<qint64> {};
        QTest::newRow("across arguments needs the space") << u"python3 server"_s << QList<qint64> { 1000 };
    }

    // The search text is kept per row and folded once; a change to a searched field must reach it, in both modes.
    void searchTextFollowsChanges_data()
    {
        QTest::addColumn<bool>("tree");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("term");
        QTest::addColumn<bool>("before");
        QTest::addColumn<bool>("after");
        for (const bool tree : { false, true }) {
            const char* mode = tree ? "tree" : "flat";
            QTest::addRow("%s: exec, new name matches", mode) << tree << u"exec"_s << u"ÄRGER"_s << false << true;
            QTest::addRow("%s: exec, old arguments gone", mode) << tree << u"exec"_s << u"server"_s << true << false;
            QTest::addRow("%s: exec, new arguments", mode) << tree << u"exec"_s << u"--VERBOSE"_s << false << true;
            QTest::addRow("%s: user now matches", mode) << tree << u"user"_s << u"Ärger"_s << false << true;
            QTest::addRow("%s: CPU change keeps it", mode) << tree << u"cpu"_s << u"server"_s << true << true;
            QTest::addRow("%s: zombie, bracketed", mode) << tree << u"zombie"_s << u"<defunct>"_s << false << true;
            QTest::addRow("%s: zombie, arguments gone", mode) << tree << u"zombie"_s << u"8080"_s << true << false;
        }
    }
    void searchTextFollowsChanges()
    {
        QFETCH(bool, tree);
        QFETCH(QString, field);
        QFETCH(QString, term);
        QFETCH(bool, before);
        QFETCH(bool, after);
        ProcessModel model;
        model.setMode(tree ? ProcessModel::Mode::Tree : ProcessModel::Mode::Flat);
        QList<ProcessInfo> processes = sample();
        model.setProcesses(processes);
        ProcessFilterModel filter;
        filter.setDebounceInterval(0);
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy applied(&filter, &ProcessFilterModel::filterApplied);
        filter.setFilterText(term);
        QVERIFY(applied.wait(5000));
        QCOMPARE(visiblePids(filter).contains(1000), before);

        ProcessInfo& python = processes[5];
        QCOMPARE(python.pid, 1000);
        if (field == u"exec") {
            python.name = u"ärger"_s;
            python.arguments = QStringList { u"ärger"_s, u"--verbose"_s };
        } else if (field == u"user") {
            python.userName = u"ärger"_s;
        } else if (field == u"cpu") {
            python.cpuPercent = 55;
        } else if (field == u"zombie") {
            python.state = 'Z';
            python.arguments.clear();
        }
        model.setProcesses(processes);
        QCOMPARE(visiblePids(filter).contains(1000), after);
        QCOMPARE(filter.accepts(python), after);
    }
    void textFilter()
    {
        QFETCH(QString, text);
        QFETCH(QList<qint64>, pids);
        ProcessModel model;
        model.setProcesses(sample());
        ProcessFilterModel filter;
        filter.setDebounceInterval(0);
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy applied(&filter, &ProcessFilterModel::filterApplied);
        filter.setFilterText(text);
        QVERIFY(applied.wait(5000));
        QCOMPARE(filter.appliedFilterText(), text);
        QCOMPARE(sorted(visiblePids(filter)), pids);
    }

    void debounce()
    {
        ProcessModel model;
        model.setProcesses(sample());
        ProcessFilterModel filter;
        filter.setSourceModel(&model);
        QCOMPARE(filter.debounceInterval(), ProcessFilterModel::DefaultDebounceInterval);
        filter.setDebounceInterval(150);
        QSignalSpy applied(&filter, &ProcessFilterModel::filterApplied);
        QElapsedTimer clock;
        clock.start();
        for (const QString& typed : { u"p"_s, u"py"_s, u"pyt"_s, u"pyth"_s }) {
            filter.setFilterText(typed);
            QCOMPARE(filter.rowCount(), 7); // nothing filtered while typing
        }
        QCOMPARE(filter.filterText(), u"pyth"_s);
        QVERIFY(applied.wait(5000));
        QVERIFY(clock.elapsed() >= 140);
        QCOMPARE(applied.count(), 1); // one application for four keystrokes
        QCOMPARE(visiblePids(filter), QList<qint64> { 1000 });
    }

    void toggles_data()
    {
        QTest::addColumn<bool>("mine");
        QTest::addColumn<bool>("traceable");
        QTest::addColumn<bool>("hideKernel");
        QTest::addColumn<QList<qint64>>("pids");
        QTest::newRow("none") << false << false << false << QList<qint64> { 1, 2, 9, 10, 100, 1000, 2000 };
        QTest::newRow("mine") << true << false << false << QList<qint64> { 10, 100, 1000 };
        QTest::newRow("traceable") << false << true << false << QList<qint64> { 10, 100, 1000 };
        QTest::newRow("no kernel threads") << false << false << true << QList<qint64> { 1, 9, 10, 100, 1000, 2000 };
    }
    void toggles()
    {
        QFETCH(bool, mine);
        QFETCH(bool, traceable);
        QFETCH(bool, hideKernel);
        QFETCH(QList<qint64>, pids);
        ProcessModel model;
        model.setProcesses(sample());
        ProcessFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setOnlyMine(mine);
        filter.setOnlyTraceable(traceable);
        filter.setHideKernelThreads(hideKernel);
        QCOMPARE(filter.onlyMine(), mine);
        QCOMPARE(sorted(visiblePids(filter)), pids); // at once, no debounce
    }

    void treeKeepsAncestorsOfMatches()
    {
        ProcessModel model;
        model.setMode(ProcessModel::Mode::Tree);
        model.setProcesses(sample());
        ProcessFilterModel filter;
        filter.setDebounceInterval(0);
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setOnlyTraceable(true);
        // systemd and sshd are not traceable but stay, as the path to bash and its children.
        QCOMPARE(sorted(visiblePids(filter)), (QList<qint64> { 1, 9, 10, 100, 1000 }));
        QSignalSpy applied(&filter, &ProcessFilterModel::filterApplied);
        filter.setFilterText(u"8080"_s);
        QVERIFY(applied.wait(5000));
        QCOMPARE(visiblePids(filter), (QList<qint64> { 1, 9, 10, 1000 }));
    }

    void numericSort_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<QList<qint64>>("ascending");
        QTest::newRow("pid") << int(ProcessModel::PidColumn) << QList<qint64> { 1, 2, 9, 10, 100, 1000, 2000 };
        QTest::newRow("cpu") << int(ProcessModel::CpuColumn) << QList<qint64> { 1, 2, 9, 10, 1000, 100, 2000 };
        QTest::newRow("memory") << int(ProcessModel::MemoryColumn) << QList<qint64> { 1, 2, 9, 10, 1000, 2000, 100 };
        QTest::newRow("name") << int(ProcessModel::NameColumn) << QList<qint64> { 10, 2, 2000, 1000, 9, 1, 100 };
        QTest::newRow("user") << int(ProcessModel::UserColumn) << QList<qint64> { 10, 100, 1000, 2000, 1, 2, 9 };
    }
    void numericSort()
    {
        QFETCH(int, column);
        QFETCH(QList<qint64>, ascending);
        ProcessModel model;
        QList<ProcessInfo> list = sample();
        std::reverse(list.begin(), list.end()); // the model keeps arrival order; sorting is the proxy's job
        model.setProcesses(list);
        ProcessFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.sort(column, Qt::AscendingOrder);
        QCOMPARE(visiblePids(filter), ascending);
        filter.sort(column, Qt::DescendingOrder);
        QList<qint64> descending = ascending;
        std::reverse(descending.begin(), descending.end());
        QCOMPARE(visiblePids(filter), descending);
    }

    void sortedFilteredUnderChurn()
    {
        ProcessModel model;
        ProcessFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.sort(ProcessModel::CpuColumn, Qt::DescendingOrder);
        filter.setOnlyMine(true);
        QList<ProcessInfo> list = sample();
        model.setProcesses(list);
        const QPersistentModelIndex python = filter.mapFromSource(model.indexOfPid(1000));
        QVERIFY(python.isValid());
        for (int round = 0; round < 10; ++round) {
            list[5].cpuPercent = (round * 37) % 100; // python's CPU moves it up and down
            list[4].cpuPercent = 50;
            if (round % 2)
                list.append(info(3000 + round, 10, u"child"_s, u"alice"_s));
            else if (list.size() > 7)
                list.removeLast();
            model.setProcesses(list);
            QVERIFY(python.isValid());
            QCOMPARE(python.data(ProcessModel::PidRole).toLongLong(), 1000);
            double previous = 1e9;
            for (int row = 0; row < filter.rowCount(); ++row) {
                const double cpu
                    = filter.index(row, 0).data(ProcessModel::ProcessInfoRole).value<ProcessInfo>().cpuPercent;
                QVERIFY(cpu <= previous);
                previous = cpu;
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestProcessFilterModel)
#include "tst_processfiltermodel.moc"
