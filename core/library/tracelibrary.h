// SPDX-License-Identifier: MIT
#pragma once

#include "library/bundle.h"
#include "library/jobcontrol.h"
#include "library/libraryindex.h"
#include "library/traceentrytable.h"
#include "library/tracemetadata.h"
#include "library/traceprobe.h"

#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>
#include <optional>

class LibraryJob;

// The traces folder: one entry per trace = trace file + "<id>.json" sidecar (written atomically) + "<id>.log".
// Files that appear in the folder by other means (by hand, or magic-trace run outside the app) are adopted
// with metadata read from the file. Entries left "recording" by a crash are recovered on load. Nothing is ever
// deleted except by remove(), which moves files to the desktop trash and can be undone with restore().
//
// Threading: the object lives on one thread (the UI thread in the app). load() and the *Now functions block
// and are meant for the command line and tests; the UI uses loadAsync() and the start* jobs, which do their
// I/O on worker threads. Small sidecar writes (title, notes, tags) happen on the calling thread.
class TraceLibrary : public QObject
{
    Q_OBJECT
public:
    explicit TraceLibrary(const QString& folder, QObject* parent = nullptr);
    ~TraceLibrary() override;

    // $XDG_DATA_HOME/<org>/<app>/traces (QStandardPaths::AppLocalDataLocation + "/traces").
    static QString defaultFolder();
    // The folder chosen in the settings (QSettings key "library/folder"), else defaultFolder().
    static QString configuredFolder();
    static void setConfiguredFolder(const QString& folder);

    QString folder() const { return m_folder; }

    // Creates the folder if needed, lists the entries the index file knows (listed()), then checks every one
    // against the disk: reads changed and new sidecars, drops vanished entries, adopts new files, recovers
    // crashed recordings (loaded()). Blocks until all of that is done.
    bool load(QString* error);
    // The same in two steps on worker threads: the index file is read and its entries arrive at once through
    // entryAdded/entriesAdded, then listed() is emitted; then they are verified against the disk, and what
    // differs arrives as entryChanged/entryRemoved/entriesAdded; then loaded() is emitted. Without a usable
    // index file the list comes from the full scan, and listed() comes just before loaded().
    void loadAsync();
    bool isListed() const { return m_listed; } // every entry known (from the index or the disk) is in entries()
    bool isLoaded() const { return m_loaded; } // ... and verified against the disk
    // Rescans after the folder changes (on by default once loaded). Rescans run on a worker thread.
    void setWatching(bool watching);
    bool isWatching() const { return m_watching; }
    // Rescans now (asynchronously); rescanned() is emitted when done.
    void rescan();

    QList<TraceEntry> entries() const;
    std::optional<TraceEntry> entry(const QString& id) const;
    qint64 totalDiskUsage() const;

    // --- recording (glue code maps the controller's request and TraceResult onto these) ---
    struct Recording
    {
        QString id;
        QString tracePath; // absolute; pass it to magic-trace -output (run magic-trace in folder() as its
                           // working directory: magic-trace renames the *basename* of -o to .old there)
        QString logPath; // where the full log will be kept
    };
    // Writes the sidecar with outcome "recording" before magic-trace starts. metadata.id, traceFile, logFile,
    // outcome and recorderPid are filled in here.
    std::optional<Recording> beginRecording(const TraceMetadata& metadata, QString* error,
        TraceProbe::Compression compression = TraceProbe::Compression::GZip);
    struct RecordingResult
    {
        TraceOutcome outcome = TraceOutcome::Succeeded;
        std::optional<int> exitCode;
        int exitSignal = 0;
        QDateTime endTime; // invalid: now
        QString logText; // the full log, or:
        QString logFilePath; // a file holding it (copied; not removed)
        QString magicTraceVersion; // filled in when known only now
        QString perfVersion;
    };
    bool finishRecording(const QString& id, const RecordingResult& result, QString* error);

