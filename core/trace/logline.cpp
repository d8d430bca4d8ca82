// SPDX-License-Identifier: MIT
#include "trace/logline.h"

#include <QDateTime>

#include <cstring>

using namespace Qt::StringLiterals;

namespace {

// t is trimmed. View is QStringView or, for lines that start and end in ASCII, QLatin1StringView over the UTF-8
// bytes: every pattern is ASCII, and no non-ASCII Latin-1 character folds to an ASCII one, so both answer alike.
template<typename View> LogLine::Kind classifyTrimmed(View t)
{
    using Kind = LogLine::Kind;
    if (t.isEmpty())
        return Kind::Other;
    // Every known marker starts with one of these; most program output and floods are decided here at once.
    switch (t.front().unicode()) {
    case u'[':
    case u'V':
    case u'O':
    case u'W':
    case u'w':
    case u'I':
    case u'M':
    case u'E':
    case u'e':
    case u'(':
    case u'B':
    case u'm':
    case u'S':
    case u'D':
    case u'T':
    case u'C':
    case u'A':
    case u'P':
    case u'p':
        break;
    default:
        return Kind::Other;
    }
    // magic-trace's markers: "[ Attached. ...]", "[ Got signal, ...]", "[ perf record: ... ]", ...
    if (t.startsWith("[ "_L1) && t.endsWith(u']'))
        return Kind::Progress;
    if (t.startsWith("Visit https://magic-trace.org/"_L1) || t.startsWith("Open http://"_L1))
        return Kind::Progress;
    if (t.startsWith("Warning"_L1, Qt::CaseInsensitive) || t.startsWith("WARNING"_L1))
        return Kind::Warning;
    if (t.startsWith("Intel PT support not found"_L1) || t.startsWith("Multiple snapshot symbols"_L1))
        return Kind::Warning;
    if (t.startsWith("Error"_L1, Qt::CaseInsensitive) || t.startsWith("(monitor.ml.Error"_L1)
        || t.startsWith("(Unix.Exit"_L1) || t.startsWith("(Unix.Unix_error"_L1) || t.startsWith("BUG:"_L1)
        || t.startsWith("magic-trace relies on"_L1) || t.startsWith("magic-trace must be run as root"_L1)
        || t.startsWith("Snapshot symbol not found"_L1) || t.startsWith("Duplicate PIDs"_L1)
        || t.startsWith("The [-pid] argument is mandatory"_L1) || t.startsWith("Cannot select a snapshot symbol"_L1)
        || t.startsWith("As far as magic-trace can tell"_L1) || t.startsWith("This machine doesn't support"_L1)
        || t.startsWith("Access to performance monitoring"_L1) || t.startsWith("Permission error mapping pages"_L1)
        || t.startsWith("Consider adjusting"_L1) || t.startsWith("perf_event_paranoid setting is"_L1))
        return Kind::Error;
    return Kind::Other;
}

constexpr bool isAsciiSpace(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r'); // QChar::isSpace() below U+0080
}

} // namespace

LogLine::Kind LogLine::classify(QStringView text)
{
    return classifyTrimmed(text.trimmed());
}

LogLine::Kind LogLine::classifyUtf8(QByteArrayView utf8)
{
    qsizetype begin = 0;
    qsizetype end = utf8.size();
    while (begin < end && isAsciiSpace(utf8[begin]))
        ++begin;
    while (end > begin && isAsciiSpace(utf8[end - 1]))
        --end;
    if (begin == end)
        return Kind::Other;
    // A non-ASCII first or last character may be a Unicode space that trimmed() would remove: decode.
    if (uchar(utf8[begin]) >= 0x80 || uchar(utf8[end - 1]) >= 0x80)
        return classify(QString::fromUtf8(utf8));
    return classifyTrimmed(QLatin1StringView(utf8.sliced(begin, end - begin)));
}

QString LogLine::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Progress:
        return u"progress"_s;
    case Kind::Warning:
        return u"warning"_s;
    case Kind::Error:
        return u"error"_s;
    case Kind::Other:
        break;
    }
    return u"other"_s;
}

QString LogLine::toLogFileLine() const
{
    const QString time = QDateTime::fromMSecsSinceEpoch(timeMs).toString(u"HH:mm:ss.zzz"_s);
    return time + (stream == Stream::StdErr ? u" E| "_s : u" O| "_s) + text + (truncated ? u" [line cut]"_s : QString())
        + u'\n';
}

