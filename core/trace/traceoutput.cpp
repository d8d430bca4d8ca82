// SPDX-License-Identifier: MIT
#include "trace/traceoutput.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <cstring>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("TraceOutput", text);
}

constexpr char kFxtMagic[8] = { 0x10, 0x00, 0x04, 0x46, 0x78, 0x54, 0x16, 0x00 };
constexpr char kGzipMagic[2] = { char(0x1f), char(0x8b) };
constexpr char kZstdMagic[4] = { 0x28, char(0xb5), 0x2f, char(0xfd) };

} // namespace

QString TraceOutput::defaultDirectory()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + u"/traces"_s;
    QDir().mkpath(dir);
    return dir;
}

QString TraceOutput::uniqueOutputPath(
    const QString& directory, const MagicTraceCapabilities& capabilities, const QString& stem)
{
    const QString suffix = capabilities.compressedOutput ? u".fxt.gz"_s : u".fxt"_s;
    const QString base
        = QDir(directory).absoluteFilePath(stem + u'-' + QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss"_s));
    QString candidate = base + suffix;
    for (int n = 2; QFileInfo::exists(candidate) || QFileInfo::exists(logPathFor(candidate)); ++n)
        candidate = base + u'-' + QString::number(n) + suffix;
    return candidate;
}

QString TraceOutput::logPathFor(const QString& outputPath)
{
    return outputPath + u".log"_s;
}

bool TraceOutput::checkOutput(const QString& path, QString* format, QString* problem)
{
    auto fail = [&](const QString& text) {
        if (problem)
            *problem = text;
        return false;
    };
    QFile file(path);
    if (!file.exists())
        return fail(tr("%1 was not written.").arg(path));
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("%1 cannot be read: %2").arg(path, file.errorString()));
    const QByteArray head = file.read(8);
    const QString lower = path.toLower();
    QString found;
    if (head.isEmpty())
        return fail(tr("%1 is empty.").arg(path));
    if (lower.endsWith(u".sexp"_s))
        found = head.startsWith('(') ? u"sexp"_s : QString();
    else if (lower.endsWith(u".binio"_s))
        found = u"binio"_s;
    else if (head.size() == 8 && std::memcmp(head.constData(), kFxtMagic, 8) == 0)
        found = u"fxt"_s;
    else if (head.size() >= 2 && std::memcmp(head.constData(), kGzipMagic, 2) == 0)
        found = u"gzip"_s;
    else if (head.size() >= 4 && std::memcmp(head.constData(), kZstdMagic, 4) == 0)
        found = u"zstd"_s;
    if (found.isEmpty())
        return fail(tr("%1 does not start like a trace (no FXT, gzip or zstd magic bytes).").arg(path));
    if (format)
        *format = found;
    return true;
}
