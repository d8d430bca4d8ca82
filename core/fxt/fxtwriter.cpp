// SPDX-License-Identifier: MIT
#include "fxt/fxtwriter.h"

#include <KCompressionDevice>
#include <QCoreApplication>
#include <QSaveFile>
#include <QtEndian>
#include <cstring>

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kFlushThreshold = 1 << 20;
constexpr qsizetype kMaxStringBytes = 32000; // the spec's conservative limit (Jane Street's too)
constexpr qsizetype kMaxRecordWords = 0xfff;

QByteArray clipped(QByteArrayView text)
{
    return text.first(std::min(text.size(), kMaxStringBytes)).toByteArray();
}

quint64 doubleBits(double v)
{
    quint64 bits;
    std::memcpy(&bits, &v, sizeof bits);
    return bits;
}

} // namespace

FxtWriter::StringRef FxtWriter::StringRef::inlined(QByteArrayView text)
{
    StringRef s;
    s.inlineText = clipped(text);
    s.ref = quint16(0x8000 | s.inlineText.size());
    return s;
}

// clang-format off
FxtWriter::Argument FxtWriter::Argument::null(StringRef n) { Argument a; a.type = 0; a.name = std::move(n); return a; }
FxtWriter::Argument FxtWriter::Argument::int32(StringRef n, qint32 v) { Argument a; a.type = 1; a.name = std::move(n); a.value = quint32(v); return a; }
FxtWriter::Argument FxtWriter::Argument::uint32(StringRef n, quint32 v) { Argument a; a.type = 2; a.name = std::move(n); a.value = v; return a; }
FxtWriter::Argument FxtWriter::Argument::int64(StringRef n, qint64 v) { Argument a; a.type = 3; a.name = std::move(n); a.value = quint64(v); return a; }
FxtWriter::Argument FxtWriter::Argument::uint64(StringRef n, quint64 v) { Argument a; a.type = 4; a.name = std::move(n); a.value = v; return a; }
FxtWriter::Argument FxtWriter::Argument::real(StringRef n, double v) { Argument a; a.type = 5; a.name = std::move(n); a.value = doubleBits(v); return a; }
FxtWriter::Argument FxtWriter::Argument::string(StringRef n, StringRef v) { Argument a; a.type = 6; a.name = std::move(n); a.stringValue = std::move(v); return a; }
FxtWriter::Argument FxtWriter::Argument::pointer(StringRef n, quint64 v) { Argument a; a.type = 7; a.name = std::move(n); a.value = v; return a; }
FxtWriter::Argument FxtWriter::Argument::koid(StringRef n, quint64 v) { Argument a; a.type = 8; a.name = std::move(n); a.value = v; return a; }
FxtWriter::Argument FxtWriter::Argument::boolean(StringRef n, bool v) { Argument a; a.type = 9; a.name = std::move(n); a.value = v ? 1 : 0; return a; }
// clang-format on

FxtWriter::Argument FxtWriter::Argument::blob(StringRef n, QByteArrayView payload)
{
    Argument a;
    a.type = 10;
    a.name = std::move(n);
    a.bytes = payload.toByteArray();
    return a;
}

FxtWriter::Argument FxtWriter::Argument::unknown(StringRef n, quint8 type, int payloadWords)
{
    Argument a;
    a.type = type;
    a.name = std::move(n);
    a.bytes = QByteArray(qsizetype(std::max(payloadWords, 0)) * 8, '\0');
    return a;
}

FxtWriter::FxtWriter()
{
    m_buffer.reserve(kFlushThreshold + 65536);
}

FxtWriter::FxtWriter(QIODevice* device)
    : FxtWriter()
{
    m_device = device;
}

FxtWriter::~FxtWriter()
{
    flush();
    if (m_file)
        m_file->cancelWriting(); // only finish() commits
}

bool FxtWriter::open(const QString& path, QString* error)
{
    return open(path, FxtFormat::forFileName(path), error);
}

bool FxtWriter::open(const QString& path, FxtFormat::Format compression, QString* error)
{
    m_file = std::make_unique<QSaveFile>(path);
    if (!m_file->open(QIODevice::WriteOnly)) {
        if (error)
            *error = QCoreApplication::translate("FxtWriter", "cannot write %1: %2").arg(path, m_file->errorString());
        m_file.reset();
        return false;
    }
    m_device = m_file.get();
    const KCompressionDevice::CompressionType type = FxtFormat::compressionType(compression);
    if (type != KCompressionDevice::None) {
        m_compression = std::make_unique<KCompressionDevice>(m_file.get(), false, type);
        if (!m_compression->open(QIODevice::WriteOnly)) {
            if (error)
                *error = QCoreApplication::translate("FxtWriter", "cannot start %1 compression for %2")
                             .arg(FxtFormat::name(compression), path);
            m_compression.reset();
            m_file->cancelWriting();
            m_file.reset();
            return false;
        }
        m_device = m_compression.get();
    }
    return true;
}

