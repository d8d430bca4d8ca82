// SPDX-License-Identifier: MIT
// libFuzzer target: any bytes through FxtReader (plain, or gzip/zstd/xz when the input starts with their magic),
// with small chunks so records straddle chunk boundaries, then everything a viewer or `inspect` would touch.
#include "fxt/fxtinspect.h"
#include "fxt/fxtreader.h"
#include "fxt/fxtsource.h"
#include "fxt/tracedata.h"

#include <QBuffer>
#include <QByteArray>
#include <QCoreApplication>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    // The last byte picks a chunk size (0 = the default), so chunk boundaries move with the input.
    const qsizetype chunk = size ? (data[size - 1] % 4 == 0 ? 0 : 1 + data[size - 1] % 61) : 0;
    FxtSource::setChunkBytesForTesting(chunk);
    QString error;
    const auto trace = FxtReader::loadBytes(bytes, &error);
    if (!trace)
        return 0;
    const QByteArray json = FxtInspect::json(*trace);
    const QString text = FxtInspect::text(*trace, QStringLiteral("fuzz"));
    // Sanity: counts agree with the model.
    quint64 slices = 0;
    for (const TraceThread& t : trace->threads()) {
        quint64 n = 0;
        for (const auto& level : t.depths) {
            n += level.size();
            for (const TraceSlice& s : level) {
                if (s.end < s.start)
                    __builtin_trap();
                for (const TraceArgument& a : trace->arguments(s.argumentRef))
                    (void)a.displayValue();
                (void)trace->string(s.nameId());
            }
        }
        if (n != t.sliceCount)
            __builtin_trap();
        slices += n;
    }
    for (const AsyncSpan& a : trace->asyncSpans())
        (void)trace->arguments(a.argumentRef);
    if (slices != trace->sliceCount() || json.isEmpty() || text.isEmpty())
        __builtin_trap();
    if (trace->summary().fxtBytes > quint64(size) && trace->summary().format == FxtFormat::Format::Fxt)
        __builtin_trap();

    // The depth rule while parsing and the event-log path must give the same model.
    QByteArray copy = bytes;
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    FxtReader::Options logOnly;
    logOnly.depthRuleWhileParsing = false;
    const auto logged = FxtReader::load(&buffer, logOnly, &error);
    if (!logged || FxtInspect::json(*logged) != json || logged->threads().size() != trace->threads().size())
        __builtin_trap();
    for (size_t i = 0; i < trace->threads().size(); ++i) {
        const TraceThread& a = trace->threads()[i];
        const TraceThread& b = logged->threads()[i];
        if (a.depths.size() != b.depths.size() || a.unmatchedEnds != b.unmatchedEnds
            || a.unclosedBegins != b.unclosedBegins)
            __builtin_trap();
        for (size_t d = 0; d < a.depths.size(); ++d) {
            if (a.depths[d].size() != b.depths[d].size())
                __builtin_trap();
            for (size_t k = 0; k < a.depths[d].size(); ++k) {
                const TraceSlice& x = a.depths[d][k];
                const TraceSlice& y = b.depths[d][k];
                if (x.start != y.start || x.end != y.end || x.nameAndKind != y.nameAndKind
                    || x.argumentRef != y.argumentRef)
                    __builtin_trap();
            }
        }
    }
    const auto& fa = trace->functions();
    const auto& fb = logged->functions();
    if (fa.size() != fb.size())
        __builtin_trap();
    for (size_t i = 0; i < fa.size(); ++i)
        if (fa[i].nameId != fb[i].nameId || fa[i].calls != fb[i].calls || fa[i].totalNs != fb[i].totalNs
            || fa[i].selfNs != fb[i].selfNs)
            __builtin_trap();
    return 0;
}
