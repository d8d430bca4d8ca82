// SPDX-License-Identifier: MIT
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

// How a magic-trace run ended, as far as the controller knows; the input of Diagnosis::diagnose().
struct RunEnd
{
    enum class How {
        Exited, // normal exit with exitCode
        KilledBySignal, // death by signal (QProcess::CrashExit) that we did not cause
        FailedToStart, // the binary could not be started (startError says why)
        AttachTimeout, // no "[ Attached" within the attach timeout; we killed it
        DecodeTimeout, // decoding took longer than the timeout the user set; we killed it
        Aborted, // the user aborted
    };
    How how = How::Exited;
    int exitCode = 0;
    int signal = 0; // for KilledBySignal, when known
    bool handshakeSeen = false; // "[ Attached" was printed
    bool stopSent = false; // we sent the SIGINT
    QString startError; // FailedToStart: QProcess's error string
    QString outputProblem; // exit 0 but the output is missing or not a trace
    int attachTimeoutMs = 0; // for the AttachTimeout sentence
};

// Why a trace failed, in words a user understands, with the fix and the log lines that show it. A pure function
// of how the run ended and what magic-trace printed (see the protocol notes, §4).
struct Diagnosis
{
    enum class Case {
        None, // success
        FailedToStart,
        CommandLineError,
        PerfMissing,
        PerfVersionUnreadable,
        NoIntelPt,
        PerfPermission, // perf_event_paranoid / access refused
        PerfMemoryLimit, // perf_event_mlock_kb
        NoSuchProcess,
        OtherUsersProcess,
        PidRequired,
        DuplicatePids,
        KernelTracingNeedsRoot,
        TriggerSymbolNotFound,
        NoSymbolTable,
        FuzzyFinderMissing,
        ProgramNotFound,
        TempDirUnwritable,
        PerfOutputUnreadable, // v1.2.4 and perf >= 6 ("tr strt jmp")
        StringTooLong,
        SamplingEventUnsupported,
        PerfFailedWhileRecording,
        DecodeCrashed,
        KilledBySignal,
        AttachTimeout,
        DecodeTimeout,
        OutputInvalid,
        Aborted,
        Unknown,
    };

    Case kind = Case::None;
    QString sentence; // what happened
    QString fix; // what to do about it (may be empty)
    QStringList evidence; // the log lines that show it (or the last lines)

    bool isFailure() const { return kind != Case::None; }
    // A stable identifier for scripts and sidecars: "perf-permission", "no-such-process", ...
    static QString caseName(Case kind);
    // sentence, fix and evidence as a few lines of plain text, for the terminal.
    QString toText() const;

    static Diagnosis diagnose(const RunEnd& end, const QStringList& stderrLines);
};
Q_DECLARE_METATYPE(Diagnosis)
