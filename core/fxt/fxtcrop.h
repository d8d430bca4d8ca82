// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>
#include <optional>

class TraceData;

struct CropOptions
{
    // Window in ns relative to the trace start (summary().startNs); nullopt = from the start / to the end.
    std::optional<quint64> fromNs;
    std::optional<quint64> toNs;
    QList<quint64> threads; // thread koids to keep; empty = all
};

struct CropResult
{
    quint64 slices = 0; // slices written
    quint64 events = 0; // event records written
    quint64 bytes = 0; // uncompressed FXT bytes written
};

// Writes the part of a trace inside a time window as a new, valid FXT file (gzip/zstd/xz by the output's suffix):
// slices overlapping the window, clipped to it, with their names, arguments and nesting; instants, counter
// samples, async spans and flow events inside it; process and thread names. Timestamps stay as in the original
// (1 tick = 1 ns, with the original wall-clock base), so the crop lines up with the full trace.
// Returns false with *error when the window is empty/inverted, the input is not a trace or the output cannot be
// written (the output file is then left untouched).
bool cropTrace(
    const TraceData& data, const QString& output, const CropOptions& options, CropResult* result, QString* error);
// Loads input first.
bool cropTrace(
    const QString& input, const QString& output, const CropOptions& options, CropResult* result, QString* error);
