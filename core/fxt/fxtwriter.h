// SPDX-License-Identifier: MIT
#pragma once

#include "fxt/fxtformat.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

class QIODevice;
class QSaveFile;
class KCompressionDevice;

// Writes Fuchsia Trace Format (see shared/reference/fxt-format.md) to a QIODevice or to a file, optionally
// gzip/zstd/xz compressed through KCompressionDevice. Every record type can be written, including damaged ones
// (writeRawWords) for tests. Two levels:
//  - low level: write*() put exactly one record, with the string/thread references the caller gives;
//  - table level: internString()/internThread() hand out indices and write the string/thread records the first
//    time a value is seen (like Jane Street's writer), so callers can pass plain strings.
// Output is buffered; call finish() (or destroy the writer) to flush. Errors are sticky: after the first failed
// write, ok() is false and errorString() says why; later calls do nothing.
//
//     FxtWriter w;
//     if (!w.open(u"/tmp/t.fxt.gz"_s, &error)) ...        // gzip by suffix
//     w.writeJaneStreetPrologue(baseTimeNs);             // magic, provider "jane_tracing", 4-word init
//     w.writeProcessName(1, "myproc"); w.writeThreadName(1, 2, "main");
//     const auto thread = w.threadRef(1, 2);
//     w.durationBegin(thread, w.stringRef(""), w.stringRef("f"), 100,
//                     { FxtWriter::Argument::pointer(w.stringRef("address"), 0x401000) });
//     w.durationEnd(thread, w.stringRef(""), w.stringRef("f"), 200);
//     w.finish(&error);
class FxtWriter
{
public:
    // A 16-bit string reference: 0 = empty, an index (1..0x7fff) into the string table, or inline bytes.
    struct StringRef
    {
        quint16 ref = 0;
        QByteArray inlineText; // used when ref has bit 15 set
        static StringRef empty() { return {}; }
        static StringRef indexed(quint16 index) { return { quint16(index & 0x7fff), {} }; }
        static StringRef inlined(QByteArrayView text); // longer than 32000 bytes: truncated
    };

    // An 8-bit thread reference: an index (1..255) into the thread table, or inline process/thread koids.
    struct ThreadRef
    {
        quint8 index = 0;
        quint64 pid = 0;
        quint64 tid = 0;
        static ThreadRef indexed(quint8 index) { return { index, 0, 0 }; }
        static ThreadRef inlined(quint64 pid, quint64 tid) { return { 0, pid, tid }; }
    };

    enum class ArgumentType : quint8 {
        Null = 0,
        Int32 = 1,
        UInt32 = 2,
        Int64 = 3,
        UInt64 = 4,
        Double = 5,
        String = 6,
        Pointer = 7,
        Koid = 8,
        Bool = 9,
        Blob = 10,
    };

    struct Argument
    {
        quint8 type = 0; // ArgumentType, or 11..15 for an unknown type (see unknown())
        StringRef name;
        quint64 value = 0; // integer / pointer / koid / bool value, or the bits of a double
        StringRef stringValue; // type String
        QByteArray bytes; // type Blob payload; for unknown types, raw payload words (multiple of 8 bytes)

        static Argument null(StringRef name);
        static Argument int32(StringRef name, qint32 v);
        static Argument uint32(StringRef name, quint32 v);
        static Argument int64(StringRef name, qint64 v);
        static Argument uint64(StringRef name, quint64 v);
        static Argument real(StringRef name, double v);
        static Argument string(StringRef name, StringRef v);
        static Argument pointer(StringRef name, quint64 v);
        static Argument koid(StringRef name, quint64 v);
        static Argument boolean(StringRef name, bool v);
        static Argument blob(StringRef name, QByteArrayView payload);
        // An argument of reserved type 11..15 with payloadWords zero words after its header (readers skip it).
        static Argument unknown(StringRef name, quint8 type, int payloadWords);
    };
    using Arguments = std::span<const Argument>;

    enum class EventType : quint8 {
        Instant = 0,
        Counter = 1,
        DurationBegin = 2,
        DurationEnd = 3,
        DurationComplete = 4,
        AsyncBegin = 5,
        AsyncInstant = 6,
        AsyncEnd = 7,
        FlowBegin = 8,
        FlowStep = 9,
        FlowEnd = 10,
    };

