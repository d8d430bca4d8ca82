// SPDX-License-Identifier: MIT
#include "viewer/memorytimelinedata.h"

#include <algorithm>

int MemoryTimelineData::addProcess(quint64 koid, const QString& name)
{
    m_processes.append({ koid, name, {}, {} });
    return int(m_processes.size() - 1);
}

int MemoryTimelineData::addThread(int process, quint64 koid, const QString& name)
{
    const int index = int(m_threads.size());
    m_threads.append({ koid, name, process, 0, 0 });
    m_processes[process].threads.append(index);
    m_slices.emplace_back();
    return index;
}

int MemoryTimelineData::addCounter(int process, const QString& name)
{
    const int index = int(m_counters.size());
    m_counters.append({ name, process });
    m_processes[process].counters.append(index);
    m_counterPoints.emplace_back();
    return index;
}

quint32 MemoryTimelineData::nameId(const QString& name)
{
    auto it = m_nameIds.constFind(name);
    if (it != m_nameIds.cend())
        return it.value();
    const quint32 id = quint32(m_names.size());
    m_names.append(name);
    m_nameIds.insert(name, id);
    return id;
}

void MemoryTimelineData::addSlice(
    int thread, int depth, qint64 start, qint64 end, const QString& name, QList<Argument> arguments)
{
    auto& depths = m_slices[size_t(thread)];
    if (depths.size() <= size_t(depth))
        depths.resize(size_t(depth) + 1);
    int args = -1;
    if (!arguments.isEmpty()) {
        args = int(m_arguments.size());
        m_arguments.append(std::move(arguments));
    }
    depths[size_t(depth)].push_back({ start, end, nameId(name), args });
}

void MemoryTimelineData::addCounterPoint(int counter, qint64 time, double value)
{
    m_counterPoints[size_t(counter)].emplace_back(time, value);
}

void MemoryTimelineData::finish(std::optional<std::pair<qint64, qint64>> bounds)
{
    qint64 lo = std::numeric_limits<qint64>::max();
    qint64 hi = std::numeric_limits<qint64>::min();
    for (size_t t = 0; t < m_slices.size(); ++t) {
        qsizetype count = 0;
        for (auto& lane : m_slices[t]) {
            std::stable_sort(
                lane.begin(), lane.end(), [](const Slice& a, const Slice& b) { return a.start < b.start; });
            for (const Slice& s : lane) {
                lo = std::min(lo, s.start);
                hi = std::max(hi, s.end);
            }
            count += qsizetype(lane.size());
        }
        m_threads[qsizetype(t)].depths = int(m_slices[t].size());
        m_threads[qsizetype(t)].slices = count;
    }
    for (auto& points : m_counterPoints) {
        std::stable_sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& point : points) {
            lo = std::min(lo, point.first);
            hi = std::max(hi, point.first);
        }
    }
    if (bounds) {
        m_start = bounds->first;
        m_end = bounds->second;
    } else if (lo <= hi) {
        m_start = lo;
        m_end = std::max(hi, lo + 1);
    }
    prepare();
}

const MemoryTimelineData::Slice& MemoryTimelineData::slice(int thread, int depth, qsizetype index) const
{
    return m_slices[size_t(thread)][size_t(depth)][size_t(index)];
}

qsizetype MemoryTimelineData::sliceCount(int thread, int depth) const
{
    if (thread < 0 || size_t(thread) >= m_slices.size() || depth < 0
        || size_t(depth) >= m_slices[size_t(thread)].size())
        return 0;
    return qsizetype(m_slices[size_t(thread)][size_t(depth)].size());
}

qint64 MemoryTimelineData::sliceStart(int thread, int depth, qsizetype index) const
{
    return slice(thread, depth, index).start;
}

qint64 MemoryTimelineData::sliceEnd(int thread, int depth, qsizetype index) const
{
    return slice(thread, depth, index).end;
}

quint32 MemoryTimelineData::sliceName(int thread, int depth, qsizetype index) const
{
    return slice(thread, depth, index).name;
}

QList<TimelineData::Argument> MemoryTimelineData::sliceArguments(const SliceRef& ref) const
{
    const int args = slice(ref.thread, ref.depth, ref.index).arguments;
    return args < 0 ? QList<Argument>() : m_arguments.at(args);
}

qsizetype MemoryTimelineData::counterPointCount(int counter) const
{
    return qsizetype(m_counterPoints[size_t(counter)].size());
}

qint64 MemoryTimelineData::counterTime(int counter, qsizetype index) const
{
    return m_counterPoints[size_t(counter)][size_t(index)].first;
}

double MemoryTimelineData::counterValue(int counter, qsizetype index) const
{
    return m_counterPoints[size_t(counter)][size_t(index)].second;
}
