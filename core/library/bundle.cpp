// SPDX-License-Identifier: MIT
#include "library/bundle.h"

#include "library/partialfile.h"

#include <KArchiveDirectory>
#include <KArchiveFile>
#include <KCompressionDevice>
#include <KTar>
#include <KZip>
#include <KZipFileEntry>
#include <QCoreApplication>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <algorithm>
#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace Bundle {

namespace {

constexpr qint64 chunkSize = 1024 * 1024;
constexpr qint64 tarBlock = 512;

QString tr(const char* text)
{
    return QCoreApplication::translate("Bundle", text);
}

bool failWith(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

QString mimeTypeFor(TraceProbe::Compression compression)
{
    switch (compression) {
    case TraceProbe::Compression::GZip:
        return u"application/gzip"_s;
    case TraceProbe::Compression::Zstd:
        return u"application/zstd"_s;
    case TraceProbe::Compression::Xz:
        return u"application/x-xz"_s;
    default:
        return u"application/x-tar"_s;
    }
}

qint64 readFully(QIODevice& device, char* data, qint64 size)
{
    qint64 total = 0;
    while (total < size) {
        const qint64 got = device.read(data + total, size - total);
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        total += got;
    }
    return total;
}

// The names a bundle may contain, and what each is.
enum class Role { Metadata, Trace, Log };
std::optional<std::pair<Role, TraceProbe::Compression>> roleOf(const QString& name)
{
    if (name == metadataName)
        return std::pair { Role::Metadata, TraceProbe::Compression::Unknown };
    if (name == logName)
        return std::pair { Role::Log, TraceProbe::Compression::Unknown };
    for (auto compression : { TraceProbe::Compression::None, TraceProbe::Compression::GZip,
             TraceProbe::Compression::Zstd, TraceProbe::Compression::Xz }) {
        if (name == traceNameFor(compression))
            return std::pair { Role::Trace, compression };
    }
    return std::nullopt;
}

// Why a raw entry path is refused, or empty when its name is one of ours.
QString refusalForPath(const QString& path)
{
    if (path.startsWith(u'/') || path.startsWith(u'\\') || (path.size() > 1 && path[1] == u':'))
        return tr("entry \"%1\" has an absolute path").arg(path);
    const QStringList parts = path.split(QRegularExpression(u"[/\\\\]"_s));
    if (parts.contains(u".."_s))
        return tr("entry \"%1\" points outside the bundle (\"..\")").arg(path);
    if (parts.size() > 1)
        return tr("entry \"%1\" is inside a folder; a bundle has none").arg(path);
    if (!roleOf(path))
        return tr("unexpected entry \"%1\" (a bundle holds only %2, trace.fxt[.gz|.zst|.xz] and %3)")
            .arg(path, metadataName, logName);
    return {};
}

struct EntrySizes
{
    QString traceEntry;
    TraceProbe::Compression traceCompression = TraceProbe::Compression::Unknown;
    qint64 traceSize = -1;
    qint64 metadataSize = -1;
    qint64 logSize = -1;
};

// Records one validated entry; refuses duplicates and sizes beyond the limits.
bool noteEntry(EntrySizes& sizes, const QString& name, qint64 size, const Limits& limits, QString* error)
{
    const auto role = roleOf(name);
    Q_ASSERT(role);
    qint64* slot = nullptr;
    qint64 limit = 0;
    switch (role->first) {
    case Role::Metadata:
        slot = &sizes.metadataSize;
        limit = limits.maxMetadataBytes;
        break;
    case Role::Log:
        slot = &sizes.logSize;
        limit = limits.maxLogBytes;
        break;
    case Role::Trace:
        if (sizes.traceSize >= 0)
            return failWith(error, tr("the bundle holds more than one trace (%1 and %2)").arg(sizes.traceEntry, name));
        slot = &sizes.traceSize;
        limit = limits.maxTraceBytes;
        sizes.traceEntry = name;
        sizes.traceCompression = role->second;
        break;
    }
    if (*slot >= 0)
        return failWith(error, tr("entry \"%1\" appears more than once").arg(name));
    if (size < 0 || size > limit)
        return failWith(
            error, tr("entry \"%1\" is too large (%2 bytes; the limit is %3)").arg(name).arg(size).arg(limit));
    *slot = size;
    return true;
}

qint64 parseOctal(const char* field, int length, bool* ok)
{
    *ok = false;
    if (uchar(field[0]) & 0x80)
        return -1; // base-256 sizes only occur beyond 8 GiB; refuse through the caller's size check
    qint64 value = 0;
    int i = 0;
    while (i < length && (field[i] == ' ' || field[i] == '\0'))
        ++i;
    bool any = false;
    for (; i < length && field[i] >= '0' && field[i] <= '7'; ++i) {
        value = value * 8 + (field[i] - '0');
        any = true;
    }
    for (; i < length; ++i) {
        if (field[i] != ' ' && field[i] != '\0')
            return -1;
    }
    *ok = any;
    return value;
}

// Walks the raw tar stream (already decompressed) header by header. KTar hides entry types, raw names and the
// expanded size, which are exactly what must be checked before trusting the archive.
bool scanTarStream(
    QIODevice& stream, qint64 bundleSize, const Limits& limits, JobControl* control, EntrySizes& sizes, QString* error)
{
    const qint64 maxTotal = limits.maxTraceBytes + limits.maxLogBytes + limits.maxMetadataBytes + (qint64(1) << 20);
    qint64 expanded = 0;
    QByteArray buffer(chunkSize, Qt::Uninitialized);
    auto readBlock = [&](char* block) -> qint64 {
        const qint64 got = readFully(stream, block, tarBlock);
        if (got > 0)
            expanded += got;
        return got;
    };
    auto checkBomb = [&]() -> bool {
        if (expanded > maxTotal)
            return failWith(error, tr("the bundle expands to more than %1 bytes; refused").arg(maxTotal));
        if (expanded > limits.ratioCheckFloor && double(expanded) > limits.maxCompressionRatio * double(bundleSize))
            return failWith(error,
                tr("the bundle expands more than %1 times (a compression bomb?); refused")
                    .arg(limits.maxCompressionRatio));
        return true;
    };
    QString longName;
    int zeroBlocks = 0;
    for (;;) {
        if (isCancelled(control))
            return failWith(error, tr("cancelled"));
        char header[tarBlock];
        const qint64 got = readBlock(header);
        if (got < 0)
            return failWith(error, tr("the bundle is damaged or truncated (cannot decompress it)"));
        if (got == 0) {
            if (!stream.atEnd()) // a compressed stream that stopped before its end marker
                return failWith(error, tr("the bundle is damaged or truncated (cannot decompress it)"));
            break; // end without the two zero blocks: tolerated, as tar does
        }
        if (got != tarBlock)
            return failWith(error, tr("the bundle is damaged or truncated"));
        if (std::all_of(header, header + tarBlock, [](char c) { return c == 0; })) {
            if (++zeroBlocks == 2)
                break;
            continue;
        }
        zeroBlocks = 0;
        // Header checksum: the sum of all bytes with the checksum field read as spaces.
        bool ok = false;
        const qint64 storedSum = parseOctal(header + 148, 8, &ok);
        qint64 sum = 0;
        for (int i = 0; i < tarBlock; ++i)
            sum += (i >= 148 && i < 156) ? ' ' : uchar(header[i]);
        if (!ok || storedSum != sum)
            return failWith(error, tr("the bundle is damaged (bad tar header at byte %1)").arg(expanded - tarBlock));
        const qint64 size = parseOctal(header + 124, 12, &ok);
        if (!ok || size < 0)
            return failWith(error, tr("the bundle has an entry with an unreadable or huge size"));
        const char type = header[156];
        QString name = longName;
        longName.clear();
        if (name.isEmpty()) {
            name = QFile::decodeName(QByteArray(header, qstrnlen(header, 100)));
            if (header[345] != '\0') // ustar prefix, used the same way by KTar
                name = QFile::decodeName(QByteArray(header + 345, qstrnlen(header + 345, 155))) + u'/' + name;
        }
        auto skipData = [&](qint64 bytes, QByteArray* keep) -> bool {
            const qint64 padded = (bytes + tarBlock - 1) / tarBlock * tarBlock;
            qint64 left = padded;
            while (left > 0) {
                if (isCancelled(control))
                    return failWith(error, tr("cancelled"));
                const qint64 want = qMin<qint64>(left, buffer.size());
                const qint64 n = readFully(stream, buffer.data(), want);
                if (n < 0)
                    return failWith(error, tr("the bundle is damaged or truncated (cannot decompress it)"));
                if (n != want)
                    return failWith(error, tr("the bundle is damaged or truncated"));
                if (keep && keep->size() < bytes)
                    keep->append(buffer.constData(), qMin<qint64>(n, bytes - keep->size()));
                expanded += n;
                if (!checkBomb())
                    return false;
                left -= n;
            }
            return true;
        };
        switch (type) {
        case 'L': { // GNU long name for the next entry
            if (size > 4096)
                return failWith(error, tr("the bundle has an entry with an absurdly long name"));
            QByteArray raw;
            if (!skipData(size, &raw))
                return false;
            longName = QFile::decodeName(QByteArray(raw.constData(), qstrnlen(raw.constData(), raw.size())));
            continue;
        }
        case 'x':
        case 'g': // pax headers: KTar ignores them, and so may we, but their data still counts
            if (size > 65536)
                return failWith(error, tr("the bundle has an oversized extended header"));
            if (!skipData(size, nullptr))
                return false;
            continue;
        case '0':
        case '\0':
        case '7':
            break;
        case '1':
            return failWith(error, tr("entry \"%1\" is a hard link; refused").arg(name));
        case '2':
        case 'K':
            return failWith(error, tr("entry \"%1\" is a symbolic link; refused").arg(name));
        case '3':
        case '4':
            return failWith(error, tr("entry \"%1\" is a device file; refused").arg(name));
        case '6':
            return failWith(error, tr("entry \"%1\" is a named pipe; refused").arg(name));
        case '5': {
            const QString refusal = refusalForPath(name);
            if (refusal.contains(u"\"..\""_s) || name.startsWith(u'/'))
                return failWith(error, refusal);
            return failWith(error, tr("entry \"%1\" is a folder; a bundle has none").arg(name));
        }
        default:
            return failWith(error, tr("entry \"%1\" has an unsupported type '%2'").arg(name, QChar::fromLatin1(type)));
        }
        if (const QString refusal = refusalForPath(name); !refusal.isEmpty())
            return failWith(error, refusal);
        if (!noteEntry(sizes, name, size, limits, error))
            return false;
        if (!skipData(size, nullptr))
            return false;
        reportProgress(control, expanded, 0);
    }
    return checkBomb();
}

// Checks the KZip view: every entry at the top level, a regular file with one of our names, within the limits.
bool scanZip(const KZip& zip, qint64 bundleSize, const Limits& limits, EntrySizes& sizes, QString* error)
{
    const KArchiveDirectory* root = zip.directory();
    qint64 expanded = 0;
    const QStringList names = root->entries();
    for (const QString& name : names) {
        const KArchiveEntry* entry = root->entry(name);
        const mode_t mode = entry->permissions();
        const QString path = entry->isFile() ? static_cast<const KZipFileEntry*>(entry)->path() : name;
        if (!entry->symLinkTarget().isEmpty() || S_ISLNK(mode))
            return failWith(error, tr("entry \"%1\" is a symbolic link; refused").arg(path));
        if (entry->isDirectory()) {
            if (name == u".."_s || name == u"."_s)
                return failWith(error, tr("entry \"%1\" points outside the bundle (\"..\")").arg(name));
            // Report the first file inside, which carries the full offending path.
            const auto* dir = static_cast<const KArchiveDirectory*>(entry);
            const QStringList inner = dir->entries();
            const QString shown = inner.isEmpty() ? QString(name + u'/') : QString(name + u'/' + inner.first());
            if (const QString refusal = refusalForPath(shown); refusal.contains(u"\"..\""_s))
                return failWith(error, refusal);
            return failWith(error, tr("entry \"%1\" is inside a folder; a bundle has none").arg(shown));
        }
        if ((mode & S_IFMT) != 0 && !S_ISREG(mode))
            return failWith(error, tr("entry \"%1\" is a device or special file; refused").arg(path));
        if (const QString refusal = refusalForPath(path); !refusal.isEmpty())
            return failWith(error, refusal);
        const auto* file = static_cast<const KZipFileEntry*>(entry);
        if (!noteEntry(sizes, path, file->size(), limits, error))
            return false;
        if (file->size() > limits.ratioCheckFloor
            && double(file->size()) > limits.maxCompressionRatio * double(qMax<qint64>(file->compressedSize(), 1)))
            return failWith(error,
                tr("entry \"%1\" expands more than %2 times (a compression bomb?); refused")
                    .arg(path)
                    .arg(limits.maxCompressionRatio));
        expanded += file->size();
    }
    if (expanded > limits.ratioCheckFloor && double(expanded) > limits.maxCompressionRatio * double(bundleSize))
        return failWith(error,
            tr("the bundle expands more than %1 times (a compression bomb?); refused").arg(limits.maxCompressionRatio));
    return true;
}

// An opened, validated bundle.
struct OpenBundle
{
    std::unique_ptr<KArchive> archive;
    Inspection inspection;
};

std::optional<OpenBundle> openAndValidate(
    const QString& path, const Limits& limits, JobControl* control, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        failWith(error, tr("cannot open %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    const qint64 bundleSize = file.size();
    const QByteArray head = file.peek(512);
    OpenBundle bundle;
    EntrySizes sizes;
    const bool isZip = head.startsWith("PK\x03\x04") || head.startsWith(QByteArrayView("PK\x05\x06", 4));
    if (isZip) {
        file.close();
        bundle.inspection.containerMimeType = u"application/zip"_s;
        auto zip = std::make_unique<KZip>(path);
        if (!zip->open(QIODevice::ReadOnly)) {
            failWith(error, tr("%1 is not a readable zip file: %2").arg(path, zip->errorString()));
            return std::nullopt;
        }
        if (!scanZip(*zip, bundleSize, limits, sizes, error))
            return std::nullopt;
        bundle.archive = std::move(zip);
    } else {
        const TraceProbe::Compression compression = TraceProbe::sniff(head);
        if (compression == TraceProbe::Compression::None
            && !(head.size() >= 262 && head.mid(257, 5) == QByteArrayView("ustar"))) {
            failWith(error, tr("%1 is not a bundle (neither a zip file nor a tar archive)").arg(path));
            return std::nullopt;
        }
        bundle.inspection.containerMimeType = mimeTypeFor(compression);
        {
            KCompressionDevice decompressor(&file, false, TraceProbe::compressionType(compression));
            QIODevice* stream = &file;
            if (compression != TraceProbe::Compression::None) {
                if (!decompressor.open(QIODevice::ReadOnly)) {
                    failWith(error, tr("cannot decompress %1").arg(path));
                    return std::nullopt;
                }
                stream = &decompressor;
            }
            if (!scanTarStream(*stream, bundleSize, limits, control, sizes, error))
                return std::nullopt;
        }
        file.close();
        auto tar = std::make_unique<KTar>(path, bundle.inspection.containerMimeType);
        if (!tar->open(QIODevice::ReadOnly)) {
            failWith(error, tr("%1 is not a readable tar archive: %2").arg(path, tar->errorString()));
            return std::nullopt;
        }
        // KTar must see exactly what the scan saw.
        const QStringList names = tar->directory()->entries();
        const int expected = (sizes.metadataSize >= 0) + (sizes.traceSize >= 0) + (sizes.logSize >= 0);
        if (names.size() != expected) {
            failWith(error, tr("the bundle's entries are inconsistent"));
            return std::nullopt;
        }
        bundle.archive = std::move(tar);
    }
    if (sizes.metadataSize < 0) {
        failWith(error, tr("the bundle has no %1").arg(metadataName));
        return std::nullopt;
    }
    if (sizes.traceSize < 0) {
        failWith(error, tr("the bundle has no trace"));
        return std::nullopt;
    }

    const KArchiveDirectory* root = bundle.archive->directory();
    const KArchiveFile* metadataFile = root->file(metadataName);
    const KArchiveFile* traceFile = root->file(sizes.traceEntry);
    if (!metadataFile || !traceFile || metadataFile->size() != sizes.metadataSize
        || traceFile->size() != sizes.traceSize) {
        failWith(error, tr("the bundle's entries are inconsistent"));
        return std::nullopt;
    }
    QString metadataError;
    const auto metadata = TraceMetadata::fromJsonBytes(metadataFile->data(), &metadataError);
    if (!metadata) {
        failWith(error, tr("the bundle's %1 is invalid: %2").arg(metadataName, metadataError));
        return std::nullopt;
    }

    // The trace must be what its name says, and FXT inside.
    std::unique_ptr<QIODevice> entryDevice(traceFile->createDevice());
    if (!entryDevice || (!entryDevice->isOpen() && !entryDevice->open(QIODevice::ReadOnly))) {
        failWith(error, tr("cannot read %1 in the bundle").arg(sizes.traceEntry));
        return std::nullopt;
    }
    char magic[8] = {};
    const qint64 magicSize = entryDevice->peek(magic, sizeof magic);
    const TraceProbe::Compression actual = TraceProbe::sniff(QByteArrayView(magic, qMax<qint64>(magicSize, 0)));
    if (actual != sizes.traceCompression) {
        failWith(error, tr("%1 in the bundle is not in the format its name says").arg(sizes.traceEntry));
        return std::nullopt;
    }
    QByteArray prefix(64 * 1024, Qt::Uninitialized);
    qint64 prefixSize = 0;
    if (actual == TraceProbe::Compression::None) {
        prefixSize = readFully(*entryDevice, prefix.data(), prefix.size());
    } else {
        KCompressionDevice decompressor(entryDevice.get(), false, TraceProbe::compressionType(actual));
        if (decompressor.open(QIODevice::ReadOnly))
            prefixSize = readFully(decompressor, prefix.data(), prefix.size());
    }
    prefix.truncate(qMax<qint64>(prefixSize, 0));
    TraceProbe::Summary summary = TraceProbe::summarise(prefix);
    summary.compression = actual;
    if (!summary.isFxt) {
        failWith(error, tr("%1 in the bundle is not an FXT trace").arg(sizes.traceEntry));
        return std::nullopt;
    }

    Inspection& inspection = bundle.inspection;
    inspection.traceEntry = sizes.traceEntry;
    inspection.traceSize = sizes.traceSize;
    inspection.traceCompression = actual;
    inspection.hasLog = sizes.logSize >= 0;
    inspection.logSize = qMax<qint64>(sizes.logSize, 0);
    inspection.metadata = *metadata;
    inspection.traceSummary = summary;
    return bundle;
}

// Streams one archive entry into a new file, never more than its declared size.
bool extractEntry(const KArchiveFile* entry, PartialFile& output, qint64 declaredSize, JobControl* control,
    qint64 progressOffset, qint64 progressTotal, QString* error)
{
    std::unique_ptr<QIODevice> device(entry->createDevice());
    if (!device || (!device->isOpen() && !device->open(QIODevice::ReadOnly)))
        return failWith(error, tr("cannot read %1 in the bundle").arg(entry->name()));
    QByteArray buffer(chunkSize, Qt::Uninitialized);
    qint64 written = 0;
    for (;;) {
        if (isCancelled(control))
            return failWith(error, tr("cancelled"));
        const qint64 want = qMin<qint64>(buffer.size(), declaredSize - written + 1);
        const qint64 got = want > 0 ? device->read(buffer.data(), want) : 0;
        if (got < 0)
            return failWith(error, tr("the bundle is damaged (cannot read %1)").arg(entry->name()));
        if (got == 0)
            break;
        if (written + got > declaredSize)
            return failWith(error, tr("%1 in the bundle is larger than it claims; refused").arg(entry->name()));
        if (output.file().write(buffer.constData(), got) != got)
            return failWith(error, tr("cannot write %1: %2").arg(output.finalPath(), output.file().errorString()));
        written += got;
        reportProgress(control, progressOffset + written, progressTotal);
    }
    if (written != declaredSize)
        return failWith(error, tr("%1 in the bundle is shorter than it claims").arg(entry->name()));
    return true;
}

} // namespace

std::optional<Kind> kindForFileName(QStringView fileName)
{
    const QString name = fileName.toString().toLower();
    if (name.endsWith(u".tar.zst"_s) || name.endsWith(u".tzst"_s))
        return Kind::TarZstd;
    if (name.endsWith(u".tar.gz"_s) || name.endsWith(u".tgz"_s))
        return Kind::TarGzip;
    if (name.endsWith(u".tar.xz"_s) || name.endsWith(u".txz"_s))
        return Kind::TarXz;
    if (name.endsWith(u".zip"_s))
        return Kind::Zip;
    return std::nullopt;
}

QString traceNameFor(TraceProbe::Compression compression)
{
    return u"trace"_s + TraceProbe::fileSuffix(compression);
}

bool write(const QString& bundlePath, Kind kind, const Contents& contents, JobControl* control, QString* error)
{
    if (QFileInfo::exists(bundlePath))
        return failWith(error, tr("%1 already exists; choose another name").arg(bundlePath));
    QFile trace(contents.tracePath);
    if (!trace.open(QIODevice::ReadOnly))
        return failWith(error, tr("cannot open the trace %1: %2").arg(contents.tracePath, trace.errorString()));
    char head[8] = {};
    const TraceProbe::Compression traceCompression
        = TraceProbe::sniff(QByteArrayView(head, qMax<qint64>(trace.peek(head, sizeof head), 0)));
    const qint64 traceSize = trace.size();
    QByteArray log;
    if (!contents.logPath.isEmpty()) {
        QFile logFile(contents.logPath);
        if (logFile.open(QIODevice::ReadOnly))
            log = logFile.readAll(); // logs are small; a missing log is not a reason to fail the export
    }
    const QByteArray metadata = contents.metadata.toJsonBytes();

    PartialFile output(bundlePath);
    if (!output.open(error))
        return false;
    std::unique_ptr<KCompressionDevice> compressor;
    std::unique_ptr<KArchive> archive;
    KZip* zip = nullptr;
    if (kind == Kind::Zip) {
        auto zipArchive = std::make_unique<KZip>(&output.file());
        zip = zipArchive.get();
        archive = std::move(zipArchive);
    } else {
        const auto type = kind == Kind::TarZstd ? KCompressionDevice::Zstd
            : kind == Kind::TarGzip             ? KCompressionDevice::GZip
                                                : KCompressionDevice::Xz;
        compressor = std::make_unique<KCompressionDevice>(&output.file(), false, type);
        if (!compressor->open(QIODevice::WriteOnly))
            return failWith(error, tr("cannot start compressing %1").arg(bundlePath));
        archive = std::make_unique<KTar>(compressor.get());
    }
    if (!archive->open(QIODevice::WriteOnly))
        return failWith(error, tr("cannot write %1: %2").arg(bundlePath, archive->errorString()));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto archiveFailed = [&]() {
        return failWith(error,
            tr("cannot write %1: %2")
                .arg(bundlePath,
                    output.file().error() != QFileDevice::NoError ? output.file().errorString()
                                                                  : archive->errorString()));
    };
    if (zip)
        zip->setCompression(KZip::DeflateCompression);
    if (!archive->writeFile(metadataName, metadata, 0100644, QString(), QString(), now, now, now))
        return archiveFailed();
    if (!log.isEmpty() && !archive->writeFile(logName, log, 0100644, QString(), QString(), now, now, now))
        return archiveFailed();
    if (zip && traceCompression != TraceProbe::Compression::None)
        zip->setCompression(KZip::NoCompression); // already compressed
    if (!archive->prepareWriting(
            traceNameFor(traceCompression), QString(), QString(), traceSize, 0100644, now, now, now))
        return archiveFailed();
    QByteArray buffer(chunkSize, Qt::Uninitialized);
    qint64 copied = 0;
    while (copied < traceSize) {
        if (isCancelled(control))
            return failWith(error, tr("cancelled"));
        const qint64 got = trace.read(buffer.data(), qMin<qint64>(buffer.size(), traceSize - copied));
        if (got <= 0)
            return failWith(error, tr("%1 changed or vanished while it was being exported").arg(contents.tracePath));
        if (!archive->writeData(buffer.constData(), got))
            return archiveFailed();
        copied += got;
        reportProgress(control, copied, traceSize);
    }
    if (!archive->finishWriting(traceSize))
        return archiveFailed();
    if (!archive->close())
        return archiveFailed();
    archive.reset();
    if (compressor) {
        compressor->close();
        if (compressor->error() != QFileDevice::NoError)
            return archiveFailed();
        compressor.reset();
    }
    if (!output.commit(error))
        return false;
    reportProgress(control, traceSize, traceSize);
    return true;
}

std::optional<Inspection> inspect(const QString& bundlePath, const Limits& limits, JobControl* control, QString* error)
{
    auto bundle = openAndValidate(bundlePath, limits, control, error);
    if (!bundle)
        return std::nullopt;
    return bundle->inspection;
}

std::optional<Inspection> extract(const QString& bundlePath, const Limits& limits, const TargetChooser& chooseTargets,
    JobControl* control, QString* error)
{
    auto bundle = openAndValidate(bundlePath, limits, control, error);
    if (!bundle)
        return std::nullopt;
    const Inspection& inspection = bundle->inspection;
    QString traceTarget;
    QString logTarget;
    if (!chooseTargets(inspection, &traceTarget, &logTarget, error))
        return std::nullopt;
    const KArchiveDirectory* root = bundle->archive->directory();
    const qint64 total = inspection.traceSize + inspection.logSize;

    PartialFile traceOutput(traceTarget);
    if (!traceOutput.open(error))
        return std::nullopt;
    if (!extractEntry(root->file(inspection.traceEntry), traceOutput, inspection.traceSize, control, 0, total, error))
        return std::nullopt;
    std::optional<PartialFile> logOutput;
    if (inspection.hasLog && !logTarget.isEmpty()) {
        logOutput.emplace(logTarget);
        if (!logOutput->open(error))
            return std::nullopt;
        if (!extractEntry(
                root->file(logName), *logOutput, inspection.logSize, control, inspection.traceSize, total, error))
            return std::nullopt;
    }
    if (!traceOutput.commit(error))
        return std::nullopt;
    if (logOutput && !logOutput->commit(error)) {
        QFile::remove(traceTarget); // ours, created a moment ago: all or nothing
        return std::nullopt;
    }
    return inspection;
}

} // namespace Bundle
