// SPDX-License-Identifier: MIT
// TraceEntryTable: the library's entries in arrival order, found by id. A first fill shares the list it is given;
// every change keeps one entry per id, the order of the others, and lookups that find the right entry.
#include "library/traceentrytable.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

TraceEntry entry(const QString& id, const QString& title = QString())
{
    TraceEntry e;
    e.metadata.id = id;
    e.metadata.title = title.isEmpty() ? u"title of "_s + id : title;
    e.metadata.traceFile = id + u".fxt"_s;
    return e;
}

QList<TraceEntry> entries(const QStringList& ids)
{
    QList<TraceEntry> list;
    for (const QString& id : ids)
        list.append(entry(id));
    return list;
}

QStringList idsOf(const QList<TraceEntry>& list)
{
    QStringList ids;
    for (const TraceEntry& e : list)
        ids.append(e.metadata.id);
    return ids;
}

// Every entry is found by its id, at its place in the list; nothing else is.
void checkConsistent(const TraceEntryTable& table, const QStringList& absent = {})
{
    QCOMPARE(table.ids().size(), table.size());
    for (const TraceEntry& e : table.list()) {
        QVERIFY(table.contains(e.metadata.id));
        QCOMPARE(table.find(e.metadata.id), &e);
    }
    for (const QString& id : absent) {
        QVERIFY(!table.contains(id));
        QVERIFY(!table.find(id));
    }
}

} // namespace

