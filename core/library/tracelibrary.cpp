// SPDX-License-Identifier: MIT
#include "library/tracelibrary.h"

#include "library/libraryindex.h"
#include "library/libraryjob.h"
#include "library/partialfile.h"
#include "library/tracecompressor.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QtConcurrent>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("TraceLibrary", text);
}

bool failWith(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

const QString sidecarSuffix = u".json"_s;
const QString logSuffix = u".log"_s;

qint64 sizeOf(const QString& path)
{
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    return st.st_size;
}

bool isValidId(const QString& id)
{
    static const QRegularExpression allowed(u"^[A-Za-z0-9][A-Za-z0-9._+@ ()\\[\\]-]{0,119}$"_s);
    return allowed.match(id).hasMatch() && !id.endsWith(u' ');
}

// A readable id made of the hint's safe characters, unique against the taken names and the folder.
QString uniqueId(
    const QString& folder, const QString& hint, const QSet<QString>& taken, const QString& ownTraceFile = {})
{
    QString base;
    for (QChar c : hint) {
        if (c.isLetterOrNumber() && c.unicode() < 128)
            base += c;
        else if (c == u'-' || c == u'_' || c == u'.')
            base += c;
        else if (!base.endsWith(u'-'))
            base += u'-';
    }
    while (base.startsWith(u'.') || base.startsWith(u'-') || base.startsWith(u'_'))
        base.remove(0, 1);
    while (base.endsWith(u'-') || base.endsWith(u'.'))
        base.chop(1);
    base.truncate(80);
    if (base.isEmpty())
        base = u"trace"_s;
    const QDir dir(folder);
    for (int n = 1;; ++n) {
        const QString id = n == 1 ? base : base + u'-' + QString::number(n);
        if (taken.contains(id) || QFileInfo::exists(dir.filePath(id + sidecarSuffix))
            || QFileInfo::exists(dir.filePath(id + logSuffix)))
            continue;
        bool traceTaken = false;
        for (auto compression : { TraceProbe::Compression::None, TraceProbe::Compression::GZip,
                 TraceProbe::Compression::Zstd, TraceProbe::Compression::Xz }) {
            const QString name = id + TraceProbe::fileSuffix(compression);
            traceTaken = traceTaken || (name != ownTraceFile && QFileInfo::exists(dir.filePath(name)));
        }
        if (!traceTaken)
            return id;
    }
}

// Replaces a file atomically.
bool writeTextFile(const QString& path, const QByteArray& bytes, QString* error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return failWith(error, tr("cannot write %1: %2").arg(path, file.errorString()));
    file.write(bytes);
    if (!file.commit())
        return failWith(error, tr("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

// Writes a sidecar: exclusively when it must be new, else atomically replacing the old one.
bool writeSidecarFile(const QString& path, const TraceMetadata& metadata, bool mustBeNew, QString* error)
{
    const QByteArray bytes = metadata.toJsonBytes();
    if (mustBeNew) {
        PartialFile file(path);
        if (!file.open(error))
            return false;
        if (file.file().write(bytes) != bytes.size())
            return failWith(error, tr("cannot write %1: %2").arg(path, file.file().errorString()));
        return file.commit(error);
    }
    return writeTextFile(path, bytes, error);
}

bool processIsAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    if (pid == QCoreApplication::applicationPid())
        return true;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

// Fills the fields that come from the trace file itself.
void deriveFromTrace(TraceMetadata& metadata, const QString& tracePath)
{
    QString ignored;
    const auto summary = TraceProbe::probe(tracePath, &ignored);
    if (!summary)
        return;
    metadata.format = summary->isFxt ? TraceProbe::formatKey(summary->compression) : QString();
    metadata.traceProcesses = summary->processNames;
    metadata.traceBaseTime = summary->baseTime;
    if (metadata.processName.isEmpty()) {
        for (const QString& name : summary->processNames) {
            if (name != u"Snapshot symbol hits"_s) {
                metadata.processName = TraceProbe::displayProcessName(name);
                break;
            }
        }
    }
    if (metadata.targetPid == 0)
        metadata.targetPid = summary->pid;
}

TraceEntry makeEntry(const QString& folder, const TraceMetadata& metadata, const QString& sidecarPath)
{
    TraceEntry entry;
    entry.folder = folder;
    entry.metadata = metadata;
    entry.metadata.fileSize = sizeOf(entry.tracePath());
    entry.logSize = qMax<qint64>(metadata.logFile.isEmpty() ? 0 : sizeOf(entry.logPath()), 0);
    entry.sidecarSize = qMax<qint64>(sidecarPath.isEmpty() ? 0 : sizeOf(sidecarPath), 0);
    return entry;
}

} // namespace

// ------------------------------------------------------------------------------------------------ TraceEntry

QString TraceEntry::tracePath() const
{
    return metadata.traceFile.isEmpty() ? QString() : folder + u'/' + metadata.traceFile;
}

QString TraceEntry::sidecarPath() const
{
    return hasSidecar ? folder + u'/' + metadata.id + sidecarSuffix : QString();
}

QString TraceEntry::logPath() const
{
    return metadata.logFile.isEmpty() ? QString() : folder + u'/' + metadata.logFile;
}

// ------------------------------------------------------------------------------------------------- scanning

struct TraceLibrary::ScanResult
{
    bool ok = false;
    QString error;
    QList<TraceEntry> entries;
    QList<bool> unchanged; // per entry of a scan: equal to the entry the library had when the scan began
    QHash<QString, FileStamp> stamps; // listing: also the ids the index file listed
    QHash<QString, FileStamp> stampsAtStart; // the library's stamps when the scan began
    QStringList problems;
    // A listing from the index file (entries not yet verified against the disk) rather than a scan.
    bool listing = false;
    qsizetype indexRecords = -1; // listing: records in the index file; -1 when it is damaged
};

// The scan is a free function over plain values so that it can run on a worker thread.
namespace {

// A large array about to be filled: backed by huge pages where the kernel offers them, so that filling 5 MB
// takes a few faults rather than ~1,300. In a virtual machine each fault costs tens of microseconds, and in a
// fresh process every page of the listing is a first touch.
void adviseHugePages(const void* data, size_t bytes)
{
#ifdef Q_OS_LINUX
    constexpr quintptr huge = quintptr(2) << 20;
    const quintptr begin = (quintptr(data) + huge - 1) & ~(huge - 1);
    const quintptr end = (quintptr(data) + bytes) & ~(huge - 1);
    if (data && end > begin)
        ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
    Q_UNUSED(data);
    Q_UNUSED(bytes);
#endif
}

// The first step of a load: the entries as the index file last saw them, from one sequential file read and no
// stat at all. Nothing here is trusted: the scan that follows checks every entry against the disk.
void listFromIndex(TraceLibrary::ScanResult* result, const QString& folder)
{
    result->listing = true;
    result->ok = true;
    // Each record goes straight into its entry as it is decoded: no list of records, no copy of the file.
    auto take = [result, &folder](LibraryIndex::Record& record, quint32 count) {
        if (result->entries.isEmpty()) {
            result->entries.reserve(count);
            adviseHugePages(result->entries.constData(), size_t(count) * sizeof(TraceEntry));
            result->stamps.reserve(count);
        }
        ++result->indexRecords;
        if (result->stamps.contains(record.metadata.id))
            return; // a damaged index that repeats an id: the first record counts, the scan settles it
        TraceEntry& entry = result->entries.emplace_back();
        entry.folder = folder;
        entry.metadata = std::move(record.metadata);
        entry.logSize = entry.metadata.logFile.isEmpty() ? 0 : qMax<qint64>(record.logSize, 0);
        entry.sidecarSize = qMax<qint64>(record.sidecar.size, 0);
        result->stamps.insert(entry.metadata.id, record.sidecar);
    };
    result->indexRecords = 0;
    QString ignored; // a damaged index is rebuilt by the scan, it never held anything the sidecars do not
    if (!LibraryIndex::readEach(folder, take, &ignored)) {
        // Damage can show after some records were taken (the checksum covers them all): none of them counts.
        result->entries = {}; // and its capacity: a large index may have reserved megabytes
        result->stamps.clear();
        result->indexRecords = -1;
    }
}

// One directory read and one stat per file (scanFolderFiles); sidecars whose stamp matches what is known (from
// an earlier scan, or on the first load from the index file's listing) are not read again. On the first load
// (indexStamps given: the records the index file listed) the index is rewritten when it was damaged or had records
// that are no longer of use; on any scan when it parsed a sidecar that is now settled, so that the next cold start
// reads one file.
TraceLibrary::ScanResult* scanFolder(TraceLibrary::ScanResult* result, const QString& folder,
    const TraceEntryTable& known, const QHash<QString, FileStamp>& knownStamps, const QSet<QString>& ownRecordings,
    const QHash<QString, FileStamp>* indexStamps, qsizetype indexRecords)
{
    result->stampsAtStart = knownStamps;
    if (!QFileInfo(folder).isDir()) {
        result->error = tr("the traces folder %1 does not exist").arg(folder);
        return result;
    }
    const std::optional<QHash<QString, FileStamp>> files = scanFolderFiles(folder, &result->error);
    if (!files)
        return result;
    QStringList names = files->keys();
    std::sort(names.begin(), names.end());
    auto sizeIn = [&files](const QString& name) -> qint64 {
        if (name.isEmpty())
            return -1;
        const auto it = files->constFind(name);
        return it == files->constEnd() ? -1 : it->size;
    };

    // What can be reused without reading a sidecar: the library's entries (on the first load: as listed from the
    // index file).
    qsizetype fromIndex = 0;

    QSet<QString> referenced;
    QSet<QString> ids;
    bool sidecarWriteFailed = false;
    // Reading and parsing the sidecars is most of the work: it runs on every core (the order is kept).
    struct SidecarRead
    {
        QString id;
        QString path;
        FileStamp stamp;
        std::optional<TraceEntry> entry;
        QString problem;
        bool parsed = false;
    };
    QList<SidecarRead> reads;
    reads.reserve(names.size() / 3 + 1);
    for (const QString& name : std::as_const(names)) {
        if (name.endsWith(sidecarSuffix))
            reads.append({ name.chopped(sidecarSuffix.size()), folder + u'/' + name, files->value(name), std::nullopt,
                {}, false });
    }
    QtConcurrent::blockingMap(reads, [&](SidecarRead& read) {
        if (const TraceEntry* it = known.find(read.id); it && it->hasSidecar) {
            // Only a settled stamp proves that the content was read after the file's last change.
            const FileStamp& knownStamp = knownStamps.value(read.id);
            if (knownStamp.isSettled() && knownStamp.sameVersion(read.stamp)) {
                TraceEntry& entry = read.entry.emplace(*it);
                entry.metadata.fileSize = sizeIn(entry.metadata.traceFile);
                entry.logSize = qMax<qint64>(sizeIn(entry.metadata.logFile), 0);
                entry.sidecarSize = read.stamp.size;
                read.stamp = knownStamp;
                return;
            }
        }
        // A sidecar is about 1 KiB; anything over 4 MiB is not one (and is not read into memory).
        if (read.stamp.size > (qint64(4) << 20)) {
            read.problem = tr("%1 is too large to be a trace sidecar and was left alone").arg(read.path);
            return;
        }
        QFile file(read.path);
        if (!file.open(QIODevice::ReadOnly)) {
            read.problem = tr("cannot read %1: %2").arg(read.path, file.errorString());
            return;
        }
        QString error;
        auto metadata = TraceMetadata::fromJsonBytes(file.readAll(), &error);
        if (!metadata || metadata->traceFile.isEmpty() || metadata->traceFile.contains(u'/')) {
            read.problem = tr("%1 is not a trace sidecar and was left alone (%2)")
                               .arg(read.path, error.isEmpty() ? tr("no trace file named") : error);
            return;
        }
        metadata->id = read.id; // the file name is the id
        TraceEntry& entry = read.entry.emplace();
        entry.folder = folder;
        entry.metadata = std::move(*metadata);
        entry.metadata.fileSize = sizeIn(entry.metadata.traceFile);
        entry.logSize = qMax<qint64>(sizeIn(entry.metadata.logFile), 0);
        entry.sidecarSize = qMax<qint64>(read.stamp.size, 0);
        read.parsed = true;
    });

    qsizetype parsedSettled = 0;
    result->entries.reserve(reads.size());
    result->stamps.reserve(reads.size());
    referenced.reserve(2 * reads.size());
    ids.reserve(reads.size());
    for (SidecarRead& read : reads) {
        if (!read.entry) {
            result->problems.append(read.problem);
            continue;
        }
        const QString& id = read.id;
        const QString& path = read.path;
        TraceEntry& entry = *read.entry;
        const TraceEntry* knownEntry = known.find(id);
        if (read.parsed && read.stamp.isSettled())
            ++parsedSettled;
        bool rewritten = false;
        TraceMetadata& m = entry.metadata;
        // Crash recovery: a recording whose recorder is gone.
        if (m.outcome == TraceOutcome::Recording && !ownRecordings.contains(id) && !processIsAlive(m.recorderPid)) {
            QString ignored;
            const auto summary = m.fileSize > 0 ? TraceProbe::probe(entry.tracePath(), &ignored) : std::nullopt;
            if (summary && summary->isFxt) {
                m.outcome = TraceOutcome::Recovered;
                deriveFromTrace(m, entry.tracePath());
            } else {
                m.outcome = TraceOutcome::Failed;
            }
            if (!m.endTime.isValid())
                m.endTime = QFileInfo(entry.tracePath()).lastModified(QTimeZone::UTC);
            m.recorderPid = 0;
            QString error;
            if (!writeSidecarFile(path, m, false, &error)) {
                result->problems.append(tr("recovered %1, but could not record it: %2").arg(id, error));
                sidecarWriteFailed = true;
            }
            rewritten = true;
        } else if (m.origin == u"discovered"_s && m.format.isEmpty() && m.fileSize > 0
            && m.fileSize != (knownEntry ? knownEntry->metadata.fileSize : -1)) {
            // A found file that was still being written: look again now that it has grown.
            deriveFromTrace(m, entry.tracePath());
            if (!m.format.isEmpty()) {
                QString error;
                writeSidecarFile(path, m, false, &error);
                rewritten = true;
            }
        }
        if (rewritten) {
            read.stamp = FileStamp::of(path);
            entry.sidecarSize = qMax<qint64>(read.stamp.size, 0);
        }
        const bool unchanged = knownEntry && *knownEntry == entry;
        result->unchanged.append(unchanged);
        // A record still of use as it is; one whose trace or log changed size must be rewritten, or every
        // listing would show the old size until verified.
        if (!read.parsed && unchanged && indexStamps && indexStamps->contains(id))
            ++fromIndex;
        result->stamps.insert(id, read.stamp);
        referenced.insert(m.traceFile);
        if (!m.logFile.isEmpty())
            referenced.insert(m.logFile);
        ids.insert(id);
        result->entries.append(std::move(entry));
    }

    // Files nobody references: adopt the ones that look like traces.
    for (const QString& name : std::as_const(names)) {
        if (referenced.contains(name) || !TraceProbe::isTraceFileName(name))
            continue;
        const QString tracePath = folder + u'/' + name;
        // Still known from an earlier scan of a read-only folder?
        if (const TraceEntry* it = known.find(name); it && !it->hasSidecar) {
            TraceEntry entry = *it;
            const qint64 size = sizeIn(name);
            if (size != entry.metadata.fileSize) {
                entry.metadata.fileSize = size;
                deriveFromTrace(entry.metadata, tracePath);
            }
            result->unchanged.append(false);
            result->entries.append(entry);
            continue;
        }
        TraceMetadata m;
        m.id = uniqueId(folder, TraceProbe::baseName(name), ids, name);
        m.title = name;
        m.origin = u"discovered"_s;
        m.outcome = TraceOutcome::External;
        m.traceFile = name;
        const QFileInfo info(tracePath);
        m.fileSize = info.size();
        deriveFromTrace(m, tracePath);
        m.startTime = m.traceBaseTime.isValid() ? m.traceBaseTime : info.lastModified(QTimeZone::UTC);
        TraceEntry entry = makeEntry(folder, m, QString());
        const QString sidecarPath = folder + u'/' + m.id + sidecarSuffix;
        QString error;
        if (!sidecarWriteFailed && writeSidecarFile(sidecarPath, m, true, &error)) {
            const FileStamp stamp = FileStamp::of(sidecarPath);
            entry.sidecarSize = qMax<qint64>(stamp.size, 0);
            result->stamps.insert(m.id, stamp);
        } else {
            // Read-only folder: show the file all the same, under its own name.
            if (!sidecarWriteFailed)
                result->problems.append(tr("cannot keep metadata for %1: %2").arg(name, error));
            sidecarWriteFailed = true;
            entry.hasSidecar = false;
            entry.metadata.id = name;
        }
        ids.insert(entry.metadata.id);
        result->unchanged.append(false);
        result->entries.append(entry);
    }

    // Keep the index in step: on the first load when it is missing, damaged or has records that are no longer
    // of use; on any scan that parsed a sidecar whose stamp can now be trusted.
    const bool indexStale = indexStamps && (indexRecords < 0 || fromIndex != indexRecords);
    if ((indexStale || parsedSettled > 0) && !sidecarWriteFailed) {
        QList<LibraryIndex::Record> records;
        records.reserve(result->entries.size());
        for (const TraceEntry& entry : std::as_const(result->entries)) {
            if (entry.hasSidecar)
                records.append({ result->stamps.value(entry.id()), entry.metadata, entry.logSize });
        }
        QString ignored; // a read-only folder simply has no index
        LibraryIndex::write(folder, records, &ignored);
    }
    result->ok = true;
    return result;
}

} // namespace

// ----------------------------------------------------------------------------------------------- TraceLibrary

TraceLibrary::TraceLibrary(const QString& folder, QObject* parent)
    : QObject(parent)
    , m_folder(QDir::cleanPath(QDir(folder).absolutePath()))
{
    qRegisterMetaType<TraceEntry>();
    qRegisterMetaType<QList<TraceEntry>>();
    m_rescanTimer.setSingleShot(true);
    m_rescanTimer.setInterval(150); // magic-trace and file managers touch the folder in bursts
    connect(&m_rescanTimer, &QTimer::timeout, this, &TraceLibrary::startScan);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] { m_rescanTimer.start(); });
}

TraceLibrary::~TraceLibrary()
{
    if (m_scanWatcher) {
        m_scanWatcher->disconnect(this);
        m_scanWatcher->waitForFinished();
    }
}

QString TraceLibrary::defaultFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + u"/traces"_s;
}

