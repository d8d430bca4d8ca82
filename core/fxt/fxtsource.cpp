// SPDX-License-Identifier: MIT
#include "fxt/fxtsource.h"

#include <KCompressionDevice>
#include <QCoreApplication>
#include <QFile>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

namespace {

// Windows are far larger than the largest normal record (32 KiB); a record split across windows is simply
// re-mapped at the start of the next one. A window is resident while the model grows beside it, so it is kept
// small enough not to matter for peak memory.
constexpr qsizetype kWindowBytes = 8 << 20;
constexpr qsizetype kReadBytes = 4 << 20;
std::atomic<qsizetype> testChunkBytes { 0 };

qsizetype windowBytes()
{
    const qsizetype t = testChunkBytes.load(std::memory_order_relaxed);
    return t > 0 ? t : kWindowBytes;
}

qsizetype readBytes()
{
    const qsizetype t = testChunkBytes.load(std::memory_order_relaxed);
    return t > 0 ? t : kReadBytes;
}

QString tr(const char* text)
{
    return QCoreApplication::translate("FxtSource", text);
}

} // namespace

// Decompression runs on a thread of its own, a few blocks ahead of the parser, so that a compressed load takes
// about as long as the slower of the two instead of their sum. Blocks leave room in front of their data, where
// the consumer puts the unconsumed tail of the previous block (a record split across blocks) without copying
// the block itself.
class FxtSource::Prefetcher
{
public:
    static constexpr qsizetype kHeadroom = 64 << 10;
    static constexpr size_t kQueued = 4;

    struct Block
    {
        std::unique_ptr<char[]> bytes; // kHeadroom + capacity
        qsizetype capacity = 0;
        qsizetype size = 0;
        bool last = false; // no block follows
        QString error; // set on the last block when the input failed
        char* data() const { return bytes.get() + kHeadroom; }
    };

    Prefetcher(QIODevice* stream, QIODevice* input, KCompressionDevice* decompressor, FxtFormat::Format format)
        : m_stream(stream)
        , m_input(input)
        , m_decompressor(decompressor)
        , m_format(format)
        , m_thread([this] { run(); })
    { }
    ~Prefetcher()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_changed.notify_all();
        m_thread.join();
    }

    Block take()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_ready.empty(); });
        Block block = std::move(m_ready.front());
        m_ready.pop_front();
        m_changed.notify_all();
        return block;
    }
    void recycle(Block&& block)
    {
        if (!block.bytes)
            return;
        std::lock_guard lock(m_mutex);
        if (m_free.size() < kQueued + 2)
            m_free.push_back(std::move(block));
    }
    quint64 inputPosition() const { return m_inputPosition.load(std::memory_order_relaxed); }

    // FxtSource::next() for streamed input.
    bool next(qsizetype consumed, Chunk* chunk, QString* error)
    {
        if (m_started) {
            m_data += consumed;
            m_size -= consumed;
            m_offset += quint64(consumed);
        }
        m_started = true;
        bool ok = true;
        if (!m_ended) {
            Block block = take();
            const qsizetype tail = m_size;
            bool inBlock = true;
            if (tail <= kHeadroom) {
                char* start = block.data() - tail;
                if (tail > 0)
                    std::memcpy(start, m_data, size_t(tail));
                m_data = start;
            } else { // a record longer than the headroom: join the two
                QByteArray joined;
                joined.reserve(tail + block.size);
                joined.append(m_data, tail);
                joined.append(block.data(), block.size);
                m_spill = std::move(joined);
                m_data = m_spill.constData();
                inBlock = false;
            }
            m_size = tail + block.size;
            if (block.last) {
                m_ended = true;
                if (!block.error.isEmpty()) {
                    ok = false;
                    *error = block.error;
                }
            }
            recycle(std::move(m_current));
            if (inBlock) {
                m_spill = QByteArray();
                m_current = std::move(block);
            } else {
                recycle(std::move(block));
            }
        }
        chunk->data = m_data;
        chunk->size = m_size;
        chunk->offset = m_offset;
        chunk->atEnd = m_ended;
        return ok;
    }

private:
    void run()
    {
        // Reads grow from 64 KiB to the full block size, so that small traces cost little.
        qsizetype want = std::min<qsizetype>(64 << 10, readBytes());
        bool last = false;
        while (!last) {
            Block block;
            {
                std::unique_lock lock(m_mutex);
                m_changed.wait(lock, [this] { return m_stop || m_ready.size() < kQueued; });
                if (m_stop)
                    return;
                if (!m_free.empty() && m_free.back().capacity >= want) {
                    block = std::move(m_free.back());
                    m_free.pop_back();
                }
            }
            if (!block.bytes) {
                block.bytes.reset(new char[size_t(kHeadroom + want)]);
                block.capacity = want;
            }
            block.size = 0;
            block.error.clear();
            fill(block);
            last = block.last;
            want = std::min(want * 4, readBytes());
            {
                std::lock_guard lock(m_mutex);
                m_ready.push_back(std::move(block));
            }
            m_changed.notify_all();
        }
    }

    void fill(Block& block)
    {
        while (block.size < block.capacity) {
            const qint64 n = m_stream->read(block.data() + block.size, block.capacity - block.size);
            m_inputPosition.store(quint64(std::max<qint64>(m_input->pos(), 0)), std::memory_order_relaxed);
            if (n < 0) {
                block.last = true;
                block.error = m_decompressor ? tr("%1 data is damaged").arg(FxtFormat::name(m_format))
                                             : tr("read error: %1").arg(m_stream->errorString());
                return;
            }
            if (n == 0) {
                block.last = true;
                // KCompressionDevice reports a stream cut short (no end marker) only through atEnd().
                if (m_decompressor && !m_decompressor->atEnd())
                    block.error
                        = tr("%1 data ends unexpectedly (the file is truncated)").arg(FxtFormat::name(m_format));
                return;
            }
            block.size += n;
        }
    }

    QIODevice* m_stream;
    QIODevice* m_input;
    KCompressionDevice* m_decompressor;
    FxtFormat::Format m_format;
    std::atomic<quint64> m_inputPosition { 0 };
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Block> m_ready;
    std::vector<Block> m_free;
    bool m_stop = false;
    // consumer side
    Block m_current;
    QByteArray m_spill;
    const char* m_data = nullptr;
    qsizetype m_size = 0;
    quint64 m_offset = 0;
    bool m_started = false;
    bool m_ended = false;
    std::thread m_thread; // last: starts once everything above exists
};

