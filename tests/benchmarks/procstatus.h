// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QFile>
#include <QList>

// A memory figure of this process from /proc/self/status ("VmHWM" = peak resident, "VmRSS" = resident now), in
// KiB; -1 when it cannot be read. VmHWM, unlike getrusage's ru_maxrss, starts afresh at exec(), so a child
// started by a large benchmark process reports its own peak.
inline qint64 procStatusKiB(const QByteArray& field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = field + ':';
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}
