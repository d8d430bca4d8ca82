// SPDX-License-Identifier: MIT
#pragma once

#include "library/jobcontrol.h"
#include "library/traceprobe.h"

#include <QString>
#include <optional>

// Compressing and decompressing trace files through KCompressionDevice, safely: the new file is written under
// a temporary name, read back and compared byte for byte with the original's FXT bytes, and only then renamed
// into place. The original is never modified or removed here; on any failure, cancel or crash the original
// is intact and nothing is left at the target path.
namespace TraceCompressor {

// Writes sourcePath's FXT content to targetPath in the given container (None writes raw FXT). targetPath must
// not exist. Progress runs over 2 × the source size (write, then verify).
// Note: KArchive 6.13 has no API for compression levels; it uses gzip 6, zstd 3 and xz 6.
bool recompress(const QString& sourcePath, TraceProbe::Compression target, const QString& targetPath,
    JobControl* control, QString* error);

// Compares the decompressed content of two trace files; false with *error on the first difference.
bool sameContent(const QString& a, const QString& b, JobControl* control, QString* error, qint64 progressOffset = 0,
    qint64 progressTotal = 0);

} // namespace TraceCompressor
