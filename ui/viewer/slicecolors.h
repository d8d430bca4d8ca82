// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
#include <QStringView>

// Colours for slices: the same function name always gets the same colour (in every run and every trace), from a
// palette of light, distinguishable hues with dark text; magic-trace's pseudo-frames ("[unknown]", "[syscall]"…)
// are grey so that real code stands out.
namespace SliceColors {

QColor forName(QStringView name);
// Black or white, whichever reads better on `background`.
QColor textOn(const QColor& background);
// A stable 32-bit hash of the name's UTF-16 code units (FNV-1a); qHash is seeded per process.
quint32 stableHash(QStringView name);

} // namespace SliceColors
