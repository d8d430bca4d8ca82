// SPDX-License-Identifier: MIT
#pragma once

#include "host/magictraceversion.h"
#include "trace/logline.h"
#include "trace/tracerequest.h"
#include "trace/traceresult.h"

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QTimer>
#include <memory>

class QFile;
class QSocketNotifier;
class QTemporaryDir;

// One magic-trace run: owns the QProcess, follows magic-trace's stderr protocol, stops it with exactly one SIGINT
// after the attach handshake, aborts it with SIGKILL to its own process group, watches the traced processes,
// captures the log (bounded in memory, whole on disk next to the trace) and explains failures.
//
// Event-driven on the thread that owns it; never blocks. Several sessions may run at once.
class TraceSession : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Starting, Attaching, Recording, Stopping, Decoding, Finished, Failed, Cancelled };
    Q_ENUM(State)

    TraceSession(const QString& magicTracePath, const MagicTraceCapabilities& capabilities, const TraceRequest& request,
        QObject* parent = nullptr);
    // Still running: magic-trace's process group is killed and waited for (never orphaned), temporary files
    // removed. To keep the trace, call stop() and wait for finished() before destroying the session.
    ~TraceSession() override;

    // Validates the request and starts magic-trace. Returns false (state Failed, finished() emitted) when the
    // request is refused or magic-trace cannot be started; *error gets the reason.
    bool start(QString* error = nullptr);
    // Asks magic-trace to stop and write the trace: one SIGINT. Before the handshake the request is held and
    // sent once "[ Attached" appears (stopHeld() is emitted). Later calls are ignored. Returns true when this
    // call started or scheduled the stop.
    bool stop();
    // Kills magic-trace and its children (SIGKILL to its process group) and removes temporary and partial files.
    // Ends in Cancelled. Does nothing once the session has ended.
    void abort();

    State state() const { return m_state; }
    bool isActive() const;
    bool isStopPending() const { return m_stopPending; }
    qint64 processId() const;
    const TraceRequest& request() const { return m_request; }
    // Valid after finished() (and partly during the run).
    const TraceResult& result() const { return m_result; }
    // The log lines kept in memory: the first and the last ones (see LogBuffer).
    QList<LogLine> recentLog() const { return m_log.lines(); }
    const LogBuffer& logBuffer() const { return m_log; }
    // The app-owned TMPDIR magic-trace runs with (empty before start and after the end).
    QString temporaryDirectory() const;

    static QString stateName(State state);
    // Removes temporary folders left by earlier runs of this app that died (their owner PID is gone).
    static int removeStaleTemporaryDirectories();

Q_SIGNALS:
    void stateChanged(TraceSession::State state);
    // Every complete line magic-trace (or the traced program) wrote, once per read: the cheap way to follow a
    // flood. Emitted after the lines' protocol markers have changed the state.
    void logBatch(const LogBatch& batch);
    // The same lines one by one, in order with the state changes they cause (a receiver sees the state a line
    // led to). Built only while something is connected: each line then costs a QString and a signal.
    void logLine(const LogLine& line);
    // stop() was called before the handshake; the SIGINT will be sent once magic-trace has attached.
    void stopHeld();
    // Every traced process has exited while recording; the session stops magic-trace itself.
    void targetsExited(const QList<qint64>& pids);
    void finished(const TraceResult& result);

private:
    void setState(State state);
    void onStarted();
    void onErrorOccurred(QProcess::ProcessError error);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void drain(QProcess::ProcessChannel channel);
    void handleLine(QByteArrayView bytes, bool truncated, LogBatch& batch, bool emitLines);
    void endBatch(const LogBatch& batch);
    void handleProtocolLine(QByteArrayView text);
    void sendStop();
    void killGroup();
    void onAttachTimeout();
    void onDecodeTimeout();
    void watchTargets();
    void onTargetExited(qint64 pid);
    void finish(TraceResult::Outcome outcome, const RunEnd& end);
    void writeLog(const QString& text);
    void writeLogLine(QByteArrayView bytes, LogLine::Stream stream, bool truncated, qint64 timeMs);
    void flushLog();
    void cleanUp();
    void failBeforeStart(const QString& message);

    QString m_magicTracePath;
    MagicTraceCapabilities m_capabilities;
    TraceRequest m_request;
    TraceResult m_result;
    State m_state = State::Idle;

    QProcess* m_process = nullptr;
    std::unique_ptr<QTemporaryDir> m_tempDir;
    QTimer m_attachTimer;
    QTimer m_decodeTimer;
    QTimer m_pollTimer; // fallback when pidfd is unavailable
    QElapsedTimer m_clock;
    qint64 m_pid = 0;

    LineSplitter m_stderrSplitter;
    LineSplitter m_stdoutSplitter;
    LogBuffer m_log;
    std::unique_ptr<QFile> m_logFile;
    QByteArray m_logPending;
    qint64 m_logPrefixMs = -1; // the time prefix of log lines, formatted once per millisecond
    QByteArray m_logPrefix;

    struct Target
    {
        qint64 pid = 0;
        int pidfd = -1;
        QSocketNotifier* notifier = nullptr;
        bool exited = false;
    };
    std::vector<Target> m_targets;

    bool m_stopPending = false;
    bool m_handshakeSeen = false;
    bool m_aborting = false;
    bool m_attachTimedOut = false;
    bool m_decodeTimedOut = false;
    bool m_outputExistedBefore = false;
    QDateTime m_outputOldModified;
};
