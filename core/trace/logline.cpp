// SPDX-License-Identifier: MIT
#include "trace/logline.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

LogLine::Kind LogLine::classify(QStringView text)
{
    const QStringView t = text.trimmed();
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
    if (t.startsWith(u"[ ") && t.endsWith(u']'))
        return Kind::Progress;
    if (t.startsWith(u"Visit https://magic-trace.org/") || t.startsWith(u"Open http://"))
        return Kind::Progress;
    if (t.startsWith(u"Warning", Qt::CaseInsensitive) || t.startsWith(u"WARNING"))
        return Kind::Warning;
    if (t.startsWith(u"Intel PT support not found") || t.startsWith(u"Multiple snapshot symbols"))
        return Kind::Warning;
    if (t.startsWith(u"Error", Qt::CaseInsensitive) || t.startsWith(u"(monitor.ml.Error") || t.startsWith(u"(Unix.Exit")
        || t.startsWith(u"(Unix.Unix_error") || t.startsWith(u"BUG:") || t.startsWith(u"magic-trace relies on")
        || t.startsWith(u"magic-trace must be run as root") || t.startsWith(u"Snapshot symbol not found")
        || t.startsWith(u"Duplicate PIDs") || t.startsWith(u"The [-pid] argument is mandatory")
        || t.startsWith(u"Cannot select a snapshot symbol") || t.startsWith(u"As far as magic-trace can tell")
        || t.startsWith(u"This machine doesn't support") || t.startsWith(u"Access to performance monitoring")
        || t.startsWith(u"Permission error mapping pages") || t.startsWith(u"Consider adjusting")
        || t.startsWith(u"perf_event_paranoid setting is"))
        return Kind::Error;
    return Kind::Other;
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
    while (pos < size) {
        // Find the next line end in the rest of this chunk.
        qsizetype end = pos;
        while (end < size && bytes[end] != '\n' && bytes[end] != '\r')
            ++end;
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

LogBuffer::LogBuffer(qsizetype headLines, qsizetype tailLines)
    : m_headLimit(headLines)
    , m_tailLimit(tailLines)
{ }

void LogBuffer::append(const LogLine& line)
{
    ++m_total;
    m_totalBytes += line.text.size() + 1;
    if (m_head.size() < m_headLimit) {
        m_head.append(line);
        return;
    }
    if (m_tailLimit <= 0)
        return;
    if (qsizetype(m_tail.size()) >= m_tailLimit)
        m_tail.pop_front();
    m_tail.push_back(line);
}

QList<LogLine> LogBuffer::lines() const
{
    QList<LogLine> result = m_head;
    result.reserve(m_head.size() + qsizetype(m_tail.size()));
    for (const LogLine& line : m_tail)
        result.append(line);
    return result;
}
