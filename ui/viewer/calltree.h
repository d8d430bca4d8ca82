// SPDX-License-Identifier: MIT
#pragma once

#include "viewer/timelinedata.h"

#include <QList>
#include <atomic>
#include <vector>

// Call trees and per-function statistics for a time range, with every slice clipped to the range.
//
// Top-down: a node per call path (root → … → function), with the time spent in that path (total), the part not
// spent in callees (self), the number of slices and the longest one. Bottom-up: a node per reversed path
// (function ← caller ← caller's caller …), each holding the self time of the function at the first level when it
// was called through that chain, so the first level lists where time is spent and its children say who called.
// Recursion is not folded: a function nested in itself counts its time at each level it appears.
struct CallTree
{
    struct Node
    {
        quint32 name = 0; // name id in the TimelineData
        int parent = -1;
        int row = 0; // position among its parent's children
        qint64 total = 0;
        qint64 self = 0;
        qint64 max = 0; // longest single slice (top-down only)
        quint64 calls = 0;
        QList<int> children; // sorted by total, longest first
    };
    // Name id of the node that collects call paths beyond the node limit.
    static constexpr quint32 otherPaths = 0xffffffffu;

    std::vector<Node> nodes; // nodes[0] is the root; it has no name
    qint64 from = 0;
    qint64 to = 0;
    bool cancelled = false;
    bool truncated = false; // the node limit was reached: some paths are folded into otherPaths nodes

    const Node& root() const { return nodes.front(); }
};

struct FunctionTotals
{
    quint32 name = 0;
    quint64 calls = 0;
    qint64 total = 0;
    qint64 self = 0;
    qint64 max = 0;
    qint64 average() const { return calls ? total / qint64(calls) : 0; }
};

namespace CallTrees {

// Builds the top-down tree of all threads over [from, to]. Polls *cancel (may be null) between lanes. Traces with
// very varied stacks have nearly one path per slice, so at most maxNodes nodes are made; further new paths are
// folded into one otherPaths child of their parent (memory stays bounded; times stay exact on the way up).
CallTree topDown(const TimelineData& data, qint64 from, qint64 to, const std::atomic_bool* cancel = nullptr,
    qsizetype maxNodes = 1'000'000);
// The callers' view of a top-down tree.
CallTree bottomUp(const CallTree& topDown);
// Per-function totals of a top-down tree, in name-id order.
QList<FunctionTotals> functionStats(const CallTree& topDown);
// The same totals computed straight from the slices, without a tree: one pass, memory bounded by one depth's
// slices, so it is what the viewer runs on whole multi-GB traces. Empty (and *cancelled set) when cancelled.
QList<FunctionTotals> functionTotals(const TimelineData& data, qint64 from, qint64 to,
    const std::atomic_bool* cancel = nullptr, bool* cancelled = nullptr);

} // namespace CallTrees
