// SPDX-License-Identifier: MIT
#include "library/tracemetadata.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <limits>

using namespace Qt::StringLiterals;

namespace TraceOutcomes {

QString key(TraceOutcome outcome)
{
    switch (outcome) {
    case TraceOutcome::Recording:
        return u"recording"_s;
    case TraceOutcome::Succeeded:
        return u"succeeded"_s;
    case TraceOutcome::Failed:
        return u"failed"_s;
    case TraceOutcome::Cancelled:
        return u"cancelled"_s;
    case TraceOutcome::Recovered:
        return u"recovered"_s;
    case TraceOutcome::External:
        return u"external"_s;
    }
    return {};
}

std::optional<TraceOutcome> fromKey(QStringView key)
{
    for (TraceOutcome outcome : all()) {
        if (TraceOutcomes::key(outcome) == key)
            return outcome;
    }
    return std::nullopt;
}

QString displayName(TraceOutcome outcome)
{
    switch (outcome) {
    case TraceOutcome::Recording:
        return QCoreApplication::translate("TraceOutcome", "Recording");
    case TraceOutcome::Succeeded:
        return QCoreApplication::translate("TraceOutcome", "Succeeded");
    case TraceOutcome::Failed:
        return QCoreApplication::translate("TraceOutcome", "Failed");
    case TraceOutcome::Cancelled:
        return QCoreApplication::translate("TraceOutcome", "Cancelled");
    case TraceOutcome::Recovered:
        return QCoreApplication::translate("TraceOutcome", "Recovered");
    case TraceOutcome::External:
        return QCoreApplication::translate("TraceOutcome", "External");
    }
    return {};
}

QList<TraceOutcome> all()
{
    return { TraceOutcome::Recording, TraceOutcome::Succeeded, TraceOutcome::Failed, TraceOutcome::Cancelled,
        TraceOutcome::Recovered, TraceOutcome::External };
}

} // namespace TraceOutcomes

namespace {

// The keys this version writes; anything else in a sidecar is carried in unknownFields.
const QSet<QString>& knownKeys()
{
    static const QSet<QString> keys = { u"version"_s, u"id"_s, u"title"_s, u"targetPid"_s, u"processName"_s,
        u"commandLine"_s, u"executable"_s, u"user"_s, u"startTime"_s, u"endTime"_s, u"durationMs"_s, u"mode"_s,
        u"options"_s, u"magicTraceArguments"_s, u"magicTraceVersion"_s, u"perfVersion"_s, u"outcome"_s, u"exitCode"_s,
        u"exitSignal"_s, u"traceFile"_s, u"logFile"_s, u"fileSize"_s, u"format"_s, u"notes"_s, u"tags"_s, u"origin"_s,
        u"traceProcesses"_s, u"traceBaseTime"_s, u"recorderPid"_s };
    return keys;
}

QJsonValue dateValue(const QDateTime& time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}

QJsonArray stringArray(const QStringList& list)
{
    return QJsonArray::fromStringList(list);
}

// Typed readers: a present field of the wrong type is an error; absent or null keeps the default.
class Reader
{
public:
    Reader(const QJsonObject& object, QString* error)
        : m_object(object)
        , m_error(error)
    { }
    bool ok() const { return m_ok; }

    void read(const QString& key, QString& out)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull())
            return;
        if (!value.isString())
            return fail(key, QCoreApplication::translate("TraceMetadata", "a string"));
        out = value.toString();
    }
    void read(const QString& key, qint64& out)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull())
            return;
        if (!value.isDouble())
            return fail(key, QCoreApplication::translate("TraceMetadata", "a number"));
        out = value.toInteger(out);
    }
    void read(const QString& key, int& out)
    {
        qint64 wide = out;
        read(key, wide);
        if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max())
            return fail(key, QCoreApplication::translate("TraceMetadata", "a small number"));
        out = int(wide);
    }
    void read(const QString& key, QStringList& out)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull())
            return;
        if (!value.isArray())
            return fail(key, QCoreApplication::translate("TraceMetadata", "a list of strings"));
        QStringList list;
        for (const QJsonValue& item : value.toArray()) {
            if (!item.isString())
                return fail(key, QCoreApplication::translate("TraceMetadata", "a list of strings"));
            list.append(item.toString());
        }
        out = list;
    }
    void read(const QString& key, QJsonObject& out)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined() || value.isNull())
            return;
        if (!value.isObject())
            return fail(key, QCoreApplication::translate("TraceMetadata", "an object"));
        out = value.toObject();
    }
    void read(const QString& key, QDateTime& out)
    {
        QString text;
        read(key, text);
        if (text.isEmpty())
            return;
        const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!time.isValid())
            return fail(key, QCoreApplication::translate("TraceMetadata", "an ISO 8601 date"));
        out = time.toUTC();
    }

    void fail(const QString& key, const QString& expected)
    {
        if (m_ok && m_error)
            *m_error = QCoreApplication::translate("TraceMetadata", "field \"%1\" should be %2").arg(key, expected);
        m_ok = false;
    }

