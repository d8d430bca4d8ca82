// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>
#include <algorithm>
#include <bit>
#include <limits>
#include <vector>

// A small precomputed summary of one flame-chart row (the slices of one thread at one depth, sorted by start,
// not overlapping): a pyramid of time buckets, each level's buckets twice as wide as the previous one's. A bucket
// knows its first slice, the exact start of that slice and the latest end among the slices starting in it
// (12 bytes). Zoomed-out frames read these instead of gallops through hundreds of megabytes of slices, and
// the marks they make stay exact (Lod::forEachMark uses a level only when a bucket is at most a pixel wide).
class LaneSummary
{
public:
    struct Bucket
    {
        quint32 firstIndex = 0; // first slice whose start is >= the bucket's start
        quint32 firstStartOffset = 0; // start of that slice minus the bucket's start (when the bucket is not empty)
        quint32 maxEndOffset = 0; // latest end of the bucket's slices minus the bucket's start, or `saturated`
        // No slice of the bucket is longer than this (maxEnd - firstStart); `saturated` when unknown.
        quint32 span() const
        {
            return maxEndOffset == saturated ? saturated : maxEndOffset - std::min(firstStartOffset, maxEndOffset);
        }
    };
    static constexpr quint32 saturated = std::numeric_limits<quint32>::max();

    struct Options
    {
        // Rows with fewer slices are cheap to read directly (a few hundred kB at most): no summary.
        qsizetype minSlices = 32 * 1024;
        // Buckets of the finest level: about one per slicesPerBucket slices, but at least finestAtLeast (enough
        // for a fit-all view up to that many pixels wide to read only the summary) and at most maxBuckets.
        qsizetype slicesPerBucket = 64;
        qsizetype finestAtLeast = 2048;
        qsizetype maxBuckets = 1 << 13;
        qsizetype minBuckets = 512; // coarsest level
    };

    bool isEmpty() const { return m_levels.empty(); }
    int levelCount() const { return int(m_levels.size()); }
    qint64 origin() const { return m_origin; }
    qint64 bucketWidth(int level) const { return m_width0 << level; }
    qsizetype bucketCount(int level) const { return m_levels[size_t(level)].count; }
    // b may be bucketCount(level): a sentinel whose firstIndex is the number of slices.
    const Bucket& bucket(int level, qsizetype b) const { return m_buckets[size_t(m_levels[size_t(level)].offset + b)]; }
    qsizetype firstIndex(int level, qsizetype b) const { return qsizetype(bucket(level, b).firstIndex); }
    qint64 bucketStart(int level, qsizetype b) const { return m_origin + b * bucketWidth(level); }
    // The coarsest level whose buckets are narrower than a pixel of nsPerPixel (with a margin for rounding), or
    // -1 when even the finest is wider.
    int levelFor(double nsPerPixel) const
    {
        for (int level = levelCount() - 1; level >= 0; --level) {
            if (double(bucketWidth(level)) <= nsPerPixel * 0.999)
                return level;
        }
        return -1;
    }
    qsizetype memoryBytes() const { return qsizetype(m_buckets.capacity() * sizeof(Bucket)); }

    // Lane: size(), start(i), end(i) as in levelofdetail.h. Returns an empty summary for rows with overlapping
    // slices (endsSorted false), rows too small to need one, or more than 2^32 - 1 slices.
    template<class Lane> static LaneSummary build(const Lane& lane, bool endsSorted, const Options& options);
    template<class Lane> static LaneSummary build(const Lane& lane, bool endsSorted)
    {
        return build(lane, endsSorted, Options {});
    }

private:
    struct Level
    {
        qsizetype offset = 0; // of its first bucket in m_buckets
        qsizetype count = 0; // buckets, not counting the sentinel
    };
    static quint32 clampOffset(qint64 v) { return v >= qint64(saturated) ? saturated : quint32(v); }

    qint64 m_origin = 0;
    qint64 m_width0 = 1;
    std::vector<Level> m_levels;
    std::vector<Bucket> m_buckets; // the levels one after the other, each followed by its sentinel
};

