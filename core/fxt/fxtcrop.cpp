// SPDX-License-Identifier: MIT
#include "fxt/fxtcrop.h"

#include "fxt/fxtreader.h"
#include "fxt/fxtwriter.h"
#include "fxt/tracedata.h"

#include <QCoreApplication>
#include <QSet>
#include <algorithm>

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("cropTrace", text);
}

std::vector<FxtWriter::Argument> toWriterArguments(FxtWriter& w, const std::vector<TraceArgument>& arguments)
{
    std::vector<FxtWriter::Argument> out;
    out.reserve(arguments.size());
    for (const TraceArgument& a : arguments) {
        const FxtWriter::StringRef name = w.stringRef(a.name.toUtf8());
        switch (a.type) {
        case 0:
            out.push_back(FxtWriter::Argument::null(name));
            break;
        case 1:
            out.push_back(FxtWriter::Argument::int32(name, a.value.toInt()));
            break;
        case 2:
            out.push_back(FxtWriter::Argument::uint32(name, a.value.toUInt()));
            break;
        case 3:
            out.push_back(FxtWriter::Argument::int64(name, a.value.toLongLong()));
            break;
        case 4:
            out.push_back(FxtWriter::Argument::uint64(name, a.value.toULongLong()));
            break;
        case 5:
            out.push_back(FxtWriter::Argument::real(name, a.value.toDouble()));
            break;
        case 6:
            out.push_back(FxtWriter::Argument::string(name, w.stringRef(a.value.toString().toUtf8())));
            break;
        case 7:
            out.push_back(FxtWriter::Argument::pointer(name, a.value.toULongLong()));
            break;
        case 8:
            out.push_back(FxtWriter::Argument::koid(name, a.value.toULongLong()));
            break;
        case 9:
            out.push_back(FxtWriter::Argument::boolean(name, a.value.toBool()));
            break;
        case 10:
            out.push_back(FxtWriter::Argument::blob(name, a.value.toByteArray()));
            break;
        default:
            break; // unknown types are not carried over
        }
    }
    return out;
}

struct Clipped
{
    quint64 start;
    quint64 end;
    quint32 depth;
    const TraceSlice* slice;
};

} // namespace