QString TraceLibrary::configuredFolder()
{
    const QString folder = QSettings().value(u"library/folder"_s).toString();
    return folder.isEmpty() ? defaultFolder() : folder;
}

void TraceLibrary::setConfiguredFolder(const QString& folder)
{
    QSettings settings;
    if (folder.isEmpty() || QDir::cleanPath(folder) == QDir::cleanPath(defaultFolder()))
        settings.remove(u"library/folder"_s);
    else
        settings.setValue(u"library/folder"_s, folder);
}

bool TraceLibrary::load(QString* error)
{
    if (!QDir().mkpath(m_folder))
        return failWith(error, tr("cannot create the traces folder %1").arg(m_folder));
    if (!m_loaded && !m_listingDone) {
        ScanResult listing;
        listFromIndex(&listing, m_folder);
        applyListing(listing);
    }
    ScanResult result;
    scanFolder(&result, m_folder, m_entries, m_sidecarStamps, m_ownRecordings, m_loaded ? nullptr : &m_indexStamps,
        m_indexRecords);
    if (!result.ok)
        return failWith(error, result.error);
    applyScan(result);
    if (!m_loaded)
        finishFirstLoad();
    return true;
}

void TraceLibrary::finishFirstLoad()
{
    m_loaded = true;
    m_indexStamps.clear();
    setWatching(m_watching);
    if (!m_listed) {
        m_listed = true;
        Q_EMIT listed();
    }
    Q_EMIT loaded();
}