void LineSplitter::feed(QByteArrayView data, const std::function<void(QByteArrayView, bool)>& onLine)
{
    qsizetype pos = 0;
    const qsizetype size = data.size();
    const char* bytes = data.data();
    if (m_lastWasCr && size > 0 && bytes[0] == '\n')
        pos = 1;
    m_lastWasCr = false;
    qsizetype newline = -1; // the next "\n" at or after pos (size: none left); every byte is searched once
    while (pos < size) {
        // Find the next line end in the rest of this chunk: a "\r" before the next "\n", or that "\n".
        if (newline < pos) {
            const void* found = std::memchr(bytes + pos, '\n', size_t(size - pos));
            newline = found ? static_cast<const char*>(found) - bytes : size;
        }
        const void* cr = std::memchr(bytes + pos, '\r', size_t(newline - pos));
        qsizetype end = cr ? static_cast<const char*>(cr) - bytes : newline;
        const QByteArrayView piece(bytes + pos, end - pos);
        if (end == size) {
            // No line end: keep the piece for the next read, within the line length limit.
            if (!m_skippingRest) {
                const qsizetype room = maxLineLength - m_pending.size();
                if (piece.size() <= room) {
                    m_pending.append(piece);
                } else {
                    m_pending.append(piece.first(room));
                    onLine(m_pending, true);
                    m_pending.clear();
                    m_skippingRest = true;
                }
            }
            return;
        }
        if (m_skippingRest) {
            m_skippingRest = false;
        } else if (m_pending.isEmpty()) {
            if (piece.size() <= maxLineLength)
                onLine(piece, false);
            else
                onLine(piece.first(maxLineLength), true);
        } else {
            const qsizetype room = maxLineLength - m_pending.size();
            const bool cut = piece.size() > room;
            m_pending.append(cut ? piece.first(room) : piece);
            onLine(m_pending, cut);
            m_pending.clear();
        }
        // Consume the line end; "\r\n" counts once, also when split across two reads.
        if (bytes[end] == '\r') {
            if (end + 1 < size) {
                if (bytes[end + 1] == '\n')
                    ++end;
            } else {
                m_lastWasCr = true;
            }
        }
        pos = end + 1;
    }
}

void LineSplitter::finish(const std::function<void(QByteArrayView, bool)>& onLine)
{
    if (!m_pending.isEmpty())
        onLine(m_pending, false);
    m_pending.clear();
    m_skippingRest = false;
    m_lastWasCr = false;
}

LogBatch::LogBatch(LogLine::Stream stream, qint64 timeMs, qint64 elapsedNs)
    : m_timeMs(timeMs)
    , m_elapsedNs(elapsedNs)
    , m_stream(stream)
{ }

void LogBatch::reserve(qsizetype lines, qsizetype bytes)
{
    m_lines.reserve(lines);
    m_bytes.reserve(bytes);
}

void LogBatch::squeeze()
{
    if (m_bytes.capacity() > m_bytes.size() + m_bytes.size() / 4 + 64)
        m_bytes.squeeze();
    if (m_lines.capacity() > m_lines.size() + m_lines.size() / 4 + 4)
        m_lines.squeeze();
}

void LogBatch::append(QByteArrayView bytes, bool truncated, LogLine::Kind kind)
{
    m_lines.append({ m_bytes.size(), bytes.size(), kind, truncated });
    m_bytes.append(bytes);
}

void LogBatch::append(const LogLine& line)
{
    if (m_lines.isEmpty()) {
        m_stream = line.stream;
        m_timeMs = line.timeMs;
        m_elapsedNs = line.elapsedNs;
    }
    append(line.text.toUtf8(), line.truncated, line.kind);
}

QByteArrayView LogBatch::bytes(qsizetype index) const
{
    const Entry& e = m_lines.at(index);
    return QByteArrayView(m_bytes).sliced(e.offset, e.length);
}

LogLine LogBatch::line(qsizetype index) const
{
    const Entry& e = m_lines.at(index);
    LogLine line;
    line.timeMs = m_timeMs;
    line.elapsedNs = m_elapsedNs;
    line.text = QString::fromUtf8(QByteArrayView(m_bytes).sliced(e.offset, e.length));
    line.stream = m_stream;
    line.kind = e.kind;
    line.truncated = e.truncated;
    return line;
}

LogBuffer::LogBuffer(qsizetype headLines, qsizetype tailLines)
    : m_headLimit(headLines)
    , m_tailLimit(tailLines)
{ }

void LogBuffer::append(const LogLine& line)
{
    ++m_total;
    m_totalBytes += line.text.toUtf8().size() + 1;
    if (m_head.size() < m_headLimit) {
        m_head.append(line);
        return;
    }
    LogBatch batch;
    batch.append(line);
    appendTail(batch, 0);
}

void LogBuffer::append(const LogBatch& batch)
{
    m_total += batch.size();
    m_totalBytes += batch.byteCount();
    qsizetype first = 0;
    while (first < batch.size() && m_head.size() < m_headLimit)
        m_head.append(batch.line(first++));
    if (first < batch.size())
        appendTail(batch, first);
}

void LogBuffer::appendTail(const LogBatch& batch, qsizetype first)
{
    if (m_tailLimit <= 0)
        return;
    // Only the last tailLimit lines of a big batch can stay.
    first = std::max(first, batch.size() - m_tailLimit);
    m_tail.push_back({ batch, first });
    m_tailLines += batch.size() - first;
    while (m_tailLines > m_tailLimit) {
        TailPart& front = m_tail.front();
        const qint64 excess = m_tailLines - m_tailLimit;
        const qsizetype available = front.batch.size() - front.first;
        if (available <= excess) {
            m_tailLines -= available;
            m_tail.pop_front();
        } else {
            front.first += qsizetype(excess);
            m_tailLines -= excess;
        }
    }
}

QList<LogLine> LogBuffer::lines() const
{
    QList<LogLine> result = m_head;
    result.reserve(m_head.size() + qsizetype(m_tailLines));
    for (const TailPart& part : m_tail) {
        for (qsizetype i = part.first; i < part.batch.size(); ++i)
            result.append(part.batch.line(i));
    }
    return result;
}
