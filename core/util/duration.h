// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringView>
#include <optional>

// Durations as users type and read them: "250ms", "1.5s", "40us", "12ns", "3" (seconds unless told otherwise).
namespace Duration {

enum class Unit { Nanoseconds, Microseconds, Milliseconds, Seconds };

// Parses a non-negative duration with an optional unit suffix (ns, us, µs, ms, s, m, min). A number without a
// suffix is read in defaultUnit. Returns nanoseconds, or nullopt with *error set.
std::optional<qint64> parse(QStringView text, Unit defaultUnit, QString* error);

// Formats nanoseconds with a unit that keeps three significant digits: "812 ns", "1.25 ms", "3.40 s", "2 min 5 s".
QString format(qint64 nanoseconds);

} // namespace Duration
