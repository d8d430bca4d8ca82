// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>

class TimeViewport;

// Tick marks for the time axis: a round step (1, 2 or 5 times a power of ten nanoseconds) chosen so that labels
// are at least a given number of pixels apart, and labels in the unit that suits the step. Times on the axis
// are shown relative to the trace start, as magic-trace's timestamps are.
namespace TimeAxis {

struct Tick
{
    qint64 time = 0; // absolute, ns
    double x = 0; // pixel
    QString label;
};

struct Ticks
{
    qint64 step = 1; // ns between ticks
    // When labels would need more digits than fit, they are shown relative to `base` (absolute ns), which the
    // axis prints once; otherwise base equals the trace start and baseLabel is empty.
    qint64 base = 0;
    QString baseLabel;
    QList<Tick> ticks;
};

// The smallest round step (1, 2, 5 × 10^k ns) at least minPixels wide at the viewport's zoom.
qint64 stepFor(double nsPerPixel, double minPixels);

// Ticks covering the visible range of `viewport`, labelled relative to `origin` (the trace start).
Ticks ticksFor(const TimeViewport& viewport, qint64 origin, double minPixels = 90);

// "1.5 ms", "250 µs", "3 s": `value` ns written in the unit suited to the larger of `step` and `magnitude` (by
// default the value itself; the axis passes its largest label so that all labels share a unit) with just
// enough decimals to tell multiples of `step` apart.
QString formatWithStep(qint64 value, qint64 step, qint64 magnitude = -1);

} // namespace TimeAxis