void TraceLibrary::loadAsync()
{
    if (!QDir().mkpath(m_folder)) {
        Q_EMIT problem(tr("cannot create the traces folder %1").arg(m_folder));
        return;
    }
    startScan();
}

void TraceLibrary::setWatching(bool watching)
{
    m_watching = watching;
    if (!m_loaded)
        return;
    if (watching && !m_watcher.directories().contains(m_folder))
        m_watcher.addPath(m_folder);
    else if (!watching && !m_watcher.directories().isEmpty())
        m_watcher.removePaths(m_watcher.directories());
}

void TraceLibrary::rescan()
{
    startScan();
}

void TraceLibrary::startScan()
{
    if (m_scanWatcher) {
        m_scanPending = true;
        return;
    }
    m_scanWatcher = new QFutureWatcher<ScanResult>(this);
    connect(m_scanWatcher, &QFutureWatcher<ScanResult>::finished, this, [this] {
        const ScanResult result = m_scanWatcher->result();
        m_scanWatcher->deleteLater();
        m_scanWatcher = nullptr;
        if (result.listing) {
            // Shown now; the verification scan follows at once (it covers any rescan asked for meanwhile).
            applyListing(result);
            m_scanPending = false;
            startScan();
            return;
        }
        if (result.ok)
            applyScan(result);
        else
            Q_EMIT problem(result.error);
        if (!m_loaded)
            finishFirstLoad();
        Q_EMIT rescanned();
        if (m_scanPending) {
            m_scanPending = false;
            startScan();
        }
    });
    if (!m_loaded && !m_listingDone) {
        m_listingDone = true;
        m_scanWatcher->setFuture(QtConcurrent::run([folder = m_folder]() {
            ScanResult result;
            listFromIndex(&result, folder);
            return result;
        }));
        return;
    }
    m_scanWatcher->setFuture(
        QtConcurrent::run([folder = m_folder, known = m_entries, stamps = m_sidecarStamps, own = m_ownRecordings,
                              firstLoad = !m_loaded, indexStamps = m_indexStamps, indexRecords = m_indexRecords]() {
            ScanResult result;
            scanFolder(&result, folder, known, stamps, own, firstLoad ? &indexStamps : nullptr, indexRecords);
            return result;
        }));
}

