// SPDX-License-Identifier: MIT
#pragma once

// A fake /proc tree in a temporary directory, for the process table's tests and benchmark. It writes the files
// ProcessScanner and TargetAccess read: PID/stat, PID/status, PID/cmdline and the PID/exe link.

#include "host/targetaccess.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QList>
#include <QTemporaryDir>

#include <unistd.h>

class FakeProcTree
{
public:
    struct Proc
    {
        qint64 pid = 0;
        qint64 ppid = 1;
        QByteArray comm = "app";
        char state = 'S';
        uint uid = 1000;
        quint64 startTime = 1000;
        quint64 userTicks = 0;
        quint64 systemTicks = 0;
        int threads = 1;
        qint64 rssPages = 100;
        QList<QByteArray> argv = { "/usr/bin/app" };
        QByteArray exe = "/usr/bin/app"; // empty: no exe link (as when the kernel denies it)
        bool kernelThread = false;
        quint64 capPermitted = 0;
    };

    bool isValid() const { return m_dir.isValid(); }
    QString root() const { return m_dir.path(); }

    static QByteArray statLine(const Proc& p)
    {
        const quint32 flags = p.kernelThread ? TargetAccess::PfKthread : 0x400000u;
        return QByteArray::number(p.pid) + " (" + p.comm + ") " + p.state + ' ' + QByteArray::number(p.ppid)
            + " 1 1 0 -1 " + QByteArray::number(flags) + " 0 0 0 0 " + QByteArray::number(p.userTicks) + ' '
            + QByteArray::number(p.systemTicks) + " 0 0 20 0 " + QByteArray::number(p.threads) + " 0 "
            + QByteArray::number(p.startTime) + " 1000000 " + QByteArray::number(p.rssPages)
            + " 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0\n";
    }

    static QByteArray statusText(const Proc& p)
    {
        const QByteArray u = QByteArray::number(p.uid);
        return "Name:\t" + p.comm.left(15) + "\nState:\t" + p.state + "\nPid:\t" + QByteArray::number(p.pid)
            + "\nPPid:\t" + QByteArray::number(p.ppid) + "\nUid:\t" + u + '\t' + u + '\t' + u + '\t' + u + "\nGid:\t"
            + u + '\t' + u + '\t' + u + '\t' + u + "\nThreads:\t" + QByteArray::number(p.threads) + "\nCapPrm:\t"
            + QByteArray::number(p.capPermitted, 16).rightJustified(16, '0') + "\nCapEff:\t0000000000000000\n";
    }

    bool add(const Proc& p)
    {
        const QString dir = pidDir(p.pid);
        if (!QDir().mkpath(dir))
            return false;
        QByteArray cmdline;
        if (!p.kernelThread && p.state != 'Z') {
            for (const QByteArray& arg : p.argv)
                cmdline += arg + '\0';
        }
        if (!write(dir + u"/stat", statLine(p)) || !write(dir + u"/status", statusText(p))
            || !write(dir + u"/cmdline", cmdline))
            return false;
        QFile::remove(dir + u"/exe");
        if (!p.exe.isEmpty() && !p.kernelThread && p.state != 'Z')
            return ::symlink(p.exe.constData(), QFile::encodeName(dir + u"/exe").constData()) == 0;
        return true;
    }

    // Rewrites only stat (as the kernel changes it between scans).
    bool updateStat(const Proc& p) { return write(pidDir(p.pid) + u"/stat", statLine(p)); }

    bool remove(qint64 pid) { return QDir(pidDir(pid)).removeRecursively(); }

    QString pidDir(qint64 pid) const { return root() + u'/' + QString::number(pid); }

    static TargetAccess::Tracer tracer(uint uid = 1000, qint64 pid = 4242)
    {
        TargetAccess::Tracer t;
        t.pid = pid;
        for (uint& id : t.uid)
            id = uid;
        for (uint& id : t.gid)
            id = uid;
        t.perfEventParanoid = 2;
        return t;
    }

    static bool write(const QString& path, const QByteArray& data)
    {
        QFile file(path);
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
    }

private:
    QTemporaryDir m_dir;
};
