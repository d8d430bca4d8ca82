// SPDX-License-Identifier: MIT
#include "fxt/fxtformat.h"

#include <KCompressionDevice>
#include <QCoreApplication>
#include <QFile>
#include <cstring>

using namespace Qt::StringLiterals;

namespace FxtFormat {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("FxtFormat", text);
}

} // namespace

KCompressionDevice::CompressionType compressionType(Format format)
{
    switch (format) {
    case Format::Gzip:
        return KCompressionDevice::GZip;
    case Format::Zstd:
        return KCompressionDevice::Zstd;
    case Format::Xz:
        return KCompressionDevice::Xz;
    case Format::Fxt:
        break;
    }
    return KCompressionDevice::None;
}

Format sniff(QByteArrayView b)
{
    const auto at = [&](qsizetype i) { return quint8(b.at(i)); };
    if (b.size() >= 2 && at(0) == 0x1f && at(1) == 0x8b)
        return Format::Gzip;
    if (b.size() >= 4 && at(0) == 0x28 && at(1) == 0xb5 && at(2) == 0x2f && at(3) == 0xfd)
        return Format::Zstd;
    if (b.size() >= 6 && at(0) == 0xfd && at(1) == 0x37 && at(2) == 0x7a && at(3) == 0x58 && at(4) == 0x5a
        && at(5) == 0x00)
        return Format::Xz;
    return Format::Fxt;
}

bool sniffFile(const QString& path, Format* format, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("cannot open %1: %2").arg(path, file.errorString());
        return false;
    }
    *format = sniff(file.read(8));
    return true;
}

QString name(Format format)
{
    switch (format) {
    case Format::Gzip:
        return u"gzip"_s;
    case Format::Zstd:
        return u"zstd"_s;
    case Format::Xz:
        return u"xz"_s;
    case Format::Fxt:
        break;
    }
    return u"fxt"_s;
}

QString suffix(Format format)
{
    switch (format) {
    case Format::Gzip:
        return u".fxt.gz"_s;
    case Format::Zstd:
        return u".fxt.zst"_s;
    case Format::Xz:
        return u".fxt.xz"_s;
    case Format::Fxt:
        break;
    }
    return u".fxt"_s;
}

Format forFileName(const QString& fileName)
{
    if (fileName.endsWith(u".gz"_s, Qt::CaseInsensitive))
        return Format::Gzip;
    if (fileName.endsWith(u".zst"_s, Qt::CaseInsensitive) || fileName.endsWith(u".zstd"_s, Qt::CaseInsensitive))
        return Format::Zstd;
    if (fileName.endsWith(u".xz"_s, Qt::CaseInsensitive))
        return Format::Xz;
    return Format::Fxt;
}

bool looksLikeTrace(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("cannot open %1: %2").arg(path, file.errorString());
        return false;
    }
    const Format format = sniff(file.peek(8));
    QByteArray head;
    if (format == Format::Fxt) {
        head = file.read(8);
    } else {
        KCompressionDevice device(&file, false, compressionType(format));
        if (!device.open(QIODevice::ReadOnly)) {
            if (error)
                *error = tr("cannot decompress %1 (%2)").arg(path, name(format));
            return false;
        }
        head = device.read(8);
    }
    if (head.size() == 8 && std::memcmp(head.constData(), kMagic, 8) == 0)
        return true;
    if (error) {
        if (head.isEmpty() && format == Format::Fxt)
            *error = tr("%1 is empty").arg(path);
        else if (format == Format::Fxt)
            *error = tr("%1 is not an FXT trace (no FXT magic number at its start)").arg(path);
        else
            *error = tr("%1 is %2-compressed but does not contain an FXT trace").arg(path, name(format));
    }
    return false;
}

} // namespace FxtFormat
