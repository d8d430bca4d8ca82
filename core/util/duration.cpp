// SPDX-License-Identifier: MIT
#include "util/duration.h"

#include <QCoreApplication>
#include <cmath>
#include <limits>

namespace Duration {

namespace {
struct Suffix
{
    const char16_t* text;
    double nanoseconds;
};
// Longest suffixes first so that "ms" is not read as "s" with a stray "m".
constexpr Suffix suffixes[] = {
    { u"min", 60e9 },
    { u"ns", 1.0 },
    { u"us", 1e3 },
    { u"\u00b5s", 1e3 },
    { u"ms", 1e6 },
    { u"s", 1e9 },
    { u"m", 60e9 },
};

double unitScale(Unit unit)
{
    switch (unit) {
    case Unit::Nanoseconds:
        return 1.0;
    case Unit::Microseconds:
        return 1e3;
    case Unit::Milliseconds:
        return 1e6;
    case Unit::Seconds:
        return 1e9;
    }
    return 1e9;
}

QString tr(const char* text)
{
    return QCoreApplication::translate("Duration", text);
}
} // namespace

std::optional<qint64> parse(QStringView text, Unit defaultUnit, QString* error)
{
    const QStringView trimmed = text.trimmed();
    double scale = unitScale(defaultUnit);
    QStringView number = trimmed;
    for (const Suffix& suffix : suffixes) {
        const QStringView s(suffix.text);
        if (trimmed.endsWith(s, Qt::CaseInsensitive)) {
            scale = suffix.nanoseconds;
            number = trimmed.chopped(s.size()).trimmed();
            break;
        }
    }
    bool ok = false;
    const double value = number.toDouble(&ok);
    if (!ok || number.isEmpty() || !std::isfinite(value)) {
        if (error)
            *error = tr("\"%1\" is not a duration; write a number with a unit such as 500ms, 2s or 150us")
                         .arg(text.toString());
        return std::nullopt;
    }
    if (value < 0) {
        if (error)
            *error = tr("\"%1\" is negative; a duration must be zero or more").arg(text.toString());
        return std::nullopt;
    }
    const double ns = std::round(value * scale);
    if (ns >= static_cast<double>(std::numeric_limits<qint64>::max())) {
        if (error)
            *error = tr("\"%1\" is too long a duration").arg(text.toString());
        return std::nullopt;
    }
    return static_cast<qint64>(ns);
}

QString format(qint64 nanoseconds)
{
    const bool negative = nanoseconds < 0;
    const double ns = std::abs(static_cast<double>(nanoseconds));
    QString result;
    if (ns < 1e3) {
        result = QString::number(static_cast<qint64>(ns)) + u" ns";
    } else if (ns < 60e9) {
        static constexpr struct
        {
            double scale;
            const char16_t* unit;
        } units[] = { { 1e3, u" \u00b5s" }, { 1e6, u" ms" }, { 1e9, u" s" } };
        int index = ns < 1e6 ? 0 : (ns < 1e9 ? 1 : 2);
        double value = ns / units[index].scale;
        // Rounding to three significant digits can carry into the next unit (999.96 us -> 1.00 ms).
        if (value >= 999.5 && index < 2) {
            ++index;
            value = ns / units[index].scale;
        }
        const int decimals = value < 10 ? 2 : (value < 100 ? 1 : 0);
        result = QString::number(value, 'f', decimals) + QStringView(units[index].unit);
    } else {
        const qint64 totalSeconds = static_cast<qint64>(ns / 1e9);
        const qint64 hours = totalSeconds / 3600;
        const qint64 minutes = (totalSeconds / 60) % 60;
        const qint64 seconds = totalSeconds % 60;
        result = hours > 0 ? QStringLiteral("%1 h %2 min %3 s").arg(hours).arg(minutes).arg(seconds)
                           : QStringLiteral("%1 min %2 s").arg(minutes).arg(seconds);
    }
    return negative ? u'-' + result : result;
}

} // namespace Duration