class TestTraceEntryTable : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The first fill of an empty table is the listing's own list: no entry is copied.
    void firstFillIsShared()
    {
        const QList<TraceEntry> listing = entries({ u"a"_s, u"b"_s, u"c"_s });
        TraceEntryTable table;
        const QList<TraceEntry> added = table.append(listing);
        QCOMPARE(idsOf(added), idsOf(listing));
        QCOMPARE(table.list().constData(), listing.constData());
        QCOMPARE(added.constData(), listing.constData());
        checkConsistent(table, { u"d"_s });
    }

    void appendKeepsOneEntryPerId_data()
    {
        QTest::addColumn<QStringList>("before");
        QTest::addColumn<QStringList>("appended");
        QTest::addColumn<QStringList>("added");
        QTest::addColumn<QStringList>("after");
        QTest::newRow("empty, nothing") << QStringList() << QStringList() << QStringList() << QStringList();
        QTest::newRow("empty, repeated id")
            << QStringList() << QStringList { u"a"_s, u"b"_s, u"a"_s, u"c"_s } << QStringList { u"a"_s, u"b"_s, u"c"_s }
            << QStringList { u"a"_s, u"b"_s, u"c"_s };
        QTest::newRow("known ids skipped")
            << QStringList { u"a"_s, u"b"_s } << QStringList { u"c"_s, u"a"_s, u"d"_s }
            << QStringList { u"c"_s, u"d"_s } << QStringList { u"a"_s, u"b"_s, u"c"_s, u"d"_s };
        QTest::newRow("all known") << QStringList { u"a"_s } << QStringList { u"a"_s } << QStringList()
                                   << QStringList { u"a"_s };
        QTest::newRow("known ids and a repeated new one")
            << QStringList { u"a"_s, u"b"_s } << QStringList { u"c"_s, u"a"_s, u"c"_s, u"d"_s }
            << QStringList { u"c"_s, u"d"_s } << QStringList { u"a"_s, u"b"_s, u"c"_s, u"d"_s };
    }
    void appendKeepsOneEntryPerId()
    {
        QFETCH(QStringList, before);
        QFETCH(QStringList, appended);
        QFETCH(QStringList, added);
        QFETCH(QStringList, after);
        TraceEntryTable table;
        table.append(entries(before));
        QList<TraceEntry> incoming = entries(appended);
        if (!incoming.isEmpty())
            incoming.first().metadata.title = u"first of its id"_s;
        // A model announces the new rows before the table changes: told once, with the rows they will take.
        const qsizetype sizeBefore = table.size();
        QList<std::pair<qsizetype, qsizetype>> announced;
        qsizetype sizeWhenAnnounced = -1;
        QCOMPARE(idsOf(table.append(incoming,
                     [&](qsizetype first, qsizetype count) {
                         announced.append({ first, count });
                         sizeWhenAnnounced = table.size();
                     })),
            added);
        QCOMPARE(idsOf(table.list()), after);
        if (added.isEmpty()) {
            QVERIFY(announced.isEmpty());
        } else {
            QCOMPARE(announced, (QList<std::pair<qsizetype, qsizetype>> { { sizeBefore, added.size() } }));
            QCOMPARE(sizeWhenAnnounced, sizeBefore);
        }
        // A repeated id in the same batch: the first one counts.
        if (!appended.isEmpty() && !before.contains(appended.first()))
            QCOMPARE(table.find(appended.first())->metadata.title, u"first of its id"_s);
        checkConsistent(table, { u"x"_s });
    }

    void setReplacesInPlaceOrAppends()
    {
        TraceEntryTable table;
        table.append(entries({ u"a"_s, u"b"_s, u"c"_s }));
        const QList<TraceEntry> shared = table.list(); // as the model holds it
        QVERIFY(table.set(entry(u"b"_s, u"changed"_s)));
        QVERIFY(!table.set(entry(u"d"_s)));
        QCOMPARE(idsOf(table.list()), QStringList({ u"a"_s, u"b"_s, u"c"_s, u"d"_s }));
        QCOMPARE(table.find(u"b"_s)->metadata.title, u"changed"_s);
        QCOMPARE(shared.at(1).metadata.title, u"title of b"_s); // the other holder's copy is untouched
        checkConsistent(table);
    }

    void removeAllKeepsTheOthersInOrder_data()
    {
        QTest::addColumn<QStringList>("removed");
        QTest::addColumn<QStringList>("after");
        QTest::addColumn<int>("count");
        const QStringList all { u"a"_s, u"b"_s, u"c"_s, u"d"_s, u"e"_s, u"f"_s };
        QTest::newRow("none") << QStringList() << all << 0;
        QTest::newRow("unknown id") << QStringList { u"x"_s } << all << 0;
        QTest::newRow("first") << QStringList { u"a"_s } << all.mid(1) << 1;
        QTest::newRow("last") << QStringList { u"f"_s } << all.first(5) << 1;
        QTest::newRow("two in the middle and an unknown one")
            << QStringList { u"d"_s, u"x"_s, u"b"_s } << QStringList { u"a"_s, u"c"_s, u"e"_s, u"f"_s } << 2;
        QTest::newRow("every other") << QStringList { u"a"_s, u"c"_s, u"e"_s } << QStringList { u"b"_s, u"d"_s, u"f"_s }
                                     << 3;
        QTest::newRow("all") << all << QStringList() << 6;
    }
    void removeAllKeepsTheOthersInOrder()
    {
        QFETCH(QStringList, removed);
        QFETCH(QStringList, after);
        QFETCH(int, count);
        TraceEntryTable table;
        const QList<TraceEntry> listing = entries({ u"a"_s, u"b"_s, u"c"_s, u"d"_s, u"e"_s, u"f"_s });
        table.append(listing);
        QCOMPARE(table.removeAll(QSet<QString>(removed.begin(), removed.end())), qsizetype(count));
        QCOMPARE(idsOf(table.list()), after);
        checkConsistent(table, removed);
        QCOMPARE(listing.size(), 6); // the list the table shared is not changed under its other holder
        // Still usable: a removed id comes back at the end.
        if (!removed.isEmpty() && !removed.first().startsWith(u'x')) {
            QVERIFY(!table.set(entry(removed.first())));
            QCOMPARE(table.list().last().metadata.id, removed.first());
            checkConsistent(table);
        }
    }

    void removeRangeRenumbersTheRest_data()
    {
        QTest::addColumn<int>("first");
        QTest::addColumn<int>("count");
        QTest::addColumn<QStringList>("after");
        QTest::newRow("first row") << 0 << 1 << QStringList { u"b"_s, u"c"_s, u"d"_s, u"e"_s, u"f"_s };
        QTest::newRow("middle run") << 2 << 3 << QStringList { u"a"_s, u"b"_s, u"f"_s };
        QTest::newRow("last row") << 5 << 1 << QStringList { u"a"_s, u"b"_s, u"c"_s, u"d"_s, u"e"_s };
        QTest::newRow("all") << 0 << 6 << QStringList();
    }
    void removeRangeRenumbersTheRest()
    {
        QFETCH(int, first);
        QFETCH(int, count);
        QFETCH(QStringList, after);
        TraceEntryTable table;
        const QStringList all { u"a"_s, u"b"_s, u"c"_s, u"d"_s, u"e"_s, u"f"_s };
        table.append(entries(all));
        table.removeRange(first, count);
        QCOMPARE(idsOf(table.list()), after);
        checkConsistent(table, all.mid(first, count));
    }

    void removeOne()
    {
        TraceEntryTable table;
        table.append(entries({ u"a"_s, u"b"_s, u"c"_s }));
        QVERIFY(table.remove(u"b"_s));
        QVERIFY(!table.remove(u"b"_s));
        QCOMPARE(idsOf(table.list()), QStringList({ u"a"_s, u"c"_s }));
        checkConsistent(table, { u"b"_s });
    }
};

QTEST_GUILESS_MAIN(TestTraceEntryTable)
#include "tst_traceentrytable.moc"
