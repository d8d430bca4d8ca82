// SPDX-License-Identifier: MIT
// TraceLibrary: recording life cycle, crash recovery, the folder watcher, editing, trash with undo, compression,
// import/export, read-only folders and files that vanish.
#include "librarytestutil.h"

#include "library/libraryindex.h"
#include "library/libraryjob.h"
#include "library/librarymodel.h"
#include "library/tracelibrary.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QProcess>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace LibraryTest;

namespace {
constexpr int slow = 20'000; // generous: two test programs may share a loaded 2-core machine

TraceMetadata request(const QString& process = u"myserver"_s)
{
    TraceMetadata m;
    m.processName = process;
    m.targetPid = 4242;
    m.commandLine = u"/usr/bin/myserver --port 80"_s;
    m.executable = u"/usr/bin/myserver"_s;
    m.user = u"jane"_s;
    m.mode = u"attach"_s;
    m.options = QJsonObject { { u"full-execution"_s, false }, { u"trigger"_s, u"foo"_s } };
    m.magicTraceArguments = QStringList { u"attach"_s, u"-p"_s, u"4242"_s };
    m.magicTraceVersion = u"v1.2.4"_s;
    return m;
}

qint64 deadPid()
{
    QProcess process;
    process.start(u"true"_s, QStringList());
    process.waitForFinished(slow);
    return process.processId() > 0 ? process.processId() : 999'999;
}
} // namespace