    // --- editing ---
    bool setTitle(const QString& id, const QString& title, QString* error);
    bool setNotes(const QString& id, const QString& notes, QString* error);
    bool setTags(const QString& id, const QStringList& tags, QString* error);

    // --- removal with undo ---
    struct Removed
    {
        QString id;
        QList<std::pair<QString, QString>> files; // (original path, path in the trash)
    };
    std::optional<Removed> remove(const QString& id, QString* error);
    bool restore(const Removed& removed, QString* error);

    // --- long operations, blocking (command line, tests) ---
    bool compressNow(const QString& id, TraceProbe::Compression target, JobControl* control, QString* error);
    bool exportNow(const QString& id, const QString& bundlePath, JobControl* control, QString* error);
    // A bundle (.tar.zst/.tar.gz/.tar.xz/.zip) or a loose trace file (.fxt, .fxt.gz, ...), told apart by
    // content. Returns the new entry's id. Never overwrites anything.
    std::optional<QString> importNow(const QString& path, JobControl* control, QString* error);

    // --- the same as jobs on a worker thread (UI); the job is owned by the caller (parent: this library) ---
    LibraryJob* startCompress(const QString& id, TraceProbe::Compression target);
    LibraryJob* startExport(const QString& id, const QString& bundlePath);
    LibraryJob* startImport(const QString& path);

    void setBundleLimits(const Bundle::Limits& limits) { m_limits = limits; }
    Bundle::Limits bundleLimits() const { return m_limits; }

    struct ScanResult; // internal: what a folder scan found (defined in tracelibrary.cpp)

Q_SIGNALS:
    // Every new entry is announced twice: entryAdded for it, and entriesAdded once for all the entries one scan
    // (or one operation) added, so that a model can insert a whole first load at once. Connect to one of them.
    void entryAdded(const TraceEntry& entry);
    void entriesAdded(const QList<TraceEntry>& entries);
    void entryChanged(const TraceEntry& entry);
    // The same for removals: entryRemoved for each, entriesRemoved once for all that one scan (or one operation)
    // removed, so that a model can take out a folder emptied by hand in one pass instead of one row at a time.
    void entryRemoved(const QString& id);
    void entriesRemoved(const QStringList& ids);
    void listed();
    void loaded();
    void rescanned();
    // Something the user should know that is not the answer to a call (unreadable sidecar, recovery that
    // could not be written, ...).
    void problem(const QString& message);

private:
    void applyListing(const ScanResult& listing);
    void applyScan(const ScanResult& result);
    void finishFirstLoad();
    void startScan();
    bool writeSidecar(TraceEntry& entry, QString* error);
    bool updateEntry(const QString& id, const std::function<void(TraceMetadata&)>& change, QString* error);
    void reloadEntry(const QString& id);
    // Forgets one entry (and its sidecar's stamp) and tells the listeners, both signals.
    void dropEntry(const QString& id);
    void refreshIfChangedOnDisk(const QString& id);
    bool commitCompression(const QString& id, const QString& sourcePath, const QString& targetPath,
        TraceProbe::Compression target, QString* error);
    void setEntry(const TraceEntry& entry, QList<TraceEntry>* added = nullptr);

    QString m_folder;
    TraceEntryTable m_entries; // in insertion order
    QHash<QString, FileStamp> m_sidecarStamps; // id -> stamp of the sidecar as last read or written
    QSet<QString> m_ownRecordings;
    QFileSystemWatcher m_watcher;
    QTimer m_rescanTimer;
    QFutureWatcher<ScanResult>* m_scanWatcher = nullptr;
    bool m_scanPending = false;
    bool m_listingDone = false; // the index file has been read (or found missing) for the first load
    bool m_listed = false;
    // The stamps of the records the index file listed (their keys: its ids), until the first verification has
    // used them.
    QHash<QString, FileStamp> m_indexStamps;
    qsizetype m_indexRecords = -1; // records in the index file, -1 when it was damaged
    bool m_loaded = false;
    bool m_watching = true;
    Bundle::Limits m_limits;
};
