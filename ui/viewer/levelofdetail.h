// SPDX-License-Identifier: MIT
#pragma once

#include "viewer/lanesummary.h"

#include <QtGlobal>
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
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

namespace detail {
// Turns a stream of candidate marks into the marks forEachMark reports: consecutive sub-pixel candidates that
// start in the same pixel column become one mark, so there is at most one merged mark per column.
template<class Emit> struct MarkBuilder
{
    double viewStart;
    double nsPerPixel;
    Emit& emit;
    Mark pending {};
    double pendingColumn = 0;
    bool hasPending = false;
    bool pendingMergeable = false;

    void add(const Mark& m, bool subPixel)
    {
        const double column = std::floor((static_cast<double>(m.start) - viewStart) / nsPerPixel);
        if (hasPending && subPixel && pendingMergeable && column == pendingColumn) {
            pending.end = std::max(pending.end, m.end);
            pending.count += m.count;
            return;
        }
        flush();
        pending = m;
        pendingColumn = column;
        pendingMergeable = subPixel;
        hasPending = true;
    }
    void flush()
    {
        if (hasPending)
            emit(pending);
        hasPending = false;
    }
};

// Candidate marks for slices [i, last) read from the slices themselves.
template<class Lane, class Builder>
void exactMarks(const Lane& lane, const LaneInfo& info, qsizetype i, qsizetype last, Builder& builder)
{
    const double viewStart = builder.viewStart;
    const double nsPerPixel = builder.nsPerPixel;
    while (i < last) {
        const qint64 s = lane.start(i);
        const qint64 e = lane.end(i);
        if (static_cast<double>(e - s) >= nsPerPixel) {
            builder.add(Mark { s, e, i, 1 }, false);
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
        builder.add(Mark { s, end, i, j - i }, true);
        i = j;
    }
}
} // namespace detail

// Calls emit(const Mark&) for every mark of the visible part of the lane, in time order. A slice at least one
// pixel wide is its own mark. Sub-pixel slices that start in the same pixel column are merged into one mark
// spanning exactly from their earliest start to their latest end, so every column that shows a slice shows a
// mark and no column without a slice does; there is at most one merged mark per pixel column.
//
// With a summary (lanesummary.h), a whole bucket becomes one candidate without reading its slices when they all
// lie within less than a pixel of its first start (latest end - first start < nsPerPixel): they then touch only
// that start's column and the next, so the merged mark still lights exactly the columns its slices light, and
// no slice a pixel wide hides in it. Other buckets, and the partial buckets at the edges of the view, are read
// slice by slice. The level used has buckets at most a pixel wide, which makes the first case the usual one.
template<class Lane, class Emit>
void forEachMark(const Lane& lane, const LaneInfo& info, const LaneSummary* summary, double viewStart,
    double nsPerPixel, double viewEnd, Emit&& emit)
{
    const auto [first, last] = visibleRange(lane, info, viewStart, viewEnd);
    detail::MarkBuilder<std::remove_reference_t<Emit>> builder { viewStart, nsPerPixel, emit };
    const int level = summary && info.endsSorted && first < last ? summary->levelFor(nsPerPixel) : -1;
    if (level < 0) {
        detail::exactMarks(lane, info, first, last, builder);
        builder.flush();
        return;
    }
    const qint64 width = summary->bucketWidth(level);
    const qsizetype buckets = summary->bucketCount(level);
    // The rest of the bucket holding the first visible slice, slice by slice (some of its slices may be hidden).
    qsizetype b = qsizetype((lane.start(first) - summary->origin()) / width) + 1;
    qsizetype i = std::min(summary->firstIndex(level, b), last);
    detail::exactMarks(lane, info, first, i, builder);
    for (; b < buckets; ++b) {
        const qsizetype next = summary->firstIndex(level, b + 1);
        if (next > last)
            break;
        if (next == i)
            continue; // empty
        const LaneSummary::Bucket& bucket = summary->bucket(level, b);
        if (bucket.maxEndOffset != LaneSummary::saturated && static_cast<double>(bucket.span()) < nsPerPixel) {
            const qint64 start = summary->bucketStart(level, b);
            builder.add(Mark { start + bucket.firstStartOffset, start + bucket.maxEndOffset, i, next - i }, true);
        } else {
            detail::exactMarks(lane, info, i, next, builder);
        }
        i = next;
    }
    detail::exactMarks(lane, info, i, last, builder);
    builder.flush();
}

template<class Lane, class Emit>
void forEachMark(
    const Lane& lane, const LaneInfo& info, double viewStart, double nsPerPixel, double viewEnd, Emit&& emit)
{
    forEachMark(lane, info, nullptr, viewStart, nsPerPixel, viewEnd, std::forward<Emit>(emit));
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