bool FxtWriter::finish(QString* error)
{
    flush();
    if (m_compression) {
        m_compression->close();
        if (m_compression->error() != 0 && ok())
            fail(QCoreApplication::translate("FxtWriter", "compression failed"));
        m_compression.reset();
    }
    if (m_file) {
        if (ok()) {
            if (!m_file->commit())
                fail(m_file->errorString());
        } else {
            m_file->cancelWriting();
        }
        m_file.reset();
    }
    m_device = nullptr;
    if (!ok() && error)
        *error = m_error;
    return ok();
}

void FxtWriter::fail(const QString& message)
{
    if (m_error.isEmpty())
        m_error = message;
}

void FxtWriter::flush()
{
    if (m_buffer.isEmpty())
        return;
    if (ok()) {
        if (!m_device)
            fail(QCoreApplication::translate("FxtWriter", "no output device"));
        else if (m_device->write(m_buffer) != m_buffer.size())
            fail(QCoreApplication::translate("FxtWriter", "write failed: %1").arg(m_device->errorString()));
    }
    m_written += quint64(m_buffer.size());
    m_buffer.resize(0);
}

void FxtWriter::put(quint64 word)
{
    const quint64 le = qToLittleEndian(word);
    m_buffer.append(reinterpret_cast<const char*>(&le), 8);
}

void FxtWriter::putStream(QByteArrayView bytes)
{
    m_buffer.append(bytes.data(), bytes.size());
    const qsizetype padding = (8 - bytes.size() % 8) % 8;
    if (padding)
        m_buffer.append(padding, '\0');
}

void FxtWriter::putString(const StringRef& s)
{
    if (s.ref & 0x8000)
        putStream(s.inlineText);
}

bool FxtWriter::checkSize(qsizetype words)
{
    if (words > kMaxRecordWords) {
        fail(QCoreApplication::translate("FxtWriter", "record of %1 words exceeds the FXT limit of 4095").arg(words));
        return false;
    }
    if (m_buffer.size() >= kFlushThreshold)
        flush();
    return ok();
}

int FxtWriter::argumentWords(const Argument& a)
{
    int words = 1 + stringWords(a.name);
    switch (a.type) {
    case 3:
    case 4:
    case 5:
    case 7:
    case 8:
        return words + 1;
    case 6:
        return words + stringWords(a.stringValue);
    case 10:
        return words + streamWords(a.bytes.size());
    case 0:
    case 1:
    case 2:
    case 9:
        return words;
    default:
        return words + streamWords(a.bytes.size());
    }
}

quint64 FxtWriter::argumentHeader(const Argument& a)
{
    quint64 header = quint64(a.type & 0xf) | (quint64(argumentWords(a) & 0xfff) << 4) | (quint64(a.name.ref) << 16);
    switch (a.type) {
    case 1:
    case 2:
        header |= (a.value & 0xffffffffULL) << 32;
        break;
    case 6:
        header |= quint64(a.stringValue.ref) << 32;
        break;
    case 9:
        header |= (a.value & 1) << 32;
        break;
    case 10:
        header |= quint64(quint32(a.bytes.size())) << 32;
        break;
    default:
        break;
    }
    return header;
}

void FxtWriter::putArguments(Arguments args)
{
    for (const Argument& a : args) {
        put(argumentHeader(a));
        putString(a.name);
        switch (a.type) {
        case 3:
        case 4:
        case 5:
        case 7:
        case 8:
            put(a.value);
            break;
        case 6:
            putString(a.stringValue);
            break;
        case 0:
        case 1:
        case 2:
        case 9:
            break;
        default: // blob and unknown types: raw payload
            putStream(a.bytes);
            break;
        }
    }
}

void FxtWriter::writeMagic()
{
    if (checkSize(1))
        put(FxtFormat::kMagicWord);
}

void FxtWriter::writeProviderInfo(quint32 providerId, QByteArrayView name)
{
    const QByteArray text = name.first(std::min<qsizetype>(name.size(), 0xff)).toByteArray();
    const int words = 1 + streamWords(text.size());
    if (!checkSize(words))
        return;
    put(0 | (quint64(words) << 4) | (1ULL << 16) | (quint64(providerId) << 20) | (quint64(text.size()) << 52));
    putStream(text);
}

