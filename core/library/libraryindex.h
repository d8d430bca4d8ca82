// SPDX-License-Identifier: MIT
#pragma once

#include "library/tracemetadata.h"

#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

// The identity of one version of a file, as stat() saw it, and when it was looked at.
struct FileStamp
{
    quint64 inode = 0;
    qint64 size = -1; // -1: no such (regular) file
    qint64 modifiedNs = 0;
    qint64 changedNs = 0; // ctime: moves on every write, rename over it and chmod
    qint64 seenNs = 0; // wall clock just before the stat; not part of the identity

    bool exists() const { return size >= 0; }
    // Same inode, size, mtime and ctime: the same version of the file (QSaveFile replaces the inode, so a
    // rewrite changes the stamp even within one clock tick).
    bool sameVersion(const FileStamp& other) const
    {
        return inode == other.inode && size == other.size && modifiedNs == other.modifiedNs
            && changedNs == other.changedNs;
    }
    // File times move in coarse ticks, so a file rewritten with the same size in the tick in which it was read
    // keeps its stamp. A stamp is trusted only when the file had not changed for a while when it was taken
    // (git's "racily clean" problem; kept generous for network and FAT file systems).
    bool isSettled() const { return exists() && changedNs + settleNs < seenNs; }
    static constexpr qint64 settleNs = 3'000'000'000;

    // stat() of a path (following symbolic links); a stamp that does not exist for anything but a regular file.
    static FileStamp of(const QString& path);
    static qint64 nowNs();
};

// The regular files of a folder with their stamps, from one directory read and one fstatat per file (in
// inode order, so that a cold inode table is read sequentially; on all cores). Hidden files are left out.
// nullopt when the folder cannot be read.
std::optional<QHash<QString, FileStamp>> scanFolderFiles(const QString& folder, QString* error);

// A cache of the parsed sidecars of a traces folder in one hidden file, so that listing a large library reads
// one file instead of one per trace. Each record carries the stamp of the sidecar version it was parsed from;
// the library uses a record only while the sidecar on disk still has that stamp, and reads the sidecar
// otherwise. The index is never the only copy of anything: deleting it costs one slow listing.
namespace LibraryIndex {

struct Record
{
    FileStamp sidecar;
    TraceMetadata metadata; // metadata.id is the sidecar's base name; metadata.fileSize as last stat'ed
    qint64 logSize = 0; // the log's size as last stat'ed, so that a listing from the index needs no stat
};

QString fileName(); // ".library-index" (hidden, so that scans and file managers leave it out)

// The file: a 32-byte header (magic, format version, record count, payload size, payload checksum), then the
// records, each behind its length, field by field (little-endian numbers, UTF-8 strings with their length,
// compact JSON for objects).
inline constexpr qsizetype headerSize = 32;
QByteArray encode(const QList<Record>& records);

// Decodes an index handed over in pieces of any size, so that a large index is read through a small reused
// buffer and each record can be used (moved from) as soon as it is complete, without the whole file or a list
// of all records in memory. Damage can show only at the end (the checksum covers every record): records handed
// over before finish() fails must be dropped by the caller.
class Decoder
{
public:
    // Called for each record as it is decoded, with the record count the header announces (for reserving;
    // never more than the given size allows). The record may be moved from.
    using Take = std::function<void(Record& record, quint32 count)>;
    // expectedSize: the bytes that will be fed in all (the file size); a header that disagrees is damage, and
    // it bounds the record count before any record arrives.
    Decoder(Take take, qint64 expectedSize);
    ~Decoder();
    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;

    bool feed(QByteArrayView bytes); // false once the bytes are known not to be an undamaged index
    // True when everything fed was exactly one undamaged index (wrong magic or version, truncated, longer,
    // checksum mismatch and impossible lengths are refused).
    bool finish(QString* error);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

// The whole index at once (through a Decoder).
std::optional<QList<Record>> decode(QByteArrayView bytes, QString* error);
// The records after the header, without the checksum check (exposed for fuzzing the field readers).
std::optional<QList<Record>> decodePayload(QByteArrayView payload, quint32 count, QString* error);

// Reads folder/fileName() through a small buffer, handing each record to `take` as it is decoded. A missing
// index hands over nothing and is not an error; on false, drop whatever was handed over.
bool readEach(const QString& folder, const Decoder::Take& take, QString* error);
// The same into a list. A missing index is an empty list, not an error.
std::optional<QList<Record>> read(const QString& folder, QString* error);
// Writes atomically (QSaveFile). Records whose sidecar stamp is not settled are left out.
bool write(const QString& folder, const QList<Record>& records, QString* error);

} // namespace LibraryIndex