template<class Lane> LaneSummary LaneSummary::build(const Lane& lane, bool endsSorted, const Options& options)
{
    LaneSummary summary;
    const qsizetype n = lane.size();
    if (!endsSorted || n < std::max<qsizetype>(options.minSlices, 1) || n >= qsizetype(saturated))
        return summary;
    const qsizetype wanted = std::clamp(n / std::max<qsizetype>(options.slicesPerBucket, 1),
        std::min(options.finestAtLeast, options.maxBuckets), options.maxBuckets);
    if (wanted < std::max<qsizetype>(options.minBuckets, 1))
        return summary;
    const qsizetype finest = qsizetype(std::bit_floor(quint64(wanted)));
    const qint64 origin = lane.start(0);
    const qint64 span = lane.start(n - 1) - origin + 1;
    const qint64 width0 = std::max<qint64>(1, (span + finest - 1) / finest);
    if (width0 >= (qint64(1) << 31))
        return summary; // offsets would not fit; a trace this long has no dense rows worth summarising
    const qsizetype count0 = qsizetype((span + width0 - 1) / width0);
    summary.m_origin = origin;
    summary.m_width0 = width0;

    // Sizes of all levels first, so that the buckets go into one allocation.
    std::vector<Level> levels;
    qsizetype total = 0;
    for (qsizetype count = count0, width = width0; count > 0; count = (count + 1) / 2, width *= 2) {
        if (!levels.empty() && (count < options.minBuckets || width >= (qint64(1) << 31)))
            break;
        levels.push_back({ total, count });
        total += count + 1;
        if (count == 1)
            break;
    }
    summary.m_buckets.resize(size_t(total));

    // Finest level: one pass over the slices.
    Bucket* buckets = summary.m_buckets.data();
    qsizetype b = -1;
    qint64 bucketStart = origin - width0;
    for (qsizetype i = 0; i < n; ++i) {
        const qint64 s = lane.start(i);
        const qint64 e = lane.end(i);
        if (s >= bucketStart + width0) {
            // Empty buckets in between start at this slice too.
            const qsizetype target = qsizetype((s - origin) / width0);
            while (b < target) {
                ++b;
                buckets[b].firstIndex = quint32(i);
            }
            bucketStart = origin + b * width0;
            buckets[b].firstStartOffset = quint32(s - bucketStart);
        }
        Bucket& bucket = buckets[b];
        bucket.maxEndOffset = std::max(bucket.maxEndOffset, clampOffset(e - bucketStart));
    }
    while (b < count0) {
        ++b;
        buckets[b].firstIndex = quint32(n);
    }

    // Coarser levels: each bucket merges two of the level below.
    for (size_t level = 1; level < levels.size(); ++level) {
        const Bucket* below = buckets + levels[level - 1].offset;
        const qsizetype belowCount = levels[level - 1].count;
        const qint64 belowWidth = width0 << (level - 1);
        Bucket* here = buckets + levels[level].offset;
        for (qsizetype k = 0; k < levels[level].count; ++k) {
            const Bucket& left = below[2 * k];
            const bool hasRight = 2 * k + 1 < belowCount;
            const Bucket& right = below[2 * k + 1]; // the sentinel when !hasRight
            const bool leftEmpty = right.firstIndex == left.firstIndex;
            Bucket merged;
            merged.firstIndex = left.firstIndex;
            merged.firstStartOffset
                = leftEmpty ? clampOffset(qint64(right.firstStartOffset) + belowWidth) : left.firstStartOffset;
            merged.maxEndOffset = left.maxEndOffset;
            if (hasRight && below[2 * k + 2].firstIndex != right.firstIndex) {
                const quint32 rightEnd = right.maxEndOffset == saturated
                    ? saturated
                    : clampOffset(qint64(right.maxEndOffset) + belowWidth);
                merged.maxEndOffset = std::max(merged.maxEndOffset, rightEnd);
            }
            here[k] = merged;
        }
        here[levels[level].count].firstIndex = quint32(n);
    }
    summary.m_levels = std::move(levels);
    return summary;
}