void FxtSource::setChunkBytesForTesting(qsizetype bytes)
{
    testChunkBytes = bytes;
}

FxtSource::FxtSource() = default;

FxtSource::~FxtSource()
{
    releaseBuffers();
}

void FxtSource::releaseBuffers()
{
    if (m_window && m_file)
        m_file->unmap(m_window);
    m_window = nullptr;
    m_windowSize = 0;
    m_prefetcher.reset();
    m_stream = nullptr;
}

bool FxtSource::open(const QString& path, QString* error)
{
    m_file = std::make_unique<QFile>(path);
    if (!m_file->open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        if (error)
            *error = tr("cannot open %1: %2").arg(path, m_file->errorString());
        return false;
    }
    m_inputSize = quint64(m_file->size());
    m_format = FxtFormat::sniff(m_file->peek(8));
    if (m_format == FxtFormat::Format::Fxt && m_file->size() > 0) {
        // Probe that mapping works (it does not for pipes or some special files); else stream.
        uchar* probe = m_file->map(0, std::min<qint64>(m_file->size(), 8));
        if (probe) {
            m_file->unmap(probe);
            m_mapped = true;
            return true;
        }
    }
    return open(m_file.get(), error);
}

bool FxtSource::open(QIODevice* device, QString* error)
{
    m_input = device;
    if (!m_file || device != m_file.get()) {
        m_inputSize = quint64(std::max<qint64>(device->size(), 0));
        m_format = FxtFormat::sniff(device->peek(8));
    }
    m_mapped = false;
    if (m_format == FxtFormat::Format::Fxt) {
        m_stream = device;
        return true;
    }
    m_decompressor = std::make_unique<KCompressionDevice>(device, false, FxtFormat::compressionType(m_format));
    if (!m_decompressor->open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("cannot start %1 decompression").arg(FxtFormat::name(m_format));
        return false;
    }
    m_stream = m_decompressor.get();
    return true;
}

quint64 FxtSource::inputPosition() const
{
    if (m_mapped)
        return m_windowOffset + quint64(m_windowSize);
    return m_prefetcher ? m_prefetcher->inputPosition() : 0;
}

bool FxtSource::next(qsizetype consumed, Chunk* chunk)
{
    if (m_mapped) {
        quint64 offset = 0;
        qsizetype want = windowBytes();
        if (m_window) {
            offset = m_windowOffset + quint64(consumed);
            m_file->unmap(m_window);
            m_window = nullptr;
            if (consumed == 0) // a record larger than the window: map more of it
                want = std::max(want, m_windowSize * 2);
        }
        const quint64 size = m_inputSize;
        const qsizetype length = qsizetype(std::min<quint64>(size - std::min(offset, size), quint64(want)));
        m_windowOffset = offset;
        m_windowSize = length;
        chunk->offset = offset;
        chunk->size = length;
        chunk->atEnd = offset + quint64(length) >= size;
        if (length == 0) {
            chunk->data = nullptr;
            return true;
        }
        m_window = m_file->map(qint64(offset), length);
        if (!m_window) {
            m_error = tr("cannot map the file: %1").arg(m_file->errorString());
            m_windowSize = 0;
            chunk->size = 0;
            chunk->atEnd = true;
            return false;
        }
#ifdef MADV_POPULATE_READ
        // Fill the window's page tables in one call instead of one page fault per 4 KiB (ignored where unsupported).
        const quintptr page = quintptr(sysconf(_SC_PAGESIZE));
        const quintptr start = quintptr(m_window) & ~(page - 1);
        madvise(
            reinterpret_cast<void*>(start), size_t(quintptr(m_window) + quintptr(length) - start), MADV_POPULATE_READ);
#endif
        chunk->data = reinterpret_cast<const char*>(m_window);
        return true;
    }

    if (!m_prefetcher) {
        if (!m_stream) { // not opened, or released
            *chunk = Chunk { nullptr, 0, 0, true };
            return false;
        }
        // Started on first use only: until then the caller may still use the device itself.
        m_prefetcher = std::make_unique<Prefetcher>(m_stream, m_input, m_decompressor.get(), m_format);
    }
    return m_prefetcher->next(consumed, chunk, &m_error);
}
