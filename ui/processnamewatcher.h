// SPDX-License-Identifier: MIT
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QSet>
#include <QTimer>

// "Trace the next process named X": watches /proc (on a worker thread, every 100 ms) for a process whose command
// name or program file name is X and that was not there when watching began, and reports the first one.
class ProcessNameWatcher : public QObject
{
    Q_OBJECT
public:
    explicit ProcessNameWatcher(QObject* parent = nullptr);
    ~ProcessNameWatcher() override;

    void setProcRoot(const QString& procRoot) { m_procRoot = procRoot; }
    void start(const QString& name);
    void cancel();
    bool isWatching() const { return m_watching; }
    QString name() const { return m_name; }

    // The PIDs of processes named `name` under procRoot (pure, runs on any thread).
    static QSet<qint64> matchingPids(const QString& procRoot, const QString& name);

Q_SIGNALS:
    void appeared(qint64 pid);

private:
    void poll();
    void scanned();

    QString m_procRoot = QStringLiteral("/proc");
    QString m_name;
    QSet<qint64> m_existing;
    bool m_baselineTaken = false;
    bool m_watching = false;
    QTimer m_timer;
    QFutureWatcher<QSet<qint64>> m_scan;
};
