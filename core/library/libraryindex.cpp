// SPDX-License-Identifier: MIT
#include "library/libraryindex.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <QtConcurrent>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

// The index stores TraceMetadata field by field. A field added to TraceMetadata must be added to encode() and
// decode() below (and formatVersion bumped), or the index would silently drop it and a later sidecar rewrite
// would lose it; this assertion makes the addition impossible to miss on the 64-bit platforms we build on.
static_assert(sizeof(void*) != 8 || sizeof(TraceMetadata) == 496,
    "TraceMetadata changed: update LibraryIndex::encode/decode and formatVersion, then this size");

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("LibraryIndex", text);
}

qint64 nanoseconds(const struct timespec& time)
{
    return qint64(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

FileStamp stampFromStat(const struct stat& st, qint64 seenNs)
{
    FileStamp stamp;
    stamp.seenNs = seenNs;
    if (!S_ISREG(st.st_mode))
        return stamp;
    stamp.inode = quint64(st.st_ino);
    stamp.size = qint64(st.st_size);
    stamp.modifiedNs = nanoseconds(st.st_mtim);
    stamp.changedNs = nanoseconds(st.st_ctim);
    return stamp;
}

constexpr char magic[8] = { 'M', 'T', 'S', 'L', 'I', 'D', 'X', '\n' };
constexpr quint32 formatVersion = 3;
constexpr qint64 noDate = std::numeric_limits<qint64>::min();

// A 64-bit mix over 8-byte words: catches a damaged or half-written index, fast enough not to show in a listing.
// Fed in pieces of any size (the index is read through a small buffer); the result is the same as in one piece.
class Checksum
{
public:
    explicit Checksum(quint64 totalSize)
        : m_hash(0x6a09e667f3bcc909ull ^ totalSize)
    { }
    void add(QByteArrayView bytes)
    {
        const char* data = bytes.data();
        qsizetype left = bytes.size();
        if (left == 0)
            return;
        if (m_carried > 0) {
            const qsizetype take = qMin<qsizetype>(8 - m_carried, left);
            std::memcpy(m_carry + m_carried, data, size_t(take));
            m_carried += take;
            data += take;
            left -= take;
            if (m_carried < 8)
                return;
            m_hash = mix(m_hash, word(m_carry));
            m_carried = 0;
        }
        for (; left >= 8; data += 8, left -= 8)
            m_hash = mix(m_hash, word(data));
        if (left > 0)
            std::memcpy(m_carry, data, size_t(left));
        m_carried = left;
    }
    quint64 result() const
    {
        char tail[8] = {};
        if (m_carried > 0)
            std::memcpy(tail, m_carry, size_t(m_carried));
        return mix(m_hash, word(tail));
    }

private:
    static quint64 word(const char* data)
    {
        quint64 value;
        std::memcpy(&value, data, 8);
        return value;
    }
    static quint64 mix(quint64 hash, quint64 word)
    {
        hash = (hash ^ word) * 0x9e3779b97f4a7c15ull;
        return hash ^ (hash >> 29);
    }

    quint64 m_hash;
    char m_carry[8] = {};
    qsizetype m_carried = 0;
};

quint64 checksum(QByteArrayView bytes)
{
    Checksum sum(quint64(bytes.size()));
    sum.add(bytes);
    return sum.result();
}

class Writer
{
public:
    explicit Writer(QByteArray& out)
        : m_out(out)
    { }
    template<typename T> void number(T value)
    {
        static_assert(std::is_integral_v<T>);
        const T le = qToLittleEndian(value);
        m_out.append(reinterpret_cast<const char*>(&le), sizeof le);
    }
    void bytes(QByteArrayView data)
    {
        number(quint32(data.size()));
        m_out.append(data);
    }
    void string(const QString& text) { bytes(text.toUtf8()); }
    void strings(const QStringList& list)
    {
        number(quint32(list.size()));
        for (const QString& text : list)
            string(text);
    }
    void date(const QDateTime& time) { number(time.isValid() ? time.toMSecsSinceEpoch() : noDate); }
    void object(const QJsonObject& object)
    {
        bytes(object.isEmpty() ? QByteArray() : QJsonDocument(object).toJson(QJsonDocument::Compact));
    }

private:
    QByteArray& m_out;
};

// Most fields repeat from one record to the next (process, user, versions, options, format, origin, tags):
// a field whose bytes equal the previous record's shares its string instead of allocating one. This and the
// option-set cache make decoding a large index cost a few allocations per record rather than a few dozen. The
// bytes are kept as copies (in buffers that are reused), because the index is read through a buffer that is
// overwritten from piece to piece.
struct DecodeCache
{
    static constexpr int slots = 64;
    struct Last
    {
        QByteArray bytes;
        QString text;
    };
    std::array<Last, slots> strings;
    struct LastList
    {
        QByteArray bytes;
        QStringList list;
    };
    std::array<LastList, 3> lists;
    QByteArray lastObjectBytes[2];
    QJsonObject lastObject[2];
    QHash<QByteArray, QJsonObject> objects;
};

// Bounds-checked reads; the first failure sticks and every later read returns a default.
class Reader
{
public:
    explicit Reader(QByteArrayView data, DecodeCache* cache = nullptr)
        : m_data(data)
        , m_cache(cache)
    { }
    bool ok() const { return m_ok; }
    bool atEnd() const { return m_position == m_data.size(); }

    template<typename T> T number()
    {
        static_assert(std::is_integral_v<T>);
        T value {};
        if (!take(sizeof value))
            return {};
        std::memcpy(&value, m_data.data() + m_position - sizeof value, sizeof value);
        return qFromLittleEndian(value);
    }
    QByteArrayView bytes()
    {
        const quint32 size = number<quint32>();
        if (!take(size))
            return {};
        return m_data.sliced(m_position - size, size);
    }
    QString string(int slot = -1)
    {
        const QByteArrayView data = bytes();
        if (data.isEmpty())
            return QString();
        if (!m_cache || slot < 0 || slot >= DecodeCache::slots)
            return QString::fromUtf8(data);
        DecodeCache::Last& last = m_cache->strings[size_t(slot)];
        if (last.bytes != data) {
            last.bytes.assign(data);
            last.text = QString::fromUtf8(data);
        }
        return last.text;
    }
    // listSlot: which of the cache's lists; firstSlot: the string slots its first elements use.
    QStringList strings(int listSlot = -1, int firstSlot = -1)
    {
        const qint64 start = m_position;
        const quint32 count = number<quint32>();
        // Each string takes at least its 4-byte length: a count beyond that is damage, not a reason to allocate.
        if (!m_ok || count > quint64(m_data.size() - m_position) / 4)
            return fail(), QStringList();
        QStringList list;
        list.reserve(count);
        for (quint32 i = 0; i < count && m_ok; ++i)
            list.append(string(firstSlot < 0 || i >= 8 ? -1 : firstSlot + int(i)));
        if (m_cache && listSlot >= 0 && m_ok) {
            DecodeCache::LastList& last = m_cache->lists[size_t(listSlot)];
            const QByteArrayView whole = m_data.sliced(start, m_position - start);
            if (last.bytes == whole)
                return last.list; // shares the list itself too
            last.bytes.assign(whole);
            last.list = list;
        }
        return list;
    }
    QDateTime date()
    {
        const qint64 ms = number<qint64>();
        return ms == noDate ? QDateTime() : QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::UTC);
    }
    // Option sets repeat across a library: each distinct one is parsed once per decode.
    QJsonObject object(int slot)
    {
        const QByteArrayView data = bytes();
        if (data.isEmpty())
            return {};
        if (m_cache && m_cache->lastObjectBytes[slot] == data)
            return m_cache->lastObject[slot];
        QHash<QByteArray, QJsonObject> local;
        QHash<QByteArray, QJsonObject>& objects = m_cache ? m_cache->objects : local;
        const QByteArray key = data.toByteArray();
        auto it = objects.constFind(key);
        if (it == objects.constEnd()) {
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(key, &error);
            if (error.error != QJsonParseError::NoError || !document.isObject()) {
                fail();
                return {};
            }
            it = objects.insert(key, document.object());
        }
        if (m_cache) {
            m_cache->lastObjectBytes[slot].assign(data);
            m_cache->lastObject[slot] = *it;
        }
        return *it;
    }
    void fail() { m_ok = false; }

private:
    bool take(qint64 size)
    {
        if (!m_ok || size > m_data.size() - m_position)
            return m_ok = false;
        m_position += size;
        return true;
    }

    QByteArrayView m_data;
    qint64 m_position = 0;
    bool m_ok = true;
    DecodeCache* m_cache;
};

void encodeRecord(Writer& w, const LibraryIndex::Record& record)
{
    const FileStamp& s = record.sidecar;
    w.number(s.inode);
    w.number(s.size);
    w.number(s.modifiedNs);
    w.number(s.changedNs);
    w.number(s.seenNs);
    w.number(record.logSize);
    const TraceMetadata& m = record.metadata;
    w.string(m.id);
    w.string(m.title);
    w.number(m.targetPid);
    w.string(m.processName);
    w.string(m.commandLine);
    w.string(m.executable);
    w.string(m.user);
    w.date(m.startTime);
    w.date(m.endTime);
    w.number(m.durationMs);
    w.string(m.mode);
    w.object(m.options);
    w.strings(m.magicTraceArguments);
    w.string(m.magicTraceVersion);
    w.string(m.perfVersion);
    w.number(quint8(m.outcome));
    w.number(quint8(m.exitCode.has_value()));
    w.number(qint32(m.exitCode.value_or(0)));
    w.number(qint32(m.exitSignal));
    w.string(m.traceFile);
    w.string(m.logFile);
    w.number(m.fileSize);
    w.string(m.format);
    w.string(m.notes);
    w.strings(m.tags);
    w.string(m.origin);
    w.strings(m.traceProcesses);
    w.date(m.traceBaseTime);
    w.number(m.recorderPid);
    w.object(m.unknownFields);
}

bool decodeRecord(Reader& r, LibraryIndex::Record& record)
{
    FileStamp& s = record.sidecar;
    s.inode = r.number<quint64>();
    s.size = r.number<qint64>();
    s.modifiedNs = r.number<qint64>();
    s.changedNs = r.number<qint64>();
    s.seenNs = r.number<qint64>();
    record.logSize = r.number<qint64>();
    TraceMetadata& m = record.metadata;
    m.id = r.string();
    m.title = r.string(1);
    m.targetPid = r.number<qint64>();
    m.processName = r.string(2);
    m.commandLine = r.string(3);
    m.executable = r.string(4);
    m.user = r.string(5);
    m.startTime = r.date();
    m.endTime = r.date();
    m.durationMs = r.number<qint64>();
    m.mode = r.string(6);
    m.options = r.object(0);
    m.magicTraceArguments = r.strings(0, 16);
    m.magicTraceVersion = r.string(7);
    m.perfVersion = r.string(8);
    const quint8 outcome = r.number<quint8>();
    if (outcome > quint8(TraceOutcome::External))
        r.fail();
    m.outcome = TraceOutcome(outcome);
    const bool hasExitCode = r.number<quint8>() != 0;
    const qint32 exitCode = r.number<qint32>();
    m.exitCode = hasExitCode ? std::optional<int>(exitCode) : std::nullopt;
    m.exitSignal = r.number<qint32>();
    m.traceFile = r.string();
    m.logFile = r.string();
    m.fileSize = r.number<qint64>();
    m.format = r.string(9);
    m.notes = r.string(10);
    m.tags = r.strings(1, 24);
    m.origin = r.string(11);
    m.traceProcesses = r.strings(2, 32);
    m.traceBaseTime = r.date();
    m.recorderPid = r.number<qint64>();
    m.unknownFields = r.object(1);
    // The same rules as a sidecar read from disk: the id names the sidecar, the trace file lives in the folder.
    if (m.id.isEmpty() || m.id.contains(u'/') || m.traceFile.isEmpty() || m.traceFile.contains(u'/')
        || m.logFile.contains(u'/'))
        r.fail();
    return r.ok();
}

} // namespace

