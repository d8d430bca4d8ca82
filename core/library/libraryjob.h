// SPDX-License-Identifier: MIT
#pragma once

#include "library/jobcontrol.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <functional>
#include <memory>

// One long library operation (compress, export, import) run on the global thread pool, with progress and
// cancel. The work function runs on a worker thread and must not touch QObjects of the owner thread; the
// optional commit function runs afterwards on the owner thread (for example to update the library's state).
class LibraryJob : public QObject
{
    Q_OBJECT
public:
    struct Result
    {
        bool ok = false;
        QString error; // translated, for the user; empty when ok
        QString value; // what the operation produced (new path, new entry id, ...)
    };
    using Work = std::function<Result(JobControl& control)>;
    using Commit = std::function<Result(const Result& workResult)>;

    explicit LibraryJob(const QString& description, QObject* parent = nullptr);
    ~LibraryJob() override; // cancels and waits

    QString description() const { return m_description; }
    void start(Work work, Commit commit = {});
    bool isRunning() const { return m_running; }
    bool isCancelled() const { return m_control->isCancelled(); }
    Result result() const { return m_result; }

public Q_SLOTS:
    void cancel();

Q_SIGNALS:
    void progress(qint64 done, qint64 total);
    void finished(bool ok, const QString& error);

private:
    QString m_description;
    std::shared_ptr<JobControl> m_control;
    QFutureWatcher<Result> m_watcher;
    Commit m_commit;
    Result m_result;
    bool m_running = false;
};
