// SPDX-License-Identifier: MIT
#include "trace/tracesession.h"

#include "trace/traceoutput.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMetaMethod>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <cerrno>
#include <csignal>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kLogFlushBytes = 256 * 1024;
const QString kTempPrefix = u"magic-trace-studio-"_s;

int openPidfd(qint64 pid)
{
#ifdef SYS_pidfd_open
    return int(::syscall(SYS_pidfd_open, pid_t(pid), 0));
#else
    Q_UNUSED(pid);
    errno = ENOSYS;
    return -1;
#endif
}

// True when the process is gone or a zombie (the fallback when pidfd_open is unavailable).
bool processGone(qint64 pid)
{
    if (::kill(pid_t(pid), 0) == -1 && errno == ESRCH)
        return true;
    QFile stat(u"/proc/"_s + QString::number(pid) + u"/stat"_s);
    if (!stat.open(QIODevice::ReadOnly))
        return !QFileInfo::exists(u"/proc/"_s + QString::number(pid));
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close >= 0 && close + 2 < text.size() && (text.at(close + 2) == 'Z' || text.at(close + 2) == 'X');
}

// magic-trace runs in the output folder, so a relative path given by the user must be resolved against our own
// working directory before it starts; a bare name is looked up in PATH as a shell would.
QString resolveProgram(const QString& program)
{
    if (program.contains(u'/'))
        return QFileInfo(program).absoluteFilePath();
    const QString found = QStandardPaths::findExecutable(program);
    return found.isEmpty() ? program : found;
}
} // namespace

TraceSession::TraceSession(const QString& magicTracePath, const MagicTraceCapabilities& capabilities,
    const TraceRequest& request, QObject* parent)
    : QObject(parent)
    , m_magicTracePath(resolveProgram(magicTracePath))
    , m_capabilities(capabilities)
    , m_request(request)
{
    qRegisterMetaType<LogLine>();
    qRegisterMetaType<LogBatch>();
    qRegisterMetaType<TraceResult>();
    m_result.request = request;
    m_result.magicTracePath = m_magicTracePath;
    m_result.magicTraceVersion = capabilities.version;
    m_attachTimer.setSingleShot(true);
    m_decodeTimer.setSingleShot(true);
    m_pollTimer.setInterval(200);
    connect(&m_attachTimer, &QTimer::timeout, this, &TraceSession::onAttachTimeout);
    connect(&m_decodeTimer, &QTimer::timeout, this, &TraceSession::onDecodeTimeout);
    connect(&m_pollTimer, &QTimer::timeout, this, [this] {
        for (const Target& t : m_targets) {
            if (!t.exited && t.pidfd < 0 && processGone(t.pid))
                onTargetExited(t.pid);
        }
    });
}

TraceSession::~TraceSession()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_aborting = true;
        m_process->disconnect(this);
        killGroup();
        m_process->waitForFinished(10'000);
    }
    for (Target& t : m_targets) {
        delete t.notifier;
        if (t.pidfd >= 0)
            ::close(t.pidfd);
    }
    m_targets.clear();
    if (isActive())
        cleanUp();
}

bool TraceSession::isActive() const
{
    return m_state != State::Idle && m_state != State::Finished && m_state != State::Failed
        && m_state != State::Cancelled;
}

qint64 TraceSession::processId() const
{
    return m_pid;
}

QString TraceSession::temporaryDirectory() const
{
    return m_tempDir ? m_tempDir->path() : QString();
}

QString TraceSession::stateName(State state)
{
    switch (state) {
    case State::Idle:
        return u"idle"_s;
    case State::Starting:
        return u"starting"_s;
    case State::Attaching:
        return u"attaching"_s;
    case State::Recording:
        return u"recording"_s;
    case State::Stopping:
        return u"stopping"_s;
    case State::Decoding:
        return u"decoding"_s;
    case State::Finished:
        return u"finished"_s;
    case State::Failed:
        return u"failed"_s;
    case State::Cancelled:
        return u"cancelled"_s;
    }
    return {};
}

