// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QtGlobal>

class FxtWriter;

// Writes a synthetic trace shaped like magic-trace's output (fxt-format.md §7): the Jane Street prologue, one
// process per traced thread named "<command> [pid=N]" with a thread "main", calls as duration begin/end pairs
// (begin = 5 words with a pointer argument "address" and an interned string argument "symbol", end = 2 words, so
// about 57 bytes per call), call stacks around `meanDepth` deep, threads written in interleaved batches with
// per-thread increasing timestamps, and the stack that "existed when tracing started" written as ts-0 begins
// at the very end of the file (outermost first) while its ends appear early. Every begin has exactly one end,
// so a correct reader reports no unmatched ends and no unclosed begins. The output depends only on the options.
struct TraceGeneratorOptions
{
    quint64 targetBytes = 1 << 20; // stop adding calls once the uncompressed output reaches this size
    int threads = 4;
    quint32 seed = 1;
    int meanDepth = 25; // the random walk of the stack depth stays around this value
    int initialDepth = 12; // frames on the stack at ts 0 (their begins go at the end of the file)
    int functions = 4000; // distinct symbols
    quint64 baseTimeNs = 1650419113989693816ULL; // wall clock of tick 0 (the real sample's value)
};

struct TraceGeneratorResult
{
    quint64 calls = 0; // slices written (= begin/end pairs)
    quint64 events = 0; // event records
    quint64 bytes = 0; // uncompressed bytes written
    quint64 endTimestamp = 0; // largest timestamp written (ns)
};

namespace TraceGenerator {

// Generates into an open writer (does not call finish()).
TraceGeneratorResult generate(FxtWriter& writer, const TraceGeneratorOptions& options);
// Generates into a file, compressed by its suffix (.gz/.zst/.xz). Returns false with *error on failure.
bool generateFile(const QString& path, const TraceGeneratorOptions& options, TraceGeneratorResult* result = nullptr,
    QString* error = nullptr);

} // namespace TraceGenerator
