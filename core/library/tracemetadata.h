// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <optional>

// How a library entry came to be, as the sidecar records it.
enum class TraceOutcome {
    Recording, // magic-trace is (or was, if the app died) writing the trace
    Succeeded, // magic-trace finished and left a trace
    Failed, // magic-trace failed, or the trace file is missing or empty after a crash
    Cancelled, // the user aborted before a trace was written
    Recovered, // left "recording" by a crash, but the trace file is a valid FXT trace
    External, // made outside the app: dropped into the folder or imported as a loose file
};

namespace TraceOutcomes {
QString key(TraceOutcome outcome); // "recording", "succeeded", ... (sidecar and JSON value; not translated)
std::optional<TraceOutcome> fromKey(QStringView key);
QString displayName(TraceOutcome outcome); // translated
QList<TraceOutcome> all();
} // namespace TraceOutcomes

// Everything the library knows about one trace: the JSON sidecar, field for field. A plain value so that the
// controller's TraceResult can be mapped onto it by glue code.
struct TraceMetadata
{
    static constexpr int schemaVersion = 1;

    QString id; // also the sidecar's base name: <id>.json
    QString title;
    qint64 targetPid = 0; // 0: none (run mode, or unknown)
    QString processName;
    QString commandLine; // the target's command line
    QString executable; // the target's executable
    QString user; // who ran the target
    QDateTime startTime; // UTC
    QDateTime endTime; // UTC; invalid while recording
    qint64 durationMs = -1; // -1: unknown
    QString mode; // "attach" or "run"
    QJsonObject options; // every magic-trace option used, by flag name without the dash
    QStringList magicTraceArguments; // the complete magic-trace command line, for the record
    QString magicTraceVersion;
    QString perfVersion;
    TraceOutcome outcome = TraceOutcome::External;
    std::optional<int> exitCode; // magic-trace's exit code, when it exited normally
    int exitSignal = 0; // the signal that killed magic-trace, 0 if none
    QString traceFile; // file name (no folder) of the trace: <something>.fxt[.gz|.zst|.xz]
    QString logFile; // file name of the full magic-trace log, empty if none
    qint64 fileSize = -1; // bytes of the trace file on disk, -1 unknown
    QString format; // "fxt", "gzip", "zstd", "xz" (see TraceProbe), empty if unknown
    QString notes;
    QStringList tags;
    QString origin; // "recorded", "discovered", "imported"
    QStringList traceProcesses; // process names read from the trace's first records
    QDateTime traceBaseTime; // wall time of the earliest event, from the trace's initialization record
    qint64 recorderPid = 0; // pid of the app instance that is recording (outcome Recording only)
    QJsonObject unknownFields; // fields written by a newer version, kept so that a rewrite does not lose them

    QJsonObject toJson() const;
    QByteArray toJsonBytes() const;
    // Reads a sidecar. Missing fields keep their defaults; wrong types are an error.
    static std::optional<TraceMetadata> fromJson(const QJsonObject& object, QString* error);
    static std::optional<TraceMetadata> fromJsonBytes(const QByteArray& bytes, QString* error);

    // The date shown and sorted on: the start time, else the trace's base time.
    QDateTime date() const { return startTime.isValid() ? startTime : traceBaseTime; }

    bool operator==(const TraceMetadata&) const = default;
};

Q_DECLARE_METATYPE(TraceMetadata)
