// SPDX-License-Identifier: MIT
#pragma once

#include <QIcon>
#include <QString>

// Our own SVG icons (resources/icons/NAME.svg). They are drawn in "currentColor", which is replaced at paint time
// by the palette's text colour (or the disabled text colour), so they read well on light and dark palettes and
// stay sharp at any device pixel ratio.
namespace Icons {
QIcon icon(const QString& name);
} // namespace Icons
