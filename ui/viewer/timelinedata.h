// SPDX-License-Identifier: MIT
#pragma once

#include "viewer/levelofdetail.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <optional>
#include <utility>
#include <vector>

// One slice of the timeline: thread (index into TimelineData::threads()), depth, and position in that depth's
// start-sorted array.
struct SliceRef
{
    int thread = -1;
    int depth = 0;
    qsizetype index = -1;
    bool isValid() const { return thread >= 0 && index >= 0; }
    friend bool operator==(const SliceRef&, const SliceRef&) = default;
};

// What the viewer needs from a loaded trace, read-only and safe to read from several threads at once. The
// viewer's widgets, models and algorithms see traces only through this, so they work on any backing store; the
// application's adapter over the FXT reader's TraceData is TraceTimelineData.
class TimelineData
{
public:
    struct Process
    {
        quint64 koid = 0;
        QString name;
        QList<int> threads; // indices into threads()
        QList<int> counters; // indices into counters()
    };
    struct Thread
    {
        quint64 koid = 0;
        QString name;
        int process = 0; // index into processes()
        int depths = 0; // number of depth rows (max depth + 1)
        qsizetype slices = 0;
    };
    struct Counter
    {
        QString name; // "CPU: freq (MHz)"
        int process = 0;
    };
    struct Argument
    {
        QString name;
        QString value;
    };

    virtual ~TimelineData() = default;

    virtual qint64 startTime() const = 0; // ns
    virtual qint64 endTime() const = 0;
    // Wall-clock time of startTime(), invalid when the trace does not say.
    virtual QDateTime wallClockStart() const = 0;
    // Anomaly name → count, non-zero only (unmatched ends and unclosed begins included).
    virtual QList<std::pair<QString, quint64>> anomalies() const = 0;

    const QList<Process>& processes() const { return m_processes; }
    const QList<Thread>& threads() const { return m_threads; }
    const QList<Counter>& counters() const { return m_counters; }
    qsizetype totalSlices() const;

    virtual qsizetype sliceCount(int thread, int depth) const = 0;
    virtual qint64 sliceStart(int thread, int depth, qsizetype index) const = 0;
    virtual qint64 sliceEnd(int thread, int depth, qsizetype index) const = 0;
    // Index into the name table (nameCount(), name()).
    virtual quint32 sliceName(int thread, int depth, qsizetype index) const = 0;
    virtual quint32 nameCount() const = 0;
    virtual QString name(quint32 id) const = 0;
    // Decoded on demand (from the file for the FXT adapter); empty when the slice has none.
    virtual QList<Argument> sliceArguments(const SliceRef& slice) const = 0;

    virtual qsizetype counterPointCount(int counter) const = 0;
    virtual qint64 counterTime(int counter, qsizetype index) const = 0;
    virtual double counterValue(int counter, qsizetype index) const = 0;

    qint64 start(const SliceRef& s) const { return sliceStart(s.thread, s.depth, s.index); }
    qint64 end(const SliceRef& s) const { return sliceEnd(s.thread, s.depth, s.index); }
    QString nameOf(const SliceRef& s) const { return name(sliceName(s.thread, s.depth, s.index)); }

    // Level-of-detail facts per (thread, depth); computed by prepare().
    const Lod::LaneInfo& laneInfo(int thread, int depth) const;
    // The coverage summary of (thread, depth) for zoomed-out frames; nullptr for rows that need none (few or
    // overlapping slices). Computed by prepare(), with the lane facts.
    const LaneSummary* laneSummary(int thread, int depth) const;
    // Bytes held by all summaries.
    qsizetype summaryBytes() const;
    // Call once after the data is complete (on a worker thread: it reads every slice once).
    void prepare();

    // Self time: duration minus the time covered by its children (slices one level deeper inside it). Walks the
    // children: see childCount() before calling it where time matters.
    qint64 selfTime(const SliceRef& slice) const;
    // How many slices one level deeper start inside the slice (its children, in a well-nested trace): two binary
    // searches.
    qsizetype childCount(const SliceRef& slice) const;
    // Up to this many children, selfTime() takes under a millisecond (0.75 ms for 120,000 on the test machine,
    // Release) and may run on the UI thread.
    static constexpr qsizetype quickSelfTimeChildren = 100'000;
    // selfTime() when it is that quick; nullopt for a slice with more children (leave it to a worker).
    std::optional<qint64> quickSelfTime(const SliceRef& slice) const;
    // The enclosing slice one level up, if any.
    SliceRef parent(const SliceRef& slice) const;

protected:
    // For subclasses that can compute the facts faster than prepare() through the virtual accessors.
    void setLaneInfo(std::vector<std::vector<Lod::LaneInfo>> info) { m_laneInfo = std::move(info); }
    void setLaneSummaries(std::vector<std::vector<LaneSummary>> summaries) { m_summaries = std::move(summaries); }

    QList<Process> m_processes;
    QList<Thread> m_threads;
    QList<Counter> m_counters;

private:
    std::vector<std::vector<Lod::LaneInfo>> m_laneInfo;
    std::vector<std::vector<LaneSummary>> m_summaries;
};

// A lane (thread, depth) as the Lod algorithms want it.
struct TimelineLane
{
    const TimelineData* data;
    int thread;
    int depth;
    qsizetype size() const { return data->sliceCount(thread, depth); }
    qint64 start(qsizetype i) const { return data->sliceStart(thread, depth, i); }
    qint64 end(qsizetype i) const { return data->sliceEnd(thread, depth, i); }
};
