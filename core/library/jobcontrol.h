// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QtGlobal>
#include <atomic>
#include <functional>

// Shared between a long library operation running on a worker thread and whoever started it: the cancel flag
// and the progress callback. Plain functions (compress, export, import) take a JobControl* that may be null.
class JobControl
{
public:
    using ProgressHandler = std::function<void(qint64 done, qint64 total)>;

    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

    // Called on the worker thread. The handler is called at most every 50 ms, and always for done == total.
    void setProgressHandler(ProgressHandler handler) { m_handler = std::move(handler); }
    void report(qint64 done, qint64 total)
    {
        if (!m_handler)
            return;
        if (done != total && m_timer.isValid() && m_timer.elapsed() < 50)
            return;
        m_timer.start();
        m_handler(done, total);
    }

private:
    std::atomic<bool> m_cancelled { false };
    ProgressHandler m_handler;
    QElapsedTimer m_timer;
};

// Convenience for nullable JobControl pointers.
inline bool isCancelled(const JobControl* control)
{
    return control && control->isCancelled();
}
inline void reportProgress(JobControl* control, qint64 done, qint64 total)
{
    if (control)
        control->report(done, total);
}
