// SPDX-License-Identifier: MIT
#include "viewer/timelinedata.h"

#include <cmath>

qsizetype TimelineData::totalSlices() const
{
    qsizetype total = 0;
    for (const Thread& t : m_threads)
        total += t.slices;
    return total;
}

const Lod::LaneInfo& TimelineData::laneInfo(int thread, int depth) const
{
    static const Lod::LaneInfo unsorted { false, std::numeric_limits<qint64>::max() / 4 };
    if (thread < 0 || size_t(thread) >= m_laneInfo.size() || depth < 0
        || size_t(depth) >= m_laneInfo[size_t(thread)].size())
        return unsorted;
    return m_laneInfo[size_t(thread)][size_t(depth)];
}

const LaneSummary* TimelineData::laneSummary(int thread, int depth) const
{
    if (thread < 0 || size_t(thread) >= m_summaries.size() || depth < 0
        || size_t(depth) >= m_summaries[size_t(thread)].size())
        return nullptr;
    const LaneSummary& summary = m_summaries[size_t(thread)][size_t(depth)];
    return summary.isEmpty() ? nullptr : &summary;
}

qsizetype TimelineData::summaryBytes() const
{
    qsizetype bytes = 0;
    for (const auto& lanes : m_summaries) {
        for (const LaneSummary& summary : lanes)
            bytes += summary.memoryBytes();
    }
    return bytes;
}

void TimelineData::prepare()
{
    m_laneInfo.assign(size_t(m_threads.size()), {});
    m_summaries.assign(size_t(m_threads.size()), {});
    for (int t = 0; t < m_threads.size(); ++t) {
        auto& lanes = m_laneInfo[size_t(t)];
        lanes.resize(size_t(m_threads.at(t).depths));
        m_summaries[size_t(t)].resize(size_t(m_threads.at(t).depths));
        for (int d = 0; d < m_threads.at(t).depths; ++d) {
            const TimelineLane lane { this, t, d };
            lanes[size_t(d)] = Lod::describe(lane);
            m_summaries[size_t(t)][size_t(d)] = LaneSummary::build(lane, lanes[size_t(d)].endsSorted);
        }
    }
}

SliceRef TimelineData::parent(const SliceRef& slice) const
{
    if (!slice.isValid() || slice.depth == 0)
        return {};
    const TimelineLane up { this, slice.thread, slice.depth - 1 };
    const qint64 s = start(slice);
    // The last slice one level up that starts at or before this one and has not ended before it starts.
    qsizetype i = Lod::firstStartingAtOrAfter(up, std::nextafter(double(s), double(s) + 1), 0, up.size()) - 1;
    const Lod::LaneInfo& info = laneInfo(slice.thread, slice.depth - 1);
    for (; i >= 0; --i) {
        if (up.end(i) >= s)
            return { slice.thread, slice.depth - 1, i };
        if (info.endsSorted || up.start(i) < s - info.maxDuration)
            break;
    }
    return {};
}

qsizetype TimelineData::childCount(const SliceRef& slice) const
{
    if (!slice.isValid() || slice.depth + 1 >= m_threads.at(slice.thread).depths)
        return 0;
    const TimelineLane down { this, slice.thread, slice.depth + 1 };
    const qsizetype first = Lod::firstStartingAtOrAfter(down, double(start(slice)), 0, down.size());
    const qsizetype last
        = Lod::firstStartingAtOrAfter(down, std::nextafter(double(end(slice)), HUGE_VAL), first, down.size());
    return last - first;
}

std::optional<qint64> TimelineData::quickSelfTime(const SliceRef& slice) const
{
    if (childCount(slice) > quickSelfTimeChildren)
        return std::nullopt;
    return selfTime(slice);
}

qint64 TimelineData::selfTime(const SliceRef& slice) const
{
    if (!slice.isValid())
        return 0;
    const qint64 s = start(slice);
    const qint64 e = end(slice);
    qint64 self = e - s;
    if (slice.depth + 1 >= m_threads.at(slice.thread).depths)
        return self;
    const TimelineLane down { this, slice.thread, slice.depth + 1 };
    // Children start inside [s, e]; clip them to it in case a damaged trace lets one stick out.
    qsizetype i = Lod::firstStartingAtOrAfter(down, double(s), 0, down.size());
    for (; i < down.size() && down.start(i) <= e; ++i) {
        if (down.start(i) == e && e > s)
            break;
        self -= std::min(e, down.end(i)) - down.start(i);
    }
    return std::max<qint64>(0, self);
}