void TraceLibrary::applyListing(const ScanResult& listing)
{
    m_listingDone = true;
    m_indexStamps = listing.stamps;
    m_indexRecords = listing.indexRecords;
    // Usually nothing is known yet: the listing's containers are then shared rather than copied entry by entry.
    // An id already known (a recording begun before the load) is left out: the scan decides.
    const bool fresh = m_entries.isEmpty();
    const QList<TraceEntry> added = m_entries.append(listing.entries);
    if (fresh) {
        m_sidecarStamps = listing.stamps;
    } else {
        for (const TraceEntry& entry : added)
            m_sidecarStamps.insert(entry.metadata.id, listing.stamps.value(entry.metadata.id));
    }
    for (const TraceEntry& entry : added)
        Q_EMIT entryAdded(entry);
    if (!added.isEmpty()) {
        Q_EMIT entriesAdded(added);
        m_listed = true;
        Q_EMIT listed();
    }
}

void TraceLibrary::applyScan(const ScanResult& result)
{
    for (const QString& message : result.problems)
        Q_EMIT problem(message);
    QSet<QString> seen;
    seen.reserve(result.entries.size());
    if (m_entries.isEmpty()) // never on a shared list: reserving would copy it
        m_entries.reserve(result.entries.size());
    QList<TraceEntry> added;
    for (qsizetype i = 0; i < result.entries.size(); ++i) {
        const TraceEntry& entry = result.entries.at(i);
        const QString id = entry.id();
        seen.insert(id);
        // Changed by this object while the scan ran: ours is newer, and the change will trigger another scan.
        if (!m_sidecarStamps.value(id).sameVersion(result.stampsAtStart.value(id)))
            continue;
        if (const auto stamp = result.stamps.constFind(id); stamp != result.stamps.constEnd())
            m_sidecarStamps.insert(id, *stamp);
        // Most entries of a verification are as listed: the scan compared them off this thread.
        if (result.unchanged.value(i) && m_entries.contains(id))
            continue;
        setEntry(entry, &added);
    }
    for (const TraceEntry& entry : std::as_const(added))
        Q_EMIT entryAdded(entry);
    if (!added.isEmpty())
        Q_EMIT entriesAdded(added);
    QSet<QString> gone;
    QStringList goneInOrder;
    for (const TraceEntry& entry : m_entries.list()) {
        const QString& id = entry.metadata.id;
        if (seen.contains(id))
            continue;
        // Created by this object after the scan began: still there.
        if (entry.hasSidecar && QFileInfo::exists(entry.sidecarPath()) && !result.stampsAtStart.contains(id))
            continue;
        if (!entry.hasSidecar && QFileInfo::exists(entry.tracePath()))
            continue;
        gone.insert(id);
        goneInOrder.append(id);
    }
    m_entries.removeAll(gone); // in one pass: a folder emptied by hand can take thousands at once
    for (const QString& id : std::as_const(goneInOrder)) {
        m_sidecarStamps.remove(id);
        Q_EMIT entryRemoved(id);
    }
    if (!goneInOrder.isEmpty())
        Q_EMIT entriesRemoved(goneInOrder);
}

