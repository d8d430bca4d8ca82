// SPDX-License-Identifier: MIT
#include "trace/traceoutput.h"

#include "fxt/fxtformat.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("TraceOutput", text);
}

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
    const QFileInfo info(path);
    if (!info.exists())
        return fail(tr("%1 was not written.").arg(path));
    if (info.size() == 0)
        return fail(tr("%1 is empty.").arg(path));
    const QString lower = path.toLower();
    if (lower.endsWith(u".sexp"_s) || lower.endsWith(u".binio"_s)) {
        // magic-trace's non-FXT outputs: an S-expression dump, or bin_prot.
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(tr("%1 cannot be read: %2").arg(path, file.errorString()));
        const bool sexp = lower.endsWith(u".sexp"_s);
        if (sexp && !file.peek(64).trimmed().startsWith('('))
            return fail(tr("%1 is not an S-expression trace.").arg(path));
        if (format)
            *format = sexp ? u"sexp"_s : u"binio"_s;
        return true;
    }
    // FXT, raw or compressed: the FXT magic record must be the first decompressed bytes.
    QString error;
    if (!FxtFormat::looksLikeTrace(path, &error))
        return fail(error);
    QFile file(path);
    if (format && file.open(QIODevice::ReadOnly))
        *format = FxtFormat::name(FxtFormat::sniff(file.peek(8)));
    return true;
}
