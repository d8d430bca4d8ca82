// SPDX-License-Identifier: MIT
#include "trace/tracerequest.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("TraceRequest", text);
}

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

QString TraceRequest::modeName(Mode mode)
{
    return mode == Mode::Attach ? u"attach"_s : u"run"_s;
}

bool TraceRequest::validate(const MagicTraceCapabilities& caps, QString* error) const
{
    if (mode == Mode::Attach) {
        if (pids.isEmpty())
            return fail(error, tr("Choose a process to trace."));
        QSet<qint64> seen;
        for (qint64 pid : pids) {
            if (pid <= 0 || pid > 0x3fffffff)
                return fail(error, tr("%1 is not a valid process ID.").arg(pid));
            if (seen.contains(pid))
                return fail(error, tr("Process %1 is listed twice.").arg(pid));
            seen.insert(pid);
        }
        if (pids.size() > 1 && !caps.multiplePids)
            return fail(error, caps.refusal(MagicTraceFeature::MultiplePids));
    } else {
        if (program.trimmed().isEmpty())
            return fail(error, tr("Choose a program to run."));
        if (!workingDirectory.isEmpty() && !QFileInfo(workingDirectory).isDir())
            return fail(error, tr("The working directory %1 does not exist.").arg(workingDirectory));
    }

    if (outputPath.isEmpty())
        return fail(error, tr("No output file was chosen."));
    if (!QDir::isAbsolutePath(outputPath))
        return fail(error, tr("The output file %1 is not an absolute path.").arg(outputPath));
    const QFileInfo output(outputPath);
    if (output.fileName().isEmpty() || output.isDir())
        return fail(error, tr("The output %1 is a folder, not a file name.").arg(outputPath));
    if (!output.absoluteDir().exists())
        return fail(error, tr("The output folder %1 does not exist.").arg(output.absolutePath()));
    const QString lower = output.fileName().toLower();
    if ((lower.endsWith(u".gz"_s) || lower.endsWith(u".zst"_s)) && !caps.compressedOutput)
        return fail(error, caps.refusal(MagicTraceFeature::CompressedOutput));
    if (lower.endsWith(u".sexp"_s) && !caps.sexpOutput)
        return fail(error, caps.refusal(MagicTraceFeature::SexpOutput));
    if (lower.endsWith(u".binio"_s) && !caps.binioOutput)
        return fail(error, caps.refusal(MagicTraceFeature::BinioOutput));

    if (mode == Mode::Run && !workingDirectory.isEmpty()
        && QFileInfo(workingDirectory).canonicalFilePath() != output.absoluteDir().canonicalPath()) {
        // magic-trace runs in the program's working directory then, and renames "<basename>" there to ".old"
        // before writing (its rename uses the basename, not the -o path): never let it touch a user's file.
        const QString clash = QDir(workingDirectory).filePath(output.fileName());
        if (QFileInfo::exists(clash))
            return fail(error,
                tr("%1 exists in the program's working directory and magic-trace would rename it to %2.old; choose "
                   "another output file name.")
                    .arg(clash, output.fileName()));
    }
    if (!snapshotSize.isEmpty()) {
        static const QRegularExpression size(uR"(^\d+(\.\d+)?[bBkKmMgG]$)"_s);
        if (!size.match(snapshotSize).hasMatch())
            return fail(error, tr("The snapshot size \"%1\" is not a size like 256K, 4M or 1G.").arg(snapshotSize));
        if (fullExecution)
            return fail(error, tr("A snapshot size has no meaning with full execution recording."));
    }
    if (!timerResolution.isEmpty()) {
        const QString t = timerResolution.trimmed();
        const bool simple = t == u"Low"_s || t == u"Normal"_s || t == u"High"_s;
        const bool custom = t.startsWith(u"(Custom"_s) && t.endsWith(u')');
        const bool sample = t.startsWith(u"(Sample"_s) && t.endsWith(u')');
        if (!simple && !custom && !sample)
            return fail(error,
                tr("The timer resolution \"%1\" is not one of Low, Normal, High, (Custom ...) or (Sample ...).")
                    .arg(timerResolution));
        if (sample && !caps.sampleTimerResolution)
            return fail(error, caps.refusal(MagicTraceFeature::SampleTimerResolution));
    }
    if (sampling && !caps.sampling)
        return fail(error, caps.refusal(MagicTraceFeature::Sampling));
    if (!callgraphMode.isEmpty()) {
        if (!caps.callgraphMode)
            return fail(error, caps.refusal(MagicTraceFeature::CallgraphMode));
        static const QStringList modes = { u"lbr"_s, u"lbr-no-stitch"_s, u"dwarf"_s, u"fp"_s };
        if (!modes.contains(callgraphMode) && !callgraphMode.startsWith(u'('))
            return fail(error,
                tr("The call graph mode \"%1\" is not one of lbr, lbr-no-stitch, dwarf or fp.").arg(callgraphMode));
        if (!sampling)
            return fail(error, tr("A call graph mode only applies to sampling; turn sampling on as well."));
    }
    if (!filter.isEmpty()) {
        if (!caps.filter)
            return fail(error, caps.refusal(MagicTraceFeature::Filter));
        if (!filter.trimmed().startsWith(u'(') || !filter.trimmed().endsWith(u')'))
            return fail(error, tr("The filter \"%1\" must look like (START STOP).").arg(filter));
    }
    if (includeKernel && kernelOnly)
        return fail(error, tr("Choose either kernel and user space, or kernel only, not both."));
    if (!perfPath.isEmpty()) {
        if (!caps.perfPathEnvironment)
            return fail(error, caps.refusal(MagicTraceFeature::PerfPathEnvironment));
        if (!QFileInfo(perfPath).isExecutable())
            return fail(error, tr("The perf binary %1 is not an executable file.").arg(perfPath));
    }
    if (trigger.contains(u'\n') || trigger.trimmed() == u"?"_s)
        return fail(
            error, tr("The trigger must name a symbol; magic-trace's interactive selector cannot be used here."));
    if (attachTimeoutMs <= 0)
        return fail(error, tr("The attach timeout must be positive."));
    if (decodeTimeoutMs < 0)
        return fail(error, tr("The decode timeout cannot be negative."));
    return true;
}

