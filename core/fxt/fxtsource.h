// SPDX-License-Identifier: MIT
#pragma once

#include "fxt/fxtformat.h"

#include <QByteArray>
#include <QString>
#include <memory>

class QFile;
class QIODevice;
class KCompressionDevice;

// The uncompressed bytes of a trace, delivered as a sequence of chunks. Plain files are memory-mapped a window at
// a time (so resident memory stays bounded); gzip/zstd/xz (detected by magic bytes) are decompressed through
// KCompressionDevice, and devices are read, on a thread of their own a few blocks ahead. The consumer says how much of
// each chunk it used; the rest (a record split across chunk boundaries) starts the next chunk.
class FxtSource
{
public:
    FxtSource();
    ~FxtSource();

    bool open(const QString& path, QString* error);
    // Reads from an open device (not owned), e.g. a QBuffer; no memory mapping.
    bool open(QIODevice* device, QString* error);

    FxtFormat::Format format() const { return m_format; }
    quint64 inputSize() const { return m_inputSize; } // bytes on disk (compressed size for compressed input)
    quint64 inputPosition() const; // bytes of input read so far, for progress
    bool isMapped() const { return m_mapped; }

    struct Chunk
    {
        const char* data = nullptr;
        qsizetype size = 0;
        quint64 offset = 0; // uncompressed offset of data[0]
        bool atEnd = false; // no data follows this chunk
    };
    // Returns the next chunk, which starts with the bytes of the previous chunk after its first `consumed` bytes.
    // False when the input failed (decompression error / read error): error() says why; the data delivered so far
    // stays valid and no further data will come.
    bool next(qsizetype consumed, Chunk* chunk);
    QString error() const { return m_error; }
    // Drops the mapped window / read buffer once the consumer is done with the last chunk, so that memory is
    // free for what comes next (the reader builds its model after the last chunk).
    void releaseBuffers();

    // Tests and the fuzzer: use tiny windows/reads so that records straddle chunk boundaries. 0 = defaults.
    static void setChunkBytesForTesting(qsizetype bytes);

private:
    FxtFormat::Format m_format = FxtFormat::Format::Fxt;
    std::unique_ptr<QFile> m_file;
    QIODevice* m_input = nullptr; // file or the caller's device
    std::unique_ptr<KCompressionDevice> m_decompressor;
    QIODevice* m_stream = nullptr; // what uncompressed bytes are read from (streaming mode)
    bool m_mapped = false;
    quint64 m_inputSize = 0;
    QString m_error;

    // mapped mode
    uchar* m_window = nullptr;
    quint64 m_windowOffset = 0;
    qsizetype m_windowSize = 0;
    // streamed input: reading and decompression on a thread of their own (declared last: stops before the
    // devices go)
    class Prefetcher;
    std::unique_ptr<Prefetcher> m_prefetcher;
};