// ------------------------------------------------------------------------------------------------- FileStamp

qint64 FileStamp::nowNs()
{
    struct timespec now
    {
    };
    ::clock_gettime(CLOCK_REALTIME, &now);
    return nanoseconds(now);
}

FileStamp FileStamp::of(const QString& path)
{
    const qint64 seen = nowNs();
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) {
        FileStamp missing;
        missing.seenNs = seen;
        return missing;
    }
    return stampFromStat(st, seen);
}

std::optional<QHash<QString, FileStamp>> scanFolderFiles(const QString& folder, QString* error)
{
    DIR* dir = ::opendir(QFile::encodeName(folder).constData());
    if (!dir) {
        if (error)
            *error = tr("cannot read the folder %1: %2").arg(folder, QString::fromLocal8Bit(std::strerror(errno)));
        return std::nullopt;
    }
    struct Item
    {
        QByteArray name;
        quint64 inode;
        FileStamp stamp;
    };
    std::vector<Item> items;
    errno = 0;
    while (const dirent* entry = ::readdir(dir)) {
        if (entry->d_name[0] == '.') // ".", ".." and hidden files (partial writes, the index)
            continue;
        // Directories, sockets and the like are never library files; unknown types and links get a stat.
        if (entry->d_type != DT_REG && entry->d_type != DT_LNK && entry->d_type != DT_UNKNOWN)
            continue;
        items.push_back({ QByteArray(entry->d_name), quint64(entry->d_ino), {} });
    }
    const int readError = errno;
    const int dirFd = ::dirfd(dir);
    if (readError != 0) {
        ::closedir(dir);
        if (error)
            *error = tr("cannot read the folder %1: %2").arg(folder, QString::fromLocal8Bit(std::strerror(readError)));
        return std::nullopt;
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.inode < b.inode; });
    const qint64 seen = FileStamp::nowNs();
    // Contiguous blocks per task keep the inode order within each thread.
    constexpr size_t block = 256;
    std::vector<size_t> starts;
    for (size_t i = 0; i < items.size(); i += block)
        starts.push_back(i);
    QtConcurrent::blockingMap(starts, [&](size_t start) {
        const size_t end = std::min(items.size(), start + block);
        for (size_t i = start; i < end; ++i) {
            struct stat st;
            items[i].stamp.seenNs = seen;
            if (::fstatat(dirFd, items[i].name.constData(), &st, 0) == 0)
                items[i].stamp = stampFromStat(st, seen);
        }
    });
    ::closedir(dir);
    QHash<QString, FileStamp> files;
    files.reserve(qsizetype(items.size()));
    for (const Item& item : items) {
        if (item.stamp.exists())
            files.insert(QFile::decodeName(item.name), item.stamp);
    }
    return files;
}

