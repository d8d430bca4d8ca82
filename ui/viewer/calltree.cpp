// SPDX-License-Identifier: MIT
#include "viewer/calltree.h"

#include <QHash>
#include <algorithm>

namespace {

class Builder
{
public:
    explicit Builder(CallTree& tree, qsizetype maxNodes = std::numeric_limits<qsizetype>::max())
        : m_tree(tree)
        , m_maxNodes(maxNodes)
    {
        if (m_tree.nodes.empty())
            m_tree.nodes.emplace_back();
    }

    int child(int parent, quint32 name)
    {
        const quint64 key = (quint64(quint32(parent)) << 32) | name;
        auto it = m_children.constFind(key);
        if (it != m_children.cend())
            return it.value();
        if (qsizetype(m_tree.nodes.size()) >= m_maxNodes && name != CallTree::otherPaths) {
            m_tree.truncated = true;
            return child(parent, CallTree::otherPaths);
        }
        const int index = int(m_tree.nodes.size());
        CallTree::Node node;
        node.name = name;
        node.parent = parent;
        m_tree.nodes.push_back(node);
        m_tree.nodes[size_t(parent)].children.append(index);
        m_children.insert(key, index);
        return index;
    }

    // Children by decreasing total (then name), rows filled in.
    void finish()
    {
        for (CallTree::Node& node : m_tree.nodes) {
            std::sort(node.children.begin(), node.children.end(), [this](int a, int b) {
                const CallTree::Node& x = m_tree.nodes[size_t(a)];
                const CallTree::Node& y = m_tree.nodes[size_t(b)];
                return x.total != y.total ? x.total > y.total : x.name < y.name;
            });
        }
        for (CallTree::Node& node : m_tree.nodes) {
            for (int r = 0; r < node.children.size(); ++r)
                m_tree.nodes[size_t(node.children.at(r))].row = r;
        }
    }

private:
    CallTree& m_tree;
    qsizetype m_maxNodes;
    QHash<quint64, int> m_children;
};

} // namespace

namespace CallTrees {

CallTree topDown(const TimelineData& data, qint64 from, qint64 to, const std::atomic_bool* cancel, qsizetype maxNodes)
{
    CallTree tree;
    tree.from = from;
    tree.to = to;
    Builder builder(tree, maxNodes);
    std::vector<int> parentNodes;
    std::vector<int> nodes;
    auto clipped = [&](qint64 s, qint64 e) { return std::max<qint64>(0, std::min(e, to) - std::max(s, from)); };
    for (int t = 0; t < data.threads().size(); ++t) {
        qsizetype parentFirst = 0;
        qsizetype parentLast = 0;
        for (int d = 0; d < data.threads().at(t).depths; ++d) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
                tree.cancelled = true;
                return tree;
            }
            const TimelineLane lane { &data, t, d };
            const TimelineLane up { &data, t, d - 1 };
            const auto [first, last] = Lod::visibleRange(lane, data.laneInfo(t, d), double(from), double(to));
            nodes.assign(size_t(last - first), 0);
            qsizetype p = parentFirst;
            for (qsizetype i = first; i < last; ++i) {
                const qint64 s = lane.start(i);
                const qint64 e = lane.end(i);
                int parentNode = 0;
                if (d > 0 && parentLast > parentFirst) {
                    // Both levels are sorted by start: the parent is the last slice above starting at or before s.
                    while (p + 1 < parentLast && up.start(p + 1) <= s)
                        ++p;
                    if (up.start(p) <= s && s <= up.end(p))
                        parentNode = parentNodes[size_t(p - parentFirst)];
                }
                const int node = builder.child(parentNode, data.sliceName(t, d, i));
                const qint64 time = clipped(s, e);
                CallTree::Node& n = tree.nodes[size_t(node)];
                n.total += time;
                n.self += time;
                n.max = std::max(n.max, time);
                ++n.calls;
                if (parentNode != 0)
                    tree.nodes[size_t(parentNode)].self -= time;
                nodes[size_t(i - first)] = node;
            }
            parentNodes.swap(nodes);
            parentFirst = first;
            parentLast = last;
        }
    }
    for (const int c : tree.nodes.front().children)
        tree.nodes.front().total += tree.nodes[size_t(c)].total;
    builder.finish();
    return tree;
}

