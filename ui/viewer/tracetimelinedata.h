// SPDX-License-Identifier: MIT
#pragma once

#include "viewer/timelinedata.h"

#include <memory>

class TraceData;
struct TraceThread;

// The timeline's view of a trace loaded by the FXT reader. Holds no copy of the slices: every lookup goes to the
// TraceData, which it keeps alive. Construct on the loading thread (the constructor reads every slice once).
class TraceTimelineData : public TimelineData
{
public:
    explicit TraceTimelineData(std::shared_ptr<const TraceData> trace, const LaneSummary::Options& summaries = {});
    ~TraceTimelineData() override;

    const TraceData& trace() const { return *m_trace; }
    std::shared_ptr<const TraceData> traceShared() const { return m_trace; }

    qint64 startTime() const override { return m_start; }
    qint64 endTime() const override { return m_end; }
    QDateTime wallClockStart() const override;
    QList<std::pair<QString, quint64>> anomalies() const override;
    qsizetype sliceCount(int thread, int depth) const override;
    qint64 sliceStart(int thread, int depth, qsizetype index) const override;
    qint64 sliceEnd(int thread, int depth, qsizetype index) const override;
    quint32 sliceName(int thread, int depth, qsizetype index) const override;
    quint32 nameCount() const override;
    QString name(quint32 id) const override;
    QList<Argument> sliceArguments(const SliceRef& slice) const override;
    qsizetype counterPointCount(int counter) const override;
    qint64 counterTime(int counter, qsizetype index) const override;
    double counterValue(int counter, qsizetype index) const override;

private:
    std::shared_ptr<const TraceData> m_trace;
    const TraceThread* m_threadData = nullptr; // m_trace->threads().data()
    qint64 m_start = 0;
    qint64 m_end = 1;
};