// ---------------------------------------------------------------------------------------------- LibraryIndex

namespace LibraryIndex {

QString fileName()
{
    return u".library-index"_s;
}

QByteArray encode(const QList<Record>& records)
{
    QByteArray payload;
    payload.reserve(records.size() * 1024);
    Writer w(payload);
    for (const Record& record : records) {
        // Each record behind its length, so that a reader fed in pieces knows when a record is complete.
        const qsizetype start = payload.size();
        w.number(quint32(0));
        encodeRecord(w, record);
        const quint32 length = qToLittleEndian(quint32(payload.size() - start - 4));
        std::memcpy(payload.data() + start, &length, 4);
    }
    QByteArray out;
    out.reserve(payload.size() + 32);
    out.append(magic, sizeof magic);
    Writer header(out);
    header.number(formatVersion);
    header.number(quint32(records.size()));
    header.number(quint64(payload.size()));
    header.number(checksum(payload));
    out.append(payload);
    return out;
}

// ------------------------------------------------------------------------------------------------------ Decoder

struct Decoder::Private
{
    Take take;
    qint64 expectedSize;
    QByteArray header; // until it is complete
    bool headerDone = false;
    bool failed = false;
    QString error;
    quint32 count = 0;
    quint64 payloadSize = 0;
    quint64 sum = 0;
    std::optional<Checksum> checksum;
    quint64 received = 0; // payload bytes fed so far
    quint32 decoded = 0;
    QByteArray pending; // the start of a record that continues in the next piece
    DecodeCache cache;
    Record record; // reused: every field is assigned for each record

