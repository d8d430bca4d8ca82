// SPDX-License-Identifier: MIT
#pragma once
// Helpers shared by the level-of-detail and lane-summary tests: a row of slices in plain vectors, and the pixel
// columns an interval lights.

#include <QtGlobal>
#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

namespace LodTest {

// A row of slices held in plain vectors (hand-made rows) or copied from a loaded trace.
struct Lane
{
    std::vector<qint64> starts;
    std::vector<qint64> ends;
    qsizetype size() const { return qsizetype(starts.size()); }
    qint64 start(qsizetype i) const { return starts[size_t(i)]; }
    qint64 end(qsizetype i) const { return ends[size_t(i)]; }
    void add(qint64 s, qint64 e)
    {
        starts.push_back(s);
        ends.push_back(e);
    }
};

// Pixel columns [0, width) touched by [s, e] (a zero-length interval touches the column it is in).
inline void touch(std::set<qint64>& columns, double s, double e, double viewStart, double nsPerPixel, int width)
{
    const qint64 first = qint64(std::floor((s - viewStart) / nsPerPixel));
    qint64 last = qint64(std::ceil((e - viewStart) / nsPerPixel)) - 1;
    last = std::max(first, last);
    for (qint64 c = std::max<qint64>(first, 0); c <= std::min<qint64>(last, width - 1); ++c)
        columns.insert(c);
}

} // namespace LodTest
