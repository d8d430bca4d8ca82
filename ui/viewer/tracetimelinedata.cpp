// SPDX-License-Identifier: MIT
#include "viewer/tracetimelinedata.h"

#include "fxt/tracedata.h"

#include <QHash>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace {
// A row of slices as LaneSummary::build wants it, without the virtual calls of TimelineLane.
struct SpanLane
{
    std::span<const TraceSlice> slices;
    qsizetype size() const { return qsizetype(slices.size()); }
    qint64 start(qsizetype i) const { return qint64(slices[size_t(i)].start); }
    qint64 end(qsizetype i) const { return qint64(slices[size_t(i)].end); }
};
} // namespace

TraceTimelineData::TraceTimelineData(std::shared_ptr<const TraceData> trace, const LaneSummary::Options& summaryOptions)
    : m_trace(std::move(trace))
{
    const FxtSummary& summary = m_trace->summary();
    m_start = qint64(summary.startNs.value_or(0));
    m_end = std::max(m_start + 1, qint64(summary.endNs.value_or(quint64(m_start))));
    m_threadData = m_trace->threads().data();

    QHash<quint64, int> processByPid;
    for (const TraceProcess& process : m_trace->processes()) {
        Process p;
        p.koid = process.pid;
        p.name = m_trace->string(process.nameId);
        processByPid.insert(process.pid, int(m_processes.size()));
        m_processes.append(p);
    }
    const auto& threads = m_trace->threads();
    for (size_t t = 0; t < threads.size(); ++t) {
        const TraceThread& thread = threads[t];
        Thread th;
        th.koid = thread.tid;
        th.name = m_trace->string(thread.nameId);
        th.depths = int(thread.depths.size());
        th.slices = qsizetype(thread.sliceCount);
        auto it = processByPid.constFind(thread.pid);
        if (it == processByPid.cend()) {
            Process p;
            p.koid = thread.pid;
            it = processByPid.insert(thread.pid, int(m_processes.size()));
            m_processes.append(p);
        }
        th.process = it.value();
        m_processes[th.process].threads.append(int(t));
        m_threads.append(th);
    }
    const auto& counters = m_trace->counters();
    for (size_t c = 0; c < counters.size(); ++c) {
        const CounterSeries& series = counters[c];
        Counter counter;
        counter.name = m_trace->string(series.nameId);
        const QString argument = m_trace->string(series.argumentNameId);
        if (!argument.isEmpty())
            counter.name += u": "_s + argument;
        if (series.counterId != 0)
            counter.name += u" #"_s + QString::number(series.counterId);
        auto it = processByPid.constFind(series.pid);
        if (it == processByPid.cend()) {
            Process p;
            p.koid = series.pid;
            it = processByPid.insert(series.pid, int(m_processes.size()));
            m_processes.append(p);
        }
        counter.process = it.value();
        m_processes[counter.process].counters.append(int(c));
        m_counters.append(counter);
    }
    // Level-of-detail facts, then the coverage summary of the row if it is dense, while the row is still in cache.
    std::vector<std::vector<Lod::LaneInfo>> info(threads.size());
    std::vector<std::vector<LaneSummary>> summaries(threads.size());
    for (size_t t = 0; t < threads.size(); ++t) {
        info[t].resize(threads[t].depths.size());
        summaries[t].resize(threads[t].depths.size());
        for (size_t d = 0; d < threads[t].depths.size(); ++d) {
            const SpanLane lane { threads[t].depths[d] };
            info[t][d] = Lod::describe(lane);
            summaries[t][d] = LaneSummary::build(lane, info[t][d].endsSorted, summaryOptions);
        }
    }
    setLaneInfo(std::move(info));
    setLaneSummaries(std::move(summaries));
}

TraceTimelineData::~TraceTimelineData() = default;

QDateTime TraceTimelineData::wallClockStart() const
{
    const auto ns = m_trace->summary().wallClockNs(quint64(m_start));
    if (!ns)
        return {};
    return QDateTime::fromMSecsSinceEpoch(*ns / 1'000'000, QTimeZone::UTC);
}

QList<std::pair<QString, quint64>> TraceTimelineData::anomalies() const
{
    QList<std::pair<QString, quint64>> result;
    const FxtSummary& summary = m_trace->summary();
    for (size_t a = 0; a < summary.anomalies.size(); ++a) {
        if (summary.anomalies[a] != 0)
            result.append({ fxtAnomalyName(FxtAnomaly(a)), summary.anomalies[a] });
    }
    if (summary.unmatchedEnds)
        result.append({ u"unmatched_ends"_s, summary.unmatchedEnds });
    if (summary.unclosedBegins)
        result.append({ u"unclosed_begins"_s, summary.unclosedBegins });
    return result;
}

qsizetype TraceTimelineData::sliceCount(int thread, int depth) const
{
    if (thread < 0 || thread >= m_threads.size())
        return 0;
    const auto& depths = m_threadData[thread].depths;
    return depth >= 0 && size_t(depth) < depths.size() ? qsizetype(depths[size_t(depth)].size()) : 0;
}

qint64 TraceTimelineData::sliceStart(int thread, int depth, qsizetype index) const
{
    return qint64(m_threadData[thread].depths[size_t(depth)][size_t(index)].start);
}

qint64 TraceTimelineData::sliceEnd(int thread, int depth, qsizetype index) const
{
    return qint64(m_threadData[thread].depths[size_t(depth)][size_t(index)].end);
}

quint32 TraceTimelineData::sliceName(int thread, int depth, qsizetype index) const
{
    return m_threadData[thread].depths[size_t(depth)][size_t(index)].nameId();
}

quint32 TraceTimelineData::nameCount() const
{
    return m_trace->stringCount();
}

QString TraceTimelineData::name(quint32 id) const
{
    return m_trace->string(id);
}

QList<TimelineData::Argument> TraceTimelineData::sliceArguments(const SliceRef& slice) const
{
    QList<Argument> result;
    if (!slice.isValid())
        return result;
    const quint32 ref = m_threadData[slice.thread].depths[size_t(slice.depth)][size_t(slice.index)].argumentRef;
    for (const TraceArgument& argument : m_trace->arguments(ref))
        result.append({ argument.name, argument.displayValue() });
    return result;
}

qsizetype TraceTimelineData::counterPointCount(int counter) const
{
    return qsizetype(m_trace->counters()[size_t(counter)].samples.size());
}

qint64 TraceTimelineData::counterTime(int counter, qsizetype index) const
{
    return qint64(m_trace->counters()[size_t(counter)].samples[size_t(index)].time);
}

double TraceTimelineData::counterValue(int counter, qsizetype index) const
{
    return m_trace->counters()[size_t(counter)].samples[size_t(index)].value;
}