CallTree bottomUp(const CallTree& topDown)
{
    CallTree tree;
    tree.from = topDown.from;
    tree.to = topDown.to;
    tree.cancelled = topDown.cancelled;
    tree.truncated = topDown.truncated;
    Builder builder(tree);
    for (size_t i = 1; i < topDown.nodes.size(); ++i) {
        const CallTree::Node& leaf = topDown.nodes[i];
        if (leaf.self <= 0 && leaf.calls == 0)
            continue;
        int node = 0;
        for (int up = int(i); up > 0; up = topDown.nodes[size_t(up)].parent) {
            node = builder.child(node, topDown.nodes[size_t(up)].name);
            CallTree::Node& n = tree.nodes[size_t(node)];
            n.total += leaf.self;
            n.self += leaf.self;
            n.calls += leaf.calls;
        }
        tree.nodes.front().total += leaf.self;
    }
    builder.finish();
    return tree;
}

QList<FunctionTotals> functionStats(const CallTree& topDown)
{
    QHash<quint32, qsizetype> byName;
    QList<FunctionTotals> result;
    for (size_t i = 1; i < topDown.nodes.size(); ++i) {
        const CallTree::Node& node = topDown.nodes[i];
        auto it = byName.constFind(node.name);
        qsizetype row = 0;
        if (it == byName.cend()) {
            row = result.size();
            byName.insert(node.name, row);
            FunctionTotals stats;
            stats.name = node.name;
            result.append(stats);
        } else {
            row = it.value();
        }
        FunctionTotals& stats = result[row];
        stats.calls += node.calls;
        stats.total += node.total;
        stats.self += node.self;
        stats.max = std::max(stats.max, node.max);
    }
    std::sort(
        result.begin(), result.end(), [](const FunctionTotals& a, const FunctionTotals& b) { return a.name < b.name; });
    return result;
}

QList<FunctionTotals> functionTotals(
    const TimelineData& data, qint64 from, qint64 to, const std::atomic_bool* cancel, bool* cancelled)
{
    std::vector<FunctionTotals> byName(data.nameCount());
    std::vector<qint64> parentSelf; // self time of the previous depth's visible slices, children subtracted
    std::vector<qint64> self;
    auto clipped = [&](qint64 s, qint64 e) { return std::max<qint64>(0, std::min(e, to) - std::max(s, from)); };
    auto fold = [&](int t, int d, qsizetype first, const std::vector<qint64>& selves) {
        for (size_t k = 0; k < selves.size(); ++k) {
            const qsizetype i = first + qsizetype(k);
            const quint32 name = data.sliceName(t, d, i);
            if (name >= byName.size())
                continue;
            FunctionTotals& f = byName[name];
            const qint64 time = clipped(data.sliceStart(t, d, i), data.sliceEnd(t, d, i));
            ++f.calls;
            f.total += time;
            f.self += selves[k];
            f.max = std::max(f.max, time);
        }
    };
    for (int t = 0; t < data.threads().size(); ++t) {
        qsizetype parentFirst = 0;
        qsizetype parentLast = 0;
        parentSelf.clear();
        const int depths = data.threads().at(t).depths;
        for (int d = 0; d <= depths; ++d) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
                if (cancelled)
                    *cancelled = true;
                return {};
            }
            qsizetype first = 0, last = 0;
            if (d < depths) {
                const TimelineLane lane { &data, t, d };
                std::tie(first, last) = Lod::visibleRange(lane, data.laneInfo(t, d), double(from), double(to));
                self.assign(size_t(last - first), 0);
                const TimelineLane up { &data, t, d - 1 };
                qsizetype p = parentFirst;
                for (qsizetype i = first; i < last; ++i) {
                    const qint64 s = lane.start(i);
                    const qint64 time = clipped(s, lane.end(i));
                    self[size_t(i - first)] = time;
                    if (d > 0 && parentLast > parentFirst) {
                        while (p + 1 < parentLast && up.start(p + 1) <= s)
                            ++p;
                        if (up.start(p) <= s && s <= up.end(p))
                            parentSelf[size_t(p - parentFirst)] -= time;
                    }
                }
            }
            // The previous depth is complete now that its children have been subtracted.
            if (d > 0)
                fold(t, d - 1, parentFirst, parentSelf);
            parentSelf.swap(self);
            parentFirst = first;
            parentLast = last;
        }
    }
    QList<FunctionTotals> result;
    for (quint32 id = 0; id < byName.size(); ++id) {
        if (byName[id].calls > 0) {
            byName[id].name = id;
            result.append(byName[id]);
        }
    }
    return result;
}

} // namespace CallTrees