    bool fail(const QString& message)
    {
        if (!failed) {
            failed = true;
            error = message;
        }
        return false;
    }
    bool damaged() { return fail(tr("the library index is damaged")); }

    bool parseHeader()
    {
        if (std::memcmp(header.constData(), magic, sizeof magic) != 0)
            return fail(tr("not a library index"));
        Reader fields(QByteArrayView(header).sliced(sizeof magic));
        const quint32 version = fields.number<quint32>();
        count = fields.number<quint32>();
        payloadSize = fields.number<quint64>();
        sum = fields.number<quint64>();
        if (version != formatVersion)
            return fail(tr("the library index has format %1, not %2").arg(version).arg(formatVersion));
        if (payloadSize != quint64(expectedSize - headerSize))
            return fail(tr("the library index is truncated"));
        // A record takes far more than 64 bytes: a larger count is damage (and never a reason to reserve).
        if (count > payloadSize / 64)
            return damaged();
        checksum.emplace(payloadSize);
        headerDone = true;
        return true;
    }

    static quint32 lengthAt(const char* data)
    {
        quint32 length;
        std::memcpy(&length, data, 4);
        return qFromLittleEndian(length);
    }

    bool decodeOne(QByteArrayView bytes)
    {
        if (decoded >= count)
            return damaged();
        Reader r(bytes, &cache);
        if (!decodeRecord(r, record) || !r.atEnd())
            return damaged();
        ++decoded;
        take(record, count);
        return true;
    }
};

Decoder::Decoder(Take take, qint64 expectedSize)
    : d(std::make_unique<Private>())
{
    d->take = std::move(take);
    d->expectedSize = expectedSize;
}

Decoder::~Decoder() = default;

bool Decoder::feed(QByteArrayView bytes)
{
    Private& p = *d;
    if (p.failed)
        return false;
    if (!p.headerDone) {
        const qsizetype part = qMin(headerSize - p.header.size(), bytes.size());
        p.header.append(bytes.first(part));
        bytes = bytes.sliced(part);
        if (p.header.size() < headerSize)
            return true;
        if (!p.parseHeader())
            return false;
    }
    if (bytes.isEmpty())
        return true;
    if (quint64(bytes.size()) > p.payloadSize - p.received)
        return p.fail(tr("the library index is longer than its header says"));
    p.checksum->add(bytes);
    p.received += quint64(bytes.size());
    // A record split between the previous piece and this one.
    if (!p.pending.isEmpty()) {
        if (p.pending.size() < 4) {
            const qsizetype part = qMin(4 - p.pending.size(), bytes.size());
            p.pending.append(bytes.first(part));
            bytes = bytes.sliced(part);
            if (p.pending.size() < 4)
                return true;
        }
        const qint64 whole = 4 + qint64(Private::lengthAt(p.pending.constData()));
        const qsizetype part = qsizetype(qMin(whole - p.pending.size(), qint64(bytes.size())));
        p.pending.append(bytes.first(part));
        bytes = bytes.sliced(part);
        if (p.pending.size() < whole)
            return true;
        if (!p.decodeOne(QByteArrayView(p.pending).sliced(4)))
            return false;
        p.pending.resize(0); // keeps its capacity for the next split record
    }
    // The records that lie wholly in this piece are decoded where they are.
    while (bytes.size() >= 4) {
        const qint64 length = Private::lengthAt(bytes.data());
        if (length > bytes.size() - 4)
            break;
        if (!p.decodeOne(bytes.sliced(4, qsizetype(length))))
            return false;
        bytes = bytes.sliced(4 + qsizetype(length));
    }
    p.pending.append(bytes); // never more than was fed: a bogus length cannot make it allocate
    return true;
}

bool Decoder::finish(QString* error)
{
    Private& p = *d;
    if (!p.failed) {
        if (!p.headerDone) {
            if (p.header.size() < qsizetype(sizeof magic)
                || std::memcmp(p.header.constData(), magic, sizeof magic) != 0)
                p.fail(tr("not a library index"));
            else
                p.fail(tr("the library index is truncated"));
        } else if (p.received != p.payloadSize) {
            p.fail(tr("the library index is truncated"));
        } else if (!p.pending.isEmpty() || p.decoded != p.count) {
            p.damaged();
        } else if (p.checksum->result() != p.sum) {
            p.fail(tr("the library index is damaged (checksum mismatch)"));
        }
    }
    if (p.failed && error)
        *error = p.error;
    return !p.failed;
}

// A Decoder::Take that appends every record to `records`.
static Decoder::Take appendTo(QList<Record>& records)
{
    return [&records](Record& record, quint32 count) {
        if (records.isEmpty())
            records.reserve(count);
        records.append(std::move(record));
    };
}

std::optional<QList<Record>> decode(QByteArrayView bytes, QString* error)
{
    QList<Record> records;
    Decoder decoder(appendTo(records), bytes.size());
    decoder.feed(bytes);
    if (!decoder.finish(error))
        return std::nullopt;
    return records;
}

std::optional<QList<Record>> decodePayload(QByteArrayView payload, quint32 count, QString* error)
{
    QByteArray header(magic, sizeof magic);
    Writer w(header);
    w.number(formatVersion);
    w.number(count);
    w.number(quint64(payload.size()));
    w.number(checksum(payload));
    QList<Record> records;
    Decoder decoder(appendTo(records), header.size() + payload.size());
    decoder.feed(header);
    decoder.feed(payload);
    if (!decoder.finish(error))
        return std::nullopt;
    return records;
}

bool readEach(const QString& folder, const Decoder::Take& take, QString* error)
{
    QFile file(folder + u'/' + fileName());
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        if (!file.exists())
            return true;
        if (error)
            *error = tr("cannot read %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    // Ask for all of it at once: the disk reads ahead while the first records are decoded.
    ::posix_fadvise(file.handle(), 0, 0, POSIX_FADV_WILLNEED);
    Decoder decoder(take, file.size());
    // One small buffer, not the whole file: in a fresh process every page of a large buffer is first touched
    // there, which costs far more than the copying (a 7 MB index would be ~1,750 fresh pages).
    constexpr qsizetype bufferSize = 256 * 1024;
    QByteArray buffer(bufferSize, Qt::Uninitialized);
    for (;;) {
        const qint64 got = file.read(buffer.data(), bufferSize);
        if (got < 0) {
            if (error)
                *error = tr("cannot read %1: %2").arg(file.fileName(), file.errorString());
            return false;
        }
        if (got == 0 || !decoder.feed(QByteArrayView(buffer.constData(), qsizetype(got))))
            break;
    }
    return decoder.finish(error);
}

std::optional<QList<Record>> read(const QString& folder, QString* error)
{
    QList<Record> records;
    if (!readEach(folder, appendTo(records), error))
        return std::nullopt;
    return records;
}

bool write(const QString& folder, const QList<Record>& records, QString* error)
{
    QList<Record> settled;
    settled.reserve(records.size());
    for (const Record& record : records) {
        if (record.sidecar.isSettled())
            settled.append(record);
    }
    QSaveFile file(folder + u'/' + fileName());
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("cannot write %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    file.write(encode(settled));
    if (!file.commit()) {
        if (error)
            *error = tr("cannot write %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    return true;
}

} // namespace LibraryIndex
