// SPDX-License-Identifier: MIT
#pragma once

#include "fxt/fxtformat.h"

#include <QByteArray>
#include <QFile>
#include <QHash>
#include <QString>
#include <QVariant>
#include <array>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

// What can be wrong in a trace; counted, never fatal by themselves (names fixed by inspect-json.md).
enum class FxtAnomaly : quint8 {
    BadMagic,
    TruncatedTail,
    RecordSizeZero,
    MalformedRecord,
    DecompressError,
    UnknownRecordType,
    UnknownEventType,
    UnknownArgType,
    InvalidStringRef,
    InvalidThreadRef,
    CompleteEndBeforeStart,
    InvalidTimestamp,
    Count
};
// "bad_magic", "truncated_tail", ... (the names used by inspect --json).
QString fxtAnomalyName(FxtAnomaly anomaly);

// How a slice came to be.
enum class SliceKind : quint8 {
    Instant = 0, // instant event: zero length
    Complete = 1, // duration complete event
    BeginEnd = 2, // duration begin matched with an end
    Unclosed = 3, // duration begin never ended: runs to the end of the trace
};

// One slice on a thread track: 24 bytes. Depth is implied by where it is stored (TraceThread::depths).
struct TraceSlice
{
    quint64 start = 0; // ns (trace timebase: ticks converted to ns)
    quint64 end = 0; // ns, >= start
    quint32 nameAndKind = 0; // pool id of the name (low 30 bits) | SliceKind << 30
    quint32 argumentRef = 0; // for TraceData::arguments(); 0 = no arguments

    quint32 nameId() const { return nameAndKind & 0x3fffffffU; }
    SliceKind kind() const { return SliceKind(nameAndKind >> 30); }
    quint64 duration() const { return end - start; }
};
static_assert(sizeof(TraceSlice) == 24);

struct TraceThread
{
    quint64 pid = 0;
    quint64 tid = 0;
    quint32 nameId = 0; // 0 = never named ("")
    // depths[d] = the slices at depth d, sorted by start time (ties in file order). Slices of one depth do not
    // overlap in well-formed traces, so a binary search on start (or end) finds those visible in a window.
    // They are views into sliceStorage: one block per thread, so that it can be backed by huge pages.
    std::vector<std::span<const TraceSlice>> depths;
    struct FreeSlices
    {
        FreeSlices()
            : mappedBytes(0)
        { }
        explicit FreeSlices(size_t bytes)
            : mappedBytes(bytes)
        { }
        void operator()(TraceSlice* slices) const;
        size_t mappedBytes; // 0: from malloc; else the size of its own mapping
    };
    std::unique_ptr<TraceSlice[], FreeSlices> sliceStorage;
    quint64 sliceCount = 0;
    int maxDepth = -1; // -1 without slices
    quint64 unmatchedEnds = 0;
    quint64 unclosedBegins = 0;
};

struct TraceProcess
{
    quint64 pid = 0;
    quint32 nameId = 0;
    std::vector<int> threads; // indices into TraceData::threads(), by tid
};

struct CounterSample
{
    quint64 time = 0; // ns
    double value = 0;
};

// One counter series: samples of argument `argumentNameId` of counter events named `nameId` with one counter id,
// in one process (Perfetto's "<name>:<arg>:<id>" track). Non-numeric values are skipped.
struct CounterSeries
{
    quint64 pid = 0;
    quint32 nameId = 0;
    quint32 argumentNameId = 0;
    quint64 counterId = 0;
    std::vector<CounterSample> samples; // sorted by time
};

// Async begin/end pair, keyed by (process, name, correlation id). Async instants are spans with start == end.
struct AsyncSpan
{
    quint64 pid = 0;
    quint64 tid = 0; // thread of the begin
    quint32 nameId = 0;
    quint32 categoryId = 0;
    quint64 id = 0;
    quint64 start = 0;
    quint64 end = 0;
    bool instant = false;
    bool closed = false; // false: begin without end (end = end of trace)
    quint32 argumentRef = 0; // arguments of the begin (or of the instant)
};

enum class FlowPhase : quint8 { Begin = 8, Step = 9, End = 10 };
struct FlowEvent
{
    quint64 time = 0;
    quint64 pid = 0;
    quint64 tid = 0;
    quint64 id = 0;
    FlowPhase phase = FlowPhase::Begin;
};

// Calls, inclusive and exclusive time of one function (slice name) over all threads.
struct FunctionStats
{
    quint32 nameId = 0;
    quint64 calls = 0;
    quint64 totalNs = 0; // inclusive; recursive calls count once per call
    quint64 selfNs = 0; // total minus the time of directly nested slices
};

// A decoded argument (TraceData::arguments()).
struct TraceArgument
{
    QString name;
    quint8 type = 0; // FXT argument type 0..10
    // null: invalid; int32: int; uint32: uint; int64: qlonglong; uint64, pointer, koid: qulonglong; double;
    // string: QString; bool; blob: QByteArray.
    QVariant value;
    // "null", "-1", "0x7fff...", "\"text\"", "true", "3.5", "<12 bytes>", for display.
    QString displayValue() const;
};

