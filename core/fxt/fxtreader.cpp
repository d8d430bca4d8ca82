// SPDX-License-Identifier: MIT
#include "fxt/fxtreader.h"

#include "fxt/fxtsource.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/mman.h>
#endif

using namespace Qt::StringLiterals;

namespace {

__extension__ typedef unsigned __int128 Uint128;

constexpr quint64 kNsPerSecond = 1'000'000'000ULL;
constexpr quint64 kMaxNs = quint64(std::numeric_limits<qint64>::max());

inline quint64 load64(const char* p)
{
    quint64 v;
    std::memcpy(&v, p, 8);
    return v; // FXT words are little-endian; so are all hosts we build for
}

inline quint64 streamWords(quint64 bytes)
{
    return (bytes + 7) / 8;
}

QString tr(const char* text)
{
    return QCoreApplication::translate("FxtReader", text);
}

bool ticksToNs(quint64 ticks, quint64 ticksPerSecond, quint64* ns)
{
    if (ticksPerSecond == kNsPerSecond) {
        *ns = ticks;
        return ticks <= kMaxNs;
    }
    if (ticksPerSecond == 0)
        return false;
    const Uint128 v = Uint128(ticks) * kNsPerSecond / ticksPerSecond;
    if (v > kMaxNs)
        return false;
    *ns = quint64(v);
    return true;
}

// Big buffers that are about to be filled: back them with huge pages where the kernel offers them, and fault
// them in with one call. In a virtual machine a page fault costs microseconds, and the model's slices alone are
// hundreds of megabytes on large traces, so first-touch faults were a fifth of a load.
void prefault(void* data, size_t bytes)
{
#ifdef Q_OS_LINUX
    constexpr quintptr kHuge = 2 << 20;
    if (bytes < kHuge)
        return;
    const quintptr begin = quintptr(data);
    const quintptr end = begin + bytes;
    const quintptr hugeBegin = (begin + kHuge - 1) & ~(kHuge - 1);
    const quintptr hugeEnd = end & ~(kHuge - 1);
    if (hugeEnd > hugeBegin)
        madvise(reinterpret_cast<void*>(hugeBegin), hugeEnd - hugeBegin, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
    const quintptr page = 4096;
    const quintptr pageBegin = (begin + page - 1) & ~(page - 1);
    const quintptr pageEnd = end & ~(page - 1);
    if (pageEnd > pageBegin)
        madvise(reinterpret_cast<void*>(pageBegin), pageEnd - pageBegin, MADV_POPULATE_WRITE);
#endif
#else
    Q_UNUSED(data);
    Q_UNUSED(bytes);
#endif
}

#ifdef Q_OS_LINUX
// Anonymous memory of `bytes` (a multiple of `alignment`) starting at a multiple of `alignment`, or null.
quint8* mapAligned(size_t bytes, size_t alignment)
{
    // Map one alignment more and keep the aligned part.
    void* raw = mmap(nullptr, bytes + alignment, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return nullptr;
    const quintptr begin = quintptr(raw);
    const quintptr aligned = (begin + alignment - 1) & ~quintptr(alignment - 1);
    if (aligned > begin)
        munmap(raw, aligned - begin);
    munmap(reinterpret_cast<void*>(aligned + bytes), begin + alignment - aligned);
    return reinterpret_cast<quint8*>(aligned);
}
#endif

// A 2 MiB-aligned block of anonymous memory backed by one huge page where possible, faulted in at once.
class HugeBlock
{
public:
    static constexpr size_t kBytes = 2 << 20;
    static quint8* allocate()
    {
#ifdef Q_OS_LINUX
        quint8* block = mapAligned(kBytes, kBytes);
        if (block)
            prefault(block, kBytes);
        return block;
#else
        return static_cast<quint8*>(std::malloc(kBytes));
#endif
    }
    static void release(quint8* block)
    {
#ifdef Q_OS_LINUX
        munmap(block, kBytes);
#else
        std::free(block);
#endif
    }
};

// 2 MiB blocks that one load has finished with, kept for reuse instead of handed back to the kernel: a fresh page
// must be zeroed by the kernel (and, in a virtual machine, often first backed by the host), which was a third of a
// large load. The event-log blocks and slice slabs of finished threads are moved under the slices being written.
class HugeBlockPool
{
public:
    HugeBlockPool() = default;
    HugeBlockPool(const HugeBlockPool&) = delete;
    HugeBlockPool& operator=(const HugeBlockPool&) = delete;
    ~HugeBlockPool() { releaseAll(); }
    void releaseAll()
    {
        for (quint8* block : m_blocks)
            HugeBlock::release(block);
        m_blocks.clear();
    }
    void put(quint8* block) { m_blocks.push_back(block); }
    quint8* take()
    {
        if (m_blocks.empty())
            return nullptr;
        quint8* block = m_blocks.back();
        m_blocks.pop_back();
        return block;
    }

private:
    std::vector<quint8*> m_blocks;
};

// The chunks of the event logs and slabs, which grow from a few KiB to one huge page: one huge page when `*bytes` is
// its size (and the kernel offers one), else `*bytes` (at most half a huge page, at least `atLeast`) from malloc.
// *bytes is set to the chunk's size.
quint8* allocateChunk(size_t* bytes, size_t atLeast)
{
    quint8* data = *bytes == HugeBlock::kBytes && atLeast <= *bytes ? HugeBlock::allocate() : nullptr;
    if (!data) {
        *bytes = std::max(std::min(*bytes, HugeBlock::kBytes / 2), atLeast);
        data = static_cast<quint8*>(std::malloc(*bytes));
        if (!data)
            qFatal("FxtReader: out of memory for a chunk of %zu bytes", *bytes);
    }
    return data;
}

// Frees what allocateChunk() returned; huge pages go to `pool` (for the slices of threads built later) where given.
void releaseChunk(quint8* data, size_t bytes, HugeBlockPool* pool)
{
    if (bytes != HugeBlock::kBytes)
        std::free(data);
    else if (pool)
        pool->put(data);
    else
        HugeBlock::release(data);
}

// One thread's slices, in a 2 MiB-aligned mapping of their own whose pages come from the pool where it has blocks
// (mremap moves the pages: nothing is copied or zeroed) and are fresh elsewhere. Null where it cannot be mapped
// (the caller falls back to malloc).
TraceSlice* allocateSlices(size_t count, HugeBlockPool& pool, size_t* mappedBytes)
{
#ifdef Q_OS_LINUX
    constexpr size_t kChunk = HugeBlock::kBytes;
    const size_t used = (count * sizeof(TraceSlice) + 4095) & ~size_t(4095);
    const size_t bytes = (used + kChunk - 1) & ~(kChunk - 1);
    quint8* const base = mapAligned(bytes, kChunk);
    if (!base)
        return nullptr;
    if (used >= kChunk) // not the partly used last chunk: a huge page there would be resident in full
        madvise(base, used & ~(kChunk - 1), MADV_HUGEPAGE);
    size_t reused = 0; // the first chunks are recycled ones, the rest fresh
    while (reused < used) {
        quint8* block = pool.take();
        if (!block)
            break;
        if (mremap(block, kChunk, kChunk, MREMAP_MAYMOVE | MREMAP_FIXED, base + reused) == MAP_FAILED) {
            HugeBlock::release(block);
            break;
        }
        reused += kChunk;
    }
#ifdef MADV_POPULATE_WRITE
    if (reused < used)
        madvise(base + reused, used - reused, MADV_POPULATE_WRITE);
#endif
    *mappedBytes = bytes;
    return reinterpret_cast<TraceSlice*>(base);
#else
    Q_UNUSED(count);
    Q_UNUSED(pool);
    Q_UNUSED(mappedBytes);
    return nullptr;
#endif
}

// Memory for one thread's slices while the depth rule runs during parsing: chunks growing from 16 KiB to one huge
// page (then more of those), carved into segments in the order the buckets ask for them. Huge pages matter: in a
// virtual machine the first touch of each 4 KiB page can cost microseconds, which for hundreds of megabytes of slices
// is most of a load.
class SliceSlab
{
public:
    SliceSlab() = default;
    SliceSlab(SliceSlab&& other) noexcept
        : m_chunks(std::move(other.m_chunks))
        , m_at(std::exchange(other.m_at, nullptr))
        , m_end(std::exchange(other.m_end, nullptr))
    { }
    SliceSlab& operator=(SliceSlab&& other) noexcept
    {
        std::swap(m_chunks, other.m_chunks);
        std::swap(m_at, other.m_at);
        std::swap(m_end, other.m_end);
        return *this;
    }
    ~SliceSlab() { release(nullptr); }

    TraceSlice* take(size_t count)
    {
        const size_t bytes = count * sizeof(TraceSlice);
        if (size_t(m_end - m_at) < bytes)
            newChunk(bytes);
        TraceSlice* slices = reinterpret_cast<TraceSlice*>(m_at);
        m_at += bytes;
        return slices;
    }
    // Frees the chunks; huge ones go to `pool` (for the slices of the next thread) where given.
    void release(HugeBlockPool* pool)
    {
        for (const Chunk& c : m_chunks)
            releaseChunk(c.data, c.bytes, pool);
        m_chunks.clear();
        m_at = m_end = nullptr;
    }

private:
    struct Chunk
    {
        quint8* data;
        size_t bytes;
    };
    void newChunk(size_t atLeast)
    {
        size_t bytes = m_chunks.empty() ? size_t(16) << 10 : std::min(m_chunks.back().bytes * 4, HugeBlock::kBytes);
        quint8* data = allocateChunk(&bytes, atLeast);
        m_chunks.push_back({ data, bytes });
        m_at = data;
        m_end = data + bytes;
    }

    std::vector<Chunk> m_chunks;
    quint8* m_at = nullptr;
    quint8* m_end = nullptr;
};

// One depth's slices while the depth rule runs during parsing: segments from the thread's slab, growing from 8 to
// 512 slices (what the last one leaves free is waste while parsing). Slices never move, so open frames point at theirs.
class SliceBucket
{
public:
    size_t size() const { return m_size; }
    TraceSlice* push(SliceSlab& slab, const TraceSlice& slice)
    {
        if (m_left == 0)
            newSegment(slab);
        --m_left;
        ++m_size;
        Segment& last = m_segments.back();
        // A thread writes to one bucket per depth at once, more streams than the hardware prefetcher follows.
        __builtin_prefetch(last.data + last.size + 8, 1);
        TraceSlice* at = last.data + last.size++;
        *at = slice;
        return at;
    }
    TraceSlice& operator[](size_t i)
    {
        auto it = std::upper_bound(m_segments.begin(), m_segments.end(), i,
            [](size_t index, const Segment& segment) { return index < segment.first; });
        --it;
        return it->data[i - it->first];
    }
    TraceSlice* copyTo(TraceSlice* out) const
    {
        for (const Segment& segment : m_segments)
            out = std::copy(segment.data, segment.data + segment.size, out);
        return out;
    }

private:
    struct Segment
    {
        TraceSlice* data;
        size_t first; // index of data[0] in the bucket
        size_t size;
    };
    void newSegment(SliceSlab& slab)
    {
        const size_t count = m_segments.empty() ? 8 : std::min<size_t>(m_segments.back().size * 2, 512);
        m_segments.push_back({ slab.take(count), m_size, 0 });
        m_left = count;
    }

    std::vector<Segment> m_segments;
    size_t m_size = 0;
    size_t m_left = 0; // free slices in the last segment
};

// Kinds of events that feed the depth rule.
enum PendingKind : quint32 { KindInstant = 0, KindBegin = 1, KindEnd = 2, KindComplete = 3 };

// One depth-rule event as the thread builder sees it.
struct PendingEvent
{
    quint64 ts = 0;
    quint64 end = 0; // complete events only
    quint32 nameId = 0;
    quint32 argumentRef = 0;
    quint32 kind = 0;
};

// A thread's depth-rule events in file order, varint-packed: about 2 bytes per end and 6 per begin instead of
// 16 or more each, because all of them are held until the thread is built while the model's slices (24 bytes
// each) must fit in the same memory budget. Times are delta-coded within runs of non-decreasing timestamps;
// a new run starts wherever time goes backwards (magic-trace writes the initial stack's ts-0 begins last), and
// forEachSorted() merges the runs, so nearly sorted input costs one merge pass, not a sort.
class EventLog
{
public:
    void append(quint32 kind, quint64 ts, quint32 nameId, quint32 argumentRef, quint64 end)
    {
        if (m_end - m_at < kMaxEventBytes)
            newBlock();
        quint64 time = ts - m_lastTs;
        if (m_runs.empty() || ts < m_lastTs) {
            m_runs.push_back(
                { quint32(m_blocks.size() - 1), quint32(m_at - m_blocks.back().data.get()), 0, m_lastArgumentRef });
            time = ts; // a run starts with an absolute time
        }
        ++m_runs.back().count;
        m_lastTs = ts;
        // First byte: kind (2 bits), "more bytes follow" (1 bit), low 5 bits of the time.
        quint8* p = m_at;
        *p = quint8(kind | ((time & 31) << 3));
        if (time >> 5) {
            *p++ |= 4;
            p = putVarint(p, time >> 5);
        } else {
            ++p;
        }
        if (kind != KindEnd) {
            p = putVarint(p, nameId);
            // References mostly grow in file order (file offsets, arena positions), so the difference is small;
            // shared arena copies can also repeat or go back. 0 means "no arguments".
            if (argumentRef) {
                const qint64 delta = qint64(argumentRef) - qint64(m_lastArgumentRef);
                p = putVarint(p, ((quint64(delta) << 1) ^ quint64(delta >> 63)) + 1); // zigzag, then + 1
            } else {
                *p++ = 0;
            }
            if (argumentRef)
                m_lastArgumentRef = argumentRef;
            if (kind == KindComplete)
                p = putVarint(p, end - ts);
        }
        m_at = p;
        m_blocks.back().used = quint32(p - m_blocks.back().data.get());
        ++m_count;
    }

    quint64 size() const { return m_count; }
    void clear()
    {
        HugeBlockPool* pool = m_pool;
        *this = EventLog();
        m_pool = pool;
    }
    // Where finished 2 MiB blocks go (instead of back to the kernel).
    void setPool(HugeBlockPool* pool) { m_pool = pool; }

    // Calls visit(const PendingEvent&) for every event, sorted stably by time (ties keep file order).
    template<typename F> void forEachSorted(F&& visit) const
    {
        if (m_runs.size() == 1) {
            Cursor cursor(*this, m_runs[0]);
            PendingEvent ev;
            while (cursor.next(ev))
                visit(ev);
            return;
        }
        // k-way merge of the runs; a tie goes to the earlier run, which is earlier in the file.
        std::vector<Cursor> cursors;
        std::vector<PendingEvent> heads(m_runs.size());
        cursors.reserve(m_runs.size());
        const auto later
            = [&](quint32 a, quint32 b) { return heads[a].ts != heads[b].ts ? heads[a].ts > heads[b].ts : a > b; };
        std::vector<quint32> heap;
        for (size_t i = 0; i < m_runs.size(); ++i) {
            cursors.emplace_back(*this, m_runs[i]);
            if (cursors.back().next(heads[i]))
                heap.push_back(quint32(i));
        }
        std::make_heap(heap.begin(), heap.end(), later);
        while (heap.size() > 1) {
            std::pop_heap(heap.begin(), heap.end(), later);
            const quint32 i = heap.back();
            visit(heads[i]);
            if (cursors[i].next(heads[i]))
                std::push_heap(heap.begin(), heap.end(), later);
            else
                heap.pop_back();
        }
        if (!heap.empty()) { // the last run left: no more comparisons
            const quint32 i = heap.front();
            do
                visit(heads[i]);
            while (cursors[i].next(heads[i]));
        }
    }

    // Calls visit(const PendingEvent&) for every event in file order.
    template<typename F> void forEachInFileOrder(F&& visit) const
    {
        for (const Run& run : m_runs) {
            Cursor cursor(*this, run);
            PendingEvent ev;
            while (cursor.next(ev))
                visit(ev);
        }
    }

private:
    static constexpr qsizetype kMaxEventBytes = 1 + 10 + 5 + 5 + 10;
    struct FreeBlock
    {
        size_t bytes = 0;
        HugeBlockPool* pool = nullptr;
        void operator()(quint8* data) const { releaseChunk(data, bytes, pool); }
    };
    struct Block
    {
        std::unique_ptr<quint8[], FreeBlock> data;
        quint32 used = 0;
    };
    struct Run
    {
        quint32 block;
        quint32 byte;
        quint64 count;
        quint32 lastArgumentRef; // before the run's first event
    };

    class Cursor
    {
    public:
        Cursor(const EventLog& log, const Run& run)
            : m_log(&log)
            , m_block(run.block)
            , m_left(run.count)
            , m_lastArgumentRef(run.lastArgumentRef)
        {
            const Block& b = log.m_blocks[m_block];
            m_at = b.data.get() + run.byte;
            m_end = b.data.get() + b.used;
        }
        bool next(PendingEvent& ev)
        {
            if (m_left == 0)
                return false;
            if (m_at == m_end) { // events never straddle blocks
                const Block& b = m_log->m_blocks[++m_block];
                m_at = b.data.get();
                m_end = b.data.get() + b.used;
            }
            const quint8 first = *m_at++;
            quint64 time = first >> 3;
            if (first & 4)
                time |= getVarint(m_at) << 5;
            ev.kind = first & 3;
            ev.ts = m_started ? m_lastTs + time : time;
            m_started = true;
            m_lastTs = ev.ts;
            if (ev.kind != KindEnd) {
                ev.nameId = quint32(getVarint(m_at));
                const quint64 coded = getVarint(m_at);
                ev.argumentRef = 0;
                if (coded) {
                    const quint64 zigzag = coded - 1;
                    const qint64 delta = qint64(zigzag >> 1) ^ -qint64(zigzag & 1);
                    ev.argumentRef = quint32(qint64(m_lastArgumentRef) + delta);
                    m_lastArgumentRef = ev.argumentRef;
                }
                ev.end = ev.kind == KindComplete ? ev.ts + getVarint(m_at) : ev.ts;
            }
            --m_left;
            return true;
        }

    private:
        const EventLog* m_log;
        quint32 m_block;
        quint64 m_left;
        quint32 m_lastArgumentRef;
        const quint8* m_at;
        const quint8* m_end;
        quint64 m_lastTs = 0;
        bool m_started = false;
    };

    static quint8* putVarint(quint8* p, quint64 v)
    {
        while (v >= 0x80) {
            *p++ = quint8(v | 0x80);
            v >>= 7;
        }
        *p++ = quint8(v);
        return p;
    }
    static quint64 getVarint(const quint8*& p)
    {
        quint64 v = 0;
        for (int shift = 0;; shift += 7) {
            const quint8 b = *p++;
            v |= quint64(b & 0x7f) << shift;
            if (!(b & 0x80))
                return v;
        }
    }
    void newBlock()
    {
        // Blocks grow from 4 KiB to one huge page: small traces stay small, big ones allocate rarely.
        size_t size = m_blocks.empty() ? 4096 : std::min<size_t>(m_blockSize * 2, HugeBlock::kBytes);
        quint8* data = allocateChunk(&size, 0);
        m_blockSize = size;
        m_blocks.push_back({ std::unique_ptr<quint8[], FreeBlock>(data, FreeBlock { size, m_pool }), 0 });
        m_at = m_blocks.back().data.get();
        m_end = m_at + size;
    }

    std::vector<Block> m_blocks;
    std::vector<Run> m_runs;
    HugeBlockPool* m_pool = nullptr;
    quint8* m_at = nullptr;
    quint8* m_end = nullptr;
    size_t m_blockSize = 0;
    quint64 m_lastTs = 0;
    quint32 m_lastArgumentRef = 0;
    quint64 m_count = 0;
};

// A begin whose end has not come yet, while the depth rule runs during parsing.
struct OnlineFrame
{
    quint64 start;
    quint64 childNs;
    TraceSlice* slice;
    quint32 nameId;
};

// An end that found no open begin while parsing: it closes a begin of the thread's ts-0 tail, if one comes.
struct UnmatchedEnd
{
    quint64 time;
    quint64 floorChildNs; // time of the closed bottom frames since the previous one: the closed begin's children
};

struct ThreadBuild
{
    quint64 pid = 0;
    quint64 tid = 0;
    quint32 nameId = 0;
    bool named = false;
    bool hasEvent = false;

    // The depth rule runs while parsing for as long as the thread's events come in time order with no complete
    // events (all of magic-trace's, up to the initial stack's ts-0 begins it writes last): their slices go straight
    // into per-depth buckets, and nothing is logged. Depths are not final until the file ends, because the begins
    // of a ts-0 tail sit below everything; so a slice's bucket is keyed by its depth minus the ends so far that
    // found no open begin, which is its final depth minus the tail's open begins (see finishOnline).
    bool online = true;
    bool tailStarted = false; // time went back: the events from there on are logged
    quint64 firstTs = 0; // of the first event handled online
    quint64 lastTs = 0;
    quint64 tailMaxTs = 0;
    SliceSlab slab;
    std::vector<SliceBucket> buckets; // key >= 0
    std::vector<SliceBucket> negativeBuckets; // key -1 - i at [i]
    std::vector<OnlineFrame> stack;
    std::vector<UnmatchedEnd> unmatched;
    quint64 floorChildNs = 0;
    // One bit per event handled online, set for ends: with the buckets and `unmatched` they give back the events
    // in file order when the thread has to go through the event log after all.
    std::vector<quint64> endBits;
    quint64 onlineEvents = 0;

    EventLog events; // the events that are not handled online

    SliceBucket& bucket(qint64 key)
    {
        if (key >= 0) {
            if (size_t(key) >= buckets.size())
                buckets.resize(size_t(key) + 1);
            return buckets[size_t(key)];
        }
        const size_t i = size_t(-(key + 1));
        if (i >= negativeBuckets.size())
            negativeBuckets.resize(i + 1);
        return negativeBuckets[i];
    }
    void addOnlineEvent(quint64 ts, bool end)
    {
        if (onlineEvents == 0)
            firstTs = ts;
        if ((onlineEvents & 63) == 0)
            endBits.push_back(0);
        if (end)
            endBits.back() |= quint64(1) << (onlineEvents & 63);
        ++onlineEvents;
    }
    SliceBucket* existingBucket(qint64 key)
    {
        if (key >= 0 ? size_t(key) < buckets.size() : size_t(-(key + 1)) < negativeBuckets.size())
            return &bucket(key);
        return nullptr;
    }
    bool isEnd(quint64 i) const { return (endBits[i >> 6] >> (i & 63)) & 1; }
    // May this begin, end or instant at `ts` go through the depth rule now?
    bool takesOnline(quint64 ts)
    {
        if (!online)
            return false;
        if (!tailStarted) {
            if (ts >= lastTs) {
                lastTs = ts;
                return true;
            }
            tailStarted = true;
        }
        tailMaxTs = std::max(tailMaxTs, ts);
        return false;
    }
    // Frees what the online rule used; the slab's huge pages go to `pool`.
    void dropOnlineState(HugeBlockPool* pool)
    {
        online = false;
        slab.release(pool);
        buckets = std::vector<SliceBucket>();
        negativeBuckets = std::vector<SliceBucket>();
        stack = std::vector<OnlineFrame>();
        unmatched = std::vector<UnmatchedEnd>();
        endBits = std::vector<quint64>();
        onlineEvents = 0;
    }
};

struct AsyncEvent
{
    quint64 ts;
    quint64 id;
    quint64 pid;
    quint64 tid;
    quint32 nameId;
    quint32 categoryId;
    quint32 argumentRef;
    quint8 type; // 5 begin, 6 instant, 7 end
};

// A provider's string and thread tables. Pages are allocated on first use so that a hostile file with many
// providers costs memory in proportion to its size only.
struct ProviderState
{
    static constexpr int kPage = 256;
    quint32 id = 0;
    int index = 0; // in TraceData::m_history
    quint64 ticksPerSecond = kNsPerSecond;
    std::vector<std::unique_ptr<std::array<quint32, kPage>>> stringPages; // pool id + 1; 0 = unregistered
    std::unique_ptr<std::array<qint32, 256>> threads; // ThreadBuild index + 1; 0 = unregistered

    quint32 string(quint16 index) const // pool id + 1, or 0
    {
        const size_t page = index / kPage;
        if (page >= stringPages.size() || !stringPages[page])
            return 0;
        return (*stringPages[page])[index % kPage];
    }
    void setString(quint16 index, quint32 poolIdPlusOne)
    {
        const size_t page = index / kPage;
        if (page >= stringPages.size())
            stringPages.resize(page + 1);
        if (!stringPages[page]) {
            stringPages[page] = std::make_unique<std::array<quint32, kPage>>();
            stringPages[page]->fill(0);
        }
        (*stringPages[page])[index % kPage] = poolIdPlusOne;
    }
};

// One argument as laid out in the record (strings not yet resolved).
struct RawArgument
{
    quint8 type;
    quint16 nameRef;
    QByteArrayView inlineName;
    quint64 value; // header bits 32..63 for int32/uint32/bool/string/blob; the value word for 64-bit types
    quint16 valueRef; // string type
    QByteArrayView inlineValue; // string type (inline) or blob payload
};

// Walks `count` arguments starting at word `pos` of a record of `words` words. Returns false when an argument
// is malformed (size 0, past the record, or its parts do not fit in its size). Unknown types (11..15) are
// reported with type as is and nothing else decoded.
template<typename F> bool walkArguments(const char* record, quint64 words, quint64& pos, int count, F&& visit)
{
    for (int i = 0; i < count; ++i) {
        if (pos >= words)
            return false;
        const char* a = record + pos * 8;
        const quint64 header = load64(a);
        const quint64 size = (header >> 4) & 0xfff;
        if (size == 0 || pos + size > words)
            return false;
        RawArgument arg {};
        arg.type = quint8(header & 0xf);
        if (arg.type <= 10) {
            arg.nameRef = quint16(header >> 16);
            quint64 used = 1;
            if (arg.nameRef & 0x8000) {
                const quint64 len = arg.nameRef & 0x7fff;
                if (used + streamWords(len) > size)
                    return false;
                arg.inlineName = QByteArrayView(a + used * 8, qsizetype(len));
                used += streamWords(len);
            }
            switch (arg.type) {
            case 3:
            case 4:
            case 5:
            case 7:
            case 8:
                if (used + 1 > size)
                    return false;
                arg.value = load64(a + used * 8);
                break;
            case 6:
                arg.value = header >> 32;
                arg.valueRef = quint16(header >> 32);
                if (arg.valueRef & 0x8000) {
                    const quint64 len = arg.valueRef & 0x7fff;
                    if (used + streamWords(len) > size)
                        return false;
                    arg.inlineValue = QByteArrayView(a + used * 8, qsizetype(len));
                }
                break;
            case 10: {
                const quint64 len = header >> 32;
                if (used + streamWords(len) > size)
                    return false;
                arg.value = len;
                arg.inlineValue = QByteArrayView(a + used * 8, qsizetype(len));
                break;
            }
            default:
                arg.value = header >> 32;
                break;
            }
        }
        visit(arg);
        pos += size;
    }
    return true;
}

} // namespace

// All state of one load. The record walk follows inspect-json.md §3–§10.
struct FxtLoadState
{
    std::shared_ptr<TraceData> data = std::make_shared<TraceData>();
    FxtSummary& summary = data->m_summary;

    std::vector<std::unique_ptr<ProviderState>> providerIncarnations;
    QHash<quint32, ProviderState*> providers; // id -> current incarnation
    ProviderState* provider = nullptr;
    QHash<quint32, size_t> listedProviders; // id -> index in summary.providers

    HugeBlockPool blockPool; // before threads: their event logs hand blocks to it
    std::vector<ThreadBuild> threads;
    bool depthRuleWhileParsing = true;
    std::vector<FunctionStats> functions; // by name id
    QHash<QPair<quint64, quint64>, qint32> threadIndex;
    struct ProcessBuild
    {
        quint32 nameId = 0;
        bool named = false;
    };
    QHash<quint64, ProcessBuild> processes;

    std::vector<AsyncEvent> async;
    std::vector<FlowEvent> flows;
    QHash<QPair<QPair<quint64, quint32>, QPair<quint32, quint64>>, size_t> counterIndex;

    quint32 processStringId = 0; // pool id of "process"
    bool magicChecked = false;
    bool stopped = false;
    quint64 skipRemaining = 0; // bytes of a large record still to skip
    quint64 skipRecordOffset = 0;
    bool arena = false;
    quint64 arenaUsed = 0; // words used in the last arena block
    std::vector<quint32> argumentSlots; // open addressing: arena refs of shared argument copies
    size_t argumentSlotsUsed = 0;
    bool firstInit = true;

    FxtLoadState()
    {
        data->m_strings.push_back(QByteArray("", 0));
        data->m_stringIds.insert(QByteArray("", 0), 0);
        processStringId = intern(QByteArrayView("process"));
        switchProvider(newProvider(0), 0); // provider 0 exists implicitly, unlisted
    }

    quint32 intern(QByteArrayView bytes)
    {
        const auto it = data->m_stringIds.constFind(bytes.toByteArray());
        if (it != data->m_stringIds.constEnd())
            return it.value();
        const quint32 id = quint32(data->m_strings.size());
        QByteArray copy = bytes.toByteArray();
        if (copy.isNull())
            copy = QByteArray("", 0);
        data->m_strings.push_back(copy);
        data->m_stringIds.insert(copy, id);
        return id;
    }

    ProviderState* newProvider(quint32 id)
    {
        auto state = std::make_unique<ProviderState>();
        state->id = id;
        state->index = int(data->m_history.size());
        data->m_history.emplace_back();
        ProviderState* raw = state.get();
        providerIncarnations.push_back(std::move(state));
        providers.insert(id, raw);
        return raw;
    }

    void switchProvider(ProviderState* p, quint64 offset)
    {
        provider = p;
        forgetSharedArguments();
        data->m_providerSwitches.emplace_back(offset, p->index);
    }

    void listProvider(quint32 id, const QString& name, bool rename)
    {
        const auto it = listedProviders.constFind(id);
        if (it == listedProviders.constEnd()) {
            listedProviders.insert(id, summary.providers.size());
            summary.providers.push_back({ id, name });
        } else if (rename) {
            summary.providers[it.value()].name = name;
        }
    }

    qint32 thread(quint64 pid, quint64 tid)
    {
        const QPair<quint64, quint64> key(pid, tid);
        const auto it = threadIndex.constFind(key);
        if (it != threadIndex.constEnd())
            return it.value();
        const qint32 index = qint32(threads.size());
        threads.emplace_back();
        threads.back().events.setPool(&blockPool);
        threads.back().online = depthRuleWhileParsing;
        threads.back().pid = pid;
        threads.back().tid = tid;
        threadIndex.insert(key, index);
        return index;
    }

    void setArena(bool on)
    {
        arena = on;
        data->m_useArena = on;
    }

    void anomaly(FxtAnomaly a, quint64 n = 1) { summary.anomalies[size_t(a)] += n; }

    void stop(FxtAnomaly a, quint64 offset, const QString& message)
    {
        anomaly(a);
        stopped = true;
        summary.complete = false;
        summary.fxtBytes = offset;
        summary.errorOffset = offset;
        summary.errorMessage = message;
    }

    // Is an indexed string reference unregistered? (0 and inline refs always resolve.)
    bool unregistered(quint16 ref) const { return ref != 0 && !(ref & 0x8000) && provider->string(ref) == 0; }

    quint32 resolve(quint16 ref, const char* inlineBytes)
    {
        if (ref == 0)
            return 0;
        if (ref & 0x8000)
            return intern(QByteArrayView(inlineBytes, ref & 0x7fff));
        return provider->string(ref) - 1;
    }

    // The reference a slice keeps to decode its arguments later: the record's file offset for plain input;
    // for compressed input, a copy of the arguments in the arena. Copies are shared between events whose argument
    // bytes are equal (magic-trace repeats the same address and symbol for every call of a function), which is
    // sound while the string slots they use keep their meaning: the table of shared copies is forgotten when
    // the provider changes or a string slot is overwritten.
    quint32 argumentRef(const char* record, quint64 argumentsStart, quint64 argumentsEnd, int argCount, quint64 offset)
    {
        if (!arena) {
            const quint64 word = offset / 8;
            return word < 0xffffffffULL ? quint32(word + 1) : 0;
        }
        const char* arguments = record + argumentsStart * 8;
        const quint64 argumentWords = argumentsEnd - argumentsStart;
        const size_t bytes = size_t(argumentWords * 8);
        const size_t hash = argumentHash(arguments, argumentWords, argCount);
        if (argumentSlots.empty())
            argumentSlots.assign(1024, 0);
        size_t mask = argumentSlots.size() - 1;
        size_t slot = hash & mask;
        for (; argumentSlots[slot]; slot = (slot + 1) & mask) {
            const quint64* entry = arenaEntry(argumentSlots[slot]);
            if (entry[1] == argumentWords + 2 && int((entry[2] >> 20) & 0xf) == argCount
                && sameWords(entry + 4, arguments, argumentWords))
                return argumentSlots[slot];
        }
        // A new copy, laid out as an event record of its own (header, a zero time word, the arguments) after the
        // [file offset, word count] pair that TraceData::arguments() reads.
        constexpr quint64 kBlock = TraceData::kArenaBlockWords;
        std::vector<std::unique_ptr<quint64[]>>& blocks = data->m_arena;
        const quint64 entryWords = 2 + 2 + argumentWords;
        if (blocks.empty() || arenaUsed + entryWords > kBlock) {
            if (blocks.size() >= (0xffffffffULL / kBlock))
                return 0;
            blocks.emplace_back(new quint64[kBlock]);
            arenaUsed = 0;
        }
        quint64* at = blocks.back().get() + arenaUsed;
        at[0] = offset;
        at[1] = argumentWords + 2;
        at[2] = 4 | ((argumentWords + 2) << 4) | (quint64(argCount) << 20) | (quint64(1) << 24); // thread ref 1
        at[3] = 0;
        std::memcpy(at + 4, arguments, bytes);
        const quint32 ref = quint32((blocks.size() - 1) * kBlock + arenaUsed + 1);
        arenaUsed += entryWords;
        argumentSlots[slot] = ref;
        if (++argumentSlotsUsed * 2 > argumentSlots.size())
            growArgumentSlots();
        return ref;
    }

    // Arguments are whole words, usually three (magic-trace's address and symbol): a multiply-mix over the words
    // is enough, and the comparison goes word by word too.
    static size_t argumentHash(const char* words, quint64 count, int argCount)
    {
        quint64 h = quint64(argCount) * 0x9e3779b97f4a7c15ULL;
        for (quint64 i = 0; i < count; ++i) {
            h = (h ^ load64(words + i * 8)) * 0xff51afd7ed558ccdULL;
            h ^= h >> 32;
        }
        return size_t(h);
    }
    static bool sameWords(const quint64* a, const char* b, quint64 count)
    {
        for (quint64 i = 0; i < count; ++i)
            if (a[i] != load64(b + i * 8))
                return false;
        return true;
    }

    const quint64* arenaEntry(quint32 ref) const
    {
        const quint64 index = ref - 1;
        return data->m_arena[index / TraceData::kArenaBlockWords].get() + index % TraceData::kArenaBlockWords;
    }

    void growArgumentSlots()
    {
        std::vector<quint32> old(argumentSlots.size() * 2, 0);
        old.swap(argumentSlots);
        const size_t mask = argumentSlots.size() - 1;
        for (quint32 ref : old) {
            if (!ref)
                continue;
            const quint64* entry = arenaEntry(ref);
            const size_t hash
                = argumentHash(reinterpret_cast<const char*>(entry + 4), entry[1] - 2, int((entry[2] >> 20) & 0xf));
            size_t slot = hash & mask;
            while (argumentSlots[slot])
                slot = (slot + 1) & mask;
            argumentSlots[slot] = ref;
        }
    }

    void forgetSharedArguments()
    {
        argumentSlots.clear();
        argumentSlotsUsed = 0;
    }

    // --- the record walk -----------------------------------------------------------------------------------

    // Parses the complete records at the start of data; returns how many bytes were consumed.
    qsizetype feed(const char* data, qsizetype size, quint64 offset, bool atEnd)
    {
        const char* p = data;
        const char* const end = data + size;
        if (!magicChecked) {
            if (size < 8 && !atEnd)
                return 0;
            magicChecked = true;
            if (size < 8 || std::memcmp(data, FxtFormat::kMagic, 8) != 0) {
                stop(FxtAnomaly::BadMagic, 0, tr("not an FXT trace: the FXT magic number is missing"));
                return 0;
            }
        }
        while (!stopped) {
            const quint64 here = offset + quint64(p - data);
            if (skipRemaining > 0) {
                const quint64 n = std::min<quint64>(skipRemaining, quint64(end - p));
                p += n;
                skipRemaining -= n;
                if (skipRemaining > 0) {
                    if (atEnd)
                        stop(FxtAnomaly::TruncatedTail, skipRecordOffset,
                            tr("the last record is cut off at offset %1").arg(skipRecordOffset));
                    return p - data;
                }
                ++summary.records[15];
                continue;
            }
            const qsizetype available = end - p;
            if (available == 0) {
                if (atEnd) {
                    summary.complete = true;
                    summary.fxtBytes = here;
                }
                return p - data;
            }
            if (available < 8) {
                if (atEnd)
                    stop(FxtAnomaly::TruncatedTail, here,
                        tr("%1 stray bytes after the last record at offset %2").arg(available).arg(here));
                return p - data;
            }
            // Mapped page-cache pages are not contiguous, so the hardware prefetcher stops at every 4 KiB page;
            // asking for the data a few records ahead hides most of the wait for it.
            __builtin_prefetch(p + 1024);
            const quint64 header = load64(p);
            const unsigned type = unsigned(header & 0xf);
            const quint64 words = type == 15 ? (header >> 4) & 0xffffffffULL : (header >> 4) & 0xfff;
            if (words == 0) {
                stop(FxtAnomaly::RecordSizeZero, here, tr("record of size 0 at offset %1").arg(here));
                return p - data;
            }
            const quint64 bytes = words * 8;
            if (bytes > quint64(available)) {
                if (atEnd) {
                    stop(FxtAnomaly::TruncatedTail, here, tr("the last record is cut off at offset %1").arg(here));
                    return p - data;
                }
                if (type == 15) { // only large records can be longer than a chunk: skip them in pieces
                    skipRemaining = bytes - quint64(available);
                    skipRecordOffset = here;
                    return size;
                }
                return p - data;
            }
            if (!record(p, words, type, header, here)) {
                stop(FxtAnomaly::MalformedRecord, here,
                    tr("malformed record at offset %1: its fields do not fit in its size").arg(here));
                return p - data;
            }
            p += bytes;
        }
        return p - data;
    }

    // One complete record. False = malformed (parsing stops before it).
    bool record(const char* r, quint64 words, unsigned type, quint64 header, quint64 offset)
    {
        switch (type) {
        case 0:
            return metadata(r, words, header, offset);
        case 1: {
            if (words < 2)
                return false;
            const quint64 tps = load64(r + 8);
            provider->ticksPerSecond = tps;
            if (!summary.ticksPerSecond)
                summary.ticksPerSecond = tps;
            if (words >= 4 && !summary.baseTimeNs) {
                quint64 baseNs = 0;
                if (ticksToNs(load64(r + 16), tps, &baseNs)) {
                    summary.baseTimeNs = load64(r + 24);
                    summary.baseTicksNs = baseNs;
                }
            }
            break;
        }
        case 2: {
            const quint16 index = quint16((header >> 16) & 0x7fff);
            const quint64 len = (header >> 32) & 0x7fff;
            if (1 + streamWords(len) > words)
                return false;
            if (index != 0) {
                const quint32 id = intern(QByteArrayView(r + 8, qsizetype(len)));
                if (provider->string(index) != 0 && provider->string(index) != id + 1)
                    forgetSharedArguments(); // a slot changes meaning: shared argument copies may not follow
                provider->setString(index, id + 1);
                data->m_history[size_t(provider->index)].strings[index].push_back({ offset, id });
            }
            break;
        }
        case 3: {
            if (words < 3)
                return false;
            const quint8 index = quint8(header >> 16);
            if (index != 0) {
                if (!provider->threads) {
                    provider->threads = std::make_unique<std::array<qint32, 256>>();
                    provider->threads->fill(0);
                }
                (*provider->threads)[index] = thread(load64(r + 8), load64(r + 16)) + 1;
            }
            break;
        }
        case 4:
            return event(r, words, header, offset);
        case 7:
            return kernelObject(r, words, header);
        case 5:
        case 6:
        case 8:
        case 9:
        case 15:
            break;
        default: // 10..14
            anomaly(FxtAnomaly::UnknownRecordType);
            break;
        }
        ++summary.records[type];
        return true;
    }

    bool metadata(const char* r, quint64 words, quint64 header, quint64 offset)
    {
        const unsigned kind = unsigned((header >> 16) & 0xf);
        const quint32 id = quint32((header >> 20) & 0xffffffffULL);
        if (kind == 1) {
            const quint64 len = (header >> 52) & 0xff;
            if (1 + streamWords(len) > words)
                return false;
            const QString name = QString::fromUtf8(r + 8, qsizetype(len));
            switchProvider(newProvider(id), offset);
            listProvider(id, name, true);
        } else if (kind == 2) {
            ProviderState* p = providers.value(id, nullptr);
            if (!p)
                p = newProvider(id);
            switchProvider(p, offset);
            listProvider(id, QString(), false);
        }
        ++summary.records[0];
        return true;
    }

    bool kernelObject(const char* r, quint64 words, quint64 header)
    {
        const unsigned objectType = unsigned((header >> 16) & 0xff);
        const quint16 nameRef = quint16(header >> 24);
        const int argCount = int((header >> 40) & 0xf);
        if (words < 2)
            return false;
        quint64 pos = 2;
        const char* inlineName = nullptr;
        if (nameRef & 0x8000) {
            inlineName = r + pos * 8;
            pos += streamWords(nameRef & 0x7fff);
            if (pos > words)
                return false;
        }
        bool invalid = unregistered(nameRef);
        quint64 unknownArgs = 0;
        bool havePid = false;
        quint64 pid = 0;
        const bool ok = walkArguments(r, words, pos, argCount, [&](const RawArgument& a) {
            if (a.type > 10) {
                ++unknownArgs;
                return;
            }
            if (unregistered(a.nameRef) || (a.type == 6 && unregistered(a.valueRef)))
                invalid = true;
            if (a.type == 8 && !havePid && !invalid) {
                const bool isProcess = (a.nameRef & 0x8000)
                    ? a.inlineName == QByteArrayView("process")
                    : a.nameRef != 0 && provider->string(a.nameRef) == processStringId + 1;
                if (isProcess) {
                    havePid = true;
                    pid = a.value;
                }
            }
        });
        if (!ok)
            return false;
        ++summary.records[7];
        anomaly(FxtAnomaly::UnknownArgType, unknownArgs);
        if (objectType != 1 && objectType != 2)
            return true;
        if (invalid) {
            anomaly(FxtAnomaly::InvalidStringRef);
            return true;
        }
        const quint64 koid = load64(r + 8);
        const quint32 nameId = resolve(nameRef, inlineName);
        if (objectType == 1) {
            ProcessBuild& process = processes[koid];
            process.nameId = nameId;
            process.named = true;
        } else if (havePid) {
            ThreadBuild& t = threads[size_t(thread(pid, koid))];
            t.nameId = nameId;
            t.named = true;
        }
        return true;
    }

    bool event(const char* r, quint64 words, quint64 header, quint64 offset)
    {
        const unsigned type = unsigned((header >> 16) & 0xf);
        if (type > 10) {
            ++summary.records[4];
            ++summary.events[11];
            anomaly(FxtAnomaly::UnknownEventType);
            return true;
        }
        const int argCount = int((header >> 20) & 0xf);
        const quint8 threadRef = quint8(header >> 24);
        const quint16 categoryRef = quint16(header >> 32);
        const quint16 nameRef = quint16(header >> 48);
        if (words < 2)
            return false;
        const quint64 ticks = load64(r + 8);
        quint64 pos = 2;
        quint64 pid = 0, tid = 0;
        if (threadRef == 0) {
            if (pos + 2 > words)
                return false;
            pid = load64(r + pos * 8);
            tid = load64(r + pos * 8 + 8);
            pos += 2;
        }
        const char* inlineCategory = nullptr;
        if (categoryRef & 0x8000) {
            inlineCategory = r + pos * 8;
            pos += streamWords(categoryRef & 0x7fff);
            if (pos > words)
                return false;
        }
        const char* inlineName = nullptr;
        if (nameRef & 0x8000) {
            inlineName = r + pos * 8;
            pos += streamWords(nameRef & 0x7fff);
            if (pos > words)
                return false;
        }
        bool invalid = unregistered(categoryRef) || unregistered(nameRef);
        quint64 unknownArgs = 0;
        const quint64 argumentsStart = pos;
        if (argCount > 0) {
            const bool ok = walkArguments(r, words, pos, argCount, [&](const RawArgument& a) {
                if (a.type > 10)
                    ++unknownArgs;
                else if (unregistered(a.nameRef) || (a.type == 6 && unregistered(a.valueRef)))
                    invalid = true;
            });
            if (!ok)
                return false;
        }
        const quint64 argumentsEnd = pos;
        quint64 trailing = 0;
        if (type == 1 || type >= 4) {
            if (pos + 1 > words)
                return false;
            trailing = load64(r + pos * 8);
        }
        ++summary.records[4];
        ++summary.events[type];
        if (unknownArgs)
            anomaly(FxtAnomaly::UnknownArgType, unknownArgs);

        if (invalid) {
            anomaly(FxtAnomaly::InvalidStringRef);
            return true;
        }
        if (type == 4 && trailing < ticks) {
            anomaly(FxtAnomaly::CompleteEndBeforeStart);
            return true;
        }
        quint64 ns = 0, endNs = 0;
        if (!ticksToNs(ticks, provider->ticksPerSecond, &ns)
            || (type == 4 && !ticksToNs(trailing, provider->ticksPerSecond, &endNs))) {
            anomaly(FxtAnomaly::InvalidTimestamp);
            return true;
        }
        qint32 threadIndex;
        if (threadRef == 0) {
            threadIndex = thread(pid, tid);
        } else {
            threadIndex = provider->threads ? (*provider->threads)[threadRef] - 1 : -1;
            if (threadIndex < 0) {
                anomaly(FxtAnomaly::InvalidThreadRef);
                threadIndex = thread(0, 0);
            }
        }
        ThreadBuild& t = threads[size_t(threadIndex)];
        t.hasEvent = true;
        const quint64 last = type == 4 ? endNs : ns;
        if (!summary.startNs || ns < *summary.startNs)
            summary.startNs = ns;
        if (!summary.endNs || last > *summary.endNs)
            summary.endNs = last;

        const quint32 nameId = resolve(nameRef, inlineName);
        switch (type) {
        case 0:
        case 2: {
            const quint32 arguments = argCount ? argumentRef(r, argumentsStart, argumentsEnd, argCount, offset) : 0;
            if (t.takesOnline(ns))
                onlineStart(t, ns, nameId, arguments, type == 2);
            else
                t.events.append(type == 2 ? KindBegin : KindInstant, ns, nameId, arguments, ns);
            break;
        }
        case 3:
            if (t.takesOnline(ns))
                onlineEnd(t, ns);
            else
                t.events.append(KindEnd, ns, 0, 0, ns);
            break;
        case 4:
            if (t.online) {
                if (t.tailStarted)
                    t.tailMaxTs = std::max(t.tailMaxTs, ns);
                else
                    leaveOnline(t); // the online rule does not handle complete events
            }
            t.events.append(KindComplete, ns, nameId,
                argCount ? argumentRef(r, argumentsStart, argumentsEnd, argCount, offset) : 0, endNs);
            break;
        case 1:
            counter(r, words, argumentsStart, argCount, t.pid, nameId, ns, trailing);
            break;
        case 5:
        case 6:
        case 7:
            async.push_back({ ns, trailing, t.pid, t.tid, nameId, resolve(categoryRef, inlineCategory),
                argCount ? argumentRef(r, argumentsStart, argumentsEnd, argCount, offset) : 0, quint8(type) });
            break;
        default:
            flows.push_back({ ns, t.pid, t.tid, trailing, FlowPhase(type) });
            break;
        }
        return true;
    }

    void counter(const char* r, quint64 words, quint64 pos, int argCount, quint64 pid, quint32 nameId, quint64 ns,
        quint64 counterId)
    {
        walkArguments(r, words, pos, argCount, [&](const RawArgument& a) {
            double value;
            switch (a.type) {
            case 1:
                value = double(qint32(quint32(a.value)));
                break;
            case 2:
                value = double(quint32(a.value));
                break;
            case 3:
                value = double(qint64(a.value));
                break;
            case 4:
                value = double(a.value);
                break;
            case 5:
                std::memcpy(&value, &a.value, sizeof value);
                break;
            default:
                return; // not numeric
            }
            const quint32 argName = resolve(a.nameRef, a.inlineName.data());
            const auto key = qMakePair(qMakePair(pid, nameId), qMakePair(argName, counterId));
            auto it = counterIndex.constFind(key);
            size_t index;
            if (it == counterIndex.constEnd()) {
                index = data->m_counters.size();
                data->m_counters.push_back({ pid, nameId, argName, counterId, {} });
                counterIndex.insert(key, index);
            } else {
                index = it.value();
            }
            data->m_counters[index].samples.push_back({ ns, value });
        });
    }

    // --- after the walk ----------------------------------------------------------------------------------------

    struct StackEntry
    {
        quint64 start;
        quint64 end; // running complete: its end; open begin: unknown yet
        quint64 childNs;
        quint32 nameId;
        quint32 depth;
        size_t index; // in the thread's slice block
        bool complete;
    };

    void addCall(quint32 nameId, quint64 duration, quint64 childNs)
    {
        if (nameId >= functions.size()) [[unlikely]]
            functions.resize(std::max<size_t>(nameId + 1, data->m_strings.size()));
        FunctionStats& f = functions[nameId];
        ++f.calls;
        f.totalNs += duration;
        f.selfNs += duration > childNs ? duration - childNs : 0;
    }
    void removeCall(quint32 nameId, quint64 duration, quint64 childNs)
    {
        FunctionStats& f = functions[nameId];
        --f.calls;
        f.totalNs -= duration;
        f.selfNs -= duration > childNs ? duration - childNs : 0;
    }

    // --- the depth rule while parsing (see ThreadBuild) ----------------------------------------------------------

    void onlineStart(ThreadBuild& t, quint64 ts, quint32 nameId, quint32 arguments, bool begin)
    {
        t.addOnlineEvent(ts, false);
        const qint64 key = qint64(t.stack.size()) - qint64(t.unmatched.size());
        TraceSlice* slice = t.bucket(key).push(
            t.slab, { ts, ts, nameId | (quint32(begin ? SliceKind::BeginEnd : SliceKind::Instant) << 30), arguments });
        if (begin)
            t.stack.push_back({ ts, 0, slice, nameId });
        else
            addCall(nameId, 0, 0);
    }

    void onlineEnd(ThreadBuild& t, quint64 ts)
    {
        t.addOnlineEvent(ts, true);
        if (t.stack.empty()) {
            t.unmatched.push_back({ ts, t.floorChildNs });
            t.floorChildNs = 0;
            return;
        }
        const OnlineFrame f = t.stack.back();
        t.stack.pop_back();
        f.slice->end = ts;
        const quint64 duration = ts - f.start;
        addCall(f.nameId, duration, f.childNs);
        (t.stack.empty() ? t.floorChildNs : t.stack.back().childNs) += duration;
    }

    // Sends a thread through the event log after all: its online events, rebuilt in file order from the buckets,
    // then the events logged so far; the calls counted online are taken back.
    void leaveOnline(ThreadBuild& t)
    {
        EventLog log;
        log.setPool(&blockPool);
        std::vector<size_t> next(t.buckets.size()), nextNegative(t.negativeBuckets.size());
        std::vector<OnlineFrame> stack;
        size_t unmatched = 0;
        for (quint64 i = 0; i < t.onlineEvents; ++i) {
            if (!t.isEnd(i)) {
                const qint64 key = qint64(stack.size()) - qint64(unmatched);
                size_t& n = key >= 0 ? next[size_t(key)] : nextNegative[size_t(-(key + 1))];
                TraceSlice& s = t.bucket(key)[n++];
                if (s.kind() == SliceKind::Instant) {
                    log.append(KindInstant, s.start, s.nameId(), s.argumentRef, s.start);
                    removeCall(s.nameId(), 0, 0);
                } else {
                    log.append(KindBegin, s.start, s.nameId(), s.argumentRef, s.start);
                    stack.push_back({ s.start, 0, &s, s.nameId() });
                }
            } else if (stack.empty()) {
                log.append(KindEnd, t.unmatched[unmatched++].time, 0, 0, 0);
            } else {
                const OnlineFrame f = stack.back();
                stack.pop_back();
                const quint64 end = f.slice->end;
                log.append(KindEnd, end, 0, 0, 0);
                const quint64 duration = end - f.start;
                removeCall(f.nameId, duration, f.childNs);
                if (!stack.empty())
                    stack.back().childNs += duration;
            }
        }
        t.events.forEachInFileOrder(
            [&](const PendingEvent& ev) { log.append(ev.kind, ev.ts, ev.nameId, ev.argumentRef, ev.end); });
        t.events = std::move(log);
        t.dropOnlineState(&blockPool);
    }

    // A first, cheap pass of the depth rule that only counts slices per depth, so that the thread's slices are
    // allocated once, in one block, at their exact size (no growth copies, no slack: slices are most of a
    // model's memory).
    // *leftRunning, *leftOpen: running completes and open begins on the stack after the last event.
    static std::vector<size_t> countDepths(
        const EventLog& events, size_t* leftRunning = nullptr, size_t* leftOpen = nullptr)
    {
        std::vector<quint64> stack; // 0 = open begin, else end time of a running complete
        std::vector<size_t> counts;
        size_t openBegins = 0, running = 0;
        quint64 nextCompleteEnd = std::numeric_limits<quint64>::max();
        events.forEachSorted([&](const PendingEvent& ev) {
            const quint64 t = ev.ts;
            if (running && nextCompleteEnd <= t) {
                size_t kept = 0;
                nextCompleteEnd = std::numeric_limits<quint64>::max();
                for (quint64 e : stack) {
                    if (e != 0 && e <= t) {
                        --running;
                        continue;
                    }
                    if (e != 0)
                        nextCompleteEnd = std::min(nextCompleteEnd, e);
                    stack[kept++] = e;
                }
                stack.resize(kept);
            }
            if (ev.kind == KindEnd) {
                if (openBegins == 0)
                    return;
                size_t k = stack.size() - 1;
                while (stack[k] != 0)
                    --k;
                running -= stack.size() - 1 - k;
                stack.resize(k);
                --openBegins;
                return;
            }
            if (stack.size() >= counts.size())
                counts.resize(stack.size() + 1, 0);
            ++counts[stack.size()];
            if (ev.kind == KindBegin) {
                stack.push_back(0);
                ++openBegins;
            } else if (ev.kind == KindComplete && ev.end > t) {
                stack.push_back(ev.end);
                ++running;
                nextCompleteEnd = std::min(nextCompleteEnd, ev.end);
            }
        });
        if (leftRunning)
            *leftRunning = running;
        if (leftOpen)
            *leftOpen = openBegins;
        return counts;
    }

    // One block for a thread's slices, counts[d] of depth d, laid out by depth in out.depths; its first slice.
    TraceSlice* allocateThreadSlices(const std::vector<size_t>& counts, TraceThread& out)
    {
        size_t total = 0;
        for (size_t count : counts)
            total += count;
        TraceSlice* slices = nullptr;
        // From the pool (the huge pages of finished threads' event logs and slabs) where it is worth a mapping:
        // fresh memory on top of the pool would raise the peak.
        if (total * sizeof(TraceSlice) >= HugeBlock::kBytes) {
            size_t mappedBytes = 0;
            slices = allocateSlices(total, blockPool, &mappedBytes);
            if (slices)
                out.sliceStorage = std::unique_ptr<TraceSlice[], TraceThread::FreeSlices>(
                    slices, TraceThread::FreeSlices { mappedBytes });
        }
        if (total && !slices) {
            slices = static_cast<TraceSlice*>(std::malloc(total * sizeof(TraceSlice)));
            if (!slices)
                qFatal("FxtReader: out of memory for %zu slices", total);
            prefault(slices, total * sizeof(TraceSlice));
            out.sliceStorage.reset(slices);
        }
        out.depths.resize(counts.size());
        size_t first = 0;
        for (size_t d = 0; d < counts.size(); ++d) {
            out.depths[d] = std::span<const TraceSlice>(slices + first, counts[d]);
            first += counts[d];
        }
        return slices;
    }

    // Applies the depth rule (inspect-json.md §10) to the events of one thread's log. With `leftOpen`, the begins
    // still open after the last event are left to the caller (with their slices' indexes in the thread's block)
    // instead of being closed as unclosed: the caller has checked that no running complete is left.
    void buildThread(ThreadBuild& build, TraceThread& out, quint64 traceEnd,
        std::vector<StackEntry>* leftOpen = nullptr, const std::vector<size_t>* counted = nullptr)
    {
        const std::vector<size_t> counts = counted ? *counted : countDepths(build.events);
        TraceSlice* const slices = allocateThreadSlices(counts, out);
        // fill[d]: where the next slice of depth d goes in the thread's block.
        std::vector<size_t> fill(counts.size());
        for (size_t d = 1; d < counts.size(); ++d)
            fill[d] = fill[d - 1] + counts[d - 1];
        std::vector<StackEntry> stack;
        size_t openBegins = 0;
        size_t runningCompletes = 0;
        quint64 nextCompleteEnd = std::numeric_limits<quint64>::max();

        // Removes stack[i] (its end is known), crediting its time to the entry below it.
        const auto close = [&](size_t i, quint64 end) {
            StackEntry& e = stack[i];
            const quint64 duration = end - e.start;
            addCall(e.nameId, duration, e.childNs);
            if (i > 0)
                stack[i - 1].childNs += duration;
            if (e.complete)
                --runningCompletes;
            else
                --openBegins;
        };

        build.events.forEachSorted([&](const PendingEvent& ev) {
            const quint64 t = ev.ts;
            if (runningCompletes && nextCompleteEnd <= t) {
                for (size_t i = stack.size(); i-- > 0;) {
                    if (stack[i].complete && stack[i].end <= t) {
                        close(i, stack[i].end);
                        stack.erase(stack.begin() + qsizetype(i));
                    }
                }
                nextCompleteEnd = std::numeric_limits<quint64>::max();
                for (const StackEntry& e : stack)
                    if (e.complete)
                        nextCompleteEnd = std::min(nextCompleteEnd, e.end);
            }
            if (ev.kind == KindEnd) {
                if (openBegins == 0) {
                    ++out.unmatchedEnds;
                    return;
                }
                size_t k = stack.size() - 1;
                while (stack[k].complete)
                    --k;
                for (size_t i = stack.size() - 1; i > k; --i)
                    close(i, stack[i].end);
                slices[stack[k].index].end = t;
                close(k, t);
                stack.resize(k);
                if (runningCompletes == 0)
                    nextCompleteEnd = std::numeric_limits<quint64>::max();
                return;
            }
            const quint32 depth = quint32(stack.size());
            const size_t index = fill[depth]++; // counted by countDepths
            TraceSlice slice { t, t, ev.nameId, ev.argumentRef };
            if (ev.kind == KindInstant) {
                slice.nameAndKind |= quint32(SliceKind::Instant) << 30;
                addCall(ev.nameId, 0, 0);
            } else if (ev.kind == KindBegin) {
                slice.nameAndKind |= quint32(SliceKind::BeginEnd) << 30;
                stack.push_back({ t, 0, 0, ev.nameId, depth, index, false });
                ++openBegins;
            } else {
                slice.end = ev.end;
                slice.nameAndKind |= quint32(SliceKind::Complete) << 30;
                if (ev.end > t) {
                    stack.push_back({ t, ev.end, 0, ev.nameId, depth, index, true });
                    ++runningCompletes;
                    nextCompleteEnd = std::min(nextCompleteEnd, ev.end);
                } else {
                    addCall(ev.nameId, 0, 0);
                }
            }
            slices[index] = slice;
            ++out.sliceCount;
            out.maxDepth = std::max(out.maxDepth, int(depth));
        });
        if (leftOpen) {
            *leftOpen = std::move(stack);
            build.events.clear();
            return;
        }
        for (size_t i = stack.size(); i-- > 0;) {
            StackEntry& e = stack[i];
            if (e.complete) {
                close(i, e.end);
            } else {
                ++out.unclosedBegins;
                TraceSlice& s = slices[e.index];
                s.end = std::max(traceEnd, s.start);
                s.nameAndKind = s.nameId() | (quint32(SliceKind::Unclosed) << 30);
                close(i, s.end);
            }
        }
        build.events.clear(); // its blocks go to the pool, for the next thread's slices
    }

    // Completes a thread whose depth rule ran while parsing. Its logged events (if any) must be a tail that sorts
    // before all of them and leaves only open begins (k of them): then each slice's final depth is its bucket key
    // plus k, the i-th end that found no open begin closed the tail's i-th begin from the top, and nothing needs
    // sorting. False (nothing changed) where that does not hold: the caller sends the thread through the log.
    bool finishOnline(ThreadBuild& build, TraceThread& out, quint64 traceEnd)
    {
        const size_t ends = build.unmatched.size();
        std::vector<size_t> tailCounts;
        size_t k = 0;
        if (build.events.size()) {
            if (build.onlineEvents && build.tailMaxTs >= build.firstTs)
                return false;
            size_t running = 0;
            tailCounts = countDepths(build.events, &running, &k);
            if (running)
                return false;
        }
        if (ends > k)
            return false;

        TraceThread tail;
        std::vector<StackEntry> initial; // the tail's open begins, bottom first
        if (build.events.size())
            buildThread(build, tail, traceEnd, &initial, &tailCounts);
        Q_ASSERT(initial.size() == k);
        TraceSlice* const tailSlices = tail.sliceStorage.get();
        // Removes initial[i] at `end`, crediting its time to the begin below it.
        const auto closeInitial = [&](size_t i, quint64 end) {
            const quint64 duration = end - initial[i].start;
            addCall(initial[i].nameId, duration, initial[i].childNs);
            if (i > 0)
                initial[i - 1].childNs += duration;
        };
        for (size_t j = 0; j < ends; ++j) {
            const size_t i = k - 1 - j;
            initial[i].childNs += build.unmatched[j].floorChildNs;
            tailSlices[initial[i].index].end = build.unmatched[j].time;
            closeInitial(i, build.unmatched[j].time);
        }
        // What is still open at the end is unclosed: the online frames above the tail's begins left.
        const auto markUnclosed = [&](TraceSlice& s) {
            s.end = std::max(traceEnd, s.start);
            s.nameAndKind = s.nameId() | (quint32(SliceKind::Unclosed) << 30);
            return s.end;
        };
        for (size_t i = build.stack.size(); i-- > 0;) {
            OnlineFrame& f = build.stack[i];
            const quint64 duration = markUnclosed(*f.slice) - f.start;
            addCall(f.nameId, duration, f.childNs);
            (i > 0 ? build.stack[i - 1].childNs : build.floorChildNs) += duration;
        }
        if (k > ends)
            initial[k - ends - 1].childNs += build.floorChildNs;
        for (size_t i = k - ends; i-- > 0;)
            closeInitial(i, markUnclosed(tailSlices[initial[i].index]));

        // Depth d: the tail's slices of depth d (all earlier), then the bucket of key d - k; copied into one block
        // of the exact size, as the log path allocates it.
        const size_t depthCount = std::max(tail.depths.size(), k + build.buckets.size());
        std::vector<size_t> counts(depthCount);
        for (size_t d = 0; d < depthCount; ++d) {
            counts[d] = d < tail.depths.size() ? tail.depths[d].size() : 0;
            if (SliceBucket* bucket = build.existingBucket(qint64(d) - qint64(k)))
                counts[d] += bucket->size();
        }
        while (!counts.empty() && counts.back() == 0)
            counts.pop_back();
        TraceSlice* at = allocateThreadSlices(counts, out);
        for (size_t d = 0; d < counts.size(); ++d) {
            if (d < tail.depths.size())
                at = std::copy(tail.depths[d].begin(), tail.depths[d].end(), at);
            if (SliceBucket* bucket = build.existingBucket(qint64(d) - qint64(k)))
                at = bucket->copyTo(at);
            out.sliceCount += counts[d];
            if (counts[d])
                out.maxDepth = int(d);
        }
        out.unmatchedEnds = tail.unmatchedEnds;
        out.unclosedBegins = build.stack.size() + (k - ends);
        build.dropOnlineState(&blockPool);
        return true;
    }

    bool finish(const std::atomic<bool>* cancel)
    {
        TraceData& d = *data;
        const quint64 traceEnd = summary.endNs.value_or(0);
        functions.resize(d.m_strings.size());

        // Listed threads, by (pid, tid).
        std::vector<qint32> listed;
        for (size_t i = 0; i < threads.size(); ++i)
            if (threads[i].hasEvent || threads[i].named)
                listed.push_back(qint32(i));
        std::sort(listed.begin(), listed.end(), [&](qint32 a, qint32 b) {
            const ThreadBuild& x = threads[size_t(a)];
            const ThreadBuild& y = threads[size_t(b)];
            return x.pid != y.pid ? x.pid < y.pid : x.tid < y.tid;
        });
        d.m_threads.resize(listed.size());
        for (size_t i = 0; i < listed.size(); ++i) {
            if (cancel && cancel->load(std::memory_order_relaxed))
                return false;
            ThreadBuild& build = threads[size_t(listed[i])];
            TraceThread& out = d.m_threads[i];
            out.pid = build.pid;
            out.tid = build.tid;
            out.nameId = build.nameId;
            const bool big = build.events.size() + build.onlineEvents > (1 << 20);
            if (!build.online || !finishOnline(build, out, traceEnd)) {
                if (build.online)
                    leaveOnline(build);
                buildThread(build, out, traceEnd);
            }
#ifdef __GLIBC__
            // The thread's event blocks are free now; hand their pages back so that peak memory stays low.
            if (big)
                malloc_trim(0);
#else
            Q_UNUSED(big);
#endif
            summary.unmatchedEnds += out.unmatchedEnds;
            summary.unclosedBegins += out.unclosedBegins;
        }
        threads.clear();
        blockPool.releaseAll(); // what the last threads' logs left

        // Processes: named ones and those with a listed thread.
        for (auto it = processes.cbegin(); it != processes.cend(); ++it)
            d.m_processes.push_back({ it.key(), it.value().nameId, {} });
        for (const TraceThread& t : d.m_threads)
            if (!processes.contains(t.pid)) {
                processes.insert(t.pid, {});
                d.m_processes.push_back({ t.pid, 0, {} });
            }
        std::sort(d.m_processes.begin(), d.m_processes.end(),
            [](const TraceProcess& a, const TraceProcess& b) { return a.pid < b.pid; });
        size_t p = 0;
        for (size_t i = 0; i < d.m_threads.size(); ++i) {
            while (d.m_processes[p].pid != d.m_threads[i].pid)
                ++p;
            d.m_processes[p].threads.push_back(int(i));
        }

        for (size_t i = 0; i < functions.size(); ++i)
            if (functions[i].calls) {
                functions[i].nameId = quint32(i);
                d.m_functions.push_back(functions[i]);
            }
        std::sort(d.m_functions.begin(), d.m_functions.end(), [](const FunctionStats& a, const FunctionStats& b) {
            return a.totalNs != b.totalNs ? a.totalNs > b.totalNs : a.nameId < b.nameId;
        });

        for (CounterSeries& c : d.m_counters)
            std::stable_sort(c.samples.begin(), c.samples.end(),
                [](const CounterSample& a, const CounterSample& b) { return a.time < b.time; });

        std::stable_sort(
            async.begin(), async.end(), [](const AsyncEvent& a, const AsyncEvent& b) { return a.ts < b.ts; });
        QHash<QPair<QPair<quint64, quint32>, quint64>, size_t> open;
        for (const AsyncEvent& e : async) {
            const auto key = qMakePair(qMakePair(e.pid, e.nameId), e.id);
            if (e.type == 5) {
                open.insert(key, d.m_async.size());
                d.m_async.push_back(
                    { e.pid, e.tid, e.nameId, e.categoryId, e.id, e.ts, traceEnd, false, false, e.argumentRef });
            } else if (e.type == 6) {
                d.m_async.push_back(
                    { e.pid, e.tid, e.nameId, e.categoryId, e.id, e.ts, e.ts, true, true, e.argumentRef });
            } else {
                const auto it = open.find(key);
                if (it != open.end()) {
                    AsyncSpan& s = d.m_async[it.value()];
                    s.end = std::max(e.ts, s.start);
                    s.closed = true;
                    open.erase(it);
                }
            }
        }
        async = {};
        std::stable_sort(
            flows.begin(), flows.end(), [](const FlowEvent& a, const FlowEvent& b) { return a.time < b.time; });
        d.m_flows = std::move(flows);
        return true;
    }
};

namespace {

// MTS_FXT_TIMING: what the process holds when parsing ends (the model being built, the mapped window, the libraries).
void printMemory()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS") || line.startsWith("RssAnon") || line.startsWith("RssFile"))
            std::fprintf(stderr, "  %s\n", line.constData());
}

std::shared_ptr<TraceData> run(FxtSource& source, bool useArena, const FxtReader::Options& options, QString* error)
{
    FxtLoadState state;
    state.summary.format = source.format();
    state.summary.fileBytes = source.inputSize();
    state.setArena(useArena);
    state.depthRuleWhileParsing = options.depthRuleWhileParsing;

    QElapsedTimer phase;
    phase.start();
    FxtSource::Chunk chunk;
    qsizetype consumed = 0;
    while (true) {
        if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
            if (error)
                *error = tr("cancelled");
            return nullptr;
        }
        const bool ok = source.next(consumed, &chunk);
        if (!ok && !source.isMapped() && source.format() != FxtFormat::Format::Fxt) {
            // Decompression failed part-way: parse what was decoded as if the data ended there.
            consumed = state.feed(chunk.data, chunk.size, chunk.offset, true);
            state.anomaly(FxtAnomaly::DecompressError);
            if (state.stopped) {
                state.summary.errorMessage = source.error() + u"; "_s + state.summary.errorMessage;
            } else {
                state.stopped = true;
                state.summary.complete = false;
                state.summary.errorOffset = state.summary.fxtBytes;
                state.summary.errorMessage = source.error();
            }
            break;
        }
        if (!ok) {
            if (error)
                *error = source.error();
            return nullptr;
        }
        consumed = state.feed(chunk.data, chunk.size, chunk.offset, chunk.atEnd);
        if (options.progress)
            options.progress(source.inputPosition(), source.inputSize());
        if (state.stopped || chunk.atEnd)
            break;
    }
    static const bool timing = qEnvironmentVariableIsSet("MTS_FXT_TIMING");
    if (timing) {
        std::fprintf(stderr, "fxt: parsed in %.3f s\n", double(phase.nsecsElapsed()) / 1e9);
        printMemory();
    }
    phase.restart();
    source.releaseBuffers();
    if (!state.finish(options.cancel)) {
        if (error)
            *error = tr("cancelled");
        return nullptr;
    }
    if (timing)
        std::fprintf(stderr, "fxt: sorted, matched and aggregated in %.3f s\n", double(phase.nsecsElapsed()) / 1e9);
    return state.data;
}

} // namespace

std::shared_ptr<TraceData> FxtReader::load(const QString& path, const Options& options, QString* error)
{
    FxtSource source;
    if (!source.open(path, error))
        return nullptr;
    auto data = run(source, !source.isMapped(), options, error);
    if (data && source.isMapped())
        data->m_path = path;
    return data;
}

std::shared_ptr<TraceData> FxtReader::load(QIODevice* device, const Options& options, QString* error)
{
    FxtSource source;
    if (!source.open(device, error))
        return nullptr;
    if (source.format() == FxtFormat::Format::Fxt) {
        // Keep plain bytes in memory so that arguments can be decoded later.
        const qint64 start = device->pos();
        QByteArray bytes = device->readAll();
        device->seek(start);
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::ReadOnly);
        FxtSource memory;
        memory.open(&buffer, error);
        auto data = run(memory, false, options, error);
        if (data)
            data->m_bytes = bytes;
        return data;
    }
    return run(source, true, options, error);
}

std::shared_ptr<TraceData> FxtReader::loadBytes(const QByteArray& bytes, QString* error)
{
    QByteArray copy = bytes;
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    return load(&buffer, {}, error);
}
