// SPDX-License-Identifier: MIT
#include "viewer/calltree.h"
#include "viewer/calltreemodel.h"
#include "viewer/functiontablemodel.h"
#include "viewer/memorytimelinedata.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTest>

namespace {
// Thread 1: main [0,100) { a [10,40) { c [15,25) }, b [50,90) { c [60,70), d [70,80) } }
// Thread 2: a [0,30) { c [5,10) }
std::shared_ptr<MemoryTimelineData> sample()
{
    auto data = std::make_shared<MemoryTimelineData>();
    const int p = data->addProcess(1, QStringLiteral("proc"));
    const int t1 = data->addThread(p, 2, QStringLiteral("main"));
    const int t2 = data->addThread(p, 3, QStringLiteral("worker"));
    data->addSlice(t1, 0, 0, 100, QStringLiteral("main"));
    data->addSlice(t1, 1, 10, 40, QStringLiteral("a"));
    data->addSlice(t1, 1, 50, 90, QStringLiteral("b"));
    data->addSlice(t1, 2, 15, 25, QStringLiteral("c"));
    data->addSlice(t1, 2, 60, 70, QStringLiteral("c"));
    data->addSlice(t1, 2, 70, 80, QStringLiteral("d"));
    data->addSlice(t2, 0, 0, 30, QStringLiteral("a"));
    data->addSlice(t2, 1, 5, 10, QStringLiteral("c"));
    data->finish();
    return data;
}

// "main/a/c" → node index, following names from the root.
int find(const CallTree& tree, const TimelineData& data, const QString& path)
{
    int node = 0;
    for (const QString& part : path.split(u'/')) {
        int next = -1;
        for (const int c : tree.nodes[size_t(node)].children) {
            if (data.name(tree.nodes[size_t(c)].name) == part)
                next = c;
        }
        if (next < 0)
            return -1;
        node = next;
    }
    return node;
}
} // namespace

