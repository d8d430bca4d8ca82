// SPDX-License-Identifier: MIT
// `magic-trace-studio trace`: take a trace from a terminal or a script, through the same TraceSession as the GUI.
// The live log goes to stderr, the trace path (and nothing else) to stdout. Exit status: 0 trace written,
// 1 magic-trace failed (the diagnosis is on stderr), 2 bad command line or request, 130 aborted.
#include "commandregistry.h"

#include "host/magictracelocator.h"
#include "host/magictraceversion.h"
#include "library/tracelibrary.h"
#include "library/tracerecording.h"
#include "trace/traceoutput.h"
#include "trace/tracesession.h"
#include "util/duration.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSocketNotifier>
#include <QTimer>

#include <memory>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <limits>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitAborted = 130;

QString tr(const char* text)
{
    return QCoreApplication::translate("trace", text);
}

void say(const QString& text)
{
    std::fprintf(stderr, "magic-trace-studio trace: %s\n", text.toLocal8Bit().constData());
}

int signalPipe[2] = { -1, -1 };

void onSignal(int signal)
{
    const char byte = char(signal);
    const int saved = errno;
    [[maybe_unused]] const ssize_t n = ::write(signalPipe[1], &byte, 1);
    errno = saved;
}

bool parsePids(const QString& text, QList<qint64>* pids)
{
    const QStringList parts = text.split(u',');
    for (const QString& part : parts) {
        bool ok = false;
        const qint64 pid = part.trimmed().toLongLong(&ok);
        if (!ok || pid <= 0)
            return false;
        pids->append(pid);
    }
    return !pids->isEmpty();
}