void FxtWriter::writeProviderSection(quint32 providerId)
{
    if (checkSize(1))
        put(0 | (1ULL << 4) | (2ULL << 16) | (quint64(providerId) << 20));
}

void FxtWriter::writeProviderEvent(quint32 providerId, quint8 eventId)
{
    if (checkSize(1))
        put(0 | (1ULL << 4) | (3ULL << 16) | (quint64(providerId) << 20) | (quint64(eventId & 0xf) << 52));
}

void FxtWriter::writeInitialization(quint64 ticksPerSecond)
{
    if (!checkSize(2))
        return;
    put(1 | (2ULL << 4));
    put(ticksPerSecond);
}

void FxtWriter::writeInitialization(quint64 ticksPerSecond, quint64 baseTicks, quint64 baseTimeNs)
{
    if (!checkSize(4))
        return;
    put(1 | (4ULL << 4));
    put(ticksPerSecond);
    put(baseTicks);
    put(baseTimeNs);
}

void FxtWriter::writeString(quint16 index, QByteArrayView text)
{
    const QByteArray bytes = clipped(text);
    const int words = 1 + streamWords(bytes.size());
    if (!checkSize(words))
        return;
    put(2 | (quint64(words) << 4) | (quint64(index & 0x7fff) << 16) | (quint64(bytes.size()) << 32));
    putStream(bytes);
}

void FxtWriter::writeThread(quint8 index, quint64 pid, quint64 tid)
{
    if (!checkSize(3))
        return;
    put(3 | (3ULL << 4) | (quint64(index) << 16));
    put(pid);
    put(tid);
}

void FxtWriter::writeEvent(quint8 eventType, const ThreadRef& thread, const StringRef& category, const StringRef& name,
    quint64 timestamp, Arguments arguments, quint64 trailing)
{
    const bool hasTrailing = eventType == 1 || (eventType >= 4 && eventType <= 10);
    qsizetype words = 2 + threadWords(thread) + stringWords(category) + stringWords(name) + (hasTrailing ? 1 : 0);
    for (const Argument& a : arguments)
        words += argumentWords(a);
    if (!checkSize(words))
        return;
    put(4 | (quint64(words) << 4) | (quint64(eventType & 0xf) << 16) | (quint64(arguments.size() & 0xf) << 20)
        | (quint64(thread.index) << 24) | (quint64(category.ref) << 32) | (quint64(name.ref) << 48));
    put(timestamp);
    if (thread.index == 0) {
        put(thread.pid);
        put(thread.tid);
    }
    putString(category);
    putString(name);
    putArguments(arguments);
    if (hasTrailing)
        put(trailing);
}

void FxtWriter::writeKernelObject(quint8 objectType, quint64 koid, const StringRef& name, Arguments arguments)
{
    qsizetype words = 2 + stringWords(name);
    for (const Argument& a : arguments)
        words += argumentWords(a);
    if (!checkSize(words))
        return;
    put(7 | (quint64(words) << 4) | (quint64(objectType) << 16) | (quint64(name.ref) << 24)
        | (quint64(arguments.size() & 0xf) << 40));
    put(koid);
    putString(name);
    putArguments(arguments);
}

void FxtWriter::writeBlob(const StringRef& name, quint8 blobType, QByteArrayView payload)
{
    const QByteArrayView data = payload.first(std::min<qsizetype>(payload.size(), 0x7fff));
    const qsizetype words = 1 + stringWords(name) + streamWords(data.size());
    if (!checkSize(words))
        return;
    put(5 | (quint64(words) << 4) | (quint64(name.ref) << 16) | (quint64(data.size()) << 32)
        | (quint64(blobType) << 48));
    putString(name);
    putStream(data);
}

void FxtWriter::writeUserspaceObject(const ThreadRef& process, const StringRef& name, quint64 pointer, Arguments args)
{
    qsizetype words = 2 + (process.index == 0 ? 1 : 0) + stringWords(name);
    for (const Argument& a : args)
        words += argumentWords(a);
    if (!checkSize(words))
        return;
    put(6 | (quint64(words) << 4) | (quint64(process.index) << 16) | (quint64(name.ref) << 24)
        | (quint64(args.size() & 0xf) << 40));
    put(pointer);
    if (process.index == 0)
        put(process.pid);
    putString(name);
    putArguments(args);
}

