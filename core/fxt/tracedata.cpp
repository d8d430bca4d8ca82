// SPDX-License-Identifier: MIT
#include "fxt/tracedata.h"

#include <QtEndian>
#include <algorithm>
#include <cstring>
#include <limits>
#ifdef Q_OS_LINUX
#include <sys/mman.h>
#endif

using namespace Qt::StringLiterals;

namespace {

inline quint64 load64(const void* p)
{
    quint64 v;
    std::memcpy(&v, p, 8);
    return v;
}

} // namespace

QString fxtAnomalyName(FxtAnomaly anomaly)
{
    switch (anomaly) {
    case FxtAnomaly::BadMagic:
        return u"bad_magic"_s;
    case FxtAnomaly::TruncatedTail:
        return u"truncated_tail"_s;
    case FxtAnomaly::RecordSizeZero:
        return u"record_size_zero"_s;
    case FxtAnomaly::MalformedRecord:
        return u"malformed_record"_s;
    case FxtAnomaly::DecompressError:
        return u"decompress_error"_s;
    case FxtAnomaly::UnknownRecordType:
        return u"unknown_record_type"_s;
    case FxtAnomaly::UnknownEventType:
        return u"unknown_event_type"_s;
    case FxtAnomaly::UnknownArgType:
        return u"unknown_arg_type"_s;
    case FxtAnomaly::InvalidStringRef:
        return u"invalid_string_ref"_s;
    case FxtAnomaly::InvalidThreadRef:
        return u"invalid_thread_ref"_s;
    case FxtAnomaly::CompleteEndBeforeStart:
        return u"complete_end_before_start"_s;
    case FxtAnomaly::InvalidTimestamp:
        return u"invalid_timestamp"_s;
    case FxtAnomaly::Count:
        break;
    }
    return QString();
}

QString TraceArgument::displayValue() const
{
    switch (type) {
    case 0:
        return u"null"_s;
    case 5:
        return QString::number(value.toDouble(), 'g', 17);
    case 6:
        return u'"' + value.toString() + u'"';
    case 7:
        return u"0x"_s + QString::number(value.toULongLong(), 16);
    case 9:
        return value.toBool() ? u"true"_s : u"false"_s;
    case 10:
        return u"<%1 bytes>"_s.arg(value.toByteArray().size());
    default:
        return value.toString();
    }
}

std::optional<qint64> FxtSummary::wallClockNs(quint64 traceNs) const
{
    // Writers without a wall clock (Jane Street's demo) leave the base time 0: that means unknown, not 1970.
    if (!baseTimeNs || *baseTimeNs == 0)
        return std::nullopt;
    // Any of these can be hostile: compute wide and refuse what does not fit.
    __extension__ const __int128 wall = __int128(*baseTimeNs) + __int128(traceNs) - __int128(baseTicksNs);
    if (wall < std::numeric_limits<qint64>::min() || wall > std::numeric_limits<qint64>::max())
        return std::nullopt;
    return qint64(wall);
}

TraceData::TraceData() = default;

void TraceThread::FreeSlices::operator()(TraceSlice* slices) const
{
#ifdef Q_OS_LINUX
    if (mappedBytes) {
        munmap(slices, mappedBytes);
        return;
    }
#endif
    std::free(slices);
}

TraceData::~TraceData()
{
    if (m_file && m_map)
        m_file->unmap(const_cast<uchar*>(m_map));
}

quint64 TraceData::sliceCount() const
{
    quint64 n = 0;
    for (const TraceThread& t : m_threads)
        n += t.sliceCount;
    return n;
}

int TraceData::maxDepth() const
{
    int d = -1;
    for (const TraceThread& t : m_threads)
        d = std::max(d, t.maxDepth);
    return d;
}

QString TraceData::string(quint32 id) const
{
    return id < m_strings.size() ? QString::fromUtf8(m_strings[id]) : QString();
}

QByteArrayView TraceData::stringUtf8(quint32 id) const
{
    return id < m_strings.size() ? QByteArrayView(m_strings[id]) : QByteArrayView();
}

std::optional<quint32> TraceData::findString(QByteArrayView utf8) const
{
    const auto it = m_stringIds.constFind(utf8.toByteArray());
    if (it == m_stringIds.constEnd())
        return std::nullopt;
    return it.value();
}

quint64 TraceData::memoryBytes() const
{
    quint64 bytes = 0;
    for (const TraceThread& t : m_threads) {
        bytes += t.depths.capacity() * sizeof(std::span<const TraceSlice>) + t.sliceCount * sizeof(TraceSlice);
    }
    for (const QByteArray& s : m_strings)
        bytes += quint64(s.size()) + 48;
    for (const CounterSeries& c : m_counters)
        bytes += c.samples.capacity() * sizeof(CounterSample);
    bytes += m_async.capacity() * sizeof(AsyncSpan) + m_flows.capacity() * sizeof(FlowEvent)
        + m_functions.capacity() * sizeof(FunctionStats) + m_arena.size() * kArenaBlockWords * 8;
    return bytes;
}

int TraceData::providerAt(quint64 offset) const
{
    // Last provider switch at or before offset.
    auto it = std::upper_bound(m_providerSwitches.begin(), m_providerSwitches.end(), offset,
        [](quint64 o, const std::pair<quint64, int>& s) { return o < s.first; });
    if (it == m_providerSwitches.begin())
        return 0;
    return std::prev(it)->second;
}

