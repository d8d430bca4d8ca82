// SPDX-License-Identifier: MIT
#include "fxt/fxtinspect.h"

#include "fxt/fxtreader.h"
#include "fxt/tracedata.h"
#include "util/duration.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QStringList>
#include <QTimeZone>
#include <numeric>

using namespace Qt::StringLiterals;

namespace {

QByteArray jsonString(QByteArrayView utf8)
{
    // Strings come from the file: re-encode through QString so invalid UTF-8 becomes U+FFFD.
    const QString text = QString::fromUtf8(utf8);
    QByteArray out;
    out.reserve(text.size() + 2);
    out += '"';
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u'"')
            out += "\\\"";
        else if (u == u'\\')
            out += "\\\\";
        else if (u == u'\n')
            out += "\\n";
        else if (u == u'\r')
            out += "\\r";
        else if (u == u'\t')
            out += "\\t";
        else if (u < 0x20 || (u >= 0x7f && u < 0xa0) || c.isSurrogate() || u == 0x2028 || u == 0x2029)
            out += "\\u" + QByteArray::number(u, 16).rightJustified(4, '0');
        else
            out += QString(c).toUtf8();
    }
    out += '"';
    return out;
}

QByteArray number(quint64 v)
{
    return QByteArray::number(v);
}

QByteArray optionalNumber(const std::optional<quint64>& v)
{
    return v ? number(*v) : QByteArray("null");
}

const char* const kRecordNames[16] = { "metadata", "initialization", "string", "thread", "event", "blob",
    "userspace_object", "kernel_object", "scheduling", "log", nullptr, nullptr, nullptr, nullptr, nullptr, "large" };

} // namespace

