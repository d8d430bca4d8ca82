// SPDX-License-Identifier: MIT
#pragma once

#include <KCompressionDevice>
#include <QByteArrayView>
#include <QString>

// What a trace file's first bytes say it is. Detection is by magic bytes only, never by file name.
namespace FxtFormat {

enum class Format { Fxt, Gzip, Zstd, Xz };

// The 8 bytes every FXT stream starts with (the magic-number record), and the same as a 64-bit word.
inline constexpr char kMagic[8] = { 0x10, 0x00, 0x04, 0x46, 0x78, 0x54, 0x16, 0x00 };
inline constexpr quint64 kMagicWord = 0x0016547846040010ULL;

// Gzip (1f 8b), zstd (28 b5 2f fd), xz (fd 37 7a 58 5a 00); anything else is Fxt (possibly not a trace at all).
Format sniff(QByteArrayView firstBytes);
// Reads the first bytes of the file at path. Returns nullopt-like Fxt with *error set when it cannot be read.
bool sniffFile(const QString& path, Format* format, QString* error);

// The KCompressionDevice type that reads or writes the format (None for plain FXT).
KCompressionDevice::CompressionType compressionType(Format format);
// "fxt", "gzip", "zstd", "xz" (the names used by `inspect --json`).
QString name(Format format);
// The conventional file name suffix: ".fxt", ".fxt.gz", ".fxt.zst", ".fxt.xz".
QString suffix(Format format);
// Compression wanted for a file name by its suffix (.gz, .zst/.zstd, .xz); Fxt otherwise. Used when writing.
Format forFileName(const QString& fileName);

// True when the file is an FXT trace: plain FXT starting with the magic record, or a gzip/zstd/xz stream whose
// first decompressed bytes are that magic. Otherwise false with a one-line reason in *error (user-facing text).
bool looksLikeTrace(const QString& path, QString* error = nullptr);

} // namespace FxtFormat
