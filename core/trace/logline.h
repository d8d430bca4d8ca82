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

// The in-memory part of a session's log: bounded. Keeps the first headLines lines and the last tailLines lines
// (the lines that explain a failure are at the start, before a flood, or at the end), and counts the rest.
class LogBuffer
{
public:
    explicit LogBuffer(qsizetype headLines = 200, qsizetype tailLines = 2000);
    void append(const LogLine& line);
    // Head, then tail, in order. If lines were dropped in between, droppedLines() says how many.
    QList<LogLine> lines() const;
    qint64 totalLines() const { return m_total; }
    qint64 droppedLines() const { return m_total - qint64(m_head.size() + m_tail.size()); }
    qint64 totalBytes() const { return m_totalBytes; }

private:
    qsizetype m_headLimit;
    qsizetype m_tailLimit;
    QList<LogLine> m_head;
    std::deque<LogLine> m_tail;
    qint64 m_total = 0;
    qint64 m_totalBytes = 0;
};