void FxtWriter::writeContextSwitch(quint16 cpu, quint8 outgoingState, const ThreadRef& outgoing,
    const ThreadRef& incoming, quint64 timestamp, quint8 outgoingPriority, quint8 incomingPriority)
{
    const qsizetype words = 2 + threadWords(outgoing) + threadWords(incoming);
    if (!checkSize(words))
        return;
    put(8 | (quint64(words) << 4) | (quint64(cpu & 0xff) << 16) | (quint64(outgoingState & 0xf) << 24)
        | (quint64(outgoing.index) << 28) | (quint64(incoming.index) << 36) | (quint64(outgoingPriority) << 44)
        | (quint64(incomingPriority) << 52));
    put(timestamp);
    if (outgoing.index == 0) {
        put(outgoing.pid);
        put(outgoing.tid);
    }
    if (incoming.index == 0) {
        put(incoming.pid);
        put(incoming.tid);
    }
}

void FxtWriter::writeLog(const ThreadRef& thread, quint64 timestamp, QByteArrayView message)
{
    const QByteArrayView text = message.first(std::min<qsizetype>(message.size(), 0x7fff));
    const qsizetype words = 2 + threadWords(thread) + streamWords(text.size());
    if (!checkSize(words))
        return;
    put(9 | (quint64(words) << 4) | (quint64(text.size()) << 16) | (quint64(thread.index) << 32));
    put(timestamp);
    if (thread.index == 0) {
        put(thread.pid);
        put(thread.tid);
    }
    putStream(text);
}

void FxtWriter::writeLargeBlob(const StringRef& category, const StringRef& name, QByteArrayView payload)
{
    const qsizetype words = 3 + stringWords(category) + stringWords(name) + streamWords(payload.size());
    if (words > 0xffffffffLL) {
        fail(QCoreApplication::translate("FxtWriter", "large blob too large"));
        return;
    }
    if (m_buffer.size() >= kFlushThreshold)
        flush();
    if (!ok())
        return;
    put(15 | (quint64(words) << 4) | (0ULL << 36) | (1ULL << 40));
    put(quint64(category.ref) | (quint64(name.ref) << 16));
    putString(category);
    putString(name);
    put(quint64(payload.size()));
    putStream(payload);
}

void FxtWriter::writeRawWords(std::span<const quint64> words)
{
    if (m_buffer.size() >= kFlushThreshold)
        flush();
    for (quint64 w : words)
        put(w);
}

void FxtWriter::writeRawBytes(QByteArrayView bytes)
{
    if (m_buffer.size() >= kFlushThreshold)
        flush();
    m_buffer.append(bytes.data(), bytes.size());
}

quint16 FxtWriter::internString(QByteArrayView text)
{
    const QByteArray key = clipped(text);
    const auto it = m_strings.constFind(key);
    if (it != m_strings.constEnd())
        return it.value();
    if (m_nextString > 0x7fff)
        m_nextString = m_firstString;
    const quint16 index = m_nextString++;
    if (m_stringSlots.size() <= index)
        m_stringSlots.resize(index + 1);
    if (!m_stringSlots[index].isNull())
        m_strings.remove(m_stringSlots[index]);
    m_stringSlots[index] = key.isNull() ? QByteArray("", 0) : key;
    m_strings.insert(m_stringSlots[index], index);
    writeString(index, key);
    return index;
}

quint8 FxtWriter::internThread(quint64 pid, quint64 tid)
{
    const QPair<quint64, quint64> key(pid, tid);
    const auto it = m_threads.constFind(key);
    if (it != m_threads.constEnd())
        return it.value();
    if (m_nextThread > 0xff)
        m_nextThread = 1;
    const quint8 index = quint8(m_nextThread++);
    if (m_threadSlots.size() <= index)
        m_threadSlots.resize(index + 1, { 0, 0 });
    m_threads.remove(m_threadSlots[index]);
    m_threadSlots[index] = key;
    m_threads.insert(key, index);
    writeThread(index, pid, tid);
    return index;
}

void FxtWriter::writeJaneStreetPrologue(quint64 baseTimeNs)
{
    writeMagic();
    writeProviderInfo(0, "jane_tracing");
    writeProviderSection(0);
    resetTables();
    m_nextString = 1;
    internString("process");
    m_firstString = 2;
    writeInitialization(1'000'000'000, 0, baseTimeNs);
}

void FxtWriter::writeProcessName(quint64 pid, QByteArrayView name)
{
    writeKernelObject(1, pid, stringRef(name));
}

void FxtWriter::writeThreadName(quint64 pid, quint64 tid, QByteArrayView name)
{
    const StringRef nameRef = stringRef(name);
    const Argument process = Argument::koid(stringRef("process"), pid);
    writeKernelObject(2, tid, nameRef, std::span(&process, 1));
}

void FxtWriter::resetTables()
{
    m_strings.clear();
    m_stringSlots.clear();
    m_nextString = m_firstString = 1;
    m_threads.clear();
    m_threadSlots.clear();
    m_nextThread = 1;
}
