// SPDX-License-Identifier: MIT
// libFuzzer target for the library index (LibraryIndex): the file is read from the traces folder, where any
// program or a full disk may have left it damaged. Every input goes through three paths:
//  - decode() of the input as a whole index, and the same bytes fed to a Decoder in pieces whose sizes come from
//    the input: both must agree on success and on every record;
//  - decodePayload() of the input as the records after a header (no checksum in the way), so that the field
//    readers see damage the checksum would otherwise stop first.
// Whatever decodes must have an id and a trace file name that stay inside the folder.
#include "library/libraryindex.h"

#include <QByteArray>
#include <QString>

namespace {

void checkRecord(const LibraryIndex::Record& record)
{
    const TraceMetadata& m = record.metadata;
    if (m.id.isEmpty() || m.id.contains(u'/') || m.traceFile.isEmpty() || m.traceFile.contains(u'/'))
        __builtin_trap();
}

bool sameRecords(const QList<LibraryIndex::Record>& a, const QList<LibraryIndex::Record>& b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a[i].sidecar.sameVersion(b[i].sidecar) || a[i].sidecar.seenNs != b[i].sidecar.seenNs
            || !(a[i].metadata == b[i].metadata) || a[i].logSize != b[i].logSize)
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    QString error;

    // As a whole index, at once and in pieces.
    const auto whole = LibraryIndex::decode(bytes, &error);
    if (whole) {
        for (const LibraryIndex::Record& record : *whole)
            checkRecord(record);
    } else if (error.isEmpty()) {
        __builtin_trap();
    }
    QList<LibraryIndex::Record> pieced;
    LibraryIndex::Decoder decoder(
        [&](LibraryIndex::Record& record, quint32) { pieced.append(std::move(record)); }, qint64(size));
    // Piece sizes from the input's own bytes (1 to 64), so the fuzzer explores splits along with contents.
    bool fed = true;
    for (qsizetype at = 0, step = 0; at < bytes.size() && fed; ++step) {
        const qsizetype piece = qMin<qsizetype>(1 + (data[step % size] & 63), bytes.size() - at);
        fed = decoder.feed(bytes.sliced(at, piece));
        at += piece;
    }
    QString piecedError;
    const bool piecedOk = fed && decoder.finish(&piecedError);
    if (piecedOk != whole.has_value() || (piecedOk && !sameRecords(pieced, *whole)))
        __builtin_trap();

    // As the records behind a header, with a record count from the first byte.
    if (size > 0) {
        const auto records = LibraryIndex::decodePayload(bytes.sliced(1), quint32(data[0] & 15), &error);
        if (records) {
            for (const LibraryIndex::Record& record : *records)
                checkRecord(record);
        } else if (error.isEmpty()) {
            __builtin_trap();
        }
    }
    return 0;
}