class TestTraceLibrary : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_home;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString folder() const { return m_dir->filePath(u"traces"_s); }
    QString inFolder(const QString& name) const { return folder() + u'/' + name; }

    void writeSidecar(const TraceMetadata& m) { QVERIFY(writeFile(inFolder(m.id + u".json"_s), m.toJsonBytes())); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_home.filePath(u"data"_s)));
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_home.filePath(u"config"_s)));
    }
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void defaultFolderFollowsXdg()
    {
        QVERIFY2(TraceLibrary::defaultFolder().startsWith(m_home.filePath(u"data"_s)),
            qPrintable(TraceLibrary::defaultFolder()));
        QVERIFY(TraceLibrary::defaultFolder().endsWith(u"/traces"_s));
        QCOMPARE(TraceLibrary::configuredFolder(), TraceLibrary::defaultFolder());
        TraceLibrary::setConfiguredFolder(folder());
        QCOMPARE(TraceLibrary::configuredFolder(), folder());
        TraceLibrary::setConfiguredFolder(QString());
        QCOMPARE(TraceLibrary::configuredFolder(), TraceLibrary::defaultFolder());
    }

    void recordingLifeCycle()
    {
        TraceLibrary library(folder());
        QString error;
        QVERIFY(library.load(&error));
        QSignalSpy added(&library, &TraceLibrary::entryAdded);
        QSignalSpy changed(&library, &TraceLibrary::entryChanged);
        const auto recording = library.beginRecording(request(), &error);
        QVERIFY2(recording, qPrintable(error));
        QCOMPARE(added.size(), 1);
        QVERIFY(recording->tracePath.startsWith(folder() + u'/'));
        QVERIFY(recording->tracePath.endsWith(u".fxt.gz"_s));
        QVERIFY(recording->id.contains(u"myserver"_s));
        // The sidecar exists before magic-trace starts, saying "recording".
        const auto onDisk = TraceMetadata::fromJsonBytes(readFile(inFolder(recording->id + u".json"_s)), &error);
        QVERIFY2(onDisk, qPrintable(error));
        QCOMPARE(onDisk->outcome, TraceOutcome::Recording);
        QCOMPARE(onDisk->recorderPid, QCoreApplication::applicationPid());
        QCOMPARE(onDisk->options, request().options);

        // Another library on the same folder while we record (the CLI, say) must not "recover" it.
        {
            TraceLibrary other(folder());
            QVERIFY(other.load(&error));
            QCOMPARE(other.entry(recording->id)->metadata.outcome, TraceOutcome::Recording);
        }

        // magic-trace writes the trace; the controller finishes.
        QVERIFY(writeCompressed(recording->tracePath, smallTrace(), KCompressionDevice::GZip));
        TraceLibrary::RecordingResult result;
        result.outcome = TraceOutcome::Succeeded;
        result.exitCode = 0;
        result.logText = u"[ Attaching to pid 4242 ]\n[ Got signal, detaching... ]\n"_s;
        result.endTime = onDisk->startTime.addSecs(3);
        QVERIFY2(library.finishRecording(recording->id, result, &error), qPrintable(error));
        QCOMPARE(changed.size(), 1);
        const TraceEntry entry = *library.entry(recording->id);
        QCOMPARE(entry.metadata.outcome, TraceOutcome::Succeeded);
        QCOMPARE(entry.metadata.exitCode, std::optional<int>(0));
        QCOMPARE(entry.metadata.durationMs, 3000);
        QCOMPARE(entry.metadata.format, u"gzip"_s);
        QCOMPARE(entry.metadata.traceProcesses, QStringList { u"myserver --port 80 [pid=4242]"_s });
        QCOMPARE(entry.metadata.recorderPid, 0);
        QCOMPARE(readFile(entry.logPath()), result.logText.toUtf8());
        QVERIFY(entry.diskUsage() > entry.metadata.fileSize);

        // Everything survives a restart.
        TraceLibrary again(folder());
        QVERIFY(again.load(&error));
        QCOMPARE(again.entry(recording->id)->metadata, entry.metadata);
    }

    void logFromFile()
    {
        TraceLibrary library(folder());
        QString error;
        QVERIFY(library.load(&error));
        const auto recording = library.beginRecording(request(), &error, TraceProbe::Compression::None);
        QVERIFY(recording);
        QVERIFY(recording->tracePath.endsWith(u".fxt"_s));
        const QString log = m_dir->filePath(u"external.log"_s);
        QVERIFY(writeFile(log, "line one\nline two\n"));
        TraceLibrary::RecordingResult result;
        result.outcome = TraceOutcome::Failed;
        result.exitCode = 1;
        result.logFilePath = log;
        QVERIFY(library.finishRecording(recording->id, result, &error));
        const TraceEntry entry = *library.entry(recording->id);
        QCOMPARE(entry.metadata.outcome, TraceOutcome::Failed);
        QCOMPARE(entry.metadata.fileSize, -1); // magic-trace wrote nothing
        QCOMPARE(readFile(entry.logPath()), QByteArray("line one\nline two\n"));
        QVERIFY(QFileInfo::exists(log)); // copied, not taken
    }

    void crashRecovery_data()
    {
        QTest::addColumn<QByteArray>("trace"); // "-" for no file
        QTest::addColumn<bool>("deadRecorder");
        QTest::addColumn<int>("expected");
        QTest::newRow("valid trace") << smallTrace() << true << int(TraceOutcome::Recovered);
        QTest::newRow("missing trace") << QByteArray("-") << true << int(TraceOutcome::Failed);
        QTest::newRow("empty trace") << QByteArray() << true << int(TraceOutcome::Failed);
        QTest::newRow("garbage") << QByteArray("not a trace at all") << true << int(TraceOutcome::Failed);
        QTest::newRow("recorder alive") << smallTrace() << false << int(TraceOutcome::Recording);
    }
    void crashRecovery()
    {
        QFETCH(QByteArray, trace);
        QFETCH(bool, deadRecorder);
        QFETCH(int, expected);
        QDir().mkpath(folder());
        TraceMetadata m = request();
        m.id = u"crashed"_s;
        m.traceFile = u"crashed.fxt"_s;
        m.outcome = TraceOutcome::Recording;
        m.startTime = QDateTime::currentDateTimeUtc().addSecs(-60);
        QProcess alive;
        if (deadRecorder) {
            m.recorderPid = deadPid();
        } else {
            alive.start(u"sleep"_s, { u"30"_s });
            QVERIFY(alive.waitForStarted(slow));
            m.recorderPid = alive.processId();
        }
        writeSidecar(m);
        if (trace != "-")
            QVERIFY(writeFile(inFolder(u"crashed.fxt"_s), trace));

        TraceLibrary library(folder());
        QString error;
        QVERIFY(library.load(&error));
        QCOMPARE(library.entries().size(), 1);
        const TraceEntry entry = library.entries().first();
        QCOMPARE(int(entry.metadata.outcome), expected);
        // Never deleted: the sidecar and whatever trace there was are still there.
        QVERIFY(QFileInfo::exists(inFolder(u"crashed.json"_s)));
        QCOMPARE(QFileInfo::exists(inFolder(u"crashed.fxt"_s)), trace != "-");
        // And the verdict was written down.
        QCOMPARE(int(TraceMetadata::fromJsonBytes(readFile(inFolder(u"crashed.json"_s)), &error)->outcome), expected);
        if (expected == int(TraceOutcome::Recovered)) {
            QCOMPARE(entry.metadata.format, u"fxt"_s);
            QVERIFY(entry.metadata.endTime.isValid());
        }
        if (alive.state() != QProcess::NotRunning) {
            alive.kill();
            alive.waitForFinished(slow);
        }
    }

    void foundFilesAreAdopted()
    {
        QDir().mkpath(folder());
        QVERIFY(writeCompressed(inFolder(u"trace.fxt.gz"_s), smallTrace(), KCompressionDevice::GZip));
        QVERIFY(writeFile(inFolder(u"trace.fxt.old"_s), smallTrace("old [pid=1]")));
        QVERIFY(writeFile(inFolder(u"notes.txt"_s), "not a trace"));
        TraceLibrary library(folder());
        QString error;
        QVERIFY(library.load(&error));
        QCOMPARE(library.entries().size(), 2);
        const QList<TraceEntry> entries = library.entries();
        const auto gz = std::find_if(entries.cbegin(), entries.cend(),
            [](const TraceEntry& e) { return e.metadata.traceFile == u"trace.fxt.gz"_s; });
        QVERIFY(gz != entries.cend());
        QCOMPARE(gz->metadata.format, u"gzip"_s);
        QCOMPARE(gz->metadata.processName, u"myserver --port 80"_s);
        QCOMPARE(gz->metadata.targetPid, 4242);
        QCOMPARE(gz->metadata.origin, u"discovered"_s);
        QCOMPARE(gz->metadata.outcome, TraceOutcome::External);
        QCOMPARE(gz->metadata.startTime, QDateTime::fromMSecsSinceEpoch(1650419113989, QTimeZone::UTC));
        QVERIFY(gz->hasSidecar);
        // Ids are unique even though both files share the base name.
        QVERIFY(entries.at(0).id() != entries.at(1).id());
        QVERIFY(gz->id() == u"trace"_s || gz->id() == u"trace-2"_s);
        // A second load finds the same entries, not new ones.
        TraceLibrary again(folder());
        QVERIFY(again.load(&error));
        QCOMPARE(again.entries().size(), 2);
    }

    void watcher()
    {
        TraceLibrary library(folder());
        QString error;
        QVERIFY(library.load(&error));
        QVERIFY(library.isWatching());
        QSignalSpy added(&library, &TraceLibrary::entryAdded);
        QSignalSpy changed(&library, &TraceLibrary::entryChanged);
        QSignalSpy removed(&library, &TraceLibrary::entryRemoved);

        // magic-trace run by hand in the folder.
        QVERIFY(writeFile(inFolder(u"by-hand.fxt"_s), smallTrace("by hand [pid=55]")));
        QTRY_COMPARE_WITH_TIMEOUT(added.size(), 1, slow);
        const TraceEntry entry = added.first().first().value<TraceEntry>();
        QCOMPARE(entry.metadata.processName, u"by hand"_s);
        QCOMPARE(entry.metadata.targetPid, 55);

        // Edited elsewhere (another instance): picked up.
        TraceMetadata m = entry.metadata;
        m.title = u"renamed elsewhere"_s;
        {
            QSaveFile file(inFolder(entry.id() + u".json"_s));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(m.toJsonBytes());
            QVERIFY(file.commit());
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            library.entry(entry.id()) && library.entry(entry.id())->metadata.title == m.title, slow);
        QVERIFY(!changed.isEmpty());

        // Deleted elsewhere.
        QVERIFY(QFile::remove(inFolder(entry.id() + u".json"_s)));
        QVERIFY(QFile::remove(inFolder(u"by-hand.fxt"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(removed.size(), 1, slow);
        QCOMPARE(removed.first().first().toString(), entry.id());
        QVERIFY(library.entries().isEmpty());
    }

    void loadAsync()
    {
        QDir().mkpath(folder());
        QVERIFY(writeFile(inFolder(u"a.fxt"_s), smallTrace()));
        TraceLibrary library(folder());
        QSignalSpy loaded(&library, &TraceLibrary::loaded);
        QSignalSpy added(&library, &TraceLibrary::entryAdded);
        library.loadAsync();
        QVERIFY(loaded.wait(slow));
        QCOMPARE(added.size(), 1);
        QVERIFY(library.isLoaded());
    }

    // The index file: taken as is while it matches the sidecars on disk, never trusted when it does not, and
    // never needed (damaged or missing, the sidecars are read and it is rebuilt).
    void index()
    {
        QDir().mkpath(folder());
        for (int i = 0; i < 4; ++i) {
            TraceMetadata m = request();
            m.id = u"t%1"_s.arg(i);
            m.title = u"title %1"_s.arg(i);
            m.traceFile = m.id + u".fxt"_s;
            writeSidecar(m);
            QVERIFY(writeFile(inFolder(m.traceFile), smallTrace()));
        }
        // Only sidecars unchanged for a while go into the index (a rewrite within one clock tick keeps a stamp).
        QTRY_VERIFY_WITH_TIMEOUT(FileStamp::of(inFolder(u"t3.json"_s)).isSettled(), slow);
        const QString indexPath = inFolder(LibraryIndex::fileName());
        QString error;
        {
            TraceLibrary library(folder());
            QVERIFY2(library.load(&error), qPrintable(error));
            QCOMPARE(library.entries().size(), 4);
        }
        auto index = LibraryIndex::read(folder(), &error);
        QVERIFY2(index, qPrintable(error));
        QCOMPARE(index->size(), 4);

        // Used: a record whose stamp matches is taken as is (shown with a title that only the index has).
        for (LibraryIndex::Record& record : *index) {
            if (record.metadata.id == u"t0"_s)
                record.metadata.title = u"from the index"_s;
        }
        QVERIFY2(LibraryIndex::write(folder(), *index, &error), qPrintable(error));
        // A sidecar edited behind our back, same size, modification time put back: still noticed (ctime).
        const QByteArray before = readFile(inFolder(u"t1.json"_s));
        QByteArray edited = before;
        edited.replace("title 1", "TITLE 1");
        QCOMPARE(edited.size(), before.size());
        const FileStamp stamp = FileStamp::of(inFolder(u"t1.json"_s));
        QVERIFY(writeFile(inFolder(u"t1.json"_s), edited));
        const struct timespec times[2]
            = { { 0, UTIME_OMIT }, { stamp.modifiedNs / 1'000'000'000, stamp.modifiedNs % 1'000'000'000 } };
        QCOMPARE(::utimensat(AT_FDCWD, QFile::encodeName(inFolder(u"t1.json"_s)).constData(), times, 0), 0);
        // An entry deleted behind our back.
        QVERIFY(QFile::remove(inFolder(u"t2.json"_s)));
        QVERIFY(QFile::remove(inFolder(u"t2.fxt"_s)));
        {
            TraceLibrary library(folder());
            QVERIFY(library.load(&error));
            QCOMPARE(library.entries().size(), 3);
            QCOMPARE(library.entry(u"t0"_s)->metadata.title, u"from the index"_s);
            QCOMPARE(library.entry(u"t1"_s)->metadata.title, u"TITLE 1"_s);
            QVERIFY(!library.entry(u"t2"_s));
            QCOMPARE(library.entry(u"t3"_s)->metadata.title, u"title 3"_s);
            QCOMPARE(
                library.entry(u"t3"_s)->metadata.fileSize, qint64(smallTrace().size())); // sizes come from the disk
        }
        // Brought up to date: t2 is gone, t1 stays out until its new version has settled.
        index = LibraryIndex::read(folder(), &error);
        QVERIFY2(index, qPrintable(error));
        QStringList ids;
        for (const LibraryIndex::Record& record : *index)
            ids.append(record.metadata.id);
        ids.sort();
        QCOMPARE(ids, QStringList({ u"t0"_s, u"t3"_s }));

        // Damaged, then missing: the sidecars are read and the index is rebuilt.
        for (const QByteArray& damage : { QByteArray("garbage"), QByteArray() }) {
            QFile::remove(indexPath);
            if (!damage.isEmpty())
                QVERIFY(writeFile(indexPath, damage));
            TraceLibrary library(folder());
            QVERIFY(library.load(&error));
            QCOMPARE(library.entries().size(), 3);
            QCOMPARE(library.entry(u"t0"_s)->metadata.title, u"title 0"_s);
            QCOMPARE(library.entry(u"t1"_s)->metadata.title, u"TITLE 1"_s);
            QVERIFY2(LibraryIndex::read(folder(), &error), qPrintable(error));
            QVERIFY(QFileInfo::exists(indexPath));
        }
        // The index is no entry of its own and no sidecar.
        TraceLibrary library(folder());
        QVERIFY(library.load(&error));
        for (const TraceEntry& entry : library.entries())
            QVERIFY(!entry.metadata.traceFile.startsWith(u'.'));
    }

    // Writes entries t0..t(count-1) (sidecar + trace), waits until their stamps can be trusted and loads them once,
    // which writes the index file.
    void makeIndexedLibrary(int count)
    {
        QDir().mkpath(folder());
        for (int i = 0; i < count; ++i) {
            TraceMetadata m = request();
            m.id = u"t%1"_s.arg(i);
            m.title = u"title %1"_s.arg(i);
            m.traceFile = m.id + u".fxt"_s;
            writeSidecar(m);
            QVERIFY(writeFile(inFolder(m.traceFile), smallTrace()));
        }
        QTRY_VERIFY_WITH_TIMEOUT(FileStamp::of(inFolder(u"t%1.json"_s.arg(count - 1))).isSettled(), slow);
        TraceLibrary library(folder());
        library.setWatching(false);
        QString error;
        QVERIFY2(library.load(&error), qPrintable(error));
        const auto index = LibraryIndex::read(folder(), &error);
        QVERIFY2(index, qPrintable(error));
        QCOMPARE(index->size(), count);
    }

    static QMap<QString, QString> titlesIn(const LibraryModel& model)
    {
        QMap<QString, QString> titles;
        for (int row = 0; row < model.rowCount(); ++row)
            titles.insert(model.idAt(row), model.index(row, LibraryModel::Title).data().toString());
        return titles;
    }

    // The UI's load: the list comes from the index file at once, then a worker checks it against the disk and the
    // model is corrected row by row (changed, removed, added), never reset.
    void indexFirstThenVerified()
    {
        makeIndexedLibrary(4);
        // Behind the index's back: t1's sidecar rewritten, t2 deleted, t3's trace grown, t4 new.
        TraceMetadata changed = TraceMetadata::fromJsonBytes(readFile(inFolder(u"t1.json"_s)), nullptr).value();
        changed.title = u"changed after the index was written"_s;
        QVERIFY(writeFile(inFolder(u"t1.json"_s), changed.toJsonBytes()));
        QVERIFY(QFile::remove(inFolder(u"t2.json"_s)));
        QVERIFY(QFile::remove(inFolder(u"t2.fxt"_s)));
        const QByteArray bigger = smallTrace("myserver --port 80 [pid=4242]", 128 * 1024);
        QVERIFY(writeFile(inFolder(u"t3.fxt"_s), bigger));
        TraceMetadata fresh = request();
        fresh.id = u"t4"_s;
        fresh.title = u"new"_s;
        fresh.traceFile = u"t4.fxt"_s;
        writeSidecar(fresh);
        QVERIFY(writeFile(inFolder(u"t4.fxt"_s), smallTrace()));

        TraceLibrary library(folder());
        library.setWatching(false);
        LibraryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLibrary(&library);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy dataChanged(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy listed(&library, &TraceLibrary::listed);
        QSignalSpy loaded(&library, &TraceLibrary::loaded);
        // What the user sees the moment the list is there.
        QMap<QString, QString> atListing;
        bool verifiedAtListing = true;
        qint64 t3SizeAtListing = 0;
        connect(&library, &TraceLibrary::listed, this, [&] {
            atListing = titlesIn(model);
            verifiedAtListing = library.isLoaded();
            t3SizeAtListing = library.entry(u"t3"_s) ? library.entry(u"t3"_s)->metadata.fileSize : 0;
        });
        library.loadAsync();
        QVERIFY(loaded.wait(slow));
        QCOMPARE(listed.size(), 1);
        QVERIFY(!verifiedAtListing);
        // Listed as the index had it (t2 still there, t1's old title, t3's old size) ...
        const QMap<QString, QString> expectedAtListing { { u"t0"_s, u"title 0"_s }, { u"t1"_s, u"title 1"_s },
            { u"t2"_s, u"title 2"_s }, { u"t3"_s, u"title 3"_s } };
        QCOMPARE(atListing, expectedAtListing);
        QCOMPARE(t3SizeAtListing, qint64(smallTrace().size()));
        // ... then corrected: changed, removed and added, row by row.
        const QMap<QString, QString> expected { { u"t0"_s, u"title 0"_s },
            { u"t1"_s, u"changed after the index was written"_s }, { u"t3"_s, u"title 3"_s }, { u"t4"_s, u"new"_s } };
        QCOMPARE(titlesIn(model), expected);
        QCOMPARE(library.entry(u"t3"_s)->metadata.fileSize, qint64(bigger.size()));
        QCOMPARE(model.index(model.indexOf(u"t3"_s).row(), 0).data(LibraryModel::EntryRole).value<TraceEntry>(),
            *library.entry(u"t3"_s));
        QCOMPARE(reset.size(), 0);
        QCOMPARE(inserted.size(), 2); // the listing at once, then t4
        QCOMPARE(removed.size(), 1);
        QCOMPARE(dataChanged.size(), 2); // t1 and t3
        QCOMPARE(model.totalDiskUsage(), library.totalDiskUsage());
        QVERIFY(library.isListed() && library.isLoaded());

        // The index no longer lists t2 (t1 and t4 join it once their new sidecars have settled).
        QString error;
        const auto index = LibraryIndex::read(folder(), &error);
        QVERIFY2(index, qPrintable(error));
        QStringList ids;
        for (const LibraryIndex::Record& record : *index)
            ids.append(record.metadata.id);
        ids.sort();
        QCOMPARE(ids, QStringList({ u"t0"_s, u"t3"_s }));

        // Once everything is settled and indexed, a trace that only changed size still gets the index rewritten,
        // so that the next listing does not show the old size again.
        QTRY_VERIFY_WITH_TIMEOUT(FileStamp::of(inFolder(u"t4.json"_s)).isSettled(), slow);
        {
            TraceLibrary settled(folder());
            settled.setWatching(false);
            QVERIFY2(settled.load(&error), qPrintable(error));
        }
        QCOMPARE(LibraryIndex::read(folder(), &error)->size(), 4);
        const QByteArray grown = smallTrace("myserver --port 80 [pid=4242]", 256 * 1024);
        QVERIFY(writeFile(inFolder(u"t0.fxt"_s), grown));
        {
            TraceLibrary again(folder());
            again.setWatching(false);
            QVERIFY2(again.load(&error), qPrintable(error));
        }
        const auto updated = LibraryIndex::read(folder(), &error);
        QVERIFY2(updated, qPrintable(error));
        QCOMPARE(updated->size(), 4);
        for (const LibraryIndex::Record& record : *updated) {
            if (record.metadata.id == u"t0"_s)
                QCOMPARE(record.metadata.fileSize, qint64(grown.size()));
        }
    }

    // Whatever happened to the index file, the load falls back to reading every sidecar, lists everything once
    // (listed() just before loaded()) and writes a good index again.
    void damagedIndexFallsBackToTheScan_data()
    {
        QTest::addColumn<int>("damage");
        QTest::newRow("truncated in the header") << 0;
        QTest::newRow("truncated in a record") << 1;
        QTest::newRow("a byte flipped in a record") << 2;
        QTest::newRow("more records claimed than held") << 3;
        QTest::newRow("empty file") << 4;
        QTest::newRow("garbage") << 5;
        // Every record readable, only the checksum wrong: the damage shows after all records were decoded.
        QTest::newRow("checksum mismatch") << 6;
    }
    void damagedIndexFallsBackToTheScan()
    {
        QFETCH(int, damage);
        makeIndexedLibrary(3);
        const QString indexPath = inFolder(LibraryIndex::fileName());
        {
            // Titles only the index has: if any record of the damaged file were used, it would show.
            QString error;
            auto records = LibraryIndex::read(folder(), &error).value();
            for (LibraryIndex::Record& record : records)
                record.metadata.title = u"from the damaged index"_s;
            QVERIFY2(LibraryIndex::write(folder(), records, &error), qPrintable(error));
        }
        QByteArray bytes = readFile(indexPath);
        QVERIFY(bytes.size() > LibraryIndex::headerSize + 100);
        switch (damage) {
        case 0:
            bytes.truncate(20);
            break;
        case 1:
            bytes.chop(100);
            break;
        case 2:
            bytes[bytes.size() / 2] = char(bytes.at(bytes.size() / 2) ^ 0x5a);
            break;
        case 3: {
            // A consistent-looking file that claims one record more than it holds.
            QString error;
            auto records = LibraryIndex::read(folder(), &error).value();
            records.removeLast();
            const QByteArray shorter = LibraryIndex::encode(records);
            bytes = shorter;
            const quint32 count = qToLittleEndian(quint32(3));
            std::memcpy(bytes.data() + 12, &count, 4);
            break;
        }
        case 4:
            bytes.clear();
            break;
        case 6:
            bytes[24] = char(bytes.at(24) ^ 0x01);
            break;
        default:
            bytes = QByteArray(4096, '\x7f');
        }
        QVERIFY(writeFile(indexPath, bytes));

        TraceLibrary library(folder());
        library.setWatching(false);
        LibraryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLibrary(&library);
        QSignalSpy listed(&library, &TraceLibrary::listed);
        QSignalSpy loaded(&library, &TraceLibrary::loaded);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QMap<QString, QString> titlesWhenListed;
        connect(&library, &TraceLibrary::listed, this, [&] { titlesWhenListed = titlesIn(model); });
        library.loadAsync();
        QVERIFY(loaded.wait(slow));
        QCOMPARE(listed.size(), 1);
        QCOMPARE(inserted.size(), 1);
        const QMap<QString, QString> expected { { u"t0"_s, u"title 0"_s }, { u"t1"_s, u"title 1"_s },
            { u"t2"_s, u"title 2"_s } };
        QCOMPARE(titlesWhenListed, expected);
        QCOMPARE(titlesIn(model), expected);
        QString error;
        const auto index = LibraryIndex::read(folder(), &error);
        QVERIFY2(index, qPrintable(error));
        QCOMPARE(index->size(), 3);
    }

    // An edit made while the list is shown from the index but not yet verified starts from the sidecar on disk:
    // a change someone else made after the index was written survives it.
    void editDuringTheListingKeepsAnOutsideEdit()
    {
        makeIndexedLibrary(2);
        TraceMetadata outside = TraceMetadata::fromJsonBytes(readFile(inFolder(u"t1.json"_s)), nullptr).value();
        outside.notes = u"written elsewhere"_s;
        QVERIFY(writeFile(inFolder(u"t1.json"_s), outside.toJsonBytes()));

        TraceLibrary library(folder());
        library.setWatching(false);
        QSignalSpy loaded(&library, &TraceLibrary::loaded);
        bool listedFromIndex = false;
        bool renamed = false;
        connect(&library, &TraceLibrary::listed, this, [&] {
            listedFromIndex = !library.isLoaded() && library.entry(u"t1"_s)->metadata.notes.isEmpty();
            QString error;
            renamed = library.setTitle(u"t1"_s, u"renamed during the listing"_s, &error);
        });
        library.loadAsync();
        QVERIFY(loaded.wait(slow));
        QVERIFY(listedFromIndex);
        QVERIFY(renamed);
        QString error;
        const auto onDisk = TraceMetadata::fromJsonBytes(readFile(inFolder(u"t1.json"_s)), &error);
        QVERIFY2(onDisk, qPrintable(error));
        QCOMPARE(onDisk->title, u"renamed during the listing"_s);
        QCOMPARE(onDisk->notes, u"written elsewhere"_s);
        QCOMPARE(library.entry(u"t1"_s)->metadata.title, u"renamed during the listing"_s);
        QCOMPARE(library.entry(u"t1"_s)->metadata.notes, u"written elsewhere"_s);
    }

    // A rescan asked for while the list is shown but not yet verified is not lost, and nothing is listed twice.
    void rescanDuringTheListing()
    {
        makeIndexedLibrary(2);
        TraceLibrary library(folder());
        library.setWatching(false);
        QSignalSpy added(&library, &TraceLibrary::entryAdded);
        QSignalSpy loaded(&library, &TraceLibrary::loaded);
        QSignalSpy rescanned(&library, &TraceLibrary::rescanned);
        connect(&library, &TraceLibrary::listed, this, [&] {
            TraceMetadata late = request();
            late.id = u"late"_s;
            late.traceFile = u"late.fxt"_s;
            writeSidecar(late);
            QVERIFY(writeFile(inFolder(u"late.fxt"_s), smallTrace()));
            library.rescan();
        });
        library.loadAsync();
        QVERIFY(loaded.wait(slow));
        QTRY_VERIFY_WITH_TIMEOUT(library.entry(u"late"_s).has_value(), slow);
        QCOMPARE(library.entries().size(), 3);
        QCOMPARE(added.size(), 3);
    }

    // A "recording" entry that comes from the index is recovered like one read from its sidecar.
    void crashRecoveryFromIndex()
    {
        QDir().mkpath(folder());
        TraceMetadata m = request();
        m.id = u"crashed"_s;
        m.traceFile = u"crashed.fxt"_s;
        m.outcome = TraceOutcome::Recording;
        m.recorderPid = deadPid();
        writeSidecar(m);
        QVERIFY(writeFile(inFolder(u"crashed.fxt"_s), smallTrace()));
        FileStamp stamp = FileStamp::of(inFolder(u"crashed.json"_s));
        stamp.seenNs = stamp.changedNs + 60'000'000'000; // as if indexed long after it was written
        QString error;
        QVERIFY(LibraryIndex::write(folder(), { { stamp, m } }, &error));
        TraceLibrary library(folder());
        QVERIFY(library.load(&error));
        QCOMPARE(library.entries().size(), 1);
        QCOMPARE(library.entries().first().metadata.outcome, TraceOutcome::Recovered);
        QCOMPARE(TraceMetadata::fromJsonBytes(readFile(inFolder(u"crashed.json"_s)), &error)->outcome,
            TraceOutcome::Recovered);
    }

    void brokenSidecarIsReportedAndLeftAlone()
    {
        QDir().mkpath(folder());
        QVERIFY(writeFile(inFolder(u"broken.json"_s), "{ this is not json"));
        TraceLibrary library(folder());
        QSignalSpy problems(&library, &TraceLibrary::problem);
        QString error;
        QVERIFY(library.load(&error));
        QCOMPARE(problems.size(), 1);
        QVERIFY(problems.first().first().toString().contains(u"broken.json"_s));
        QCOMPARE(readFile(inFolder(u"broken.json"_s)), QByteArray("{ this is not json"));
    }

    void editing()
    {
        TraceLibrary library(folder());
        QString error;
        QVERIFY(library.load(&error));
        const auto recording = library.beginRecording(request(), &error);
        QVERIFY(recording);
        QVERIFY(library.setTitle(recording->id, u"  slow startup  "_s, &error));
        QVERIFY(library.setNotes(recording->id, u"GC pauses\nsecond line"_s, &error));
        QVERIFY(library.setTags(recording->id, { u"prod"_s, u" gc "_s, u"prod"_s, u""_s }, &error));
        QVERIFY(!library.setTitle(u"no-such-id"_s, u"x"_s, &error));
        QVERIFY(error.contains(u"no-such-id"_s));
        TraceLibrary again(folder());
        QVERIFY(again.load(&error));
        const TraceMetadata m = again.entry(recording->id)->metadata;
        QCOMPARE(m.title, u"slow startup"_s);
        QCOMPARE(m.notes, u"GC pauses\nsecond line"_s);
        QCOMPARE(m.tags, (QStringList { u"prod"_s, u"gc"_s }));
    }

    void removeAndRestore()
    {
        TraceLibrary library(folder());
        QString error;
        QVERIFY(library.load(&error));
        const auto recording = library.beginRecording(request(), &error);
        QVERIFY(writeCompressed(recording->tracePath, smallTrace(), KCompressionDevice::GZip));
        QVERIFY(library.finishRecording(
            recording->id, { TraceOutcome::Succeeded, 0, 0, {}, u"log"_s, {}, {}, {} }, &error));
        // Not while it is being recorded.
        const auto busy = library.beginRecording(request(), &error);
        QVERIFY(!library.remove(busy->id, &error));

        QSignalSpy removedSpy(&library, &TraceLibrary::entryRemoved);
        QSignalSpy batchSpy(&library, &TraceLibrary::entriesRemoved);
        const QByteArray traceBytes = readFile(recording->tracePath);
        const auto removed = library.remove(recording->id, &error);
        QVERIFY2(removed, qPrintable(error));
        QCOMPARE(removedSpy.size(), 1);
        QCOMPARE(batchSpy.size(), 1); // the model listens to this one
        QCOMPARE(batchSpy.first().first().toStringList(), QStringList { recording->id });
        QCOMPARE(removed->files.size(), 3); // trace, log, sidecar
        QVERIFY(!QFileInfo::exists(recording->tracePath));
        QVERIFY(!library.entry(recording->id));
        for (const auto& [original, inTrash] : removed->files)
            QVERIFY2(QFileInfo::exists(inTrash), qPrintable(inTrash));

        QSignalSpy addedSpy(&library, &TraceLibrary::entryAdded);
        QVERIFY2(library.restore(*removed, &error), qPrintable(error));
        QCOMPARE(addedSpy.size(), 1);
        QCOMPARE(readFile(recording->tracePath), traceBytes);
        QCOMPARE(library.entry(recording->id)->metadata.outcome, TraceOutcome::Succeeded);
        for (const auto& [original, inTrash] : removed->files) {
            QVERIFY(!QFileInfo::exists(inTrash));
            QVERIFY(!QFileInfo::exists(
                QFileInfo(inTrash).dir().filePath(u"../info/"_s + QFileInfo(inTrash).fileName() + u".trashinfo"_s)));
        }

        // Undo refuses to overwrite a file that came back meanwhile.
        const auto again = library.remove(recording->id, &error);
        QVERIFY(again);
        QVERIFY(writeFile(recording->tracePath, "new file, same name"));
        QVERIFY(!library.restore(*again, &error));
        QCOMPARE(readFile(recording->tracePath), QByteArray("new file, same name"));
    }

    void compressInPlace()
    {
        TraceLibrary library(folder());
        QString error;
        QVERIFY(library.load(&error));
        const auto recording = library.beginRecording(request(), &error, TraceProbe::Compression::None);
        const QByteArray fxt = smallTrace();
        QVERIFY(writeFile(recording->tracePath, fxt));
        QVERIFY(library.finishRecording(recording->id, {}, &error));
        QVERIFY2(library.compressNow(recording->id, TraceProbe::Compression::Zstd, nullptr, &error), qPrintable(error));
        const TraceEntry entry = *library.entry(recording->id);
        QCOMPARE(entry.metadata.format, u"zstd"_s);
        QVERIFY(entry.metadata.traceFile.endsWith(u".fxt.zst"_s));
        QVERIFY(!QFileInfo::exists(recording->tracePath)); // replaced
        QCOMPARE(readDecompressed(entry.tracePath()), fxt);
        QVERIFY(!library.compressNow(recording->id, TraceProbe::Compression::Zstd, nullptr, &error));
        QVERIFY(error.contains(u"already"_s));
        // And back to raw FXT.
        QVERIFY(library.compressNow(recording->id, TraceProbe::Compression::None, nullptr, &error));
        QCOMPARE(readFile(library.entry(recording->id)->tracePath()), fxt);
        TraceLibrary again(folder());
        QVERIFY(again.load(&error));
        QCOMPARE(again.entries().size(), 1); // no stray entry for the replaced file
    }

    void compressJobAndCancel()
    {
        TraceLibrary library(folder());
        QString error;
        QVERIFY(library.load(&error));
        const auto recording = library.beginRecording(request(), &error, TraceProbe::Compression::None);
        const QByteArray fxt = smallTrace("x", 12 * 1024 * 1024);
        QVERIFY(writeFile(recording->tracePath, fxt));
        QVERIFY(library.finishRecording(recording->id, {}, &error));

        LibraryJob* cancelled = library.startCompress(recording->id, TraceProbe::Compression::Xz);
        QSignalSpy cancelledDone(cancelled, &LibraryJob::finished);
        cancelled->cancel();
        QVERIFY(cancelledDone.wait(slow));
        QCOMPARE(cancelledDone.first().first().toBool(), false);
        QCOMPARE(readFile(recording->tracePath), fxt);
        QCOMPARE(library.entry(recording->id)->metadata.format, u"fxt"_s);
        delete cancelled;

        LibraryJob* job = library.startCompress(recording->id, TraceProbe::Compression::GZip);
        QSignalSpy progress(job, &LibraryJob::progress);
        QSignalSpy finished(job, &LibraryJob::finished);
        QSignalSpy changed(&library, &TraceLibrary::entryChanged);
        QVERIFY(finished.wait(60'000));
        QVERIFY2(finished.first().first().toBool(), qPrintable(finished.first().at(1).toString()));
        QVERIFY(!progress.isEmpty());
        QVERIFY(!changed.isEmpty());
        QCOMPARE(library.entry(recording->id)->metadata.format, u"gzip"_s);
        QCOMPARE(readDecompressed(library.entry(recording->id)->tracePath()), fxt);
    }

    void exportAndImport()
    {
        TraceLibrary library(folder());
        QString error;
        QVERIFY(library.load(&error));
        const auto recording = library.beginRecording(request(), &error);
        QVERIFY(writeCompressed(recording->tracePath, smallTrace(), KCompressionDevice::GZip));
        QVERIFY(library.finishRecording(
            recording->id, { TraceOutcome::Succeeded, 0, 0, {}, u"the log"_s, {}, {}, {} }, &error));
        QVERIFY(library.setTags(recording->id, { u"shared"_s }, &error));
        const QString bundle = m_dir->filePath(u"share.tar.zst"_s);
        QVERIFY2(library.exportNow(recording->id, bundle, nullptr, &error), qPrintable(error));
        QVERIFY(!library.exportNow(recording->id, m_dir->filePath(u"share.rar"_s), nullptr, &error));

        // Into another library: everything comes along.
        TraceLibrary other(m_dir->filePath(u"other"_s));
        QVERIFY(other.load(&error));
        const auto id = other.importNow(bundle, nullptr, &error);
        QVERIFY2(id, qPrintable(error));
        QCOMPARE(*id, recording->id);
        const TraceEntry imported = *other.entry(*id);
        QCOMPARE(imported.metadata.tags, QStringList { u"shared"_s });
        QCOMPARE(imported.metadata.origin, u"imported"_s);
        QCOMPARE(readFile(imported.tracePath()), readFile(recording->tracePath));
        QCOMPARE(readFile(imported.logPath()), QByteArray("the log"));
        // Again: a new id, nothing overwritten.
        const auto second = other.importNow(bundle, nullptr, &error);
        QVERIFY(second);
        QVERIFY(*second != *id);
        QCOMPARE(other.entries().size(), 2);

        // A loose file, compressed or not; a file already in the library is refused.
        const QString loose = m_dir->filePath(u"loose.fxt.zst"_s);
        QVERIFY(writeCompressed(loose, smallTrace("loose [pid=3]"), KCompressionDevice::Zstd));
        const auto looseId = other.importNow(loose, nullptr, &error);
        QVERIFY2(looseId, qPrintable(error));
        QCOMPARE(other.entry(*looseId)->metadata.format, u"zstd"_s);
        QCOMPARE(other.entry(*looseId)->metadata.processName, u"loose"_s);
        QVERIFY(QFileInfo::exists(loose));
        QVERIFY(!other.importNow(other.entry(*looseId)->tracePath(), nullptr, &error));
        QVERIFY(!other.importNow(m_dir->filePath(u"no-such-file"_s), nullptr, &error));
        const QString text = m_dir->filePath(u"text.fxt"_s);
        QVERIFY(writeFile(text, "just text"));
        QVERIFY(!other.importNow(text, nullptr, &error));
        QVERIFY(error.contains(u"neither"_s));

        // The job form.
        LibraryJob* job = other.startImport(bundle);
        QSignalSpy finished(job, &LibraryJob::finished);
        QVERIFY(finished.wait(slow));
        QVERIFY(finished.first().first().toBool());
        QVERIFY(other.entry(job->result().value));
    }

    void readOnlyFolder()
    {
        QDir().mkpath(folder());
        TraceMetadata m = request();
        m.id = u"kept"_s;
        m.traceFile = u"kept.fxt"_s;
        m.outcome = TraceOutcome::Succeeded;
        writeSidecar(m);
        QVERIFY(writeFile(inFolder(u"kept.fxt"_s), smallTrace()));
        QVERIFY(writeFile(inFolder(u"dropped.fxt"_s), smallTrace("dropped [pid=8]")));
        QVERIFY(QFile::setPermissions(folder(), QFile::ReadOwner | QFile::ExeOwner));
        {
            PermissionChecksEnforced enforced;
            if (!enforced.effective())
                QSKIP("running as root without the capability to drop CAP_DAC_OVERRIDE");
            TraceLibrary library(folder());
            QSignalSpy problems(&library, &TraceLibrary::problem);
            QString error;
            QVERIFY(library.load(&error));
            QCOMPARE(library.entries().size(), 2); // the dropped file shows, without a sidecar
            QVERIFY(!problems.isEmpty());
            const auto dropped = library.entry(u"dropped.fxt"_s);
            QVERIFY(dropped);
            QVERIFY(!dropped->hasSidecar);
            QCOMPARE(dropped->metadata.processName, u"dropped"_s);
            QVERIFY(!library.setTitle(u"kept"_s, u"new"_s, &error));
            QVERIFY(!error.isEmpty());
            QVERIFY(!library.beginRecording(request(), &error));
            QVERIFY(!library.compressNow(u"kept"_s, TraceProbe::Compression::GZip, nullptr, &error));
            QVERIFY(!library.importNow(m_dir->filePath(u"x.fxt"_s), nullptr, &error));
        }
        QFile::setPermissions(folder(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QCOMPARE(readFile(inFolder(u"kept.fxt"_s)), smallTrace());
        QCOMPARE(TraceMetadata::fromJsonBytes(readFile(inFolder(u"kept.json"_s)), nullptr)->title, m.title);
    }

    void traceVanishes()
    {
        TraceLibrary library(folder());
        QString error;
        QVERIFY(library.load(&error));
        library.setWatching(false);
        const auto recording = library.beginRecording(request(), &error, TraceProbe::Compression::None);
        QVERIFY(writeFile(recording->tracePath, smallTrace()));
        QVERIFY(library.finishRecording(recording->id, {}, &error));
        QVERIFY(QFile::remove(recording->tracePath));
        QVERIFY(!library.compressNow(recording->id, TraceProbe::Compression::Zstd, nullptr, &error));
        QVERIFY(!library.exportNow(recording->id, m_dir->filePath(u"x.zip"_s), nullptr, &error));
        QVERIFY(!QFileInfo::exists(m_dir->filePath(u"x.zip"_s)));
        // On the next scan the entry stays, marked as missing (never silently dropped).
        QSignalSpy rescanned(&library, &TraceLibrary::rescanned);
        library.rescan();
        QVERIFY(rescanned.wait(slow));
        QVERIFY(library.entry(recording->id));
        QVERIFY(!library.entry(recording->id)->traceExists());
    }
};

QTEST_GUILESS_MAIN(TestTraceLibrary)
#include "tst_tracelibrary.moc"
