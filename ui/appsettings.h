// SPDX-License-Identifier: MIT
#pragma once

#include "traceoptionspanel.h"

#include <QString>

// The application's settings, typed, over QSettings (organisation "magic-trace-studio"). One place for the keys.
namespace AppSettings {

QString magicTracePath(); // empty: search PATH and the app's install directory
void setMagicTracePath(const QString& path);

QString tracesFolder(); // empty: the library's default folder
void setTracesFolder(const QString& folder);

QString compressionFormat(); // "gzip", "zstd" or "xz"
void setCompressionFormat(const QString& format);
int compressionLevel(); // 1..19 (zstd), 1..9 (gzip, xz); clamped by the user of it
void setCompressionLevel(int level);

int attachTimeoutSeconds(); // default 60
void setAttachTimeoutSeconds(int seconds);

TraceOptionValues defaultTraceOptions();
void setDefaultTraceOptions(const TraceOptionValues& values);
// What the last trace used (the options panel starts from these; "Trace again" repeats them).
TraceOptionValues lastTraceOptions();
void setLastTraceOptions(const TraceOptionValues& values);

} // namespace AppSettings
