// SPDX-License-Identifier: MIT
#include "trace/scopedtrace.h"

#include "trace/traceoutput.h"
#include "trace/tracesession.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QStandardPaths>
#include <QThread>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <unistd.h>

using namespace Qt::StringLiterals;

struct ScopedTrace::Private
{
    Options options;
    QThread* thread = nullptr;
    TraceSession* session = nullptr; // lives on `thread`

    mutable std::mutex mutex;
    std::condition_variable changed;
    TraceSession::State state = TraceSession::State::Idle;
    bool ended = false; // finished() was emitted, or the session never started
    bool sessionReady = false; // the session object exists (or will never)
    TraceResult result;
    QString error;

    void run(); // on `thread`
    void publish(TraceSession::State newState)
    {
        std::lock_guard lock(mutex);
        state = newState;
        changed.notify_all();
    }
    void failEarly(const QString& message)
    {
        std::lock_guard lock(mutex);
        error = message;
        result.outcome = TraceResult::Outcome::Failed;
        result.diagnosis.kind = Diagnosis::Case::FailedToStart;
        result.diagnosis.sentence = message;
        ended = true;
        sessionReady = true;
        state = TraceSession::State::Failed;
        changed.notify_all();
    }
};

void ScopedTrace::Private::run()
{
    QString path = options.magicTracePath;
    if (path.isEmpty())
        path = qEnvironmentVariable("MAGIC_TRACE_PATH");
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(u"magic-trace"_s);
    if (path.isEmpty()) {
        failEarly(QCoreApplication::translate("ScopedTrace", "magic-trace was not found in PATH."));
        return;
    }
    MagicTraceCapabilities caps;
    if (options.capabilities) {
        caps = *options.capabilities;
    } else {
        QString versionError;
        const auto version = MagicTraceVersion::query(path, 10'000, &versionError);
        if (!version) {
            failEarly(versionError);
            return;
        }
        caps = MagicTraceCapabilities::forVersion(*version);
    }
    TraceRequest request = options.request;
    if (request.mode == TraceRequest::Mode::Attach && request.pids.isEmpty())
        request.pids = { qint64(::getpid()) };
    if (request.outputPath.isEmpty())
        request.outputPath = TraceOutput::uniqueOutputPath(TraceOutput::defaultDirectory(), caps);

    TraceSession traceSession(path, caps, request);
    QEventLoop loop;
    QObject::connect(
        &traceSession, &TraceSession::stateChanged, &traceSession, [this](TraceSession::State s) { publish(s); });
    // Lines are decoded only for someone who wants them: a flood costs nothing otherwise.
    if (options.echoLogToStderr || options.onLogLine) {
        QObject::connect(&traceSession, &TraceSession::logLine, &traceSession, [this](const LogLine& line) {
            if (options.echoLogToStderr)
                std::fprintf(stderr, "%s\n", line.text.toLocal8Bit().constData());
            if (options.onLogLine)
                options.onLogLine(line);
        });
    }
    QObject::connect(&traceSession, &TraceSession::finished, &loop, [this, &loop](const TraceResult& r) {
        {
            std::lock_guard lock(mutex);
            result = r;
            if (r.outcome != TraceResult::Outcome::Finished)
                error = r.diagnosis.sentence;
            ended = true;
            changed.notify_all();
        }
        loop.quit();
    });
    {
        std::lock_guard lock(mutex);
        session = &traceSession;
        sessionReady = true;
        changed.notify_all();
    }
    traceSession.start();
    if (traceSession.isActive())
        loop.exec();
    std::lock_guard lock(mutex);
    session = nullptr;
    if (!ended) {
        result = traceSession.result();
        error = result.diagnosis.sentence;
        ended = true;
    }
    changed.notify_all();
}

ScopedTrace::ScopedTrace()
    : ScopedTrace(Options {})
{ }

ScopedTrace::ScopedTrace(qint64 pid)
    : ScopedTrace([pid] {
        Options o;
        o.request.pids = { pid };
        return o;
    }())
{ }

ScopedTrace::ScopedTrace(Options options)
    : d(std::make_unique<Private>())
{
    d->options = std::move(options);
    d->thread = QThread::create([p = d.get()] { p->run(); });
    d->thread->start();
    // Wait for recording or the end. TraceSession's attach timeout bounds this; the margin only guards against a
    // machine so loaded that the timer itself is late.
    const auto limit = std::chrono::milliseconds(d->options.request.attachTimeoutMs) + std::chrono::seconds(30);
    std::unique_lock lock(d->mutex);
    const bool settled = d->changed.wait_for(lock, limit, [this] {
        return d->ended || d->state == TraceSession::State::Recording || d->state == TraceSession::State::Stopping
            || d->state == TraceSession::State::Decoding;
    });
    // Posted under the lock: the session clears `session` under it before it is destroyed.
    if (!settled && d->session)
        QMetaObject::invokeMethod(
            d->session, [s = d->session] { s->abort(); }, Qt::QueuedConnection);
}

ScopedTrace::~ScopedTrace() noexcept
{
    try {
        stop();
    } catch (...) {
        // never throw from a destructor; stop() does not throw, but user callbacks run on our thread
    }
}

bool ScopedTrace::isRecording() const
{
    std::lock_guard lock(d->mutex);
    return !d->ended && d->state == TraceSession::State::Recording;
}

QString ScopedTrace::errorString() const
{
    std::lock_guard lock(d->mutex);
    return d->error;
}

TraceResult ScopedTrace::stop()
{
    if (!d->thread)
        return result();
    {
        std::unique_lock lock(d->mutex);
        d->changed.wait(lock, [this] { return d->sessionReady; });
        if (!d->ended && d->session)
            QMetaObject::invokeMethod(
                d->session, [s = d->session] { s->stop(); }, Qt::QueuedConnection);
        // Decoding has no time limit unless the request set one (TraceSession enforces it).
        d->changed.wait(lock, [this] { return d->ended; });
    }
    d->thread->wait();
    delete d->thread;
    d->thread = nullptr;
    return result();
}

TraceResult ScopedTrace::result() const
{
    std::lock_guard lock(d->mutex);
    return d->result;
}