    FxtWriter();
    // Writes to an already open device, which the writer does not own.
    explicit FxtWriter(QIODevice* device);
    ~FxtWriter(); // flushes; a file opened with open() is committed only by finish()

    // Opens path for writing (atomically, through QSaveFile). Compression is chosen by the suffix
    // (FxtFormat::forFileName) unless given explicitly.
    bool open(const QString& path, QString* error);
    bool open(const QString& path, FxtFormat::Format compression, QString* error);
    // Flushes, finishes the compressed stream and commits the file. Returns false with *error on any failure.
    bool finish(QString* error = nullptr);

    bool ok() const { return m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    // Uncompressed bytes produced so far (buffered ones included).
    quint64 bytesWritten() const { return m_written + quint64(m_buffer.size()); }

    // --- records, one call = one record ---
    void writeMagic();
    void writeProviderInfo(quint32 providerId, QByteArrayView name);
    void writeProviderSection(quint32 providerId);
    void writeProviderEvent(quint32 providerId, quint8 eventId);
    void writeInitialization(quint64 ticksPerSecond); // the 2-word form of the spec
    // Jane Street's 4-word form: wall-clock time of a tick t = baseTimeNs + ns(t - baseTicks).
    void writeInitialization(quint64 ticksPerSecond, quint64 baseTicks, quint64 baseTimeNs);
    void writeString(quint16 index, QByteArrayView text);
    void writeThread(quint8 index, quint64 pid, quint64 tid);
    // trailing = the word after the arguments: counter id, complete end time, async or flow id (ignored for
    // instant/begin/end). eventType may be 11..15 to write a reserved event type (then trailing is not written).
    void writeEvent(quint8 eventType, const ThreadRef& thread, const StringRef& category, const StringRef& name,
        quint64 timestamp, Arguments arguments = {}, quint64 trailing = 0);
    void writeEvent(EventType type, const ThreadRef& thread, const StringRef& category, const StringRef& name,
        quint64 timestamp, Arguments arguments = {}, quint64 trailing = 0)
    {
        writeEvent(quint8(type), thread, category, name, timestamp, arguments, trailing);
    }
    // Kernel object: objectType 1 = process (koid = pid), 2 = thread (koid = tid, with a koid argument "process").
    void writeKernelObject(quint8 objectType, quint64 koid, const StringRef& name, Arguments arguments = {});
    void writeBlob(const StringRef& name, quint8 blobType, QByteArrayView payload);
    void writeUserspaceObject(const ThreadRef& process, const StringRef& name, quint64 pointer, Arguments args = {});
    // Legacy context switch (scheduling record type 0).
    void writeContextSwitch(quint16 cpu, quint8 outgoingState, const ThreadRef& outgoing, const ThreadRef& incoming,
        quint64 timestamp, quint8 outgoingPriority = 0, quint8 incomingPriority = 0);
    void writeLog(const ThreadRef& thread, quint64 timestamp, QByteArrayView message);
    // Large BLOB record (type 15), format 1 (no metadata): 32-bit size field.
    void writeLargeBlob(const StringRef& category, const StringRef& name, QByteArrayView payload);
    // Anything, unchecked: for damaged-file tests.
    void writeRawWords(std::span<const quint64> words);
    void writeRawWords(std::initializer_list<quint64> words) { writeRawWords(std::span(words.begin(), words.size())); }
    void writeRawBytes(QByteArrayView bytes);

    // --- event shortcuts ---
    void instant(const ThreadRef& t, const StringRef& cat, const StringRef& name, quint64 ts, Arguments a = {})
    {
        writeEvent(EventType::Instant, t, cat, name, ts, a);
    }
    void counter(const ThreadRef& t, const StringRef& cat, const StringRef& name, quint64 ts, Arguments a, quint64 id)
    {
        writeEvent(EventType::Counter, t, cat, name, ts, a, id);
    }
    void durationBegin(const ThreadRef& t, const StringRef& cat, const StringRef& name, quint64 ts, Arguments a = {})
    {
        writeEvent(EventType::DurationBegin, t, cat, name, ts, a);
    }
    void durationEnd(const ThreadRef& t, const StringRef& cat, const StringRef& name, quint64 ts, Arguments a = {})
    {
        writeEvent(EventType::DurationEnd, t, cat, name, ts, a);
    }
    void durationComplete(
        const ThreadRef& t, const StringRef& cat, const StringRef& name, quint64 start, quint64 end, Arguments a = {})
    {
        writeEvent(EventType::DurationComplete, t, cat, name, start, a, end);
    }
    void asyncBegin(
        const ThreadRef& t, const StringRef& cat, const StringRef& name, quint64 ts, quint64 id, Arguments a = {})
    {
        writeEvent(EventType::AsyncBegin, t, cat, name, ts, a, id);
    }
    void asyncInstant(
        const ThreadRef& t, const StringRef& cat, const StringRef& name, quint64 ts, quint64 id, Arguments a = {})
    {
        writeEvent(EventType::AsyncInstant, t, cat, name, ts, a, id);
    }
    void asyncEnd(
        const ThreadRef& t, const StringRef& cat, const StringRef& name, quint64 ts, quint64 id, Arguments a = {})
    {
        writeEvent(EventType::AsyncEnd, t, cat, name, ts, a, id);
    }
    void flowBegin(const ThreadRef& t, quint64 ts, quint64 id)
    {
        writeEvent(EventType::FlowBegin, t, {}, {}, ts, {}, id);
    }
    void flowStep(const ThreadRef& t, quint64 ts, quint64 id)
    {
        writeEvent(EventType::FlowStep, t, {}, {}, ts, {}, id);
    }
    void flowEnd(const ThreadRef& t, quint64 ts, quint64 id) { writeEvent(EventType::FlowEnd, t, {}, {}, ts, {}, id); }

    // --- table level (the writer owns the string and thread tables) ---
    // Index of text in the string table; writes a string record the first time. Indices start at 1
    // (2 after writeJaneStreetPrologue) and wrap round-robin when the table is full (a reused slot is rewritten first).
    quint16 internString(QByteArrayView text);
    StringRef stringRef(QByteArrayView text) { return StringRef::indexed(internString(text)); }
    // Slot of (pid, tid) in the thread table; writes a thread record when new (255 slots, round-robin).
    quint8 internThread(quint64 pid, quint64 tid);
    ThreadRef threadRef(quint64 pid, quint64 tid) { return ThreadRef::indexed(internThread(pid, tid)); }
    // Magic, provider info 0 "jane_tracing", provider section 0, string 1 = "process", 4-word initialization
    // (1e9 ticks/s, base ticks 0): what every magic-trace file starts with. Interned strings then start at 2.
    void writeJaneStreetPrologue(quint64 baseTimeNs);
    // Kernel objects naming a process, and a thread (with the koid argument "process" = pid).
    void writeProcessName(quint64 pid, QByteArrayView name);
    void writeThreadName(quint64 pid, quint64 tid, QByteArrayView name);
    // Forgets the writer's string and thread tables (e.g. after switching providers).
    void resetTables();

private:
    void put(quint64 word);
    void putStream(QByteArrayView bytes);
    static int streamWords(qsizetype bytes) { return int((bytes + 7) / 8); }
    static int stringWords(const StringRef& s) { return (s.ref & 0x8000) ? streamWords(s.inlineText.size()) : 0; }
    static int threadWords(const ThreadRef& t) { return t.index == 0 ? 2 : 0; }
    static int argumentWords(const Argument& a);
    static quint64 argumentHeader(const Argument& a);
    void putArguments(Arguments args);
    void putString(const StringRef& s);
    bool checkSize(qsizetype words);
    void flush();
    void fail(const QString& message);

    QIODevice* m_device = nullptr;
    std::unique_ptr<QSaveFile> m_file;
    std::unique_ptr<KCompressionDevice> m_compression;
    QByteArray m_buffer;
    quint64 m_written = 0;
    QString m_error;

    QHash<QByteArray, quint16> m_strings;
    std::vector<QByteArray> m_stringSlots; // index -> text, to forget an evicted slot
    quint16 m_nextString = 1;
    quint16 m_firstString = 1;
    QHash<QPair<quint64, quint64>, quint8> m_threads;
    std::vector<QPair<quint64, quint64>> m_threadSlots;
    quint16 m_nextThread = 1;
};
