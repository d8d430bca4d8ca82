// SPDX-License-Identifier: MIT
#pragma once

#include "library/tracelibrary.h"
#include "library/tracemetadata.h"
#include "trace/tracerequest.h"
#include "trace/traceresult.h"

// The glue between a trace session and the library, shared by the Trace page and the `trace` command, so that a
// trace taken either way is recorded alike: what the library keeps about a request before magic-trace starts,
// and about its result afterwards.
namespace TraceRecording {

// Metadata for TraceLibrary::beginRecording(): mode, the magic-trace command line and its options, the version,
// and for attach mode the first target's name, command line, executable and user read from procRoot (left
// empty when the process cannot be read). Callers may overwrite any field with what they know better.
TraceMetadata metadataFor(
    const TraceRequest& request, const QString& magicTraceVersion, const QString& procRoot = QStringLiteral("/proc"));

// What TraceLibrary::finishRecording() needs from a finished session.
TraceLibrary::RecordingResult resultFor(const TraceResult& result);

} // namespace TraceRecording
