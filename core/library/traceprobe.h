// SPDX-License-Identifier: MIT
#pragma once

#include "fxt/fxtformat.h"

#include <QByteArrayView>
#include <QDateTime>
#include <QIODevice>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

// Cheap facts about a trace file without loading it: the container (sniffed from the magic bytes, never from
// the name), whether the content is FXT, and the names and start time found in its first records (read with
// FxtReader from the first few KiB).
namespace TraceProbe {

// FxtFormat::Format plus "not known yet" (a file not probed, or that could not be read).
enum class Compression { None, GZip, Zstd, Xz, Unknown };
// The same container as an FxtFormat::Format (Fxt for None and Unknown), for the names, suffixes and
// KCompressionDevice types kept there.
FxtFormat::Format fxtFormat(Compression compression);
inline KCompressionDevice::CompressionType compressionType(Compression compression)
{
    return FxtFormat::compressionType(fxtFormat(compression));
}

QString formatKey(Compression compression); // "fxt", "gzip", "zstd", "xz"; empty for Unknown
std::optional<Compression> compressionFromKey(QStringView key); // also accepts "gz", "zst", "none"
QString fileSuffix(Compression compression); // ".fxt", ".fxt.gz", ".fxt.zst", ".fxt.xz"

// By magic bytes: gzip 1f 8b, zstd 28 b5 2f fd, xz fd 37 7a 58 5a 00. Anything else is None (raw).
Compression sniff(QByteArrayView head);
// True when the first 8 (decompressed) bytes are the FXT magic-number record.
bool hasFxtMagic(QByteArrayView head);

// Names the library treats as traces: *.fxt / *.ftf with optional .gz/.zst/.xz, and magic-trace's ".old"
// renames of those.
bool isTraceFileName(QStringView fileName);
// "run 2.fxt.gz.old" -> "run 2"
QString baseName(QStringView fileName);

// Opens the decompressed FXT byte stream of a file of any supported container. *compression receives what
// was sniffed. Returns nullptr with *error on failure.
std::unique_ptr<QIODevice> openDecompressed(const QString& path, Compression* compression, QString* error);

struct Summary
{
    Compression compression = Compression::Unknown;
    bool isFxt = false; // starts with the FXT magic once decompressed
    QDateTime baseTime; // from the Jane Street 4-word initialization record, UTC
    QStringList processNames; // named processes (kernel objects), by pid, no duplicates
    qint64 pid = 0; // the first real pid found in a name ("[pid=123]" or "123/456"), 0 if none
};

// Reads at most maxBytes of decompressed data. Fails only when the file cannot be opened or read; a file that
// is not FXT gives a summary with isFxt false.
std::optional<Summary> probe(const QString& path, QString* error, qint64 maxBytes = 64 * 1024);
// Reads an FXT prefix with FxtReader (a truncated last record is ignored).
Summary summarise(QByteArrayView fxtPrefix);

// "ls -l [pid=1234]" -> "ls -l"; "1234/1234" stays as is.
QString displayProcessName(const QString& traceProcessName);

} // namespace TraceProbe
