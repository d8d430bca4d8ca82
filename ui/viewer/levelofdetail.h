// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

// Level of detail for one row of a flame chart: the slices of one thread at one depth, sorted by start time.
// A "lane" is anything with size(), start(i) and end(i) (ns, end >= start). Everything here is a pure function,
// so a frame's cost depends on the number of pixel columns, not on the number of slices.
namespace Lod {

// Facts about a lane computed once after loading, so that lookups need no per-slice index.
struct LaneInfo
{
    // True when end times never decrease in start order (slices at one depth do not overlap): then "first
    // slice ending after t" is a binary search. Otherwise lookups start maxDuration earlier.
    bool endsSorted = true;
    qint64 maxDuration = 0;
};

// One thing to paint: a single slice, or a run of sub-pixel slices merged into one mark.
struct Mark
{
    qint64 start = 0; // earliest start of its slices
    qint64 end = 0; // latest end of its slices
    qsizetype first = 0; // index of its first slice
    qsizetype count = 0; // consecutive slices first .. first + count - 1
    bool merged() const { return count > 1; }
};

template<class Lane> LaneInfo describe(const Lane& lane)
{
    LaneInfo info;
    qint64 previousEnd = std::numeric_limits<qint64>::min();
    for (qsizetype i = 0, n = lane.size(); i < n; ++i) {
        const qint64 s = lane.start(i);
        const qint64 e = lane.end(i);
        info.maxDuration = std::max(info.maxDuration, e - s);
        if (e < previousEnd)
            info.endsSorted = false;
        previousEnd = std::max(previousEnd, e);
    }
    return info;
}

// First index whose start is >= t, searching [from, to).
template<class Lane> qsizetype firstStartingAtOrAfter(const Lane& lane, double t, qsizetype from, qsizetype to)
{
    while (from < to) {
        const qsizetype mid = from + (to - from) / 2;
        if (static_cast<double>(lane.start(mid)) < t)
            from = mid + 1;
        else
            to = mid;
    }
    return from;
}

// Like firstStartingAtOrAfter, but searches outwards from `from` first (1, 2, 4, … slices ahead): the answer is
// usually close, and probing neighbours stays in cache where a plain binary search over millions of slices
// misses it at almost every step.
template<class Lane> qsizetype gallopToStartAtOrAfter(const Lane& lane, double t, qsizetype from, qsizetype to)
{
    qsizetype step = 1;
    qsizetype lo = from;
    while (lo + step < to && static_cast<double>(lane.start(lo + step)) < t) {
        lo += step;
        step *= 2;
    }
    return firstStartingAtOrAfter(lane, t, lo, std::min(to, lo + step));
}

// Index range [first, last) of slices that overlap [from, to] (a zero-length slice at `from` counts).
template<class Lane>
std::pair<qsizetype, qsizetype> visibleRange(const Lane& lane, const LaneInfo& info, double from, double to)
{
    const qsizetype n = lane.size();
    const qsizetype last = firstStartingAtOrAfter(lane, std::nextafter(to, to + 1.0), 0, n);
    qsizetype first = 0;
    if (info.endsSorted) {
        qsizetype lo = 0, hi = last;
        while (lo < hi) {
            const qsizetype mid = lo + (hi - lo) / 2;
            if (static_cast<double>(lane.end(mid)) < from)
                lo = mid + 1;
            else
                hi = mid;
        }
        first = lo;
    } else {
        first = firstStartingAtOrAfter(lane, from - static_cast<double>(info.maxDuration), 0, last);
        while (first < last && static_cast<double>(lane.end(first)) < from)
            ++first;
    }
    return { first, last };
}

// Calls emit(const Mark&) for every mark of the visible part of the lane, in time order. A slice at least one
// pixel wide is its own mark. Sub-pixel slices that start in the same pixel column are merged into one mark
// spanning exactly from their earliest start to their latest end, so every column that shows a slice shows a
// mark and no column without a slice does; there is at most one merged mark per pixel column.
template<class Lane, class Emit>
void forEachMark(
    const Lane& lane, const LaneInfo& info, double viewStart, double nsPerPixel, double viewEnd, Emit&& emit)
{
    auto [i, last] = visibleRange(lane, info, viewStart, viewEnd);
    while (i < last) {
        const qint64 s = lane.start(i);
        const qint64 e = lane.end(i);
        if (static_cast<double>(e - s) >= nsPerPixel) {
            emit(Mark { s, e, i, 1 });
            ++i;
            continue;
        }
        const double column = std::floor((static_cast<double>(s) - viewStart) / nsPerPixel);
        const double columnEnd = viewStart + (column + 1) * nsPerPixel;
        qsizetype j = gallopToStartAtOrAfter(lane, columnEnd, i + 1, last);
        // A wide slice that starts in this column stays on its own rather than being swallowed.
        if (j - 1 > i && static_cast<double>(lane.end(j - 1) - lane.start(j - 1)) >= nsPerPixel)
            --j;
        qint64 end = e;
        if (info.endsSorted) {
            end = std::max(e, lane.end(j - 1));
        } else {
            for (qsizetype k = i + 1; k < j; ++k)
                end = std::max(end, lane.end(k));
        }
        emit(Mark { s, end, i, j - i });
        i = j;
    }
}

// The slice at time t, or the nearest one within `tolerance` ns of it; -1 when there is none. Zero-length
// slices are found at their instant.
template<class Lane> qsizetype hitTest(const Lane& lane, const LaneInfo& info, double t, double tolerance)
{
    const qsizetype n = lane.size();
    if (n == 0)
        return -1;
    const qsizetype after = firstStartingAtOrAfter(lane, std::nextafter(t, t + 1.0), 0, n); // first start > t
    qsizetype best = -1;
    bool bestContains = false;
    double bestDistance = tolerance;
    auto consider = [&](qsizetype k) {
        const double s = static_cast<double>(lane.start(k));
        const double e = static_cast<double>(lane.end(k));
        const bool contains = (s <= t && t < e) || (s == e && s == t);
        const double distance = contains ? 0 : (t < s ? s - t : t - e);
        // A containing slice wins, the later-starting one among several; otherwise the nearest within tolerance.
        if (contains) {
            if (!bestContains || lane.start(k) > lane.start(best)) {
                best = k;
                bestContains = true;
                bestDistance = 0;
            }
        } else if (!bestContains && distance <= bestDistance && (best < 0 || distance < bestDistance)) {
            best = k;
            bestDistance = distance;
        }
    };
    if (after < n)
        consider(after);
    if (info.endsSorted) {
        if (after > 0)
            consider(after - 1);
    } else {
        const double earliest = t - static_cast<double>(info.maxDuration) - tolerance;
        for (qsizetype k = after - 1; k >= 0 && static_cast<double>(lane.start(k)) >= earliest; --k)
            consider(k);
    }
    return best;
}

} // namespace Lod
