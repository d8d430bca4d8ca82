// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>

class TraceData;

// The `inspect` command's output, reusable by the GUI and tests.
namespace FxtInspect {

// The JSON object of shared/reference/inspect-json.md: exactly its keys, in its order, with exact 64-bit integers.
QByteArray json(const TraceData& data);
// A readable summary: file, format, time span with wall-clock start, processes/threads/slices, top functions,
// anomalies and where parsing stopped.
QString text(const TraceData& data, const QString& path, int topFunctions = 10);
// Exit status of `inspect` for a loaded trace: 0 when the data is FXT, 2 when it is not (bad magic).
int exitStatus(const TraceData& data);

} // namespace FxtInspect

// Convenience wrapper used by the command: loads path and returns the JSON (empty when the file cannot be read,
// with *error set). *status receives the exit status (0, or 2 when not FXT or unreadable).
QByteArray inspectJson(const QString& path, int* status, QString* error);