QStringList TraceRequest::magicTraceArguments() const
{
    QStringList args;
    args << modeName(mode);
    if (mode == Mode::Attach) {
        QStringList list;
        for (qint64 pid : pids)
            list << QString::number(pid);
        args << u"-pid"_s << list.join(u',');
    }
    args << u"-output"_s << outputPath;
    args << optionArguments();
    if (mode == Mode::Run) {
        // COMMAND then "--": flags after COMMAND but before "--" would be read as magic-trace's own.
        args << program << u"--"_s << programArguments;
    }
    return args;
}

QStringList TraceRequest::optionArguments() const
{
    QStringList args;
    if (!trigger.isEmpty())
        args << u"-trigger"_s << trigger;
    if (multiThread)
        args << u"-multi-thread"_s;
    if (multiSnapshot)
        args << u"-multi-snapshot"_s;
    if (fullExecution)
        args << u"-full-execution"_s;
    if (!snapshotSize.isEmpty())
        args << u"-snapshot-size"_s << snapshotSize;
    if (!timerResolution.isEmpty())
        args << u"-timer-resolution"_s << timerResolution.trimmed();
    if (sampling)
        args << u"-sampling"_s;
    if (!callgraphMode.isEmpty())
        args << u"-callgraph-mode"_s << callgraphMode;
    if (includeKernel)
        args << u"-trace-include-kernel"_s;
    if (kernelOnly)
        args << u"-trace-kernel-only"_s;
    if (!filter.isEmpty())
        args << u"-filter"_s << filter.trimmed();
    return args;
}