int TraceSession::removeStaleTemporaryDirectories()
{
    int removed = 0;
    QDir temp(QDir::tempPath());
    const QStringList names = temp.entryList({ kTempPrefix + u"*"_s }, QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& name : names) {
        // magic-trace-studio-<owner pid>-XXXXXX
        const QStringList parts = name.mid(kTempPrefix.size()).split(u'-');
        bool ok = false;
        const qint64 owner = parts.value(0).toLongLong(&ok);
        if (!ok || owner <= 0 || owner == QCoreApplication::applicationPid())
            continue;
        if (::kill(pid_t(owner), 0) == -1 && errno == ESRCH) {
            QDir dir(temp.absoluteFilePath(name));
            if (QFileInfo(dir.path()).isDir() && QFileInfo(dir.path()).ownerId() == ::geteuid()
                && dir.removeRecursively())
                ++removed;
        }
    }
    return removed;
}

void TraceSession::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void TraceSession::failBeforeStart(const QString& message)
{
    RunEnd end;
    end.how = RunEnd::How::FailedToStart;
    end.startError = message;
    m_result.startTime = m_result.endTime = QDateTime::currentDateTime();
    m_result.outcome = TraceResult::Outcome::Failed;
    m_result.diagnosis = Diagnosis::diagnose(end, {});
    m_result.diagnosis.sentence = message;
    m_result.diagnosis.fix.clear();
    setState(State::Failed);
    Q_EMIT finished(m_result);
}

bool TraceSession::start(QString* error)
{
    if (m_state != State::Idle) {
        if (error)
            *error = QCoreApplication::translate("TraceSession", "This trace session has already been started.");
        return false;
    }
    QString problem;
    if (!m_request.validate(m_capabilities, &problem)) {
        if (error)
            *error = problem;
        failBeforeStart(problem);
        return false;
    }
    removeStaleTemporaryDirectories();

    m_tempDir = std::make_unique<QTemporaryDir>(
        QDir::tempPath() + u'/' + kTempPrefix + QString::number(QCoreApplication::applicationPid()) + u"-XXXXXX"_s);
    if (!m_tempDir->isValid()) {
        problem = QCoreApplication::translate("TraceSession", "Cannot create a temporary folder: %1")
                      .arg(m_tempDir->errorString());
        m_tempDir.reset();
        if (error)
            *error = problem;
        failBeforeStart(problem);
        return false;
    }

    const QFileInfo output(m_request.outputPath);
    m_outputExistedBefore = output.exists();
    if (m_outputExistedBefore)
        m_outputOldModified = output.lastModified();
    m_result.outputPath = output.absoluteFilePath();
    m_result.logPath = TraceOutput::logPathFor(m_result.outputPath);
    m_logFile = std::make_unique<QFile>(m_result.logPath);
    if (!m_logFile->open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        qWarning("TraceSession: cannot write the log %s: %s", qPrintable(m_result.logPath),
            qPrintable(m_logFile->errorString()));
        m_logFile.reset();
        m_result.logPath.clear();
    } else {
        m_logPending.reserve(kLogFlushBytes + 2 * LineSplitter::maxLineLength);
    }

    const QStringList arguments = m_request.magicTraceArguments();
    m_result.magicTraceArguments = arguments;

    m_process = new QProcess(this);
    m_process->setProgram(m_magicTracePath);
    m_process->setArguments(arguments);
    m_process->setStandardInputFile(QProcess::nullDevice()); // never wait on fzf or a terminal
    // magic-trace's working directory is the output folder: its ".old" rename uses the basename relative to it.
    QString workingDirectory = output.absolutePath();
    if (m_request.mode == TraceRequest::Mode::Run && !m_request.workingDirectory.isEmpty())
        workingDirectory = m_request.workingDirectory;
    m_process->setWorkingDirectory(workingDirectory);

    QProcessEnvironment env = (m_request.mode == TraceRequest::Mode::Run && !m_request.environment.isEmpty())
        ? m_request.environment
        : QProcessEnvironment::systemEnvironment();
    env.insert(u"TMPDIR"_s, m_tempDir->path());
    if (!m_request.perfPath.isEmpty())
        env.insert(u"MAGIC_TRACE_PERF_PATH"_s, m_request.perfPath);
    m_process->setProcessEnvironment(env);

    m_process->setChildProcessModifier([] {
        // Own process group, so that abort can kill magic-trace and its perf script children at once, and a
        // terminal Ctrl-C reaches only us. Default signal dispositions and no blocked signals, whatever the
        // parent had. If the parent dies, magic-trace dies too instead of being orphaned.
        ::setpgid(0, 0);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    });

    connect(m_process, &QProcess::started, this, &TraceSession::onStarted);
    connect(m_process, &QProcess::errorOccurred, this, &TraceSession::onErrorOccurred);
    connect(m_process, &QProcess::finished, this, &TraceSession::onFinished);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] { drain(QProcess::StandardError); });
    connect(m_process, &QProcess::readyReadStandardOutput, this, [this] { drain(QProcess::StandardOutput); });

    m_clock.start();
    m_result.startTime = QDateTime::currentDateTime();
    writeLog(u"# magic-trace-studio trace log\n# started "_s + m_result.startTime.toString(Qt::ISODateWithMs)
        + u"\n# magic-trace "_s + m_capabilities.version.text + u" at "_s + m_magicTracePath + u"\n# arguments: "_s
        + arguments.join(u' ') + u"\n# working directory: "_s + workingDirectory + u"\n"_s);

    setState(State::Starting);
    if (m_request.mode == TraceRequest::Mode::Attach)
        m_attachTimer.start(m_request.attachTimeoutMs);
    m_process->start(QIODevice::ReadOnly);
    m_pid = m_process->processId();
    if (m_pid > 0 && m_request.mode == TraceRequest::Mode::Attach)
        watchTargets();
    return m_state != State::Failed;
}