quint32 TraceData::resolveAt(int providerIndex, quint16 slot, quint64 offset) const
{
    if (providerIndex < 0 || size_t(providerIndex) >= m_history.size())
        return UINT32_MAX;
    const auto& strings = m_history[size_t(providerIndex)].strings;
    const auto it = strings.find(slot);
    if (it == strings.end())
        return UINT32_MAX;
    const auto& bindings = it->second;
    auto b = std::lower_bound(
        bindings.begin(), bindings.end(), offset, [](const StringBinding& s, quint64 o) { return s.offset < o; });
    if (b == bindings.begin())
        return UINT32_MAX;
    return std::prev(b)->poolId;
}

std::vector<TraceArgument> TraceData::arguments(quint32 argumentRef) const
{
    std::vector<TraceArgument> result;
    if (argumentRef == 0)
        return result;
    const char* record = nullptr;
    quint64 available = 0; // bytes from record to the end of the backing store
    quint64 offset = 0;
    if (m_useArena) {
        const quint64 index = argumentRef - 1;
        const quint64 block = index / kArenaBlockWords;
        const quint64 within = index % kArenaBlockWords;
        if (block >= m_arena.size() || within + 2 > kArenaBlockWords)
            return result;
        const quint64* entry = m_arena[block].get() + within;
        offset = entry[0];
        available = std::min(entry[1], kArenaBlockWords - within - 2) * 8;
        record = reinterpret_cast<const char*>(entry + 2);
    } else {
        offset = quint64(argumentRef - 1) * 8;
        if (!m_bytes.isNull()) {
            if (offset + 8 > quint64(m_bytes.size()))
                return result;
            record = m_bytes.constData() + offset;
            available = quint64(m_bytes.size()) - offset;
        } else {
            std::lock_guard<std::mutex> lock(m_mapMutex);
            if (!m_map && !m_path.isEmpty()) {
                m_file = std::make_unique<QFile>(m_path);
                if (m_file->open(QIODevice::ReadOnly)) {
                    m_mapSize = quint64(m_file->size());
                    m_map = m_file->map(0, qint64(m_mapSize));
                }
            }
            if (!m_map || offset + 8 > m_mapSize)
                return result;
            record = reinterpret_cast<const char*>(m_map) + offset;
            available = m_mapSize - offset;
        }
    }
    const quint64 header = load64(record);
    if ((header & 0xf) != 4)
        return result;
    const quint64 words = std::min<quint64>((header >> 4) & 0xfff, available / 8);
    const int argCount = int((header >> 20) & 0xf);
    const quint8 threadRef = quint8(header >> 24);
    const quint16 categoryRef = quint16(header >> 32);
    const quint16 nameRef = quint16(header >> 48);
    quint64 pos = 2 + (threadRef == 0 ? 2 : 0);
    if (categoryRef & 0x8000)
        pos += ((categoryRef & 0x7fff) + 7) / 8;
    if (nameRef & 0x8000)
        pos += ((nameRef & 0x7fff) + 7) / 8;
    const int provider = providerAt(offset);
    const auto text = [&](quint16 ref, const char* inlineBytes) -> QString {
        if (ref == 0)
            return QString();
        if (ref & 0x8000)
            return QString::fromUtf8(inlineBytes, ref & 0x7fff);
        return string(resolveAt(provider, ref, offset));
    };
    for (int i = 0; i < argCount && pos < words; ++i) {
        const char* a = record + pos * 8;
        const quint64 h = load64(a);
        const quint64 size = (h >> 4) & 0xfff;
        if (size == 0 || pos + size > words)
            break;
        TraceArgument arg;
        arg.type = quint8(h & 0xf);
        const quint16 argName = quint16(h >> 16);
        quint64 used = 1;
        arg.name = text(argName, a + 8);
        if (argName & 0x8000)
            used += ((argName & 0x7fff) + 7) / 8;
        const quint64 word = used < size ? load64(a + used * 8) : 0;
        switch (arg.type) {
        case 0:
            break;
        case 1:
            arg.value = int(qint32(quint32(h >> 32)));
            break;
        case 2:
            arg.value = uint(quint32(h >> 32));
            break;
        case 3:
            arg.value = qlonglong(word);
            break;
        case 4:
        case 7:
        case 8:
            arg.value = qulonglong(word);
            break;
        case 5: {
            double d;
            std::memcpy(&d, &word, sizeof d);
            arg.value = d;
            break;
        }
        case 6: {
            const quint16 ref = quint16(h >> 32);
            if ((ref & 0x8000) && used + ((ref & 0x7fff) + 7) / 8 > size)
                break;
            arg.value = text(ref, a + used * 8);
            break;
        }
        case 9:
            arg.value = bool((h >> 32) & 1);
            break;
        case 10: {
            const quint64 len = h >> 32;
            if (used + (len + 7) / 8 <= size)
                arg.value = QByteArray(a + used * 8, qsizetype(len));
            break;
        }
        default:
            break;
        }
        result.push_back(std::move(arg));
        pos += size;
    }
    return result;
}
