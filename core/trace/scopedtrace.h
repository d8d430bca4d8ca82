// SPDX-License-Identifier: MIT
#pragma once

#include "host/magictraceversion.h"
#include "trace/logline.h"
#include "trace/tracerequest.h"
#include "trace/traceresult.h"

#include <functional>
#include <memory>
#include <optional>

// Traces a region of C++ code with magic-trace, like PyTorch's `magic_trace` context manager but without its
// flaws: the constructor starts magic-trace attached to this process (or a given one) and returns once it is
// recording, or once it has failed (magic-trace exited, or the attach timeout passed); the destructor stops it
// with one SIGINT and waits for the trace. No busy loop, no deadlock on a full pipe, no exception.
//
//     {
//         ScopedTrace trace;            // magic-trace from PATH, trace into the default folder
//         if (!trace.isRecording())
//             qWarning() << trace.errorString();
//         hotFunction();
//     }                                 // stopped and decoded here; trace.result() before leaving, or stop()
//
// Works without a running Qt event loop (and without a QCoreApplication): the session runs on a thread of its
// own with its own event loop. The constructor and destructor block; don't use it on a UI thread.
class ScopedTrace
{
public:
    struct Options
    {
        QString magicTracePath; // empty: $MAGIC_TRACE_PATH, else "magic-trace" from PATH
        std::optional<MagicTraceCapabilities> capabilities; // empty: from `magic-trace -version`
        // What to trace. Empty pids (attach mode): the current process. Empty outputPath: a new file in
        // TraceOutput::defaultDirectory(). Other fields: magic-trace options and timeouts as usual.
        TraceRequest request;
        // Called on the tracer's thread for every line magic-trace prints (may be empty).
        std::function<void(const LogLine&)> onLogLine;
        bool echoLogToStderr = false; // print each line to stderr as it arrives
    };

    ScopedTrace();
    explicit ScopedTrace(qint64 pid);
    explicit ScopedTrace(Options options);
    ~ScopedTrace() noexcept;
    ScopedTrace(const ScopedTrace&) = delete;
    ScopedTrace& operator=(const ScopedTrace&) = delete;

    // True between a successful handshake and stop().
    bool isRecording() const;
    // Why it is not recording or why the trace failed (empty on success).
    QString errorString() const;
    // Stops (one SIGINT), waits for magic-trace to finish and returns the outcome. Later calls return the same.
    TraceResult stop();
    // The outcome so far (complete after stop() or a failure).
    TraceResult result() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};