void TraceSession::onStarted()
{
    m_pid = m_process->processId();
    if (m_state != State::Starting)
        return;
    if (m_request.mode == TraceRequest::Mode::Attach) {
        setState(State::Attaching);
    } else {
        // run has no handshake: the program starts as soon as perf is attached.
        setState(State::Recording);
        if (m_stopPending)
            sendStop();
    }
}

void TraceSession::onErrorOccurred(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart || !isActive())
        return;
    m_attachTimer.stop();
    RunEnd end;
    end.how = RunEnd::How::FailedToStart;
    end.startError = m_process->errorString();
    finish(TraceResult::Outcome::Failed, end);
}

void TraceSession::drain(QProcess::ProcessChannel channel)
{
    if (!m_process)
        return;
    const bool isErr = channel == QProcess::StandardError;
    const QByteArray data = isErr ? m_process->readAllStandardError() : m_process->readAllStandardOutput();
    if (data.isEmpty())
        return;
    const LogLine::Stream stream = isErr ? LogLine::Stream::StdErr : LogLine::Stream::StdOut;
    LineSplitter& splitter = isErr ? m_stderrSplitter : m_stdoutSplitter;
    LogBatch batch(stream, QDateTime::currentMSecsSinceEpoch(), m_clock.nsecsElapsed());
    // About 90 bytes a line in a flood of warnings; the reserve is a hint.
    batch.reserve(data.size() / 80 + 1, data.size() + splitter.pendingBytes());
    const bool emitLines = isSignalConnected(QMetaMethod::fromSignal(&TraceSession::logLine));
    splitter.feed(data, [&](QByteArrayView bytes, bool truncated) { handleLine(bytes, truncated, batch, emitLines); });
    batch.squeeze(); // the log keeps recent batches: only their lines, not the reserve
    endBatch(batch);
}

void TraceSession::handleLine(QByteArrayView bytes, bool truncated, LogBatch& batch, bool emitLines)
{
    const LogLine::Kind kind = LogLine::classifyUtf8(bytes);
    // The state change first, so that a receiver of the line already sees the new state.
    if (batch.stream() == LogLine::Stream::StdErr && bytes.startsWith("[ "))
        handleProtocolLine(bytes);
    batch.append(bytes, truncated, kind);
    writeLogLine(bytes, batch.stream(), truncated, batch.timeMs());
    if (emitLines)
        Q_EMIT logLine(batch.line(batch.size() - 1));
}

void TraceSession::endBatch(const LogBatch& batch)
{
    if (batch.isEmpty())
        return;
    m_log.append(batch);
    Q_EMIT logBatch(batch);
}