private:
    const QJsonObject& m_object;
    QString* m_error;
    bool m_ok = true;
};

} // namespace

QJsonObject TraceMetadata::toJson() const
{
    QJsonObject object = unknownFields;
    object.insert(u"version"_s, schemaVersion);
    object.insert(u"id"_s, id);
    object.insert(u"title"_s, title);
    object.insert(u"targetPid"_s, targetPid);
    object.insert(u"processName"_s, processName);
    object.insert(u"commandLine"_s, commandLine);
    object.insert(u"executable"_s, executable);
    object.insert(u"user"_s, user);
    object.insert(u"startTime"_s, dateValue(startTime));
    object.insert(u"endTime"_s, dateValue(endTime));
    object.insert(u"durationMs"_s, durationMs);
    object.insert(u"mode"_s, mode);
    object.insert(u"options"_s, options);
    object.insert(u"magicTraceArguments"_s, stringArray(magicTraceArguments));
    object.insert(u"magicTraceVersion"_s, magicTraceVersion);
    object.insert(u"perfVersion"_s, perfVersion);
    object.insert(u"outcome"_s, TraceOutcomes::key(outcome));
    object.insert(u"exitCode"_s, exitCode ? QJsonValue(*exitCode) : QJsonValue());
    object.insert(u"exitSignal"_s, exitSignal);
    object.insert(u"traceFile"_s, traceFile);
    object.insert(u"logFile"_s, logFile);
    object.insert(u"fileSize"_s, fileSize);
    object.insert(u"format"_s, format);
    object.insert(u"notes"_s, notes);
    object.insert(u"tags"_s, stringArray(tags));
    object.insert(u"origin"_s, origin);
    object.insert(u"traceProcesses"_s, stringArray(traceProcesses));
    object.insert(u"traceBaseTime"_s, dateValue(traceBaseTime));
    object.insert(u"recorderPid"_s, recorderPid);
    return object;
}

QByteArray TraceMetadata::toJsonBytes() const
{
    return QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
}

std::optional<TraceMetadata> TraceMetadata::fromJson(const QJsonObject& object, QString* error)
{
    TraceMetadata m;
    Reader r(object, error);
    r.read(u"id"_s, m.id);
    r.read(u"title"_s, m.title);
    r.read(u"targetPid"_s, m.targetPid);
    r.read(u"processName"_s, m.processName);
    r.read(u"commandLine"_s, m.commandLine);
    r.read(u"executable"_s, m.executable);
    r.read(u"user"_s, m.user);
    r.read(u"startTime"_s, m.startTime);
    r.read(u"endTime"_s, m.endTime);
    r.read(u"durationMs"_s, m.durationMs);
    r.read(u"mode"_s, m.mode);
    r.read(u"options"_s, m.options);
    r.read(u"magicTraceArguments"_s, m.magicTraceArguments);
    r.read(u"magicTraceVersion"_s, m.magicTraceVersion);
    r.read(u"perfVersion"_s, m.perfVersion);
    QString outcome;
    r.read(u"outcome"_s, outcome);
    if (!outcome.isEmpty()) {
        if (const auto known = TraceOutcomes::fromKey(outcome))
            m.outcome = *known;
        else
            r.fail(u"outcome"_s, QCoreApplication::translate("TraceMetadata", "a known outcome"));
    }
    const QJsonValue exitCode = object.value(u"exitCode"_s);
    if (exitCode.isDouble()) {
        int code = 0;
        r.read(u"exitCode"_s, code);
        m.exitCode = code;
    } else if (!exitCode.isNull() && !exitCode.isUndefined()) {
        r.fail(u"exitCode"_s, QCoreApplication::translate("TraceMetadata", "a number"));
    }
    r.read(u"exitSignal"_s, m.exitSignal);
    r.read(u"traceFile"_s, m.traceFile);
    r.read(u"logFile"_s, m.logFile);
    r.read(u"fileSize"_s, m.fileSize);
    r.read(u"format"_s, m.format);
    r.read(u"notes"_s, m.notes);
    r.read(u"tags"_s, m.tags);
    r.read(u"origin"_s, m.origin);
    r.read(u"traceProcesses"_s, m.traceProcesses);
    r.read(u"traceBaseTime"_s, m.traceBaseTime);
    r.read(u"recorderPid"_s, m.recorderPid);
    if (!r.ok())
        return std::nullopt;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!knownKeys().contains(it.key()))
            m.unknownFields.insert(it.key(), it.value());
    }
    return m;
}

std::optional<TraceMetadata> TraceMetadata::fromJsonBytes(const QByteArray& bytes, QString* error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error)
            *error = QCoreApplication::translate("TraceMetadata", "not valid JSON: %1 at offset %2")
                         .arg(parseError.errorString())
                         .arg(parseError.offset);
        return std::nullopt;
    }
    if (!document.isObject()) {
        if (error)
            *error = QCoreApplication::translate("TraceMetadata", "not a JSON object");
        return std::nullopt;
    }
    return fromJson(document.object(), error);
}
