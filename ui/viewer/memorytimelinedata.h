// SPDX-License-Identifier: MIT
#pragma once

#include "viewer/timelinedata.h"

#include <QHash>

// TimelineData held in plain vectors: for tests and for small made-up timelines. Build it with addProcess,
// addThread, addSlice (any order within a depth; finish() sorts), addCounterPoint, then call finish().
class MemoryTimelineData : public TimelineData
{
public:
    int addProcess(quint64 koid, const QString& name);
    int addThread(int process, quint64 koid, const QString& name);
    int addCounter(int process, const QString& name);
    void addSlice(int thread, int depth, qint64 start, qint64 end, const QString& name, QList<Argument> arguments = {});
    void addCounterPoint(int counter, qint64 time, double value);
    void setWallClockStart(const QDateTime& time) { m_wallClock = time; }
    void addAnomaly(const QString& name, quint64 count) { m_anomalies.append({ name, count }); }
    // Sorts, computes bounds (or uses [start, end] when given) and prepares the level-of-detail facts.
    void finish(std::optional<std::pair<qint64, qint64>> bounds = std::nullopt);

    qint64 startTime() const override { return m_start; }
    qint64 endTime() const override { return m_end; }
    QDateTime wallClockStart() const override { return m_wallClock; }
    QList<std::pair<QString, quint64>> anomalies() const override { return m_anomalies; }
    qsizetype sliceCount(int thread, int depth) const override;
    qint64 sliceStart(int thread, int depth, qsizetype index) const override;
    qint64 sliceEnd(int thread, int depth, qsizetype index) const override;
    quint32 sliceName(int thread, int depth, qsizetype index) const override;
    quint32 nameCount() const override { return quint32(m_names.size()); }
    QString name(quint32 id) const override { return id < quint32(m_names.size()) ? m_names.at(id) : QString(); }
    QList<Argument> sliceArguments(const SliceRef& slice) const override;
    qsizetype counterPointCount(int counter) const override;
    qint64 counterTime(int counter, qsizetype index) const override;
    double counterValue(int counter, qsizetype index) const override;

    quint32 nameId(const QString& name);

private:
    struct Slice
    {
        qint64 start;
        qint64 end;
        quint32 name;
        int arguments; // index into m_arguments, -1 for none
    };
    const Slice& slice(int thread, int depth, qsizetype index) const;

    std::vector<std::vector<std::vector<Slice>>> m_slices; // [thread][depth][i]
    std::vector<std::vector<std::pair<qint64, double>>> m_counterPoints;
    QList<QList<Argument>> m_arguments;
    QStringList m_names;
    QHash<QString, quint32> m_nameIds;
    QList<std::pair<QString, quint64>> m_anomalies;
    QDateTime m_wallClock;
    qint64 m_start = 0;
    qint64 m_end = 1;
};
