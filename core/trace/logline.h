// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMetaType>
#include <QString>
#include <deque>
#include <functional>

// One line magic-trace (or perf, or the traced program) wrote on stdout or stderr.
struct LogLine
{
    enum class Stream : quint8 { StdErr, StdOut };
    // Progress: one of magic-trace's "[ ... ]" protocol markers and "Visit ... to view trace." Warning/Error:
    // what magic-trace, perf or Core print as such. Other: anything else (the traced program's output, etc.).
    enum class Kind : quint8 { Progress, Warning, Error, Other };

    qint64 timeMs = 0; // wall clock, ms since the epoch, when the line was read
    qint64 elapsedNs = 0; // monotonic, ns since the session started
    QString text; // without the line end; invalid UTF-8 replaced by U+FFFD
    Stream stream = Stream::StdErr;
    Kind kind = Kind::Other;
    bool truncated = false; // the line was longer than LineSplitter::maxLineLength and was cut

    static Kind classify(QStringView text);
    // The same answer as classify(QString::fromUtf8(utf8)), without decoding when the line starts and ends in
    // ASCII (the common case, and every marker).
    static Kind classifyUtf8(QByteArrayView utf8);
    // "12:34:56.789 E| text" (E = stderr, O = stdout): the form written to the log file.
    QString toLogFileLine() const;
    static QString kindName(Kind kind);
};
Q_DECLARE_METATYPE(LogLine)

// Splits a byte stream into lines across partial reads. "\n", "\r\n" and a lone "\r" end a line (progress bars
// redraw with "\r"); a line longer than maxLineLength is cut and the rest dropped up to its end, so that one
// endless line cannot take unbounded memory.
class LineSplitter
{
public:
    static constexpr qsizetype maxLineLength = 16 * 1024;

    // Calls onLine(bytes, truncated) for each complete line in data.
    void feed(QByteArrayView data, const std::function<void(QByteArrayView, bool)>& onLine);
    // Emits what is left as a last line (at end of stream).
    void finish(const std::function<void(QByteArrayView, bool)>& onLine);
    qsizetype pendingBytes() const { return m_pending.size(); }

private:
    QByteArray m_pending;
    bool m_skippingRest = false; // inside an over-long line whose head was already emitted
    bool m_lastWasCr = false; // a "\r" ended the previous chunk: a following "\n" belongs to it
};

// The complete lines of one read of one stream, as raw bytes: they share a read time and are decoded only when
// asked for (a flood of lines costs no QString per line). Implicitly shared, cheap to copy and to queue.
class LogBatch
{
public:
    LogBatch() = default;
    LogBatch(LogLine::Stream stream, qint64 timeMs, qint64 elapsedNs);

    void reserve(qsizetype lines, qsizetype bytes);
    // Gives back what a reserve() left unused (the batch may be kept a long time, e.g. a read of one cut line).
    void squeeze();
    void append(QByteArrayView bytes, bool truncated, LogLine::Kind kind);
    // Appends line.text (as UTF-8); the batch takes its stream and times if it is empty.
    void append(const LogLine& line);

    qsizetype size() const { return m_lines.size(); }
    bool isEmpty() const { return m_lines.isEmpty(); }
    LogLine::Stream stream() const { return m_stream; }
    qint64 timeMs() const { return m_timeMs; }
    qint64 elapsedNs() const { return m_elapsedNs; }
    // Sum of the lines' sizes in bytes, each counted with one line end.
    qint64 byteCount() const { return m_bytes.size() + m_lines.size(); }

    QByteArrayView bytes(qsizetype index) const;
    QString text(qsizetype index) const { return QString::fromUtf8(bytes(index)); }
    LogLine::Kind kind(qsizetype index) const { return m_lines.at(index).kind; }
    bool isTruncated(qsizetype index) const { return m_lines.at(index).truncated; }
    LogLine line(qsizetype index) const;

private:
    struct Entry
    {
        qsizetype offset = 0;
        qsizetype length = 0;
        LogLine::Kind kind = LogLine::Kind::Other;
        bool truncated = false;
    };
    QByteArray m_bytes; // the lines back to back, without line ends
    QList<Entry> m_lines;
    qint64 m_timeMs = 0;
    qint64 m_elapsedNs = 0;
    LogLine::Stream m_stream = LogLine::Stream::StdErr;
};
Q_DECLARE_METATYPE(LogBatch)

// The in-memory part of a session's log: bounded. Keeps the first headLines lines and the last tailLines lines
// (the lines that explain a failure are at the start, before a flood, or at the end), and counts the rest.
// The tail holds the batches its lines came in (raw bytes, decoded by lines()), so appending a line costs no
// allocation of its own.
class LogBuffer
{
public:
    explicit LogBuffer(qsizetype headLines = 200, qsizetype tailLines = 2000);
    void append(const LogLine& line);
    void append(const LogBatch& batch);
    // Head, then tail, in order. If lines were dropped in between, droppedLines() says how many.
    QList<LogLine> lines() const;
    qint64 totalLines() const { return m_total; }
    qint64 droppedLines() const { return m_total - qint64(m_head.size()) - m_tailLines; }
    // UTF-8 bytes of all lines appended, each counted with one line end.
    qint64 totalBytes() const { return m_totalBytes; }

private:
    struct TailPart
    {
        LogBatch batch;
        qsizetype first = 0; // the lines before it are dropped (or in the head)
    };
    void appendTail(const LogBatch& batch, qsizetype first);

    qsizetype m_headLimit;
    qsizetype m_tailLimit;
    QList<LogLine> m_head;
    std::deque<TailPart> m_tail;
    qint64 m_tailLines = 0;
    qint64 m_total = 0;
    qint64 m_totalBytes = 0;
};
