// SPDX-License-Identifier: MIT
#pragma once

#include "fxt/tracedata.h"

#include <QObject>
#include <QString>
#include <memory>

// Loads a trace on a worker thread (QThreadPool) so the UI never blocks. Signals arrive on the thread that owns
// the loader. One load at a time: start() cancels a load still running (its result is then never delivered).
//
//     auto* loader = new FxtLoader(this);
//     connect(loader, &FxtLoader::progress, bar, [bar](qint64 done, qint64 total) { ... });
//     connect(loader, &FxtLoader::finished, this, [](std::shared_ptr<const TraceData> data) { ... });
//     connect(loader, &FxtLoader::failed, this, [](const QString& error) { ... });
//     loader->start(path);
//
// A damaged trace still "finishes" (check data->summary().complete / anomalies); failed() is for files that
// cannot be read at all, and for cancellation (error "cancelled" — emitted when cancel() is called).
class FxtLoader : public QObject
{
    Q_OBJECT
public:
    explicit FxtLoader(QObject* parent = nullptr);
    ~FxtLoader() override; // cancels a running load without waiting for it

    void start(const QString& path);
    void cancel();
    bool isRunning() const { return m_running; }

    // Synchronous variant for tools and tests (same result as a finished() load).
    static std::shared_ptr<const TraceData> loadNow(const QString& path, QString* error);

Q_SIGNALS:
    // Input bytes read so far (compressed bytes for compressed files) and the input size.
    void progress(qint64 done, qint64 total);
    void finished(std::shared_ptr<const TraceData> data);
    void failed(const QString& error);

private:
    struct Job;
    std::shared_ptr<Job> m_job;
    bool m_running = false;
    QObject* m_watcher = nullptr; // QFutureWatcher of the running job
};
