// SPDX-License-Identifier: MIT
#include "library/libraryjob.h"

#include <QtConcurrent>

LibraryJob::LibraryJob(const QString& description, QObject* parent)
    : QObject(parent)
    , m_description(description)
    , m_control(std::make_shared<JobControl>())
{
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this, [this] {
        Result result = m_watcher.future().result();
        if (result.ok && m_commit)
            result = m_commit(result);
        m_result = result;
        m_running = false;
        Q_EMIT finished(result.ok, result.error);
    });
}

LibraryJob::~LibraryJob()
{
    m_control->cancel();
    m_watcher.disconnect(this);
    m_watcher.waitForFinished();
}

void LibraryJob::start(Work work, Commit commit)
{
    Q_ASSERT(!m_running);
    m_running = true;
    m_commit = std::move(commit);
    // The worker reports through a queued call; the destructor waits for the worker, and Qt drops queued calls
    // whose context object is gone.
    m_control->setProgressHandler([this](qint64 done, qint64 total) {
        QMetaObject::invokeMethod(
            this, [this, done, total] { Q_EMIT progress(done, total); }, Qt::QueuedConnection);
    });
    std::shared_ptr<JobControl> control = m_control;
    m_watcher.setFuture(QtConcurrent::run([control, work = std::move(work)]() { return work(*control); }));
}

void LibraryJob::cancel()
{
    m_control->cancel();
}