int runTrace(const QStringList& allArguments)
{
    // Everything after the first "--" is the program to run and its arguments, untouched.
    const qsizetype dashDash = allArguments.indexOf(u"--"_s);
    const QStringList arguments = dashDash < 0 ? allArguments : allArguments.mid(0, dashDash);
    const QStringList programAndArguments = dashDash < 0 ? QStringList() : allArguments.mid(dashDash + 1);

    QCommandLineParser parser;
    parser.setApplicationDescription(tr("Trace a running process (--pid) or a program (-- PROGRAM ARGS...) with "
                                        "magic-trace. The live log goes to stderr; the trace's path is printed on "
                                        "stdout. Ctrl-C stops the trace properly (the trace is kept)."));
    const QCommandLineOption pidOption(u"pid"_s,
        tr("Attach to process PID (several, comma-separated, with "
           "magic-trace 1.2.0 or newer)."),
        u"PID[,PID]"_s);
    const QCommandLineOption outputOption(u"output"_s,
        tr("Write the trace to FILE (.fxt, .fxt.gz, .fxt.zst). Default: a new file in %1.").arg(u"<app data>/traces"_s),
        u"FILE"_s);
    const QCommandLineOption stopAfterOption(u"stop-after"_s,
        tr("Stop this long after recording started (e.g. 500ms, 2s), as Ctrl-C would."), u"DURATION"_s);
    const QCommandLineOption magicTraceOption(u"magic-trace"_s,
        tr("The magic-trace binary (default: $MAGIC_TRACE_PATH, then PATH, then the app's own install)."), u"PATH"_s);
    const QCommandLineOption triggerOption(
        u"trigger"_s, tr("Take the snapshot when SYMBOL is first called."), u"SYMBOL"_s);
    const QCommandLineOption multiThreadOption(u"multi-thread"_s, tr("Trace all threads of the process."));
    const QCommandLineOption multiSnapshotOption(u"multi-snapshot"_s, tr("A snapshot on every trigger hit."));
    const QCommandLineOption fullExecutionOption(
        u"full-execution"_s, tr("Record everything instead of a ring buffer (hundreds of MB per second)."));
    const QCommandLineOption snapshotSizeOption(u"snapshot-size"_s, tr("Ring buffer size, e.g. 256K, 4M."), u"SIZE"_s);
    const QCommandLineOption timerOption(
        u"timer-resolution"_s, tr("Low, Normal, High, or a sexp (Custom ...) / (Sample ...)."), u"RESOLUTION"_s);
    const QCommandLineOption samplingOption(u"sampling"_s, tr("Use perf sampling instead of Intel PT (1.2.0+)."));
    const QCommandLineOption callgraphOption(
        u"callgraph-mode"_s, tr("With --sampling: lbr, lbr-no-stitch, dwarf or fp (1.2.0+)."), u"MODE"_s);
    const QCommandLineOption includeKernelOption(u"trace-include-kernel"_s, tr("Trace the kernel too (root)."));
    const QCommandLineOption kernelOnlyOption(u"trace-kernel-only"_s, tr("Trace only the kernel (root)."));
    const QCommandLineOption filterOption(
        u"filter"_s, tr("Keep only events between START and STOP (1.2.0+)."), u"(START STOP)"_s);
    const QCommandLineOption perfOption(u"perf"_s, tr("The perf binary magic-trace should use (1.2.3+)."), u"PATH"_s);
    const QCommandLineOption cwdOption(u"cwd"_s, tr("Working directory of the program (with --)."), u"DIR"_s);
    const QCommandLineOption envOption(
        u"env"_s, tr("Set NAME=VALUE in the program's environment (with --)."), u"NAME=VALUE"_s);
    const QCommandLineOption attachTimeoutOption(u"attach-timeout"_s,
        tr("Give up when magic-trace has not attached after this long (default 60s)."), u"DURATION"_s);
    const QCommandLineOption decodeTimeoutOption(
        u"decode-timeout"_s, tr("Give up when decoding takes longer than this (default: no limit)."), u"DURATION"_s);
    const QCommandLineOption quietOption(u"quiet"_s, tr("Do not print magic-trace's log."));
    const QCommandLineOption helpOption({ u"h"_s, u"help"_s }, tr("Show this help and exit."));
    for (const QCommandLineOption* o : { &pidOption, &outputOption, &stopAfterOption, &magicTraceOption, &triggerOption,
             &multiThreadOption, &multiSnapshotOption, &fullExecutionOption, &snapshotSizeOption, &timerOption,
             &samplingOption, &callgraphOption, &includeKernelOption, &kernelOnlyOption, &filterOption, &perfOption,
             &cwdOption, &envOption, &attachTimeoutOption, &decodeTimeoutOption, &quietOption, &helpOption })
        parser.addOption(*o);
    parser.addPositionalArgument(
        u"-- PROGRAM ARGS"_s, tr("Run PROGRAM under magic-trace instead of attaching."), u"[-- PROGRAM ARGS...]"_s);

    if (!parser.parse(QStringList { u"trace"_s } + arguments)) {
        say(parser.errorText());
        std::fprintf(stderr, "Try 'magic-trace-studio trace --help'.\n");
        return kExitUsage;
    }
    if (parser.isSet(helpOption)) {
        QString help = parser.helpText();
        help.replace(u"[options]"_s, u"trace (--pid PID[,PID] | -- PROGRAM ARGS...) [options]"_s);
        std::printf("%s", help.toLocal8Bit().constData());
        std::printf("\nExit status: 0 trace written, 1 magic-trace failed, 2 bad command line, 130 aborted "
                    "(Ctrl-C three times).\n");
        return 0;
    }
    auto usage = [](const QString& message) {
        say(message);
        std::fprintf(stderr, "Try 'magic-trace-studio trace --help'.\n");
        return kExitUsage;
    };
    if (!parser.positionalArguments().isEmpty())
        return usage(tr("unexpected argument \"%1\"; put the program to run after --.")
                         .arg(parser.positionalArguments().constFirst()));
    const bool attach = parser.isSet(pidOption);
    const bool run = dashDash >= 0;
    if (attach == run)
        return usage(tr("give either --pid PID or -- PROGRAM ARGS..."));
    if (run && programAndArguments.isEmpty())
        return usage(tr("no program after --."));

    TraceRequest request;
    if (attach) {
        request.mode = TraceRequest::Mode::Attach;
        if (!parsePids(parser.value(pidOption), &request.pids))
            return usage(tr("\"%1\" is not a PID or a comma-separated list of PIDs.").arg(parser.value(pidOption)));
    } else {
        request.mode = TraceRequest::Mode::Run;
        request.program = programAndArguments.constFirst();
        request.programArguments = programAndArguments.mid(1);
        if (parser.isSet(cwdOption))
            request.workingDirectory = QDir(parser.value(cwdOption)).absolutePath();
        if (parser.isSet(envOption)) {
            request.environment = QProcessEnvironment::systemEnvironment();
            for (const QString& assignment : parser.values(envOption)) {
                const qsizetype eq = assignment.indexOf(u'=');
                if (eq <= 0)
                    return usage(tr("--env wants NAME=VALUE, not \"%1\".").arg(assignment));
                request.environment.insert(assignment.left(eq), assignment.mid(eq + 1));
            }
        }
    }
    if ((parser.isSet(cwdOption) || parser.isSet(envOption)) && !run)
        return usage(tr("--cwd and --env apply to a program run with --."));
    request.trigger = parser.value(triggerOption);
    request.multiThread = parser.isSet(multiThreadOption);
    request.multiSnapshot = parser.isSet(multiSnapshotOption);
    request.fullExecution = parser.isSet(fullExecutionOption);
    request.snapshotSize = parser.value(snapshotSizeOption);
    request.timerResolution = parser.value(timerOption);
    request.sampling = parser.isSet(samplingOption);
    request.callgraphMode = parser.value(callgraphOption);
    request.includeKernel = parser.isSet(includeKernelOption);
    request.kernelOnly = parser.isSet(kernelOnlyOption);
    request.filter = parser.value(filterOption);
    request.perfPath = parser.value(perfOption);

    auto durationMs = [&](const QCommandLineOption& option, qint64* ms) {
        QString error;
        const auto ns = Duration::parse(parser.value(option), Duration::Unit::Seconds, &error);
        if (!ns || *ns / 1'000'000 > std::numeric_limits<int>::max()) {
            say(tr("--%1: %2").arg(option.names().constFirst(), error.isEmpty() ? tr("too long") : error));
            return false;
        }
        *ms = *ns / 1'000'000;
        return true;
    };
    qint64 stopAfterMs = -1;
    if (parser.isSet(stopAfterOption) && !durationMs(stopAfterOption, &stopAfterMs))
        return kExitUsage;
    if (parser.isSet(attachTimeoutOption)) {
        qint64 ms = 0;
        if (!durationMs(attachTimeoutOption, &ms) || ms <= 0)
            return usage(tr("--attach-timeout must be positive."));
        request.attachTimeoutMs = int(ms);
    }
    if (parser.isSet(decodeTimeoutOption)) {
        qint64 ms = 0;
        if (!durationMs(decodeTimeoutOption, &ms))
            return kExitUsage;
        request.decodeTimeoutMs = int(ms);
    }

    // Which magic-trace, and what it can do.
    QString magicTrace = parser.value(magicTraceOption);
    if (magicTrace.isEmpty())
        magicTrace = qEnvironmentVariable("MAGIC_TRACE_PATH");
    if (magicTrace.isEmpty()) {
        MagicTraceLocator locator;
        const MagicTraceLocation location = locator.locateAndWait();
        if (const auto found = location.found())
            magicTrace = found->path;
    }
    if (magicTrace.isEmpty()) {
        say(tr("magic-trace was not found (looked in PATH and the app's install folder); give it with "
               "--magic-trace PATH, or install it from the app."));
        return kExitFailed;
    }
    QString versionError;
    const auto version = MagicTraceVersion::query(magicTrace, 10'000, &versionError);
    if (!version) {
        say(versionError);
        return kExitFailed;
    }
    const MagicTraceCapabilities capabilities = MagicTraceCapabilities::forVersion(*version);

    // Without --output the trace goes into the trace library, recorded with its metadata exactly as the GUI's
    // Trace page does, so `library list` and the Library page show it.
    const bool intoLibrary = !parser.isSet(outputOption);
    if (intoLibrary)
        QDir().mkpath(TraceLibrary::configuredFolder());
    const TraceProbe::Compression compression
        = capabilities.compressedOutput ? TraceProbe::Compression::GZip : TraceProbe::Compression::None;
    request.outputPath = intoLibrary
        ? TraceLibrary::configuredFolder() + u"/check"_s + TraceProbe::fileSuffix(compression)
        : QFileInfo(parser.value(outputOption)).absoluteFilePath();
    QString refusal;
    if (!request.validate(capabilities, &refusal)) {
        say(refusal);
        return kExitUsage;
    }
    std::unique_ptr<TraceLibrary> library;
    QString recordingId;
    if (intoLibrary) {
        library = std::make_unique<TraceLibrary>(TraceLibrary::configuredFolder());
        library->setWatching(false);
        QString error;
        if (!library->load(&error)) {
            say(tr("the trace library in %1 cannot be used: %2").arg(library->folder(), error));
            return kExitFailed;
        }
        const auto recording
            = library->beginRecording(TraceRecording::metadataFor(request, version->text), &error, compression);
        if (!recording) {
            say(tr("the trace cannot be stored in the library: %1").arg(error));
            return kExitFailed;
        }
        recordingId = recording->id;
        request.outputPath = recording->tracePath;
    }

    // Ctrl-C, SIGTERM and SIGHUP go through the event loop to the same stop path as the GUI's Stop button.
    if (::pipe2(signalPipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        say(tr("cannot set up signal handling."));
        return kExitFailed;
    }
    struct sigaction action
    {
    };
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int s : { SIGINT, SIGTERM, SIGHUP })
        ::sigaction(s, &action, nullptr);

    TraceSession session(magicTrace, capabilities, request);
    const bool quiet = parser.isSet(quietOption);
    int interrupts = 0;
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &session, [&] {
        char buffer[16];
        while (::read(signalPipe[0], buffer, sizeof buffer) > 0)
            ++interrupts;
        if (interrupts >= 3) {
            say(tr("aborting: magic-trace is killed and no trace is written."));
            session.abort();
        } else if (session.stop()) {
            if (session.state() == TraceSession::State::Stopping)
                say(tr("stopping; magic-trace is writing the trace (Ctrl-C twice more aborts)."));
        } else if (session.isActive()) {
            say(tr("already stopping; magic-trace is still writing the trace (Ctrl-C %1 more time(s) aborts).")
                    .arg(3 - interrupts));
        }
    });
    QObject::connect(&session, &TraceSession::stopHeld, &session,
        [] { say(tr("stop held until magic-trace has attached (stopping earlier would lose the trace).")); });
    QObject::connect(&session, &TraceSession::targetsExited, &session, [](const QList<qint64>& pids) {
        QStringList list;
        for (qint64 pid : pids)
            list << QString::number(pid);
        say(tr("the traced process (%1) exited; stopping magic-trace so the trace is written.").arg(list.join(u", ")));
    });
    if (!quiet) {
        // One write per read of magic-trace's output: a flood of lines must not cost two writes a line.
        QObject::connect(&session, &TraceSession::logBatch, &session, [](const LogBatch& batch) {
            QByteArray text;
            text.reserve(batch.byteCount());
            for (qsizetype i = 0; i < batch.size(); ++i) {
                text += batch.text(i).toLocal8Bit();
                text += '\n';
            }
            std::fwrite(text.constData(), 1, size_t(text.size()), stderr);
        });
    }
    QTimer stopTimer;
    stopTimer.setSingleShot(true);
    QObject::connect(&stopTimer, &QTimer::timeout, &session, [&session] { session.stop(); });
    QObject::connect(&session, &TraceSession::stateChanged, &session, [&](TraceSession::State state) {
        if (state == TraceSession::State::Recording && stopAfterMs >= 0)
            stopTimer.start(int(stopAfterMs));
    });
    QObject::connect(
        &session, &TraceSession::finished, QCoreApplication::instance(), &QCoreApplication::quit, Qt::QueuedConnection);

    session.start();
    if (session.isActive())
        QCoreApplication::exec();

    for (int s : { SIGINT, SIGTERM, SIGHUP })
        ::signal(s, SIG_DFL);
    const TraceResult& result = session.result();
    if (library) {
        QString error;
        if (!library->finishRecording(recordingId, TraceRecording::resultFor(result), &error))
            say(tr("the trace's library record could not be completed: %1").arg(error));
    }
    switch (result.outcome) {
    case TraceResult::Outcome::Finished:
        std::printf("%s\n", result.outputPath.toLocal8Bit().constData());
        std::fflush(stdout);
        return 0;
    case TraceResult::Outcome::Cancelled:
        say(tr("aborted; no trace was written."));
        return kExitAborted;
    case TraceResult::Outcome::Failed:
        break;
    }
    std::fprintf(stderr, "\nmagic-trace-studio trace: the trace failed (%s).\n%s",
        Diagnosis::caseName(result.diagnosis.kind).toLocal8Bit().constData(),
        result.diagnosis.toText().toLocal8Bit().constData());
    if (!result.logPath.isEmpty())
        std::fprintf(stderr, "Full log: %s\n", result.logPath.toLocal8Bit().constData());
    return kExitFailed;
}

const CommandRegistration registration(
    "trace", "Trace a process or program with magic-trace (--pid PID | -- PROGRAM ARGS)", runTrace);

} // namespace
