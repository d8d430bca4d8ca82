// SPDX-License-Identifier: MIT
#include "library/tracerecording.h"

#include "host/targetaccess.h"

#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace TraceRecording {

namespace {
QByteArray readSmallFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.read(64 * 1024);
}

// magic-trace's flags as a JSON object: "-flag value" pairs, or true for a flag without a value. The output
// path and the target are recorded elsewhere in the metadata.
QJsonObject optionsFromArguments(const QStringList& arguments)
{
    QJsonObject options;
    for (qsizetype i = 1; i < arguments.size(); ++i) { // arguments[0] is the subcommand
        const QString& argument = arguments.at(i);
        if (argument == u"--"_s)
            break;
        if (!argument.startsWith(u'-'))
            continue;
        const QString key = argument.mid(1);
        const bool hasValue = i + 1 < arguments.size() && !arguments.at(i + 1).startsWith(u'-');
        if (key == u"output"_s || key == u"pid"_s || key == u"p"_s) {
            i += hasValue ? 1 : 0;
            continue;
        }
        options.insert(key, hasValue ? QJsonValue(arguments.at(++i)) : QJsonValue(true));
    }
    return options;
}
} // namespace

TraceMetadata metadataFor(const TraceRequest& request, const QString& magicTraceVersion, const QString& procRoot)
{
    TraceMetadata metadata;
    metadata.mode = TraceRequest::modeName(request.mode);
    metadata.startTime = QDateTime::currentDateTimeUtc();
    metadata.magicTraceVersion = magicTraceVersion;
    metadata.magicTraceArguments = request.magicTraceArguments();
    metadata.options = optionsFromArguments(metadata.magicTraceArguments);

    if (request.mode == TraceRequest::Mode::Run) {
        metadata.executable = request.program;
        metadata.processName = QFileInfo(request.program).fileName();
        metadata.commandLine = (QStringList { request.program } + request.programArguments).join(u' ');
        metadata.title = metadata.processName;
        return metadata;
    }
    if (request.pids.isEmpty())
        return metadata;
    const qint64 pid = request.pids.constFirst();
    const QString dir = procRoot + u'/' + QString::number(pid);
    metadata.targetPid = pid;
    metadata.processName = QString::fromLocal8Bit(readSmallFile(dir + u"/comm"_s)).trimmed();
    QByteArray cmdline = readSmallFile(dir + u"/cmdline"_s);
    while (cmdline.endsWith('\0'))
        cmdline.chop(1);
    metadata.commandLine = QString::fromLocal8Bit(cmdline.replace('\0', ' '));
    metadata.executable = QFileInfo(dir + u"/exe"_s).symLinkTarget();
    const QFileInfo processDir(dir);
    if (processDir.exists())
        metadata.user = TargetAccess::userName(processDir.ownerId());
    const QString name = metadata.processName.isEmpty() ? u"PID"_s : metadata.processName;
    metadata.title = u"%1 (%2)"_s.arg(name).arg(pid);
    return metadata;
}

TraceLibrary::RecordingResult resultFor(const TraceResult& result)
{
    TraceLibrary::RecordingResult recorded;
    switch (result.outcome) {
    case TraceResult::Outcome::Finished:
        recorded.outcome = TraceOutcome::Succeeded;
        break;
    case TraceResult::Outcome::Failed:
        recorded.outcome = TraceOutcome::Failed;
        break;
    case TraceResult::Outcome::Cancelled:
        recorded.outcome = TraceOutcome::Cancelled;
        break;
    }
    if (!result.crashed && result.exitCode >= 0)
        recorded.exitCode = result.exitCode;
    recorded.exitSignal = result.crashed ? result.exitSignal : 0;
    recorded.endTime = result.endTime.toUTC();
    recorded.logFilePath = result.logPath;
    recorded.magicTraceVersion = result.magicTraceVersion.text;
    return recorded;
}

} // namespace TraceRecording
