// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

// One observation about the machine: what was seen, how much it matters, and what to do about it.
struct Finding
{
    enum class Severity {
        Ok, // a requirement is met
        Info, // worth knowing; changes nothing about whether a trace can be taken
        Warning, // a trace can be taken, but something will be missing or may fail
        Blocker, // no trace can be taken until this is fixed
    };

    QString id; // stable key for scripts and the UI, e.g. "perf.paranoid"; never translated
    Severity severity = Severity::Info;
    QString message; // one or two sentences saying what was found and why it matters
    QString fix; // the exact command(s) to run, one per line; empty when there is nothing to run
    QString security; // what the fix means for the machine's security; empty when it does not matter

    static QString severityName(Severity severity); // "ok", "info", "warning", "blocker" (JSON, not translated)
    QJsonObject toJson() const;
};

// True when none of the findings is a blocker.
bool canTrace(const QList<Finding>& findings);

Q_DECLARE_METATYPE(Finding)
