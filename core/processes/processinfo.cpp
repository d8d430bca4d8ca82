// SPDX-License-Identifier: MIT
#include "processes/processinfo.h"

QString ProcessInfo::commandLine() const
{
    if (arguments.isEmpty()) {
        const QString bracketed = u'[' + name + u']';
        return isZombie() ? bracketed + u" <defunct>" : bracketed;
    }
    return arguments.join(u' ');
}

ProcessDiff ProcessDiff::between(const QList<ProcessInfo>& before, const QList<ProcessInfo>& after)
{
    ProcessDiff diff;
    auto old = before.cbegin();
    auto now = after.cbegin();
    while (old != before.cend() || now != after.cend()) {
        if (now == after.cend() || (old != before.cend() && old->key() < now->key())) {
            diff.removed.append(old->key());
            ++old;
        } else if (old == before.cend() || now->key() < old->key()) {
            diff.added.append(*now);
            ++now;
        } else {
            if (!(*old == *now))
                diff.changed.append(*now);
            ++old;
            ++now;
        }
    }
    return diff;
}
