// SPDX-License-Identifier: MIT
#include "viewer/timeaxis.h"

#include "viewer/timeviewport.h"

#include <cmath>
#include <cstdlib>
#include <limits>

using namespace Qt::StringLiterals;

namespace TimeAxis {

qint64 stepFor(double nsPerPixel, double minPixels)
{
    const double wanted = std::max(1.0, nsPerPixel * minPixels);
    qint64 power = 1;
    while (true) {
        for (const qint64 mantissa : { 1, 2, 5 }) {
            const qint64 step = mantissa * power;
            if (static_cast<double>(step) >= wanted)
                return step;
        }
        if (power > std::numeric_limits<qint64>::max() / 100)
            return power * 10;
        power *= 10;
    }
}

QString formatWithStep(qint64 value, qint64 step, qint64 magnitude)
{
    if (magnitude < 0)
        magnitude = std::llabs(value);
    struct Unit
    {
        qint64 scale;
        QString name;
    };
    static const Unit units[]
        = { { 1'000'000'000, u"s"_s }, { 1'000'000, u"ms"_s }, { 1'000, u"\u00b5s"_s }, { 1, u"ns"_s } };
    const Unit* unit = &units[3];
    for (const Unit& u : units) {
        if (std::max(step, magnitude) >= u.scale) {
            unit = &u;
            break;
        }
    }
    // Decimals needed so that multiples of `step` print distinctly in this unit.
    int decimals = 0;
    for (qint64 s = unit->scale; s > 1 && step % s != 0 && decimals < 9; s /= 10)
        ++decimals;
    const QString sign = value < 0 ? u"-"_s : QString();
    const qint64 absolute = std::llabs(value);
    const qint64 whole = absolute / unit->scale;
    QString text = sign + QString::number(whole);
    if (decimals > 0) {
        qint64 fraction = absolute % unit->scale;
        qint64 divisor = unit->scale;
        for (int i = 0; i < decimals; ++i)
            divisor /= 10;
        fraction /= divisor;
        text += u'.' + u"%1"_s.arg(fraction, decimals, 10, QLatin1Char('0'));
    }
    return text + u' ' + unit->name;
}

Ticks ticksFor(const TimeViewport& viewport, qint64 origin, double minPixels)
{
    Ticks result;
    result.step = stepFor(viewport.nsPerPixel(), minPixels);
    result.base = origin;
    const qint64 firstIndex = static_cast<qint64>(std::floor((viewport.start() - origin) / result.step));
    // Labels longer than about 9 significant digits do not fit between ticks: print them relative to a base.
    const double largest = std::abs(viewport.end() - origin);
    const qint64 magnitude = static_cast<qint64>(largest);
    if (largest / result.step >= 1e4) {
        const qint64 bigStep = result.step * 1000;
        result.base = origin + static_cast<qint64>(std::floor((viewport.start() - origin) / bigStep)) * bigStep;
        result.baseLabel = formatWithStep(result.base - origin, result.step);
    }
    for (qint64 index = firstIndex;; ++index) {
        const qint64 time = origin + index * result.step;
        if (static_cast<double>(time) > viewport.end())
            break;
        Tick tick;
        tick.time = time;
        tick.x = viewport.timeToX(static_cast<double>(time));
        tick.label = result.baseLabel.isEmpty()
            ? formatWithStep(time - origin, result.step, magnitude)
            : u"+"_s + formatWithStep(time - result.base, result.step, result.step * 1000);
        result.ticks.append(tick);
        if (result.ticks.size() > 10'000)
            break;
    }
    return result;
}

} // namespace TimeAxis