bool cropTrace(
    const TraceData& data, const QString& output, const CropOptions& options, CropResult* result, QString* error)
{
    const FxtSummary& summary = data.summary();
    if (summary.anomaly(FxtAnomaly::BadMagic)) {
        if (error)
            *error = tr("the input is not an FXT trace");
        return false;
    }
    const quint64 traceStart = summary.startNs.value_or(0);
    const quint64 traceEnd = summary.endNs.value_or(traceStart);
    const quint64 from = options.fromNs ? traceStart + *options.fromNs : traceStart;
    const quint64 to = options.toNs ? traceStart + *options.toNs : traceEnd;
    if (to < from) {
        if (error)
            *error = tr("the end of the window is before its start");
        return false;
    }
    const QSet<quint64> wanted(options.threads.begin(), options.threads.end());
    const auto keepThread = [&](const TraceThread& t) { return wanted.isEmpty() || wanted.contains(t.tid); };

    FxtWriter w;
    if (!w.open(output, error))
        return false;
    CropResult stats;
    w.writeMagic();
    const QByteArray providerName
        = summary.providers.empty() ? QByteArray("magic-trace-studio") : summary.providers.front().name.toUtf8();
    w.writeProviderInfo(0, providerName);
    w.writeProviderSection(0);
    w.resetTables();
    if (summary.baseTimeNs)
        w.writeInitialization(1'000'000'000, summary.baseTicksNs, *summary.baseTimeNs);
    else
        w.writeInitialization(1'000'000'000);

    // Names of the processes and threads kept.
    QSet<quint64> keptPids;
    for (const TraceThread& t : data.threads())
        if (keepThread(t))
            keptPids.insert(t.pid);
    for (const TraceProcess& p : data.processes())
        if (keptPids.contains(p.pid) && p.nameId != 0)
            w.writeProcessName(p.pid, data.stringUtf8(p.nameId));
    for (const TraceThread& t : data.threads())
        if (keepThread(t) && t.nameId != 0)
            w.writeThreadName(t.pid, t.tid, data.stringUtf8(t.nameId));

    const FxtWriter::StringRef noCategory = FxtWriter::StringRef::empty();
    std::vector<Clipped> clipped;
    for (const TraceThread& t : data.threads()) {
        if (!keepThread(t))
            continue;
        clipped.clear();
        for (size_t d = 0; d < t.depths.size(); ++d) {
            for (const TraceSlice& s : t.depths[d]) {
                const bool inside
                    = s.start == s.end ? (s.start >= from && s.start <= to) : (s.start < to && s.end > from);
                if (inside)
                    clipped.push_back({ std::max(s.start, from), std::min(s.end, to), quint32(d), &s });
            }
        }
        std::stable_sort(clipped.begin(), clipped.end(), [](const Clipped& a, const Clipped& b) {
            return a.start != b.start ? a.start < b.start : a.depth < b.depth;
        });
        // Emit in tree order: an enclosing begin/end slice ends when the next slice at its depth or above starts.
        struct Open
        {
            quint32 depth;
            quint64 end;
            quint32 nameId;
            bool needsEnd;
        };
        std::vector<Open> stack;
        const auto popTo = [&](quint32 depth) {
            while (!stack.empty() && stack.back().depth >= depth) {
                const Open o = stack.back();
                stack.pop_back();
                if (o.needsEnd) {
                    w.durationEnd(w.threadRef(t.pid, t.tid), noCategory, w.stringRef(data.stringUtf8(o.nameId)), o.end);
                    ++stats.events;
                }
            }
        };
        for (const Clipped& c : clipped) {
            popTo(c.depth);
            const FxtWriter::StringRef name = w.stringRef(data.stringUtf8(c.slice->nameId()));
            const auto args = toWriterArguments(w, data.arguments(c.slice->argumentRef));
            const FxtWriter::ThreadRef thread = w.threadRef(t.pid, t.tid);
            switch (c.slice->kind()) {
            case SliceKind::Instant:
                w.instant(thread, noCategory, name, c.start, args);
                break;
            case SliceKind::Complete:
                w.durationComplete(thread, noCategory, name, c.start, c.end, args);
                stack.push_back({ c.depth, c.end, c.slice->nameId(), false });
                break;
            case SliceKind::BeginEnd:
            case SliceKind::Unclosed:
                w.durationBegin(thread, noCategory, name, c.start, args);
                stack.push_back({ c.depth, c.end, c.slice->nameId(), true });
                break;
            }
            ++stats.events;
            ++stats.slices;
        }
        popTo(0);
    }

    // Counters: samples inside the window, on the first kept thread of their process.
    QHash<quint64, const TraceThread*> firstThread;
    for (const TraceThread& t : data.threads())
        if (keepThread(t) && !firstThread.contains(t.pid))
            firstThread.insert(t.pid, &t);
    for (const CounterSeries& c : data.counters()) {
        const TraceThread* t = firstThread.value(c.pid, nullptr);
        if (!t)
            continue;
        for (const CounterSample& sample : c.samples) {
            if (sample.time < from || sample.time > to)
                continue;
            const FxtWriter::Argument value
                = FxtWriter::Argument::real(w.stringRef(data.stringUtf8(c.argumentNameId)), sample.value);
            w.counter(w.threadRef(t->pid, t->tid), noCategory, w.stringRef(data.stringUtf8(c.nameId)), sample.time,
                std::span(&value, 1), c.counterId);
            ++stats.events;
        }
    }
    for (const AsyncSpan& a : data.asyncSpans()) {
        if (!wanted.isEmpty() && !wanted.contains(a.tid))
            continue;
        const bool inside = a.instant ? (a.start >= from && a.start <= to) : (a.start < to && a.end > from);
        if (!inside)
            continue;
        const FxtWriter::ThreadRef thread = w.threadRef(a.pid, a.tid);
        const FxtWriter::StringRef category = w.stringRef(data.stringUtf8(a.categoryId));
        const FxtWriter::StringRef name = w.stringRef(data.stringUtf8(a.nameId));
        const auto args = toWriterArguments(w, data.arguments(a.argumentRef));
        if (a.instant) {
            w.asyncInstant(thread, category, name, a.start, a.id, args);
            ++stats.events;
        } else {
            w.asyncBegin(thread, category, name, std::max(a.start, from), a.id, args);
            w.asyncEnd(thread, category, name, std::min(a.end, to), a.id);
            stats.events += 2;
        }
    }
    for (const FlowEvent& f : data.flows()) {
        if (f.time < from || f.time > to || (!wanted.isEmpty() && !wanted.contains(f.tid)))
            continue;
        w.writeEvent(quint8(f.phase), w.threadRef(f.pid, f.tid), {}, {}, f.time, {}, f.id);
        ++stats.events;
    }
    stats.bytes = w.bytesWritten();
    if (!w.finish(error))
        return false;
    if (result)
        *result = stats;
    return true;
}

bool cropTrace(
    const QString& input, const QString& output, const CropOptions& options, CropResult* result, QString* error)
{
    const auto data = FxtReader::load(input, error);
    if (!data)
        return false;
    return cropTrace(*data, output, options, result, error);
}
