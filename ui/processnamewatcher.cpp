// SPDX-License-Identifier: MIT
#include "processnamewatcher.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QtConcurrent>

using namespace Qt::StringLiterals;

ProcessNameWatcher::ProcessNameWatcher(QObject* parent)
    : QObject(parent)
{
    m_timer.setInterval(100);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ProcessNameWatcher::poll);
    connect(&m_scan, &QFutureWatcher<QSet<qint64>>::finished, this, &ProcessNameWatcher::scanned);
}

ProcessNameWatcher::~ProcessNameWatcher()
{
    m_scan.waitForFinished();
}

void ProcessNameWatcher::start(const QString& name)
{
    cancel();
    m_name = name.trimmed();
    m_existing.clear();
    m_baselineTaken = false;
    m_watching = !m_name.isEmpty();
    if (m_watching)
        poll();
}

void ProcessNameWatcher::cancel()
{
    m_watching = false;
    m_timer.stop();
}

void ProcessNameWatcher::poll()
{
    if (!m_watching || m_scan.isRunning())
        return;
    m_scan.setFuture(QtConcurrent::run(&ProcessNameWatcher::matchingPids, m_procRoot, m_name));
}

void ProcessNameWatcher::scanned()
{
    if (!m_watching || m_scan.isCanceled())
        return;
    const QSet<qint64> pids = m_scan.result();
    if (!m_baselineTaken) {
        m_existing = pids;
        m_baselineTaken = true;
    } else {
        qint64 newest = -1;
        for (qint64 pid : pids) {
            if (!m_existing.contains(pid) && (newest < 0 || pid < newest))
                newest = pid;
        }
        if (newest > 0) {
            m_watching = false;
            Q_EMIT appeared(newest);
            return;
        }
        // A process that went away and whose PID comes back is a new process.
        m_existing.intersect(pids);
    }
    m_timer.start();
}

QSet<qint64> ProcessNameWatcher::matchingPids(const QString& procRoot, const QString& name)
{
    QSet<qint64> pids;
    const QStringList entries = QDir(procRoot).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    const QString comm = name.left(15); // the kernel keeps 15 bytes of the command name
    for (const QString& entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok)
            continue;
        QFile commFile(procRoot + u'/' + entry + u"/comm"_s);
        if (!commFile.open(QIODevice::ReadOnly))
            continue; // the process exited
        const QString processComm = QString::fromUtf8(commFile.readAll()).trimmed();
        if (processComm != comm && processComm != name)
            continue;
        // Check argv[0] too when the name is longer than comm can hold.
        if (name.size() > 15) {
            QFile cmdline(procRoot + u'/' + entry + u"/cmdline"_s);
            if (!cmdline.open(QIODevice::ReadOnly))
                continue;
            const QByteArray argv0 = cmdline.read(4096).split('\0').value(0);
            if (QFileInfo(QString::fromLocal8Bit(argv0)).fileName() != name)
                continue;
        }
        pids.insert(pid);
    }
    return pids;
}