namespace FxtInspect {

int exitStatus(const TraceData& data)
{
    return data.summary().anomaly(FxtAnomaly::BadMagic) ? 2 : 0;
}

QByteArray json(const TraceData& data)
{
    const FxtSummary& s = data.summary();
    QByteArray o;
    o += "{\n";
    o += "  \"format\": " + jsonString(FxtFormat::name(s.format).toUtf8()) + ",\n";
    o += "  \"bytes\": " + number(s.fileBytes) + ",\n";
    o += "  \"fxt_bytes\": " + number(s.fxtBytes) + ",\n";
    o += QByteArray("  \"complete\": ") + (s.complete ? "true" : "false") + ",\n";
    o += "  \"ticks_per_second\": " + optionalNumber(s.ticksPerSecond) + ",\n";
    o += "  \"providers\": [";
    for (size_t i = 0; i < s.providers.size(); ++i)
        o += QByteArray(i ? ", " : "") + "{\"id\": " + number(s.providers[i].id)
            + ", \"name\": " + jsonString(s.providers[i].name.toUtf8()) + "}";
    o += "],\n";
    o += "  \"records\": {";
    quint64 unknownRecords = 0;
    for (int t = 10; t <= 14; ++t)
        unknownRecords += s.records[size_t(t)];
    bool first = true;
    for (int t = 0; t < 16; ++t) {
        if (!kRecordNames[t])
            continue;
        o += QByteArray(first ? "" : ", ") + "\"" + kRecordNames[t] + "\": " + number(s.records[size_t(t)]);
        first = false;
    }
    o += ", \"unknown\": " + number(unknownRecords) + "},\n";
    o += "  \"events\": {";
    for (int t = 0; t <= 10; ++t)
        o += QByteArray(t ? ", " : "") + "\"" + QByteArray::number(t) + "\": " + number(s.events[size_t(t)]);
    o += ", \"unknown\": " + number(s.events[11]) + "},\n";
    o += "  \"processes\": [";
    const auto& threads = data.threads();
    for (size_t p = 0; p < data.processes().size(); ++p) {
        const TraceProcess& process = data.processes()[p];
        o += QByteArray(p ? ",\n    " : "\n    ") + "{\"koid\": " + number(process.pid)
            + ", \"name\": " + jsonString(data.stringUtf8(process.nameId)) + ", \"threads\": [";
        for (size_t i = 0; i < process.threads.size(); ++i) {
            const TraceThread& t = threads[size_t(process.threads[i])];
            o += QByteArray(i ? ", " : "") + "{\"koid\": " + number(t.tid)
                + ", \"name\": " + jsonString(data.stringUtf8(t.nameId)) + ", \"slices\": " + number(t.sliceCount)
                + ", \"max_depth\": " + QByteArray::number(t.maxDepth) + "}";
        }
        o += "]}";
    }
    o += data.processes().empty() ? "],\n" : "\n  ],\n";
    o += "  \"slices\": " + number(data.sliceCount()) + ",\n";
    o += "  \"max_depth\": " + QByteArray::number(data.maxDepth()) + ",\n";
    o += "  \"unmatched_ends\": " + number(s.unmatchedEnds) + ",\n";
    o += "  \"unclosed_begins\": " + number(s.unclosedBegins) + ",\n";
    o += "  \"start_ns\": " + optionalNumber(s.startNs) + ",\n";
    o += "  \"end_ns\": " + optionalNumber(s.endNs) + ",\n";
    o += "  \"anomalies\": {";
    first = true;
    for (size_t a = 0; a < size_t(FxtAnomaly::Count); ++a) {
        if (!s.anomalies[a])
            continue;
        o += QByteArray(first ? "" : ", ") + jsonString(fxtAnomalyName(FxtAnomaly(a)).toUtf8()) + ": "
            + number(s.anomalies[a]);
        first = false;
    }
    o += "},\n";
    if (s.complete || !s.errorOffset)
        o += "  \"error\": null\n";
    else
        o += "  \"error\": {\"offset\": " + number(*s.errorOffset)
            + ", \"message\": " + jsonString(s.errorMessage.toUtf8()) + "}\n";
    o += "}\n";
    return o;
}

QString text(const TraceData& data, const QString& path, int topFunctions)
{
    const FxtSummary& s = data.summary();
    QString o;
    const auto tr = [](const char* t) { return QCoreApplication::translate("FxtInspect", t); };
    o += tr("%1: %2, %3 bytes (%4 bytes of FXT)\n")
             .arg(path, FxtFormat::name(s.format).toUpper())
             .arg(s.fileBytes)
             .arg(s.fxtBytes);
    if (s.startNs && s.endNs) {
        o += tr("Time span: %1 (%2 ns to %3 ns)")
                 .arg(Duration::format(qint64(*s.endNs - *s.startNs)))
                 .arg(*s.startNs)
                 .arg(*s.endNs);
        if (const auto wall = s.wallClockNs(*s.startNs))
            o += tr(", starting %1 UTC")
                     .arg(QDateTime::fromMSecsSinceEpoch(*wall / 1'000'000, QTimeZone::UTC)
                              .toString(u"yyyy-MM-dd hh:mm:ss.zzz"_s));
        o += u'\n';
    } else {
        o += tr("No events.\n");
    }
    if (s.ticksPerSecond)
        o += tr("Tick rate: %1 ticks/s\n").arg(*s.ticksPerSecond);
    o += tr("Records: %1, events: %2, slices: %3, maximum depth: %4\n")
             .arg(std::accumulate(s.records.begin(), s.records.end(), quint64(0)))
             .arg(s.records[4])
             .arg(data.sliceCount())
             .arg(data.maxDepth());
    o += tr("Processes: %1\n").arg(data.processes().size());
    for (const TraceProcess& p : data.processes()) {
        o += u"  "_s + tr("process %1 \"%2\"\n").arg(p.pid).arg(data.string(p.nameId));
        for (int index : p.threads) {
            const TraceThread& t = data.threads()[size_t(index)];
            o += u"    "_s
                + tr("thread %1 \"%2\": %3 slices, depth %4\n")
                      .arg(t.tid)
                      .arg(data.string(t.nameId))
                      .arg(t.sliceCount)
                      .arg(t.maxDepth);
        }
    }
    if (!data.functions().empty()) {
        o += tr("Top functions by total time:\n");
        int shown = 0;
        for (const FunctionStats& f : data.functions()) {
            if (shown++ >= topFunctions)
                break;
            o += u"  %1  total %2  self %3  calls %4\n"_s.arg(data.string(f.nameId).left(60), -60)
                     .arg(Duration::format(qint64(f.totalNs)), 10)
                     .arg(Duration::format(qint64(f.selfNs)), 10)
                     .arg(f.calls);
        }
    }
    if (!data.counters().empty())
        o += tr("Counter series: %1\n").arg(data.counters().size());
    if (!data.asyncSpans().empty())
        o += tr("Async spans: %1\n").arg(data.asyncSpans().size());
    if (!data.flows().empty())
        o += tr("Flow events: %1\n").arg(data.flows().size());
    if (s.unmatchedEnds || s.unclosedBegins)
        o += tr("Unmatched ends: %1, unclosed begins: %2\n").arg(s.unmatchedEnds).arg(s.unclosedBegins);
    QStringList anomalies;
    for (size_t a = 0; a < size_t(FxtAnomaly::Count); ++a)
        if (s.anomalies[a])
            anomalies << u"%1 %2"_s.arg(fxtAnomalyName(FxtAnomaly(a))).arg(s.anomalies[a]);
    o += anomalies.isEmpty() ? tr("Anomalies: none\n") : tr("Anomalies: %1\n").arg(anomalies.join(u", "_s));
    if (!s.complete && s.errorOffset)
        o += tr("Parsing stopped at offset %1: %2\n").arg(*s.errorOffset).arg(s.errorMessage);
    return o;
}

} // namespace FxtInspect

QByteArray inspectJson(const QString& path, int* status, QString* error)
{
    const auto data = FxtReader::load(path, error);
    if (!data) {
        *status = 2;
        return {};
    }
    *status = FxtInspect::exitStatus(*data);
    if (*status != 0 && error)
        *error = data->summary().errorMessage;
    return FxtInspect::json(*data);
}
