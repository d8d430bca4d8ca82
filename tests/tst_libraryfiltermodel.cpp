// SPDX-License-Identifier: MIT
// LibraryFilterModel: text, outcome and date filters, and sorting by raw values.
#include "library/libraryfiltermodel.h"
#include "library/librarymodel.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestLibraryFilterModel : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<TraceLibrary> m_library;
    LibraryModel m_model;

    static QDateTime day(int d) { return QDateTime(QDate(2026, 1, d), QTime(10, 0), QTimeZone::UTC); }

    QStringList titles(const QAbstractItemModel& model) const
    {
        QStringList list;
        for (int row = 0; row < model.rowCount(); ++row)
            list.append(model.index(row, LibraryModel::Title).data().toString());
        return list;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString folder = m_dir.filePath(u"traces"_s);
        QDir().mkpath(folder);
        struct Row
        {
            const char16_t* id;
            const char16_t* title;
            const char16_t* process;
            TraceOutcome outcome;
            int day;
            qint64 size;
            const char16_t* notes;
        };
        const Row rows[] = {
            { u"a", u"Startup of nginx", u"nginx", TraceOutcome::Succeeded, 3, 300, u"" },
            { u"b", u"GC pause", u"java", TraceOutcome::Failed, 10, 20, u"heap was full" },
            { u"c", u"Hot loop", u"server", TraceOutcome::Recovered, 20, 1000, u"" },
            { u"d", u"no date", u"server", TraceOutcome::External, 0, 5, u"" },
        };
        for (const Row& r : rows) {
            TraceMetadata m;
            m.id = QString::fromUtf16(r.id);
            m.title = QString::fromUtf16(r.title);
            m.processName = QString::fromUtf16(r.process);
            m.outcome = r.outcome;
            m.startTime = r.day ? day(r.day) : QDateTime();
            m.notes = QString::fromUtf16(r.notes);
            m.traceFile = m.id + u".fxt"_s;
            QFile sidecar(folder + u'/' + m.id + u".json"_s);
            QVERIFY(sidecar.open(QIODevice::WriteOnly));
            sidecar.write(m.toJsonBytes());
            QFile trace(folder + u'/' + m.traceFile);
            QVERIFY(trace.open(QIODevice::WriteOnly));
            trace.write(QByteArray(r.size, 'x'));
        }
        m_library = std::make_unique<TraceLibrary>(folder);
        m_library->setWatching(false);
        QString error;
        QVERIFY(m_library->load(&error));
        m_model.setLibrary(m_library.get());
        QCOMPARE(m_model.rowCount(), 4);
    }

    void filters_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<int>>("outcomes");
        QTest::addColumn<int>("fromDay");
        QTest::addColumn<int>("toDay");
        QTest::addColumn<QStringList>("expected");
        const QStringList all { u"Startup of nginx"_s, u"GC pause"_s, u"Hot loop"_s, u"no date"_s };
        QTest::newRow("nothing") << QString() << QList<int>() << 0 << 0 << all;
        QTest::newRow("word in title") << u"pause"_s << QList<int>() << 0 << 0 << QStringList { u"GC pause"_s };
        QTest::newRow("case-insensitive, process")
            << u"SERVER"_s << QList<int>() << 0 << 0 << QStringList { u"Hot loop"_s, u"no date"_s };
        QTest::newRow("every word") << u"server hot"_s << QList<int>() << 0 << 0 << QStringList { u"Hot loop"_s };
        QTest::newRow("notes") << u"heap"_s << QList<int>() << 0 << 0 << QStringList { u"GC pause"_s };
        QTest::newRow("outcome") << QString() << QList<int> { int(TraceOutcome::Failed), int(TraceOutcome::Recovered) }
                                 << 0 << 0 << QStringList { u"GC pause"_s, u"Hot loop"_s };
        QTest::newRow("from") << QString() << QList<int>() << 5 << 0 << QStringList { u"GC pause"_s, u"Hot loop"_s };
        QTest::newRow("range") << QString() << QList<int>() << 1 << 15
                               << QStringList { u"Startup of nginx"_s, u"GC pause"_s };
        QTest::newRow("all three") << u"g"_s << QList<int> { int(TraceOutcome::Succeeded) } << 1 << 5
                                   << QStringList { u"Startup of nginx"_s };
    }
    void filters()
    {
        QFETCH(QString, text);
        QFETCH(QList<int>, outcomes);
        QFETCH(int, fromDay);
        QFETCH(int, toDay);
        QFETCH(QStringList, expected);
        LibraryFilterModel filter;
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setSourceModel(&m_model);
        filter.setFilterText(text);
        QSet<TraceOutcome> set;
        for (int o : outcomes)
            set.insert(TraceOutcome(o));
        filter.setOutcomes(set);
        filter.setDateRange(fromDay ? day(fromDay) : QDateTime(), toDay ? day(toDay) : QDateTime());
        QCOMPARE(titles(filter), expected);
    }

    void sorting_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<QStringList>("ascending");
        QTest::newRow("title") << int(LibraryModel::Title)
                               << QStringList { u"GC pause"_s, u"Hot loop"_s, u"no date"_s, u"Startup of nginx"_s };
        QTest::newRow("size, numerically") << int(
            LibraryModel::Size) << QStringList { u"no date"_s, u"GC pause"_s, u"Startup of nginx"_s, u"Hot loop"_s };
        QTest::newRow("date") << int(LibraryModel::Date)
                              << QStringList { u"no date"_s, u"Startup of nginx"_s, u"GC pause"_s, u"Hot loop"_s };
    }
    void sorting()
    {
        QFETCH(int, column);
        QFETCH(QStringList, ascending);
        LibraryFilterModel filter;
        filter.setSourceModel(&m_model);
        filter.sort(column, Qt::AscendingOrder);
        QCOMPARE(titles(filter), ascending);
    }

    void liveUpdatesRespectTheFilter()
    {
        LibraryFilterModel filter;
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setSourceModel(&m_model);
        filter.setFilterText(u"renamed"_s);
        QCOMPARE(filter.rowCount(), 0);
        QString error;
        QVERIFY(m_library->setTitle(u"a"_s, u"renamed startup"_s, &error));
        QCOMPARE(titles(filter), QStringList { u"renamed startup"_s });
        QVERIFY(m_library->setTitle(u"a"_s, u"Startup of nginx"_s, &error));
        QCOMPARE(filter.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestLibraryFilterModel)
#include "tst_libraryfiltermodel.moc"
