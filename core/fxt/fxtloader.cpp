// SPDX-License-Identifier: MIT
#include "fxt/fxtloader.h"

#include "fxt/fxtreader.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QPromise>
#include <QtConcurrent/QtConcurrentRun>
#include <atomic>

namespace {

struct LoadResult
{
    std::shared_ptr<const TraceData> data;
    QString error;
};

} // namespace

struct FxtLoader::Job
{
    std::atomic<bool> cancelled { false };
    std::atomic<quint64> done { 0 };
    std::atomic<quint64> total { 0 };
};

FxtLoader::FxtLoader(QObject* parent)
    : QObject(parent)
{ }

FxtLoader::~FxtLoader()
{
    if (m_job)
        m_job->cancelled = true; // the worker finishes soon; the watcher (our child) is gone, nothing is emitted
}

void FxtLoader::cancel()
{
    if (!m_job)
        return;
    m_job->cancelled = true;
    m_job.reset();
    delete m_watcher;
    m_watcher = nullptr;
    if (m_running) {
        m_running = false;
        Q_EMIT failed(QCoreApplication::translate("FxtLoader", "cancelled"));
    }
}

void FxtLoader::start(const QString& path)
{
    if (m_job) {
        m_job->cancelled = true;
        m_job.reset();
        delete m_watcher;
        m_watcher = nullptr;
    }
    auto job = std::make_shared<Job>();
    m_job = job;
    m_running = true;
    auto* watcher = new QFutureWatcher<LoadResult>(this);
    m_watcher = watcher;
    connect(watcher, &QFutureWatcher<LoadResult>::progressValueChanged, this, [this, job](int) {
        if (m_job == job)
            Q_EMIT progress(qint64(job->done.load()), qint64(job->total.load()));
    });
    connect(watcher, &QFutureWatcher<LoadResult>::finished, this, [this, job, watcher]() {
        if (m_job != job)
            return;
        const LoadResult result = watcher->future().resultCount() ? watcher->result() : LoadResult {};
        m_job.reset();
        m_running = false;
        m_watcher = nullptr;
        watcher->deleteLater();
        if (result.data)
            Q_EMIT finished(result.data);
        else
            Q_EMIT failed(result.error);
    });
    watcher->setFuture(QtConcurrent::run([job, path](QPromise<LoadResult>& promise) {
        promise.setProgressRange(0, 1000);
        FxtReader::Options options;
        options.cancel = &job->cancelled;
        options.progress = [&](quint64 done, quint64 total) {
            job->done = done;
            job->total = total;
            promise.setProgressValue(total ? int(std::min<quint64>(done * 1000 / total, 999)) : 0);
        };
        LoadResult result;
        result.data = FxtReader::load(path, options, &result.error);
        promise.addResult(result);
    }));
}

std::shared_ptr<const TraceData> FxtLoader::loadNow(const QString& path, QString* error)
{
    return FxtReader::load(path, error);
}