void TraceSession::handleProtocolLine(QByteArrayView text)
{
    // Exact prefixes from the protocol notes. Never match "Attach" alone: "[ Attaching to SYM @ 0x...]" has it.
    if (text.startsWith("[ Attached")) {
        if (m_state == State::Starting || m_state == State::Attaching) {
            m_handshakeSeen = true;
            m_attachTimer.stop();
            m_result.attachTime = QDateTime::currentDateTime();
            setState(State::Recording);
            const bool allGone = !m_targets.empty()
                && std::all_of(m_targets.begin(), m_targets.end(), [](const Target& t) { return t.exited; });
            if (m_stopPending || (allGone && m_request.stopWhenTargetsExit))
                sendStop();
        }
    } else if (text.startsWith("[ Got signal")) {
        if (m_state == State::Recording)
            setState(State::Stopping); // a SIGINT from elsewhere; magic-trace is stopping anyway
    } else if (text.startsWith("[ Snapshot taken")) {
        if (m_state == State::Recording && !m_result.stopSent) {
            if (m_request.mode == TraceRequest::Mode::Run) {
                setState(State::Stopping); // the program has exited
            } else if (!m_request.trigger.isEmpty() && !m_request.multiSnapshot) {
                m_result.triggerHit = true; // magic-trace finishes on its own
                setState(State::Stopping);
            }
        }
    } else if (text.startsWith("[ Decoding")) {
        if (m_state == State::Recording || m_state == State::Stopping)
            setState(State::Decoding);
    }
}

bool TraceSession::stop()
{
    switch (m_state) {
    case State::Idle:
        return false;
    case State::Starting:
    case State::Attaching:
        if (m_stopPending)
            return false;
        m_stopPending = true;
        m_result.stopWasHeld = true;
        writeLog(u"# stop requested before the handshake; held until magic-trace has attached\n"_s);
        Q_EMIT stopHeld();
        return true;
    case State::Recording:
        if (m_stopPending || m_result.stopSent)
            return false;
        m_stopPending = true;
        sendStop();
        return true;
    default:
        return false; // already stopping, decoding or ended: a second stop is ignored
    }
}

void TraceSession::sendStop()
{
    if (m_result.stopSent || !m_process || m_pid <= 0)
        return;
    m_stopPending = true;
    m_result.stopSent = true;
    m_result.stopTime = QDateTime::currentDateTime();
    // Exactly one SIGINT to magic-trace itself (not the group: perf has its own handling). QProcess::terminate()
    // would send SIGTERM, which kills magic-trace without a trace.
    ::kill(pid_t(m_pid), SIGINT);
    writeLog(u"# SIGINT sent\n"_s);
    setState(State::Stopping);
    if (m_request.decodeTimeoutMs > 0)
        m_decodeTimer.start(m_request.decodeTimeoutMs);
}

void TraceSession::killGroup()
{
    if (m_pid <= 0) {
        if (m_process)
            m_process->kill();
        return;
    }
    // The group holds magic-trace and its perf script; perf record has its own group and dies by PDEATHSIG.
    ::kill(-pid_t(m_pid), SIGKILL);
    ::kill(pid_t(m_pid), SIGKILL);
}

void TraceSession::abort()
{
    if (!isActive()) {
        if (m_state == State::Idle) {
            m_result.outcome = TraceResult::Outcome::Cancelled;
            setState(State::Cancelled);
            Q_EMIT finished(m_result);
        }
        return;
    }
    if (m_aborting)
        return;
    m_aborting = true;
    writeLog(u"# aborted: SIGKILL sent to magic-trace's process group\n"_s);
    killGroup();
}

void TraceSession::onAttachTimeout()
{
    if (m_state != State::Starting && m_state != State::Attaching)
        return;
    m_attachTimedOut = true;
    writeLog(u"# no handshake within the attach timeout; killing magic-trace\n"_s);
    killGroup();
}

void TraceSession::onDecodeTimeout()
{
    if (m_state != State::Stopping && m_state != State::Decoding)
        return;
    m_decodeTimedOut = true;
    writeLog(u"# decoding exceeded its time limit; killing magic-trace\n"_s);
    killGroup();
}