// Everything the reader learned from a file (see inspect-json.md for the counting rules).
struct FxtSummary
{
    FxtFormat::Format format = FxtFormat::Format::Fxt;
    quint64 fileBytes = 0;
    quint64 fxtBytes = 0; // uncompressed offset just past the last record consumed
    bool complete = false;
    std::optional<quint64> ticksPerSecond; // of the first initialization record
    std::optional<quint64> baseTimeNs; // 4-word initialization record: wall clock (ns since epoch) of baseTicks
    quint64 baseTicksNs = 0; // baseTicks converted to ns
    struct Provider
    {
        quint32 id = 0;
        QString name;
    };
    std::vector<Provider> providers;
    std::array<quint64, 16> records {}; // by header type 0..15
    std::array<quint64, 12> events {}; // by event type 0..10; [11] = types 11..15
    quint64 unmatchedEnds = 0;
    quint64 unclosedBegins = 0;
    std::optional<quint64> startNs;
    std::optional<quint64> endNs;
    std::array<quint64, size_t(FxtAnomaly::Count)> anomalies {};
    std::optional<quint64> errorOffset; // set when !complete
    QString errorMessage;

    quint64 anomaly(FxtAnomaly a) const { return anomalies[size_t(a)]; }
    // Wall-clock ns since the epoch of a trace time, when the trace has a 4-word initialization record with a
    // non-zero base time.
    std::optional<qint64> wallClockNs(quint64 traceNs) const;
};

// The model of one loaded trace. Immutable once the loader hands it over: safe to read from any thread.
//
// For a viewer:
//  - threads() / processes(): processes by pid, each listing its threads by tid; a thread's slices are in
//    TraceThread::depths[d], sorted by start (binary search with std::lower_bound on start/end for a window);
//  - string(id) / stringUtf8(id): names of slices, threads, processes, arguments (id 0 = "");
//  - arguments(slice.argumentRef): the slice's arguments, decoded from the file on demand (thread-safe);
//  - functions(): per-function calls / total / self time, computed once at load;
//  - counters(), asyncSpans(), flows(); summary() for the figures `inspect` prints.
class TraceData
{
public:
    TraceData();
    ~TraceData();
    TraceData(const TraceData&) = delete;
    TraceData& operator=(const TraceData&) = delete;

    const FxtSummary& summary() const { return m_summary; }
    const std::vector<TraceProcess>& processes() const { return m_processes; }
    const std::vector<TraceThread>& threads() const { return m_threads; }
    const std::vector<CounterSeries>& counters() const { return m_counters; }
    const std::vector<AsyncSpan>& asyncSpans() const { return m_async; }
    const std::vector<FlowEvent>& flows() const { return m_flows; }
    // Sorted by total time, longest first.
    const std::vector<FunctionStats>& functions() const { return m_functions; }

    quint64 sliceCount() const;
    int maxDepth() const;
    quint32 stringCount() const { return quint32(m_strings.size()); }
    QString string(quint32 id) const;
    QByteArrayView stringUtf8(quint32 id) const;
    // Pool id of a string, if the trace contains it.
    std::optional<quint32> findString(QByteArrayView utf8) const;

    // Decodes the arguments of a slice / async span (empty for argumentRef 0 or when the bytes are gone).
    std::vector<TraceArgument> arguments(quint32 argumentRef) const;

    // Approximate heap memory held by the model, in bytes.
    quint64 memoryBytes() const;

private:
    friend class FxtReader;
    friend struct FxtLoadState;
    struct StringBinding
    {
        quint64 offset; // file offset of the string record
        quint32 poolId;
    };
    struct ProviderHistory
    {
        std::unordered_map<quint16, std::vector<StringBinding>> strings;
    };
    quint32 resolveAt(int providerIndex, quint16 slot, quint64 offset) const;
    int providerAt(quint64 offset) const;

    FxtSummary m_summary;
    std::vector<QByteArray> m_strings;
    QHash<QByteArray, quint32> m_stringIds;
    std::vector<TraceProcess> m_processes;
    std::vector<TraceThread> m_threads;
    std::vector<CounterSeries> m_counters;
    std::vector<AsyncSpan> m_async;
    std::vector<FlowEvent> m_flows;
    std::vector<FunctionStats> m_functions;

    // For on-demand argument decoding: where record bytes are, and what the string tables held when.
    QString m_path; // plain FXT file, mapped on first use
    QByteArray m_bytes; // or plain FXT held in memory
    // or copies of records (compressed input): [file offset, word count, record words...] in blocks
    static constexpr quint64 kArenaBlockWords = 1 << 15;
    std::vector<std::unique_ptr<quint64[]>> m_arena;
    bool m_useArena = false;
    std::vector<ProviderHistory> m_history; // by provider index
    std::vector<std::pair<quint64, int>> m_providerSwitches; // (offset, provider index), in file order
    mutable std::mutex m_mapMutex;
    mutable std::unique_ptr<QFile> m_file;
    mutable const uchar* m_map = nullptr;
    mutable quint64 m_mapSize = 0;
};