void TraceLibrary::setEntry(const TraceEntry& entry, QList<TraceEntry>* added)
{
    const TraceEntry* known = m_entries.find(entry.id());
    if (!known) {
        m_entries.set(entry);
        if (added) {
            added->append(entry);
        } else {
            Q_EMIT entryAdded(entry);
            Q_EMIT entriesAdded({ entry });
        }
    } else if (!(*known == entry)) {
        m_entries.set(entry);
        Q_EMIT entryChanged(entry);
    }
}

void TraceLibrary::reloadEntry(const QString& id)
{
    const QString path = m_folder + u'/' + id + sidecarSuffix;
    const FileStamp stamp = FileStamp::of(path); // before reading: a stamp never describes older content
    QFile file(path);
    QString error;
    std::optional<TraceMetadata> metadata;
    if (file.open(QIODevice::ReadOnly))
        metadata = TraceMetadata::fromJsonBytes(file.readAll(), &error);
    if (!metadata) {
        if (m_entries.contains(id) && !QFileInfo::exists(path))
            dropEntry(id);
        return;
    }
    metadata->id = id;
    m_sidecarStamps.insert(id, stamp);
    setEntry(makeEntry(m_folder, *metadata, path));
}

QList<TraceEntry> TraceLibrary::entries() const
{
    return m_entries.list();
}

std::optional<TraceEntry> TraceLibrary::entry(const QString& id) const
{
    const TraceEntry* entry = m_entries.find(id);
    if (!entry)
        return std::nullopt;
    return *entry;
}

qint64 TraceLibrary::totalDiskUsage() const
{
    qint64 total = 0;
    for (const TraceEntry& entry : m_entries.list())
        total += entry.diskUsage();
    return total;
}

bool TraceLibrary::writeSidecar(TraceEntry& entry, QString* error)
{
    if (!entry.hasSidecar) {
        // A found file in a folder we could not write to before: try to give it a sidecar now.
        const QString oldId = entry.id();
        TraceMetadata m = entry.metadata;
        m.id = uniqueId(m_folder, TraceProbe::baseName(m.traceFile), m_entries.ids(), m.traceFile);
        const QString path = m_folder + u'/' + m.id + sidecarSuffix;
        if (!writeSidecarFile(path, m, true, error))
            return false;
        dropEntry(oldId);
        entry.metadata = m;
        entry.hasSidecar = true;
        entry.sidecarSize = qMax<qint64>(sizeOf(path), 0);
        m_sidecarStamps.insert(m.id, FileStamp::of(path));
        return true;
    }
    if (!writeSidecarFile(entry.sidecarPath(), entry.metadata, false, error))
        return false;
    entry.sidecarSize = qMax<qint64>(sizeOf(entry.sidecarPath()), 0);
    m_sidecarStamps.insert(entry.id(), FileStamp::of(entry.sidecarPath()));
    return true;
}

void TraceLibrary::refreshIfChangedOnDisk(const QString& id)
{
    // An entry may be as the index file listed it and not yet verified, or the watcher's rescan may not have run
    // yet: a sidecar changed by someone else is read again before we rewrite it, so that their edit survives.
    const TraceEntry* it = m_entries.find(id);
    if (!it || !it->hasSidecar)
        return;
    const auto known = m_sidecarStamps.constFind(id);
    if (known == m_sidecarStamps.constEnd() || !known->sameVersion(FileStamp::of(it->sidecarPath())))
        reloadEntry(id);
}

bool TraceLibrary::updateEntry(const QString& id, const std::function<void(TraceMetadata&)>& change, QString* error)
{
    refreshIfChangedOnDisk(id);
    const TraceEntry* it = m_entries.find(id);
    if (!it)
        return failWith(error, tr("no trace with id \"%1\"").arg(id));
    TraceEntry entry = *it;
    change(entry.metadata);
    if (!writeSidecar(entry, error))
        return false;
    setEntry(entry);
    return true;
}

std::optional<TraceLibrary::Recording> TraceLibrary::beginRecording(
    const TraceMetadata& metadata, QString* error, TraceProbe::Compression compression)
{
    if (!QDir().mkpath(m_folder)) {
        failWith(error, tr("cannot create the traces folder %1").arg(m_folder));
        return std::nullopt;
    }
    TraceEntry entry;
    entry.folder = m_folder;
    entry.metadata = metadata;
    TraceMetadata& m = entry.metadata;
    if (!m.startTime.isValid())
        m.startTime = QDateTime::currentDateTimeUtc();
    const QString hint = m.startTime.toUTC().toString(u"yyyyMMdd-HHmmss"_s)
        + (m.processName.isEmpty() ? QString() : u'-' + QFileInfo(m.processName).fileName());
    m.id = uniqueId(m_folder, hint, m_entries.ids());
    m.traceFile = m.id + TraceProbe::fileSuffix(compression);
    m.logFile = m.id + logSuffix;
    m.outcome = TraceOutcome::Recording;
    m.recorderPid = QCoreApplication::applicationPid();
    m.origin = u"recorded"_s;
    m.fileSize = -1;
    if (m.title.isEmpty())
        m.title = m.processName.isEmpty() ? m.id : m.processName;
    const QString path = m_folder + u'/' + m.id + sidecarSuffix;
    if (!writeSidecarFile(path, m, true, error))
        return std::nullopt;
    entry.sidecarSize = qMax<qint64>(sizeOf(path), 0);
    m_sidecarStamps.insert(m.id, FileStamp::of(path));
    m_ownRecordings.insert(m.id);
    setEntry(entry);
    return Recording { m.id, entry.tracePath(), entry.folder + u'/' + m.logFile };
}

