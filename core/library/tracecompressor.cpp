// SPDX-License-Identifier: MIT
#include "library/tracecompressor.h"

#include "library/partialfile.h"

#include <KCompressionDevice>
#include <QCoreApplication>
#include <QFileInfo>
#include <cstring>

namespace TraceCompressor {

namespace {
constexpr qint64 chunkSize = 1024 * 1024;

QString tr(const char* text)
{
    return QCoreApplication::translate("TraceCompressor", text);
}

// Reads until the buffer is full or the stream ends; -1 on a read error.
qint64 readFully(QIODevice& device, char* data, qint64 size)
{
    qint64 total = 0;
    while (total < size) {
        const qint64 got = device.read(data + total, size - total);
        if (got < 0)
            return -1;
        if (got == 0) {
            // KCompressionDevice reports a damaged or cut stream as a short read first; only atEnd() tells.
            if (!device.atEnd())
                return -1;
            break;
        }
        total += got;
    }
    return total;
}

struct FileStamp
{
    qint64 size = -1;
    QDateTime modified;
    bool operator==(const FileStamp&) const = default;
};

FileStamp stampOf(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return {};
    return { info.size(), info.lastModified(QTimeZone::UTC) };
}
} // namespace

bool sameContent(const QString& a, const QString& b, JobControl* control, QString* error, qint64 progressOffset,
    qint64 progressTotal)
{
    auto fail = [&](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    TraceProbe::Compression compressionA = TraceProbe::Compression::Unknown;
    std::unique_ptr<QIODevice> deviceA = TraceProbe::openDecompressed(a, &compressionA, error);
    if (!deviceA)
        return false;
    std::unique_ptr<QIODevice> deviceB = TraceProbe::openDecompressed(b, nullptr, error);
    if (!deviceB)
        return false;
    QFile* rawA = qobject_cast<QFile*>(deviceA.get());
    const qint64 sizeA = QFileInfo(a).size();
    QByteArray bufferA(chunkSize, Qt::Uninitialized);
    QByteArray bufferB(chunkSize, Qt::Uninitialized);
    qint64 position = 0;
    for (;;) {
        if (isCancelled(control))
            return fail(tr("cancelled"));
        const qint64 gotA = readFully(*deviceA, bufferA.data(), chunkSize);
        const qint64 gotB = readFully(*deviceB, bufferB.data(), chunkSize);
        if (gotA < 0)
            return fail(tr("cannot read %1: %2").arg(a, deviceA->errorString()));
        if (gotB < 0)
            return fail(tr("cannot read %1 back: it is damaged").arg(b));
        if (gotA != gotB || std::memcmp(bufferA.constData(), bufferB.constData(), size_t(gotA)) != 0)
            return fail(
                tr("%1 does not read back as the same trace (first difference near byte %2)").arg(b).arg(position));
        position += gotA;
        if (progressTotal > 0) {
            // Progress follows the first file's position on disk when it is raw, else its decompressed bytes
            // scaled by nothing better than the file size (close enough for a bar).
            const qint64 done = rawA ? rawA->pos() : qMin(position, sizeA);
            reportProgress(control, progressOffset + qMin(done, sizeA), progressTotal);
        }
        if (gotA == 0)
            return true;
    }
}

bool recompress(const QString& sourcePath, TraceProbe::Compression target, const QString& targetPath,
    JobControl* control, QString* error)
{
    auto fail = [&](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    if (target == TraceProbe::Compression::Unknown)
        return fail(tr("unknown compression format"));
    if (QFileInfo::exists(targetPath))
        return fail(tr("%1 already exists; it was left alone").arg(targetPath));

    const FileStamp before = stampOf(sourcePath);
    if (before.size < 0)
        return fail(tr("%1 does not exist (any more)").arg(sourcePath));

    // The source: a QFile we own, so that progress can follow its position even through decompression.
    QFile sourceFile(sourcePath);
    if (!sourceFile.open(QIODevice::ReadOnly))
        return fail(tr("cannot open %1: %2").arg(sourcePath, sourceFile.errorString()));
    char head[8] = {};
    const TraceProbe::Compression sourceCompression
        = TraceProbe::sniff(QByteArrayView(head, qMax<qint64>(sourceFile.peek(head, sizeof head), 0)));
    std::unique_ptr<KCompressionDevice> decompressor;
    QIODevice* source = &sourceFile;
    if (sourceCompression != TraceProbe::Compression::None) {
        decompressor
            = std::make_unique<KCompressionDevice>(&sourceFile, false, TraceProbe::compressionType(sourceCompression));
        if (!decompressor->open(QIODevice::ReadOnly))
            return fail(tr("cannot decompress %1").arg(sourcePath));
        source = decompressor.get();
    }

    PartialFile output(targetPath);
    if (!output.open(error))
        return false;
    KCompressionDevice compressor(&output.file(), false, TraceProbe::compressionType(target));
    QIODevice* sink = &output.file();
    if (target != TraceProbe::Compression::None) {
        if (!compressor.open(QIODevice::WriteOnly))
            return fail(tr("cannot start compressing to %1").arg(targetPath));
        sink = &compressor;
    }

    const qint64 total = 2 * before.size;
    QByteArray buffer(chunkSize, Qt::Uninitialized);
    bool first = true;
    for (;;) {
        if (isCancelled(control))
            return fail(tr("cancelled"));
        const qint64 got = readFully(*source, buffer.data(), chunkSize);
        if (got < 0)
            return fail(tr("cannot read %1: it is damaged or unreadable").arg(sourcePath));
        if (first && !TraceProbe::hasFxtMagic(QByteArrayView(buffer.constData(), got)))
            return fail(tr("%1 is not an FXT trace").arg(sourcePath));
        first = false;
        if (got == 0)
            break;
        if (sink->write(buffer.constData(), got) != got)
            return fail(tr("cannot write %1: %2").arg(targetPath, output.file().errorString()));
        reportProgress(control, sourceFile.pos(), total);
    }
    if (sink == &compressor) {
        compressor.close();
        if (compressor.error() != QFileDevice::NoError || output.file().error() != QFileDevice::NoError)
            return fail(tr("cannot write %1: %2").arg(targetPath, output.file().errorString()));
    }
    decompressor.reset();
    sourceFile.close();

    if (!output.file().flush())
        return fail(tr("cannot write %1: %2").arg(targetPath, output.file().errorString()));
    if (!sameContent(sourcePath, output.temporaryPath(), control, error, before.size, total))
        return false;
    if (stampOf(sourcePath) != before)
        return fail(tr("%1 changed or vanished while it was being converted; nothing was replaced").arg(sourcePath));
    if (!output.commit(error))
        return false;
    reportProgress(control, total, total);
    return true;
}

} // namespace TraceCompressor