class TestCallTree : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void topDown_data()
    {
        QTest::addColumn<qint64>("from");
        QTest::addColumn<qint64>("to");
        QTest::addColumn<QString>("path");
        QTest::addColumn<qint64>("total");
        QTest::addColumn<qint64>("self");
        QTest::addColumn<quint64>("calls");
        QTest::newRow("main") << qint64(0) << qint64(100) << "main" << qint64(100) << qint64(30) << quint64(1);
        QTest::newRow("main/a") << qint64(0) << qint64(100) << "main/a" << qint64(30) << qint64(20) << quint64(1);
        QTest::newRow("main/b") << qint64(0) << qint64(100) << "main/b" << qint64(40) << qint64(20) << quint64(1);
        QTest::newRow("main/b/c") << qint64(0) << qint64(100) << "main/b/c" << qint64(10) << qint64(10) << quint64(1);
        QTest::newRow("other thread a") << qint64(0) << qint64(100) << "a" << qint64(30) << qint64(25) << quint64(1);
        QTest::newRow("a/c") << qint64(0) << qint64(100) << "a/c" << qint64(5) << qint64(5) << quint64(1);
        QTest::newRow("clipped main") << qint64(20) << qint64(55) << "main" << qint64(35) << qint64(10) << quint64(1);
        QTest::newRow("clipped main/a") << qint64(20) << qint64(55) << "main/a" << qint64(20) << qint64(15)
                                        << quint64(1);
        QTest::newRow("clipped main/b") << qint64(20) << qint64(55) << "main/b" << qint64(5) << qint64(5) << quint64(1);
        QTest::newRow("clipped other a") << qint64(20) << qint64(55) << "a" << qint64(10) << qint64(10) << quint64(1);
    }
    void topDown()
    {
        QFETCH(qint64, from);
        QFETCH(qint64, to);
        QFETCH(QString, path);
        QFETCH(qint64, total);
        QFETCH(qint64, self);
        QFETCH(quint64, calls);
        const auto data = sample();
        const CallTree tree = CallTrees::topDown(*data, from, to);
        const int node = find(tree, *data, path);
        QVERIFY(node > 0);
        QCOMPARE(tree.nodes[size_t(node)].total, total);
        QCOMPARE(tree.nodes[size_t(node)].self, self);
        QCOMPARE(tree.nodes[size_t(node)].calls, calls);
    }

    void clippedRangeDropsSlicesOutside()
    {
        const auto data = sample();
        const CallTree tree = CallTrees::topDown(*data, 20, 55);
        QCOMPARE(find(tree, *data, QStringLiteral("a/c")), -1); // [5,10) is outside
        QCOMPARE(find(tree, *data, QStringLiteral("main/b/d")), -1);
        QCOMPARE(tree.root().total, qint64(45));
        // Children come longest first.
        QCOMPARE(data->name(tree.nodes[size_t(tree.root().children.first())].name), QStringLiteral("main"));
    }

    void functionStats()
    {
        const auto data = sample();
        const QList<FunctionTotals> stats = CallTrees::functionStats(CallTrees::topDown(*data, 0, 100));
        QCOMPARE(stats.size(), 5);
        struct Expected
        {
            const char* name;
            quint64 calls;
            qint64 total, self, max;
        };
        const Expected expected[] = {
            { "main", 1, 100, 30, 100 },
            { "a", 2, 60, 45, 30 },
            { "b", 1, 40, 20, 40 },
            { "c", 3, 25, 25, 10 },
            { "d", 1, 10, 10, 10 },
        };
        for (const Expected& e : expected) {
            auto it = std::find_if(stats.cbegin(), stats.cend(),
                [&](const FunctionTotals& s) { return data->name(s.name) == QLatin1String(e.name); });
            QVERIFY2(it != stats.cend(), e.name);
            QCOMPARE(it->calls, e.calls);
            QCOMPARE(it->total, e.total);
            QCOMPARE(it->self, e.self);
            QCOMPARE(it->max, e.max);
        }
        const auto a = std::find_if(stats.cbegin(), stats.cend(),
            [&](const FunctionTotals& s) { return data->name(s.name) == QLatin1String("a"); });
        QCOMPARE(a->average(), qint64(30));
    }

    void directTotalsMatchTheTree_data()
    {
        QTest::addColumn<qint64>("from");
        QTest::addColumn<qint64>("to");
        QTest::newRow("all") << qint64(0) << qint64(100);
        QTest::newRow("clipped") << qint64(20) << qint64(55);
        QTest::newRow("inside one slice") << qint64(61) << qint64(62);
    }
    void directTotalsMatchTheTree()
    {
        QFETCH(qint64, from);
        QFETCH(qint64, to);
        const auto data = sample();
        const QList<FunctionTotals> fromTree = CallTrees::functionStats(CallTrees::topDown(*data, from, to));
        const QList<FunctionTotals> direct = CallTrees::functionTotals(*data, from, to);
        QCOMPARE(direct.size(), fromTree.size());
        for (qsizetype i = 0; i < direct.size(); ++i) {
            QCOMPARE(direct.at(i).name, fromTree.at(i).name);
            QCOMPARE(direct.at(i).calls, fromTree.at(i).calls);
            QCOMPARE(direct.at(i).total, fromTree.at(i).total);
            QCOMPARE(direct.at(i).self, fromTree.at(i).self);
            QCOMPARE(direct.at(i).max, fromTree.at(i).max);
        }
    }

    void nodeLimitFoldsPathsButKeepsTime()
    {
        const auto data = sample();
        const CallTree full = CallTrees::topDown(*data, 0, 100);
        const CallTree limited = CallTrees::topDown(*data, 0, 100, nullptr, 4);
        QVERIFY(!full.truncated);
        QVERIFY(limited.truncated);
        QVERIFY(limited.nodes.size() < full.nodes.size());
        QCOMPARE(limited.root().total, full.root().total);
        qint64 self = 0;
        for (const CallTree::Node& n : limited.nodes)
            self += n.self;
        QCOMPARE(self, qint64(130));
    }

    void bottomUp_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<qint64>("total");
        QTest::newRow("c") << "c" << qint64(25);
        QTest::newRow("c called by a") << "c/a" << qint64(15);
        QTest::newRow("c called by a called by main") << "c/a/main" << qint64(10);
        QTest::newRow("c called by b") << "c/b" << qint64(10);
        QTest::newRow("a") << "a" << qint64(45);
        QTest::newRow("a called by main") << "a/main" << qint64(20);
        QTest::newRow("main") << "main" << qint64(30);
    }
    void bottomUp()
    {
        QFETCH(QString, path);
        QFETCH(qint64, total);
        const auto data = sample();
        const CallTree tree = CallTrees::bottomUp(CallTrees::topDown(*data, 0, 100));
        const int node = find(tree, *data, path);
        QVERIFY(node > 0);
        QCOMPARE(tree.nodes[size_t(node)].total, total);
        QCOMPARE(tree.root().total, qint64(130)); // all self time of both threads
    }

    void cancel()
    {
        const auto data = sample();
        std::atomic_bool cancelled { true };
        QVERIFY(CallTrees::topDown(*data, 0, 100, &cancelled).cancelled);
    }

    void treeModel()
    {
        const auto data = sample();
        CallTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setTree(data, CallTrees::topDown(*data, 0, 100));
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex main = model.index(0, 0);
        QCOMPARE(main.data().toString(), QStringLiteral("main"));
        QCOMPARE(model.rowCount(main), 2);
        const QModelIndex b = model.index(0, 0, main); // b (40) before a (30)
        QCOMPARE(b.data().toString(), QStringLiteral("b"));
        QCOMPARE(model.index(0, CallTreeModel::Total, main).data(CallTreeModel::SortRole).toLongLong(), qint64(40));
        QCOMPARE(model.parent(model.index(1, 0, b)), b);
        model.setTree(data, CallTrees::bottomUp(CallTrees::topDown(*data, 0, 100)));
        QCOMPARE(model.rowCount(), 5);
    }

    void functionModelSortsAndFilters()
    {
        const auto data = sample();
        FunctionTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStats(data, CallTrees::functionStats(CallTrees::topDown(*data, 0, 100)));
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(FunctionTableModel::SortRole);
        proxy.sort(FunctionTableModel::Self, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, FunctionTableModel::Name).data().toString(), QStringLiteral("a")); // self 45
        QCOMPARE(proxy.index(1, FunctionTableModel::Name).data().toString(), QStringLiteral("main")); // 30
        proxy.sort(FunctionTableModel::Calls, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, FunctionTableModel::Name).data().toString(), QStringLiteral("c"));
        proxy.setFilterKeyColumn(FunctionTableModel::Name);
        proxy.setFilterRegularExpression(QStringLiteral("^[ab]$"));
        QCOMPARE(proxy.rowCount(), 2);
        QCOMPARE(proxy.index(0, FunctionTableModel::Total).data().toString(), QStringLiteral("60 ns"));
    }
};

QTEST_MAIN(TestCallTree)
#include "tst_calltree.moc"
