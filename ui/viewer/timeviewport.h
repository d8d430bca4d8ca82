// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

// The horizontal geometry of the timeline: which time range [start, start + span) is shown across `width` pixels.
// Times are nanoseconds as doubles so that deep zoom keeps sub-nanosecond precision per pixel. Pure value type:
// the widget owns one and only translates events into these calls.
class TimeViewport
{
public:
    // Smallest visible span; below it a pixel would stand for less than a hundredth of a nanosecond.
    static constexpr double minimumSpan = 10.0;

    void setBounds(qint64 start, qint64 end);
    qint64 boundsStart() const { return m_boundsStart; }
    qint64 boundsEnd() const { return m_boundsEnd; }

    // Width in pixels of the area that shows time. Keeps the visible span (the same time range stays visible).
    void setWidth(int pixels);
    int width() const { return m_width; }

    double start() const { return m_start; }
    double end() const { return m_start + m_span; }
    double span() const { return m_span; }
    double nsPerPixel() const { return m_span / m_width; }

    double timeToX(double time) const { return (time - m_start) * m_width / m_span; }
    double xToTime(double x) const { return m_start + x * m_span / m_width; }

    // Shows the whole trace.
    void fit();
    // Shows [from, to] (clamped to the bounds, at least minimumSpan wide).
    void showRange(double from, double to);
    // factor > 1 zooms in. The time under pixel x stays under pixel x unless a bound stops it.
    void zoomAround(double x, double factor);
    // Moves the view by dx pixels of content: positive dx shows later times.
    void panByPixels(double dx);
    // Moves the view so that it starts at `time` (clamped).
    void scrollTo(double time);

private:
    void clamp();

    qint64 m_boundsStart = 0;
    qint64 m_boundsEnd = 1;
    int m_width = 1;
    double m_start = 0;
    double m_span = 1;
};