void TraceSession::watchTargets()
{
    m_targets.clear();
    bool needPolling = false;
    for (qint64 pid : m_request.pids) {
        Target t;
        t.pid = pid;
        t.pidfd = openPidfd(pid);
        if (t.pidfd >= 0) {
            t.notifier = new QSocketNotifier(t.pidfd, QSocketNotifier::Read, this);
            connect(t.notifier, &QSocketNotifier::activated, this, [this, pid] { onTargetExited(pid); });
        } else if (errno != ESRCH) {
            needPolling = true;
        }
        m_targets.push_back(t);
    }
    if (needPolling)
        m_pollTimer.start();
}

void TraceSession::onTargetExited(qint64 pid)
{
    bool allGone = true;
    for (Target& t : m_targets) {
        if (t.pid == pid && !t.exited) {
            t.exited = true;
            if (t.notifier)
                t.notifier->setEnabled(false);
            m_result.exitedTargets.append(pid);
            writeLog(u"# traced process "_s + QString::number(pid) + u" exited\n"_s);
        }
        allGone = allGone && t.exited;
    }
    if (!allGone)
        return;
    m_pollTimer.stop();
    if (!m_request.stopWhenTargetsExit)
        return;
    // magic-trace does not notice (its issue #312); stop it ourselves so the trace is still written. Before the
    // handshake, the stop is sent as soon as it attaches.
    if (m_state == State::Recording && !m_result.stopSent) {
        m_result.targetsExited = true;
        Q_EMIT targetsExited(m_result.exitedTargets);
        sendStop();
    } else if (m_state == State::Starting || m_state == State::Attaching) {
        m_result.targetsExited = true;
        Q_EMIT targetsExited(m_result.exitedTargets);
    }
}

void TraceSession::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!isActive())
        return;
    // QProcess has read everything left in the pipes; take it and the unterminated last lines.
    drain(QProcess::StandardError);
    drain(QProcess::StandardOutput);
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 elapsed = m_clock.nsecsElapsed();
    const bool emitLines = isSignalConnected(QMetaMethod::fromSignal(&TraceSession::logLine));
    for (const LogLine::Stream stream : { LogLine::Stream::StdErr, LogLine::Stream::StdOut }) {
        LogBatch batch(stream, nowMs, elapsed);
        (stream == LogLine::Stream::StdErr ? m_stderrSplitter : m_stdoutSplitter).finish([&](QByteArrayView b, bool t) {
            handleLine(b, t, batch, emitLines);
        });
        endBatch(batch);
    }

    m_result.crashed = status == QProcess::CrashExit;
    m_result.exitCode = m_result.crashed ? -1 : exitCode;
    m_result.exitSignal = m_result.crashed ? exitCode : 0; // Qt reports the signal number as the exit code

    RunEnd end;
    end.exitCode = exitCode;
    end.handshakeSeen = m_handshakeSeen;
    end.stopSent = m_result.stopSent;
    end.attachTimeoutMs = m_request.attachTimeoutMs;
    TraceResult::Outcome outcome = TraceResult::Outcome::Failed;
    if (m_aborting) {
        end.how = RunEnd::How::Aborted;
        outcome = TraceResult::Outcome::Cancelled;
    } else if (m_attachTimedOut) {
        end.how = RunEnd::How::AttachTimeout;
    } else if (m_decodeTimedOut) {
        end.how = RunEnd::How::DecodeTimeout;
    } else if (m_result.crashed) {
        end.how = RunEnd::How::KilledBySignal;
        end.signal = m_result.exitSignal;
    } else {
        end.how = RunEnd::How::Exited;
        if (exitCode == 0) {
            QString format;
            QString problem;
            if (TraceOutput::checkOutput(m_result.outputPath, &format, &problem)) {
                m_result.outputFormat = format;
                m_result.outputSize = QFileInfo(m_result.outputPath).size();
                outcome = TraceResult::Outcome::Finished;
            } else {
                end.outputProblem = problem;
            }
        }
    }
    finish(outcome, end);
}

