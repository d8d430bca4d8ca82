// SPDX-License-Identifier: MIT
#include "viewer/slicecolors.h"

#include <array>

namespace SliceColors {

quint32 stableHash(QStringView name)
{
    quint32 hash = 2166136261u;
    for (const QChar c : name) {
        hash ^= c.unicode();
        hash *= 16777619u;
    }
    return hash;
}

QColor forName(QStringView name)
{
    if (name.startsWith(u'[')) {
        if (name.startsWith(u"[decode error"))
            return QColor(0xd9, 0x5c, 0x5c);
        return QColor(0xb8, 0xb8, 0xb8);
    }
    // Hues spread around the wheel, each with two lightness levels: 24 colours that all carry dark text.
    static const std::array<QColor, 24> palette = [] {
        std::array<QColor, 24> colours;
        for (int i = 0; i < 12; ++i) {
            colours[2 * i] = QColor::fromHsl(i * 30, 150, 170);
            colours[2 * i + 1] = QColor::fromHsl(i * 30 + 15, 120, 195);
        }
        return colours;
    }();
    return palette[stableHash(name) % palette.size()];
}

QColor textOn(const QColor& background)
{
    const double luminance = 0.299 * background.redF() + 0.587 * background.greenF() + 0.114 * background.blueF();
    return luminance > 0.55 ? QColor(Qt::black) : QColor(Qt::white);
}

} // namespace SliceColors
