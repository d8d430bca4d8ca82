// SPDX-License-Identifier: MIT
#pragma once

#include "host/magictraceversion.h"
#include "trace/diagnosis.h"
#include "trace/tracerequest.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

// Everything known about one finished trace: what a library sidecar, the trace page and the `trace` command need.
struct TraceResult
{
    enum class Outcome { Finished, Failed, Cancelled };

    Outcome outcome = Outcome::Failed;
    TraceRequest request;
    QString magicTracePath;
    MagicTraceVersion magicTraceVersion;
    QStringList magicTraceArguments; // as passed (without the program path)

    QString outputPath; // the trace (absolute); valid when outcome == Finished
    QString outputFormat; // "fxt", "gzip", "zstd", "sexp", "binio" (Finished only)
    qint64 outputSize = 0;
    QString logPath; // the whole log, next to the trace (kept in every outcome)

    QDateTime startTime; // magic-trace started
    QDateTime attachTime; // "[ Attached" seen (invalid in run mode or when it never attached)
    QDateTime stopTime; // our SIGINT (invalid when none was sent)
    QDateTime endTime; // magic-trace exited

    int exitCode = -1; // valid when !crashed
    bool crashed = false; // death by signal
    int exitSignal = 0; // when crashed
    bool stopSent = false; // we sent the SIGINT
    bool stopWasHeld = false; // a stop was asked for before the handshake and sent after it
    bool triggerHit = false; // the trigger fired and magic-trace finished on its own
    bool targetsExited = false; // every traced PID exited while recording, so we stopped
    QList<qint64> exitedTargets;
    qint64 logLineCount = 0;
    qint64 logByteCount = 0;

    Diagnosis diagnosis; // kind None when outcome == Finished

    static QString outcomeName(Outcome outcome); // "finished", "failed", "cancelled"
};
Q_DECLARE_METATYPE(TraceResult)
