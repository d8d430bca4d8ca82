// SPDX-License-Identifier: MIT
// LibraryModel follows TraceLibrary row by row (no resets after the first fill) and keeps the disk total.
#include "librarytestutil.h"

#include "library/librarymodel.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace LibraryTest;

class TestLibraryModel : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    TraceMetadata request(const QString& process)
    {
        TraceMetadata m;
        m.processName = process;
        m.targetPid = 100;
        m.startTime = QDateTime(QDate(2026, 3, 1), QTime(12, 0), QTimeZone::UTC);
        return m;
    }

    // A new folder in the test directory with `count` small traces t0.fxt, t1.fxt, …; empty when writing failed.
    QString folderOfTraces(const QString& name, int count)
    {
        const QString folder = m_dir.filePath(name);
        QDir().mkpath(folder);
        for (int i = 0; i < count; ++i) {
            if (!writeFile(folder + u"/t%1.fxt"_s.arg(i), smallTrace()))
                return {};
        }
        return folder;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_dir.filePath(u"data"_s)));
    }

    // A load adds all its entries in one insertion (10,000 single-row inserts would stall a sorted view).
    void aLoadIsInsertedAtOnce()
    {
        const QString folder = folderOfTraces(u"batch"_s, 30);
        QVERIFY(!folder.isEmpty());
        TraceLibrary library(folder);
        library.setWatching(false);
        LibraryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLibrary(&library);
        QCOMPARE(model.rowCount(), 0);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy loaded(&library, &TraceLibrary::loaded);
        library.loadAsync();
        QVERIFY(loaded.wait(20'000));
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model.rowCount(), 30);
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(model.indexOf(model.idAt(row)).row(), row);
        QCOMPARE(model.totalDiskUsage(), library.totalDiskUsage());
    }

    void followsTheLibraryIncrementally()
    {
        const QString folder = m_dir.filePath(u"incremental"_s);
        QDir().mkpath(folder);
        QVERIFY(writeFile(folder + u"/first.fxt"_s, smallTrace("first [pid=1]")));
        TraceLibrary library(folder);
        library.setWatching(false);
        QString error;
        QVERIFY(library.load(&error));

        LibraryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy total(&model, &LibraryModel::totalDiskUsageChanged);
        model.setLibrary(&library);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.columnCount(), int(LibraryModel::ColumnCount));
        QCOMPARE(model.totalDiskUsage(), library.totalDiskUsage());
        QVERIFY(model.totalDiskUsage() > 0);

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        const auto recording = library.beginRecording(request(u"server"_s), &error, TraceProbe::Compression::None);
        QVERIFY(recording);
        QCOMPARE(inserted.size(), 1);
        const QModelIndex row = model.indexOf(recording->id);
        QVERIFY(row.isValid());
        QCOMPARE(model.data(row.siblingAtColumn(LibraryModel::Outcome)).toString(), u"Recording"_s);
        QCOMPARE(model.data(row.siblingAtColumn(LibraryModel::Size)).toString(), u"missing"_s);
        QCOMPARE(model.data(row.siblingAtColumn(LibraryModel::Process)).toString(), u"server (100)"_s);

        QVERIFY(writeFile(recording->tracePath, smallTrace()));
        TraceLibrary::RecordingResult result;
        result.endTime = request(u""_s).startTime.addMSecs(1500);
        QVERIFY(library.finishRecording(recording->id, result, &error));
        QVERIFY(!changed.isEmpty());
        QCOMPARE(model.data(row.siblingAtColumn(LibraryModel::Outcome)).toString(), u"Succeeded"_s);
        QCOMPARE(model.data(row.siblingAtColumn(LibraryModel::Duration)).toString(), u"1.50 s"_s);
        QCOMPARE(model.data(row.siblingAtColumn(LibraryModel::Format)).toString(), u"FXT"_s);
        QCOMPARE(model.data(row, LibraryModel::SortRole).toString(), model.data(row).toString().toLower());
        QCOMPARE(model.data(row.siblingAtColumn(LibraryModel::Size), LibraryModel::SortRole).toLongLong(),
            library.entry(recording->id)->metadata.fileSize);

        QVERIFY(library.setTags(recording->id, { u"b"_s, u"a"_s }, &error));
        QCOMPARE(model.data(row.siblingAtColumn(LibraryModel::Tags)).toString(), u"b, a"_s);
        QCOMPARE(model.data(row, LibraryModel::TagsRole).toStringList(), (QStringList { u"b"_s, u"a"_s }));
        QVERIFY(model.data(row, LibraryModel::SearchTextRole).toString().contains(u"server"_s));
        QCOMPARE(model.data(row, LibraryModel::EntryRole).value<TraceEntry>().id(), recording->id);
        QCOMPARE(model.totalDiskUsage(), library.totalDiskUsage());

        const QString firstId = model.idAt(0);
        QVERIFY(library.remove(firstId, &error));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.indexOf(recording->id).row(), 0);
        QVERIFY(!model.indexOf(firstId).isValid());
        QCOMPARE(model.totalDiskUsage(), library.totalDiskUsage());
        QVERIFY(!total.isEmpty());
        QCOMPARE(resets.size(), 0);
    }

    void watcherDrivenUpdatesAreIncremental()
    {
        const QString folder = m_dir.filePath(u"watched"_s);
        TraceLibrary library(folder);
        QString error;
        QVERIFY(library.load(&error));
        LibraryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLibrary(&library);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        for (int i = 0; i < 5; ++i)
            QVERIFY(writeFile(folder + u"/t%1.fxt"_s.arg(i), smallTrace("p [pid=3]")));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 5, 20'000);
        QVERIFY(QFile::remove(folder + u"/t2.fxt"_s));
        QVERIFY2(QFile::remove(folder + u"/t2.json"_s), qPrintable(QDir(folder).entryList().join(u' ')));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 4, 20'000);
        QCOMPARE(resets.size(), 0);
    }

    // Entries that vanish from the folder together leave in one removal per run of adjacent rows, not one row
    // at a time (a folder emptied by hand would renumber every later row once per entry).
    void vanishedEntriesLeaveByRuns_data()
    {
        QTest::addColumn<QList<int>>("vanish");
        QTest::addColumn<int>("removals");
        QTest::newRow("all") << QList<int> { 0, 1, 2, 3, 4, 5, 6, 7 } << 1;
        QTest::newRow("one run in the middle") << QList<int> { 2, 3, 4 } << 1;
        QTest::newRow("scattered") << QList<int> { 0, 2, 3, 7 } << 3;
        QTest::newRow("none") << QList<int> {} << 0;
    }
    void vanishedEntriesLeaveByRuns()
    {
        QFETCH(QList<int>, vanish);
        QFETCH(int, removals);
        const QString folder = folderOfTraces(u"vanish-%1"_s.arg(QString::fromLatin1(QTest::currentDataTag())), 8);
        QVERIFY(!folder.isEmpty());
        TraceLibrary library(folder);
        library.setWatching(false);
        QString error;
        QVERIFY(library.load(&error));
        LibraryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLibrary(&library);
        QCOMPARE(model.rowCount(), 8);
        QStringList gone;
        for (int row : std::as_const(vanish)) {
            const TraceEntry entry = model.data(model.index(row, 0), LibraryModel::EntryRole).value<TraceEntry>();
            gone.append(entry.id());
            QVERIFY(QFile::remove(entry.tracePath()));
            QVERIFY(QFile::remove(entry.sidecarPath()));
        }
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy rescanned(&library, &TraceLibrary::rescanned);
        library.rescan();
        QVERIFY(rescanned.wait(20'000));
        QCOMPARE(removed.size(), removals);
        QCOMPARE(model.rowCount(), 8 - int(vanish.size()));
        for (const QString& id : std::as_const(gone))
            QVERIFY(!model.indexOf(id).isValid());
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(model.indexOf(model.idAt(row)).row(), row);
        QCOMPARE(model.totalDiskUsage(), library.totalDiskUsage());
    }

    void headers()
    {
        LibraryModel model;
        QCOMPARE(model.headerData(LibraryModel::Title, Qt::Horizontal).toString(), u"Title"_s);
        QCOMPARE(model.headerData(LibraryModel::Tags, Qt::Horizontal).toString(), u"Tags"_s);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestLibraryModel)
#include "tst_librarymodel.moc"
