// SPDX-License-Identifier: MIT
#pragma once

#include "fxt/tracedata.h"

#include <QString>
#include <atomic>
#include <functional>
#include <memory>

class QIODevice;

// Reads an FXT trace (plain, or gzip/zstd/xz detected by magic bytes) into a TraceData, single-threaded, on the
// calling thread. Follows shared/reference/inspect-json.md exactly: the record walk, when parsing stops, how
// references, providers and tick rates resolve, which events are dropped, the depth rule and the anomaly names.
// Damaged content never fails a load: what was read before the damage is kept and the problem is recorded in
// TraceData::summary() (anomalies, complete, errorOffset). A load fails (nullptr + *error) only when the file
// cannot be opened or read at all, or when it was cancelled.
class FxtReader
{
public:
    struct Options
    {
        // Called after each chunk (from the loading thread): bytes of input read so far, input size.
        std::function<void(quint64 done, quint64 total)> progress;
        // When set to true from another thread, the load stops soon and returns nullptr ("cancelled").
        const std::atomic<bool>* cancel = nullptr;
        // The depth rule runs while parsing where a thread's events allow it. false: every thread goes through the
        // event log and the sorted pass instead (same model, slower; the tests compare the two).
        bool depthRuleWhileParsing = true;
    };

    static std::shared_ptr<TraceData> load(const QString& path, const Options& options, QString* error);
    static std::shared_ptr<TraceData> load(const QString& path, QString* error) { return load(path, {}, error); }
    // Reads from a device (not owned), e.g. a QBuffer. Plain FXT read this way is kept in memory by the model for
    // argument decoding.
    static std::shared_ptr<TraceData> load(QIODevice* device, const Options& options, QString* error);
    static std::shared_ptr<TraceData> loadBytes(const QByteArray& bytes, QString* error = nullptr);
};
