// SPDX-License-Identifier: MIT
#include "trace/diagnosis.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <csignal>
#include <cstring>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("Diagnosis", text);
}

constexpr qsizetype kEvidenceLines = 12;

// The last non-empty lines, at most kEvidenceLines.
QStringList lastLines(const QStringList& lines)
{
    QStringList result;
    for (qsizetype i = lines.size() - 1; i >= 0 && result.size() < kEvidenceLines; --i) {
        if (!lines.at(i).trimmed().isEmpty())
            result.prepend(lines.at(i));
    }
    return result;
}

// Index of the last line containing needle, or -1. The last, because errors are printed at exit.
qsizetype findLast(const QStringList& lines, QStringView needle)
{
    for (qsizetype i = lines.size() - 1; i >= 0; --i) {
        if (lines.at(i).contains(needle))
            return i;
    }
    return -1;
}

// The matched line and up to `after` non-empty lines after it (s-expressions and perf's error block span lines).
QStringList around(const QStringList& lines, qsizetype index, qsizetype before = 0, qsizetype after = 3)
{
    QStringList result;
    const qsizetype from = std::max<qsizetype>(0, index - before);
    const qsizetype to = std::min<qsizetype>(lines.size() - 1, index + after);
    for (qsizetype i = from; i <= to && result.size() < kEvidenceLines; ++i) {
        if (!lines.at(i).trimmed().isEmpty())
            result.append(lines.at(i));
    }
    return result;
}

QString signalName(int signal)
{
    switch (signal) {
    case SIGINT:
        return u"SIGINT"_s;
    case SIGTERM:
        return u"SIGTERM"_s;
    case SIGKILL:
        return u"SIGKILL"_s;
    case SIGHUP:
        return u"SIGHUP"_s;
    case SIGSEGV:
        return u"SIGSEGV"_s;
    case SIGABRT:
        return u"SIGABRT"_s;
    case SIGPIPE:
        return u"SIGPIPE"_s;
    case SIGQUIT:
        return u"SIGQUIT"_s;
    case SIGBUS:
        return u"SIGBUS"_s;
    default:
        break;
    }
    return u"signal "_s + QString::number(signal);
}

} // namespace

QString Diagnosis::caseName(Case kind)
{
    switch (kind) {
    case Case::None:
        return u"none"_s;
    case Case::FailedToStart:
        return u"failed-to-start"_s;
    case Case::CommandLineError:
        return u"command-line-error"_s;
    case Case::PerfMissing:
        return u"perf-missing"_s;
    case Case::PerfVersionUnreadable:
        return u"perf-version-unreadable"_s;
    case Case::NoIntelPt:
        return u"no-intel-pt"_s;
    case Case::PerfPermission:
        return u"perf-permission"_s;
    case Case::PerfMemoryLimit:
        return u"perf-memory-limit"_s;
    case Case::NoSuchProcess:
        return u"no-such-process"_s;
    case Case::OtherUsersProcess:
        return u"other-users-process"_s;
    case Case::PidRequired:
        return u"pid-required"_s;
    case Case::DuplicatePids:
        return u"duplicate-pids"_s;
    case Case::KernelTracingNeedsRoot:
        return u"kernel-tracing-needs-root"_s;
    case Case::TriggerSymbolNotFound:
        return u"trigger-symbol-not-found"_s;
    case Case::NoSymbolTable:
        return u"no-symbol-table"_s;
    case Case::FuzzyFinderMissing:
        return u"fuzzy-finder-missing"_s;
    case Case::ProgramNotFound:
        return u"program-not-found"_s;
    case Case::TempDirUnwritable:
        return u"temp-dir-unwritable"_s;
    case Case::PerfOutputUnreadable:
        return u"perf-output-unreadable"_s;
    case Case::StringTooLong:
        return u"string-too-long"_s;
    case Case::SamplingEventUnsupported:
        return u"sampling-event-unsupported"_s;
    case Case::PerfFailedWhileRecording:
        return u"perf-failed-while-recording"_s;
    case Case::DecodeCrashed:
        return u"decode-crashed"_s;
    case Case::KilledBySignal:
        return u"killed-by-signal"_s;
    case Case::AttachTimeout:
        return u"attach-timeout"_s;
    case Case::DecodeTimeout:
        return u"decode-timeout"_s;
    case Case::OutputInvalid:
        return u"output-invalid"_s;
    case Case::Aborted:
        return u"aborted"_s;
    case Case::Unknown:
        break;
    }
    return u"unknown"_s;
}