void TraceSession::finish(TraceResult::Outcome outcome, const RunEnd& end)
{
    m_attachTimer.stop();
    m_decodeTimer.stop();
    m_pollTimer.stop();
    for (Target& t : m_targets) {
        if (t.notifier)
            t.notifier->setEnabled(false);
    }
    m_result.outcome = outcome;
    m_result.endTime = QDateTime::currentDateTime();
    m_result.logLineCount = m_log.totalLines();
    m_result.logByteCount = m_log.totalBytes();
    if (outcome != TraceResult::Outcome::Finished) {
        // The diagnosis reads magic-trace's stderr: the first and last lines kept in memory.
        QStringList stderrLines;
        const QList<LogLine> kept = m_log.lines();
        for (const LogLine& line : kept) {
            if (line.stream == LogLine::Stream::StdErr)
                stderrLines.append(line.text);
        }
        m_result.diagnosis = Diagnosis::diagnose(end, stderrLines);
    } else {
        m_result.diagnosis = Diagnosis();
    }

    if (outcome != TraceResult::Outcome::Finished) {
        // A partial trace (magic-trace creates the file when decoding starts) is not a trace: remove what this
        // run wrote, never a file that was there before and untouched.
        const QFileInfo output(m_result.outputPath);
        if (output.exists() && (!m_outputExistedBefore || output.lastModified() != m_outputOldModified)) {
            QFile::remove(m_result.outputPath);
            writeLog(u"# removed the incomplete output "_s + m_result.outputPath + u'\n');
        }
        m_result.outputFormat.clear();
        m_result.outputSize = 0;
    }
    writeLog(u"# ended "_s + m_result.endTime.toString(Qt::ISODateWithMs) + u": "_s + TraceResult::outcomeName(outcome)
        + (m_result.crashed ? u", killed by signal "_s + QString::number(m_result.exitSignal)
                            : u", exit status "_s + QString::number(m_result.exitCode))
        + (m_result.diagnosis.isFailure() ? u"\n# "_s + m_result.diagnosis.sentence : QString()) + u'\n');
    cleanUp();

    const State final = outcome == TraceResult::Outcome::Finished ? State::Finished
        : outcome == TraceResult::Outcome::Cancelled              ? State::Cancelled
                                                                  : State::Failed;
    setState(final);
    Q_EMIT finished(m_result);
}

void TraceSession::cleanUp()
{
    flushLog();
    if (m_logFile)
        m_logFile->close();
    m_logFile.reset();
    if (m_tempDir) {
        m_tempDir->remove();
        m_tempDir.reset();
    }
}

void TraceSession::writeLog(const QString& text)
{
    if (!m_logFile)
        return;
    m_logPending += text.toUtf8();
    if (m_logPending.size() >= kLogFlushBytes)
        flushLog();
}

void TraceSession::writeLogLine(QByteArrayView bytes, LogLine::Stream stream, bool truncated, qint64 timeMs)
{
    // The same form as LogLine::toLogFileLine(), built from the raw bytes, with the time prefix formatted once
    // per read (a flood must not cost a date formatting a line). Formatted after the line's state change: the
    // handshake must not wait for it.
    if (!m_logFile)
        return;
    if (timeMs != m_logPrefixMs) {
        m_logPrefixMs = timeMs;
        m_logPrefix = QDateTime::fromMSecsSinceEpoch(timeMs).toString(u"HH:mm:ss.zzz"_s).toUtf8();
    }
    m_logPending.append(m_logPrefix);
    m_logPending.append(stream == LogLine::Stream::StdErr ? " E| " : " O| ");
    m_logPending.append(bytes);
    if (truncated)
        m_logPending.append(" [line cut]");
    m_logPending.append('\n');
    if (m_logPending.size() >= kLogFlushBytes)
        flushLog();
}

void TraceSession::flushLog()
{
    if (!m_logFile || m_logPending.isEmpty())
        return;
    m_logFile->write(m_logPending);
    m_logFile->flush();
    m_logPending.truncate(0); // keeps the capacity: no reallocation and fresh pages for every flush
}

QString TraceResult::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Finished:
        return u"finished"_s;
    case Outcome::Failed:
        return u"failed"_s;
    case Outcome::Cancelled:
        return u"cancelled"_s;
    }
    return {};
}
