// SPDX-License-Identifier: MIT
#pragma once

#include "host/magictraceversion.h"

#include <QList>
#include <QMetaType>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

// What to trace and how: a plain value, built by the trace page, the `trace` command or ScopedTrace, validated
// against the capabilities of the magic-trace in use, and turned into magic-trace's argument list (never a shell
// command line).
struct TraceRequest
{
    enum class Mode { Attach, Run };

    Mode mode = Mode::Attach;
    QList<qint64> pids; // Attach: one PID, or several with magic-trace 1.2.0+
    QString program; // Run: the program (a path or a name found in PATH)
    QStringList programArguments; // Run
    QString workingDirectory; // Run: the program's working directory (empty: the output folder)
    QProcessEnvironment environment; // Run: the program's environment (empty: ours). TMPDIR is always ours.

    QString outputPath; // absolute; its suffix chooses the format (.fxt, .fxt.gz, .fxt.zst, .sexp, .binio)

    // magic-trace options (empty/false: magic-trace's default)
    QString trigger; // -trigger SPEC
    bool multiThread = false; // -multi-thread
    bool multiSnapshot = false; // -multi-snapshot
    bool fullExecution = false; // -full-execution
    QString snapshotSize; // -snapshot-size, e.g. "4M"
    QString timerResolution; // -timer-resolution: Low, Normal, High, or a sexp "(Custom ...)" / "(Sample ...)"
    bool sampling = false; // -sampling (1.2.0+)
    QString callgraphMode; // -callgraph-mode (1.2.0+, with sampling): lbr, lbr-no-stitch, dwarf, fp
    bool includeKernel = false; // -trace-include-kernel
    bool kernelOnly = false; // -trace-kernel-only
    QString filter; // -filter "(START STOP)" (1.2.0+)
    QString perfPath; // MAGIC_TRACE_PERF_PATH (1.2.3+)

    // Controller settings (not magic-trace flags)
    int attachTimeoutMs = 60'000; // from start to "[ Attached"; ELF loading can take seconds
    int decodeTimeoutMs = 0; // 0: decoding may take as long as it needs
    bool stopWhenTargetsExit = true; // Attach: SIGINT once every target has exited (magic-trace does not notice)

    // Checks the request against what the magic-trace version can do. On failure returns false and sets *error to
    // a sentence for the user; options the version lacks are named with the version that added them.
    bool validate(const MagicTraceCapabilities& capabilities, QString* error) const;
    // magic-trace's arguments, starting with the subcommand ("attach" / "run"). Call after validate().
    QStringList magicTraceArguments() const;
    // The option flags alone (no subcommand, -pid, -output or program), as magicTraceArguments() passes them.
    QStringList optionArguments() const;

    static QString modeName(Mode mode);
};
Q_DECLARE_METATYPE(TraceRequest)