QString Diagnosis::toText() const
{
    QString text = sentence + u'\n';
    if (!fix.isEmpty())
        text += tr("Fix: ") + fix + u'\n';
    if (!evidence.isEmpty()) {
        text += tr("magic-trace said:") + u'\n';
        for (const QString& line : evidence)
            text += u"  "_s + line + u'\n';
    }
    return text;
}

Diagnosis Diagnosis::diagnose(const RunEnd& end, const QStringList& lines)
{
    Diagnosis d;
    auto make = [&](Case kind, const QString& sentence, const QString& fix, const QStringList& evidence) {
        d.kind = kind;
        d.sentence = sentence;
        d.fix = fix;
        d.evidence = evidence;
        return d;
    };

    switch (end.how) {
    case RunEnd::How::FailedToStart:
        return make(Case::FailedToStart, tr("magic-trace could not be started: %1").arg(end.startError),
            tr("Check that the magic-trace path points to an executable file, or install magic-trace."), {});
    case RunEnd::How::Aborted:
        return make(Case::Aborted, tr("The trace was aborted; magic-trace was killed and no trace was written."), {},
            lastLines(lines));
    case RunEnd::How::AttachTimeout:
        return make(Case::AttachTimeout,
            tr("magic-trace did not attach within %1 s, so it was stopped. Loading the symbols of a large program "
               "can take a while.")
                .arg(end.attachTimeoutMs / 1000.0, 0, 'g', 3),
            tr("Try again with a longer attach timeout."), lastLines(lines));
    case RunEnd::How::DecodeTimeout:
        return make(Case::DecodeTimeout,
            tr("Decoding took longer than the time limit, so magic-trace was stopped and the trace was lost."),
            tr("Allow more time for decoding, or record less (a smaller snapshot size, no -full-execution)."),
            lastLines(lines));
    case RunEnd::How::Exited:
    case RunEnd::How::KilledBySignal:
        break;
    }

    if (end.how == RunEnd::How::Exited && end.exitCode == 0) {
        if (!end.outputProblem.isEmpty())
            return make(Case::OutputInvalid,
                tr("magic-trace reported success, but the trace file is not usable: %1").arg(end.outputProblem),
                tr("Check the free space and permissions of the output folder, then trace again."), lastLines(lines));
        return d; // success
    }

    // Text-based cases, most specific first. magic-trace prints its error last, perf's own text before it.
    qsizetype i = -1;
    if ((i = findLast(lines, u"Error parsing command line:")) >= 0) {
        QString reason;
        for (qsizetype j = i + 1; j < lines.size(); ++j) {
            if (!lines.at(j).trimmed().isEmpty()) {
                reason = lines.at(j).trimmed();
                break;
            }
        }
        return make(Case::CommandLineError, tr("magic-trace refused its command line: %1").arg(reason),
            tr("This magic-trace may be older than the options chosen need; update magic-trace or leave the option "
               "out."),
            around(lines, i, 0, 6));
    }
    if ((i = findLast(lines, u"magic-trace relies on \"perf\"")) >= 0)
        return make(Case::PerfMissing, tr("magic-trace needs the perf tool, and perf was not found or does not run."),
            tr("Install perf (Debian: linux-perf; Ubuntu: linux-tools-$(uname -r)); with magic-trace 1.2.3 or newer "
               "you can also point MAGIC_TRACE_PERF_PATH at a perf binary."),
            around(lines, i, 0, 0));
    if ((i = findLast(lines, u"unable to interpret perf version string")) >= 0)
        return make(Case::PerfVersionUnreadable,
            tr("magic-trace could not understand the version printed by perf (often a distribution wrapper script "
               "whose kernel-specific perf is missing)."),
            tr("Install the perf that matches the running kernel (Ubuntu: linux-tools-$(uname -r)) and check that "
               "\"perf --version\" prints \"perf version X.Y\"."),
            around(lines, i, 0, 1));
    if ((i = findLast(lines, u"doesn't support Intel Processor Trace")) >= 0)
        return make(Case::NoIntelPt,
            tr("This machine has no Intel Processor Trace (a virtual machine, an AMD processor or an older Intel "
               "processor), which this magic-trace version requires."),
            tr("Trace on a physical Intel machine (Skylake or newer), or use magic-trace 1.2.0 or newer, which "
               "falls back to sampling."),
            around(lines, i, 0, 2));
    if ((i = findLast(lines, u"perf_event_paranoid")) >= 0
        || (i = findLast(lines, u"Access to performance monitoring and observability operations is limited")) >= 0) {
        static const QRegularExpression setting(uR"(perf_event_paranoid setting is (-?\d+))"_s);
        QString current;
        for (const QString& line : lines) {
            const auto m = setting.match(line);
            if (m.hasMatch())
                current = m.captured(1);
        }
        const qsizetype start
            = std::max<qsizetype>(0, findLast(lines, u"Error:") >= 0 ? findLast(lines, u"Error:") : i);
        const QString sentence = current.isEmpty()
            ? tr("The kernel refused to let perf record this process (perf_event_paranoid is too strict).")
            : tr("The kernel refused to let perf record this process: perf_event_paranoid is %1, which forbids "
                 "tracing without root.")
                  .arg(current);
        return make(Case::PerfPermission, sentence,
            tr("Allow tracing of your own processes with: sudo sysctl -w kernel.perf_event_paranoid=2 (to keep it "
               "after a reboot, put kernel.perf_event_paranoid=2 in /etc/sysctl.d/99-perf.conf), or trace as root."),
            around(lines, start, 0, 8));
    }
    if ((i = findLast(lines, u"Permission error mapping pages")) >= 0
        || (i = findLast(lines, u"perf_event_mlock_kb")) >= 0)
        return make(Case::PerfMemoryLimit,
            tr("perf could not lock enough memory for the trace buffer (perf_event_mlock_kb limit)."),
            tr("Use a smaller snapshot size, or raise the limit: sudo sysctl -w kernel.perf_event_mlock_kb=8192."),
            around(lines, i, 1, 3));
    static const QRegularExpression readlink(uR"re(Unix_error "([^"]+)" readlink /proc/(\d+)/exe)re"_s);
    for (qsizetype j = lines.size() - 1; j >= 0; --j) {
        const auto m = readlink.match(lines.at(j));
        if (!m.hasMatch())
            continue;
        const QString pid = m.captured(2);
        if (m.captured(1) == u"No such file or directory")
            return make(Case::NoSuchProcess, tr("There is no process with PID %1 (it may have exited).").arg(pid),
                tr("Pick a process that is running."), around(lines, j, 0, 2));
        if (m.captured(1) == u"Permission denied")
            return make(Case::OtherUsersProcess,
                tr("Process %1 belongs to another user; magic-trace may only trace your own processes.").arg(pid),
                tr("Trace a process of your own, or run the trace as root."), around(lines, j, 0, 2));
        break;
    }
    if ((i = findLast(lines, u"The [-pid] argument is mandatory")) >= 0)
        return make(Case::PidRequired, tr("magic-trace was started without a process to attach to."),
            tr("Choose a process (PID) to trace."), around(lines, i, 0, 0));
    if ((i = findLast(lines, u"Duplicate PIDs were passed")) >= 0)
        return make(Case::DuplicatePids, tr("The same PID was given twice."), tr("Give each PID once."),
            around(lines, i, 0, 0));
    if ((i = findLast(lines, u"must be run as root in order to trace the kernel")) >= 0)
        return make(Case::KernelTracingNeedsRoot, tr("Tracing the kernel needs root rights."),
            tr("Trace user space only, or run the trace as root."), around(lines, i, 0, 0));
    if ((i = findLast(lines, u"Snapshot symbol not found: ")) >= 0) {
        const QString symbol = lines.at(i).mid(lines.at(i).indexOf(u"found: "_s) + 7).trimmed();
        return make(Case::TriggerSymbolNotFound,
            tr("The trigger symbol \"%1\" is not in the traced program.").arg(symbol),
            tr("Check the symbol name (magic-trace matches the mangled name), or trace without a trigger."),
            around(lines, i, 0, 0));
    }
    if ((i = findLast(lines, u"doesn't have a symbol table")) >= 0
        || (i = findLast(lines, u"can't find that executable's symbol table")) >= 0)
        return make(Case::NoSymbolTable,
            tr("A trigger needs the program's symbol table, and magic-trace cannot find one (a stripped binary, or "
               "a process inside a container)."),
            tr("Build the program with symbols (-g, not stripped), or trace without a trigger."),
            around(lines, i, 0, 1));
    if ((i = findLast(lines, u"fuzzy-finding selector")) >= 0)
        return make(Case::FuzzyFinderMissing,
            tr("magic-trace wanted to ask interactively (with fzf), which cannot work here."),
            tr("Give the trigger symbol by name instead of \"?\"."), around(lines, i, 0, 0));
    static const QRegularExpression cantFind(uR"re(Can't find executable for ([^")]+))re"_s);
    for (qsizetype j = lines.size() - 1; j >= 0; --j) {
        const auto m = cantFind.match(lines.at(j));
        if (m.hasMatch())
            return make(Case::ProgramNotFound, tr("The program \"%1\" was not found.").arg(m.captured(1).trimmed()),
                tr("Give the program's full path, or check that it is in PATH."), around(lines, j, 0, 1));
    }
    if ((i = findLast(lines, u"mkdir")) >= 0 && lines.at(i).contains(u"magic_trace.tmp"))
        return make(Case::TempDirUnwritable, tr("magic-trace could not create its temporary folder."),
            tr("Make sure the temporary folder (TMPDIR) is writable and has free space."), around(lines, i, 0, 1));
    if ((i = findLast(lines, u"BUG: exception raised while parsing perf output")) >= 0)
        return make(Case::PerfOutputUnreadable,
            tr("magic-trace could not parse perf's output; magic-trace 1.2.4 does not understand perf 6 and newer."),
            tr("Use a magic-trace built from its current source (fixed after 1.2.4), or an older perf (5.x) through "
               "MAGIC_TRACE_PERF_PATH."),
            around(lines, i, 0, 2));
    if ((i = findLast(lines, u"string too long for FTF trace")) >= 0)
        return make(Case::StringTooLong,
            tr("magic-trace could not write a name longer than 32 kB (often a very long command line) into the "
               "trace."),
            tr("Start the program with a shorter command line, or use a newer magic-trace."), around(lines, i, 0, 1));
    if ((i = findLast(lines, u"Unexpected event type when parsing perf output")) >= 0)
        return make(Case::SamplingEventUnsupported,
            tr("The sampling fallback does not work with this perf version (no Intel PT on this machine)."),
            tr("Trace on a physical Intel machine with Intel PT, or use an older perf."), around(lines, i, 0, 1));
    if (end.handshakeSeen
        && ((i = findLast(lines, u"(Unix.Exit (Exit_non_zero")) >= 0
            || (i = findLast(lines, u"\"No child process\" waitpid")) >= 0
            || (i = findLast(lines, u"exited suspiciously quickly")) >= 0))
        return make(Case::PerfFailedWhileRecording,
            tr("perf stopped while recording (after magic-trace had attached), so there is no trace."),
            tr("Trace again; if it keeps failing, check the free space in the temporary folder and perf's own "
               "messages above."),
            around(lines, i, 1, 2));
    if ((i = findLast(lines, u"(Unix.Exit (Exit_non_zero")) >= 0)
        return make(Case::PerfPermission,
            tr("perf refused to start recording (usually perf_event_paranoid or missing rights)."),
            tr("Allow tracing of your own processes with: sudo sysctl -w kernel.perf_event_paranoid=2, or trace as "
               "root."),
            lastLines(lines));
    if (findLast(lines, u"[ Decoding") >= 0 && end.how == RunEnd::How::Exited && end.exitCode != 0) {
        i = findLast(lines, u"(monitor.ml.Error");
        return make(Case::DecodeCrashed, tr("magic-trace failed while decoding the trace; the trace is incomplete."),
            tr("Trace again; if it keeps failing, report the error to magic-trace with the log."),
            i >= 0 ? around(lines, i, 0, 4) : lastLines(lines));
    }
    if (end.how == RunEnd::How::KilledBySignal) {
        const QString name = signalName(end.signal);
        return make(Case::KilledBySignal,
            end.handshakeSeen ? tr("magic-trace was killed by %1 while tracing; no trace was written.").arg(name)
                              : tr("magic-trace was killed by %1 before it attached; no trace was written.").arg(name),
            tr("Something outside Magic Trace Studio stopped magic-trace (another Ctrl-C, the OOM killer, or a "
               "kill command). Trace again."),
            lastLines(lines));
    }
    return make(Case::Unknown, tr("magic-trace failed with exit status %1.").arg(end.exitCode),
        tr("See the lines below and the full log."), lastLines(lines));
}
