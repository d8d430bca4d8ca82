// SPDX-License-Identifier: MIT
#include "library/traceprobe.h"

#include "fxt/fxtformat.h"
#include "fxt/fxtreader.h"

#include <KCompressionDevice>
#include <QCoreApplication>
#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QTimeZone>
#include <QtEndian>
#include <cstring>

using namespace Qt::StringLiterals;

namespace TraceProbe {

namespace {

const QRegularExpression& traceNamePattern()
{
    static const QRegularExpression pattern(u"\\.(fxt|ftf)(\\.(gz|zst|xz))?(\\.old)?$"_s);
    return pattern;
}
} // namespace

FxtFormat::Format fxtFormat(Compression compression)
{
    switch (compression) {
    case Compression::GZip:
        return FxtFormat::Format::Gzip;
    case Compression::Zstd:
        return FxtFormat::Format::Zstd;
    case Compression::Xz:
        return FxtFormat::Format::Xz;
    case Compression::None:
    case Compression::Unknown:
        break;
    }
    return FxtFormat::Format::Fxt;
}

QString formatKey(Compression compression)
{
    return compression == Compression::Unknown ? QString() : FxtFormat::name(fxtFormat(compression));
}

std::optional<Compression> compressionFromKey(QStringView key)
{
    if (key == u"fxt" || key == u"none")
        return Compression::None;
    if (key == u"gzip" || key == u"gz")
        return Compression::GZip;
    if (key == u"zstd" || key == u"zst")
        return Compression::Zstd;
    if (key == u"xz")
        return Compression::Xz;
    return std::nullopt;
}

QString fileSuffix(Compression compression)
{
    return FxtFormat::suffix(fxtFormat(compression));
}

Compression sniff(QByteArrayView head)
{
    switch (FxtFormat::sniff(head)) {
    case FxtFormat::Format::Gzip:
        return Compression::GZip;
    case FxtFormat::Format::Zstd:
        return Compression::Zstd;
    case FxtFormat::Format::Xz:
        return Compression::Xz;
    case FxtFormat::Format::Fxt:
        break;
    }
    return Compression::None;
}

bool hasFxtMagic(QByteArrayView head)
{
    return head.size() >= 8 && std::memcmp(head.data(), FxtFormat::kMagic, 8) == 0;
}

bool isTraceFileName(QStringView fileName)
{
    return traceNamePattern().matchView(fileName).hasMatch();
}

QString baseName(QStringView fileName)
{
    const QRegularExpressionMatch match = traceNamePattern().matchView(fileName);
    return match.hasMatch() ? fileName.first(match.capturedStart()).toString() : fileName.toString();
}

std::unique_ptr<QIODevice> openDecompressed(const QString& path, Compression* compression, QString* error)
{
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly)) {
        if (error)
            *error = QCoreApplication::translate("TraceProbe", "cannot open %1: %2").arg(path, file->errorString());
        return nullptr;
    }
    char head[8] = {};
    const qint64 got = file->peek(head, sizeof head);
    const Compression sniffed = sniff(QByteArrayView(head, qMax<qint64>(got, 0)));
    if (compression)
        *compression = sniffed;
    if (sniffed == Compression::None)
        return file;
    file->close();
    auto device = std::make_unique<KCompressionDevice>(path, compressionType(sniffed));
    if (!device->open(QIODevice::ReadOnly)) {
        if (error)
            *error = QCoreApplication::translate("TraceProbe", "cannot open %1 for decompression: %2")
                         .arg(path, device->errorString());
        return nullptr;
    }
    return device;
}

std::optional<Summary> probe(const QString& path, QString* error, qint64 maxBytes)
{
    Compression compression = Compression::Unknown;
    std::unique_ptr<QIODevice> device = openDecompressed(path, &compression, error);
    if (!device)
        return std::nullopt;
    QByteArray prefix(maxBytes, Qt::Uninitialized);
    qint64 total = 0;
    while (total < maxBytes) {
        const qint64 got = device->read(prefix.data() + total, maxBytes - total);
        if (got <= 0)
            break; // end, or a damaged stream: what was read so far is still worth summarising
        total += got;
    }
    prefix.truncate(total);
    Summary summary = summarise(prefix);
    summary.compression = compression;
    return summary;
}

Summary summarise(QByteArrayView bytes)
{
    Summary summary;
    summary.isFxt = hasFxtMagic(bytes);
    if (!summary.isFxt)
        return summary;
    // The project's reader, on the prefix: a record cut off by the prefix's end is only a recorded anomaly.
    const std::shared_ptr<TraceData> data = FxtReader::loadBytes(bytes.toByteArray());
    if (!data)
        return summary;
    // Writers without a wall clock leave 0 here; that is "unknown", not 1970.
    const std::optional<quint64> baseNs = data->summary().baseTimeNs;
    if (baseNs && *baseNs > 946684800ull * 1000000000ull) // after 2000-01-01
        summary.baseTime = QDateTime::fromMSecsSinceEpoch(qint64(*baseNs / 1000000), QTimeZone::UTC);
    static const QRegularExpression pidPattern(u"\\[pid=(\\d+)\\]|^(\\d+)/\\d+$"_s);
    for (const TraceProcess& process : data->processes()) {
        const QString name = data->string(process.nameId);
        if (name.isEmpty() || summary.processNames.contains(name))
            continue;
        summary.processNames.append(name);
        const QRegularExpressionMatch match = pidPattern.match(name);
        if (summary.pid == 0 && match.hasMatch())
            summary.pid = (match.hasCaptured(1) ? match.captured(1) : match.captured(2)).toLongLong();
    }
    return summary;
}

QString displayProcessName(const QString& traceProcessName)
{
    static const QRegularExpression suffix(u"\\s*\\[pid=\\d+\\]\\s*$"_s);
    QString name = traceProcessName;
    name.remove(suffix);
    return name.trimmed();
}

} // namespace TraceProbe
