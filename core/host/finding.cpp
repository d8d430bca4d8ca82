// SPDX-License-Identifier: MIT
#include "finding.h"

#include <algorithm>

using namespace Qt::StringLiterals;

QString Finding::severityName(Severity severity)
{
    switch (severity) {
    case Severity::Ok:
        return u"ok"_s;
    case Severity::Info:
        return u"info"_s;
    case Severity::Warning:
        return u"warning"_s;
    case Severity::Blocker:
        return u"blocker"_s;
    }
    return u"info"_s;
}

QJsonObject Finding::toJson() const
{
    QJsonObject object { { u"id"_s, id }, { u"severity"_s, severityName(severity) }, { u"message"_s, message } };
    if (!fix.isEmpty())
        object.insert(u"fix"_s, fix);
    if (!security.isEmpty())
        object.insert(u"security"_s, security);
    return object;
}

bool canTrace(const QList<Finding>& findings)
{
    return std::none_of(
        findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Finding::Severity::Blocker; });
}
