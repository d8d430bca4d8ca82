// SPDX-License-Identifier: MIT
#pragma once

#include "host/magictraceversion.h"

#include <QString>

// Where traces go and whether what magic-trace wrote is a trace.
namespace TraceOutput {

// The folder for new traces until the trace library takes over: <AppLocalDataLocation>/traces, e.g.
// ~/.local/share/magic-trace-studio/magic-trace-studio/traces. Created when missing. One place to change.
QString defaultDirectory();

// A new, unused absolute file name in directory: "<stem>-YYYYMMDD-HHMMSS[-N]" plus the default suffix of the
// magic-trace version (".fxt" or ".fxt.gz").
QString uniqueOutputPath(const QString& directory, const MagicTraceCapabilities& capabilities,
    const QString& stem = QStringLiteral("trace"));

// The log written next to a trace: "<output>.log".
QString logPathFor(const QString& outputPath);

// True when the file exists and starts as its name says: the FXT magic record, gzip or zstd magic (any FXT
// name), "(" for .sexp, non-empty for .binio. Otherwise false with a user-facing reason in *problem.
// *format is set to "fxt", "gzip", "zstd", "sexp" or "binio".
bool checkOutput(const QString& path, QString* format, QString* problem);

} // namespace TraceOutput