bool TraceLibrary::finishRecording(const QString& id, const RecordingResult& result, QString* error)
{
    const TraceEntry* it = m_entries.find(id);
    if (!it)
        return failWith(error, tr("no trace with id \"%1\"").arg(id));
    TraceEntry entry = *it;
    TraceMetadata& m = entry.metadata;
    QString logError;
    const QString logPath = m_folder + u'/' + (m.logFile.isEmpty() ? id + logSuffix : m.logFile);
    if (!result.logText.isEmpty()) {
        writeTextFile(logPath, result.logText.toUtf8(), &logError);
    } else if (!result.logFilePath.isEmpty() && QFileInfo(result.logFilePath) != QFileInfo(logPath)) {
        QFile source(result.logFilePath);
        if (source.open(QIODevice::ReadOnly))
            writeTextFile(logPath, source.readAll(), &logError);
        else
            logError = tr("cannot read the log %1: %2").arg(result.logFilePath, source.errorString());
    }
    m.logFile = QFileInfo::exists(logPath) ? QFileInfo(logPath).fileName() : QString();
    m.outcome = result.outcome;
    m.exitCode = result.exitCode;
    m.exitSignal = result.exitSignal;
    m.endTime = result.endTime.isValid() ? result.endTime.toUTC() : QDateTime::currentDateTimeUtc();
    m.durationMs = m.startTime.isValid() ? m.startTime.msecsTo(m.endTime) : -1;
    m.recorderPid = 0;
    if (!result.magicTraceVersion.isEmpty())
        m.magicTraceVersion = result.magicTraceVersion;
    if (!result.perfVersion.isEmpty())
        m.perfVersion = result.perfVersion;
    m.fileSize = sizeOf(entry.tracePath());
    if (m.fileSize > 0)
        deriveFromTrace(m, entry.tracePath());
    entry.logSize = qMax<qint64>(m.logFile.isEmpty() ? 0 : sizeOf(entry.logPath()), 0);
    if (!writeSidecar(entry, error))
        return false;
    m_ownRecordings.remove(id);
    setEntry(entry);
    if (!logError.isEmpty())
        return failWith(error, tr("the trace was kept, but not its log: %1").arg(logError));
    return true;
}

bool TraceLibrary::setTitle(const QString& id, const QString& title, QString* error)
{
    return updateEntry(
        id, [&](TraceMetadata& m) { m.title = title.trimmed(); }, error);
}

bool TraceLibrary::setNotes(const QString& id, const QString& notes, QString* error)
{
    return updateEntry(
        id, [&](TraceMetadata& m) { m.notes = notes; }, error);
}

bool TraceLibrary::setTags(const QString& id, const QStringList& tags, QString* error)
{
    QStringList clean;
    for (const QString& tag : tags) {
        const QString t = tag.trimmed();
        if (!t.isEmpty() && !clean.contains(t))
            clean.append(t);
    }
    return updateEntry(
        id, [&](TraceMetadata& m) { m.tags = clean; }, error);
}

std::optional<TraceLibrary::Removed> TraceLibrary::remove(const QString& id, QString* error)
{
    const TraceEntry* it = m_entries.find(id);
    if (!it) {
        failWith(error, tr("no trace with id \"%1\"").arg(id));
        return std::nullopt;
    }
    if (m_ownRecordings.contains(id)) {
        failWith(error, tr("%1 is still being recorded").arg(id));
        return std::nullopt;
    }
    // Qt creates $XDG_DATA_HOME/Trash but not $XDG_DATA_HOME itself, which a fresh account may lack.
    QDir().mkpath(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation));
    Removed removed;
    removed.id = id;
    // Trace first, sidecar last: an interruption leaves an entry with a missing trace, never an orphan trace.
    for (const QString& path : { it->tracePath(), it->logPath(), it->sidecarPath() }) {
        if (path.isEmpty() || !QFileInfo::exists(path))
            continue;
        QString inTrash;
        if (!QFile::moveToTrash(path, &inTrash)) {
            QString ignored;
            restore(removed, &ignored);
            failWith(error, tr("cannot move %1 to the trash; nothing was deleted").arg(path));
            return std::nullopt;
        }
        removed.files.append({ path, inTrash });
    }
    dropEntry(id);
    return removed;
}

void TraceLibrary::dropEntry(const QString& id)
{
    m_entries.remove(id);
    m_sidecarStamps.remove(id);
    Q_EMIT entryRemoved(id);
    Q_EMIT entriesRemoved({ id });
}

bool TraceLibrary::restore(const Removed& removed, QString* error)
{
    for (const auto& [original, inTrash] : removed.files) {
        if (QFileInfo::exists(original))
            return failWith(error, tr("%1 exists again; restore it by hand from the trash").arg(original));
    }
    QStringList failures;
    for (const auto& [original, inTrash] : removed.files) {
        if (!QFile::rename(inTrash, original)) {
            failures.append(original);
            continue;
        }
        // The freedesktop.org trash keeps a .trashinfo beside "files/"; without its file it is just clutter.
        const QFileInfo trashed(inTrash);
        if (trashed.dir().dirName() == u"files"_s) {
            QDir info(trashed.dir());
            if (info.cdUp() && info.cd(u"info"_s))
                QFile::remove(info.filePath(trashed.fileName() + u".trashinfo"_s));
        }
    }
    if (QFileInfo::exists(m_folder + u'/' + removed.id + sidecarSuffix))
        reloadEntry(removed.id);
    else
        rescan(); // a found file without a sidecar
    if (!failures.isEmpty())
        return failWith(error, tr("could not restore %1 from the trash").arg(failures.join(u", "_s)));
    return true;
}

