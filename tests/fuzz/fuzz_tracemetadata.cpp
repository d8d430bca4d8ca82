// SPDX-License-Identifier: MIT
// libFuzzer target for trace sidecars (TraceMetadata::fromJsonBytes): they sit beside each trace as plain JSON
// that people edit by hand and other versions write. A sidecar is either refused with an error, or accepted;
// an accepted one must write back (toJsonBytes) to a sidecar that reads as the same metadata, so that the
// library's rewrites (tags, notes, compression) never change or lose what it read.
#include "library/tracemetadata.h"

#include <QByteArray>
#include <QString>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    QString error;
    const auto metadata = TraceMetadata::fromJsonBytes(bytes, &error);
    if (!metadata) {
        if (error.isEmpty())
            __builtin_trap();
        return 0;
    }
    const QByteArray written = metadata->toJsonBytes();
    QString rereadError;
    const auto reread = TraceMetadata::fromJsonBytes(written, &rereadError);
    if (!reread || !(*reread == *metadata))
        __builtin_trap();
    return 0;
}