// ------------------------------------------------------------------------------------------ long operations

namespace {

struct CompressPlan
{
    QString sourcePath;
    QString targetPath;
    TraceProbe::Compression target;
};

std::optional<CompressPlan> planCompression(const TraceEntry& entry, TraceProbe::Compression target, QString* error)
{
    if (!entry.traceExists()) {
        failWith(error, tr("the trace file of %1 is missing").arg(entry.id()));
        return std::nullopt;
    }
    const std::optional<TraceProbe::Compression> current = TraceProbe::compressionFromKey(entry.metadata.format);
    if (current && *current == target) {
        failWith(error, tr("%1 is already stored as %2").arg(entry.id(), TraceProbe::formatKey(target)));
        return std::nullopt;
    }
    const QString stem = TraceProbe::baseName(entry.metadata.traceFile);
    return CompressPlan { entry.tracePath(), entry.folder + u'/' + stem + TraceProbe::fileSuffix(target), target };
}

// Makes a new sidecar-less import: copies a loose trace into the folder under a new id.
std::optional<TraceMetadata> importLooseFile(
    const QString& folder, const QString& path, const QSet<QString>& taken, JobControl* control, QString* error)
{
    const auto summary = TraceProbe::probe(path, error);
    if (!summary)
        return std::nullopt;
    if (!summary->isFxt) {
        failWith(error, tr("%1 is neither a trace nor a bundle").arg(path));
        return std::nullopt;
    }
    const QFileInfo info(path);
    TraceMetadata m;
    m.id = uniqueId(folder, TraceProbe::baseName(info.fileName()), taken);
    m.title = info.fileName();
    m.origin = u"imported"_s;
    m.outcome = TraceOutcome::External;
    m.traceFile = m.id + TraceProbe::fileSuffix(summary->compression);
    const QString target = folder + u'/' + m.traceFile;
    {
        QFile source(path);
        if (!source.open(QIODevice::ReadOnly)) {
            failWith(error, tr("cannot open %1: %2").arg(path, source.errorString()));
            return std::nullopt;
        }
        PartialFile output(target);
        if (!output.open(error))
            return std::nullopt;
        const qint64 total = source.size();
        QByteArray buffer(1024 * 1024, Qt::Uninitialized);
        qint64 copied = 0;
        for (;;) {
            if (isCancelled(control)) {
                failWith(error, tr("cancelled"));
                return std::nullopt;
            }
            const qint64 got = source.read(buffer.data(), buffer.size());
            if (got < 0) {
                failWith(error, tr("cannot read %1: %2").arg(path, source.errorString()));
                return std::nullopt;
            }
            if (got == 0)
                break;
            if (output.file().write(buffer.constData(), got) != got) {
                failWith(error, tr("cannot write %1: %2").arg(target, output.file().errorString()));
                return std::nullopt;
            }
            copied += got;
            reportProgress(control, copied, total);
        }
        if (!output.commit(error))
            return std::nullopt;
    }
    m.fileSize = sizeOf(target);
    deriveFromTrace(m, target);
    m.startTime = m.traceBaseTime.isValid() ? m.traceBaseTime : info.lastModified(QTimeZone::UTC);
    if (!writeSidecarFile(folder + u'/' + m.id + sidecarSuffix, m, true, error)) {
        QFile::remove(target);
        return std::nullopt;
    }
    return m;
}

std::optional<TraceMetadata> importBundleFile(const QString& folder, const QString& path, const Bundle::Limits& limits,
    const QSet<QString>& taken, JobControl* control, QString* error)
{
    TraceMetadata m;
    auto chooser = [&](const Bundle::Inspection& inspection, QString* traceTarget, QString* logTarget, QString*) {
        m = inspection.metadata;
        const QString wanted = isValidId(m.id) ? m.id : TraceProbe::baseName(QFileInfo(path).fileName());
        m.id = uniqueId(folder, wanted, taken);
        m.traceFile = m.id + TraceProbe::fileSuffix(inspection.traceCompression);
        m.logFile = inspection.hasLog ? m.id + logSuffix : QString();
        *traceTarget = folder + u'/' + m.traceFile;
        *logTarget = inspection.hasLog ? folder + u'/' + m.logFile : QString();
        return true;
    };
    const auto inspection = Bundle::extract(path, limits, chooser, control, error);
    if (!inspection)
        return std::nullopt;
    m.origin = u"imported"_s;
    m.recorderPid = 0;
    if (m.outcome == TraceOutcome::Recording)
        m.outcome = TraceOutcome::Recovered; // the bundle was made mid-recording, and its trace is FXT
    m.fileSize = sizeOf(folder + u'/' + m.traceFile);
    m.format = TraceProbe::formatKey(inspection->traceCompression);
    if (m.traceProcesses.isEmpty())
        m.traceProcesses = inspection->traceSummary.processNames;
    if (!m.traceBaseTime.isValid())
        m.traceBaseTime = inspection->traceSummary.baseTime;
    if (!writeSidecarFile(folder + u'/' + m.id + sidecarSuffix, m, true, error)) {
        QFile::remove(folder + u'/' + m.traceFile);
        if (!m.logFile.isEmpty())
            QFile::remove(folder + u'/' + m.logFile);
        return std::nullopt;
    }
    return m;
}

// Bundle or loose trace? By content: a tar/zip container, or FXT (possibly compressed).
std::optional<TraceMetadata> importAny(const QString& folder, const QString& path, const Bundle::Limits& limits,
    const QSet<QString>& taken, JobControl* control, QString* error)
{
    if (QFileInfo(path).absoluteDir() == QDir(folder)) {
        failWith(error, tr("%1 is already in the library").arg(path));
        return std::nullopt;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        failWith(error, tr("cannot open %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    const QByteArray head = file.peek(8);
    file.close();
    if (head.startsWith("PK"))
        return importBundleFile(folder, path, limits, taken, control, error);
    TraceProbe::Compression compression = TraceProbe::Compression::Unknown;
    std::unique_ptr<QIODevice> device = TraceProbe::openDecompressed(path, &compression, error);
    if (!device)
        return std::nullopt;
    const QByteArray content = device->read(512);
    device.reset();
    if (TraceProbe::hasFxtMagic(content))
        return importLooseFile(folder, path, taken, control, error);
    if (content.size() >= 262 && content.mid(257, 5) == QByteArrayView("ustar"))
        return importBundleFile(folder, path, limits, taken, control, error);
    failWith(error, tr("%1 is neither a trace nor a bundle").arg(path));
    return std::nullopt;
}

} // namespace

bool TraceLibrary::compressNow(const QString& id, TraceProbe::Compression target, JobControl* control, QString* error)
{
    const auto entry = this->entry(id);
    if (!entry)
        return failWith(error, tr("no trace with id \"%1\"").arg(id));
    const auto plan = planCompression(*entry, target, error);
    if (!plan)
        return false;
    if (!TraceCompressor::recompress(plan->sourcePath, plan->target, plan->targetPath, control, error))
        return false;
    return commitCompression(id, plan->sourcePath, plan->targetPath, target, error);
}

bool TraceLibrary::commitCompression(const QString& id, const QString& sourcePath, const QString& targetPath,
    TraceProbe::Compression target, QString* error)
{
    // Point the sidecar at the new file, then let the old one go. Until the sidecar is written the old file
    // is the trace; if writing fails the new file goes instead.
    refreshIfChangedOnDisk(id);
    const auto current = entry(id);
    if (!current || current->tracePath() != sourcePath) {
        QFile::remove(targetPath);
        return failWith(error, tr("%1 changed while it was being compressed; nothing was replaced").arg(id));
    }
    TraceEntry updated = *current;
    updated.metadata.traceFile = QFileInfo(targetPath).fileName();
    updated.metadata.format = TraceProbe::formatKey(target);
    updated.metadata.fileSize = sizeOf(targetPath);
    if (!writeSidecar(updated, error)) {
        QFile::remove(targetPath);
        return false;
    }
    QFile::remove(sourcePath);
    setEntry(updated);
    return true;
}

bool TraceLibrary::exportNow(const QString& id, const QString& bundlePath, JobControl* control, QString* error)
{
    const auto entry = this->entry(id);
    if (!entry)
        return failWith(error, tr("no trace with id \"%1\"").arg(id));
    const auto kind = Bundle::kindForFileName(bundlePath);
    if (!kind)
        return failWith(
            error, tr("%1: the bundle name must end in .tar.zst, .tar.gz, .tar.xz or .zip").arg(bundlePath));
    if (!entry->traceExists())
        return failWith(error, tr("the trace file of %1 is missing").arg(id));
    return Bundle::write(bundlePath, *kind, { entry->tracePath(), entry->metadata, entry->logPath() }, control, error);
}

std::optional<QString> TraceLibrary::importNow(const QString& path, JobControl* control, QString* error)
{
    if (!QDir().mkpath(m_folder)) {
        failWith(error, tr("cannot create the traces folder %1").arg(m_folder));
        return std::nullopt;
    }
    const auto metadata = importAny(m_folder, path, m_limits, m_entries.ids(), control, error);
    if (!metadata)
        return std::nullopt;
    reloadEntry(metadata->id);
    return metadata->id;
}

LibraryJob* TraceLibrary::startCompress(const QString& id, TraceProbe::Compression target)
{
    auto* job = new LibraryJob(tr("Compressing %1").arg(id), this);
    QString error;
    const auto entry = this->entry(id);
    const auto plan = entry ? planCompression(*entry, target, &error) : std::nullopt;
    if (!entry)
        error = tr("no trace with id \"%1\"").arg(id);
    job->start(
        [plan, error](JobControl& control) -> LibraryJob::Result {
            if (!plan)
                return { false, error, {} };
            QString workError;
            if (!TraceCompressor::recompress(plan->sourcePath, plan->target, plan->targetPath, &control, &workError))
                return { false, workError, {} };
            return { true, {}, plan->targetPath };
        },
        [this, id, plan](const LibraryJob::Result& done) -> LibraryJob::Result {
            QString commitError;
            if (!commitCompression(id, plan->sourcePath, plan->targetPath, plan->target, &commitError))
                return { false, commitError, {} };
            return done;
        });
    return job;
}

LibraryJob* TraceLibrary::startExport(const QString& id, const QString& bundlePath)
{
    auto* job = new LibraryJob(tr("Exporting %1").arg(id), this);
    const auto entry = this->entry(id);
    job->start([entry, id, bundlePath](JobControl& control) -> LibraryJob::Result {
        if (!entry)
            return { false, tr("no trace with id \"%1\"").arg(id), {} };
        const auto kind = Bundle::kindForFileName(bundlePath);
        if (!kind)
            return { false, tr("%1: the bundle name must end in .tar.zst, .tar.gz, .tar.xz or .zip").arg(bundlePath),
                {} };
        QString error;
        if (!Bundle::write(
                bundlePath, *kind, { entry->tracePath(), entry->metadata, entry->logPath() }, &control, &error))
            return { false, error, {} };
        return { true, {}, bundlePath };
    });
    return job;
}

LibraryJob* TraceLibrary::startImport(const QString& path)
{
    auto* job = new LibraryJob(tr("Importing %1").arg(QFileInfo(path).fileName()), this);
    QDir().mkpath(m_folder);
    job->start(
        [folder = m_folder, path, limits = m_limits, taken = m_entries.ids()](
            JobControl& control) -> LibraryJob::Result {
            QString error;
            const auto metadata = importAny(folder, path, limits, taken, &control, &error);
            if (!metadata)
                return { false, error, {} };
            return { true, {}, metadata->id };
        },
        [this](const LibraryJob::Result& done) {
            reloadEntry(done.value);
            return done;
        });
    return job;
}
