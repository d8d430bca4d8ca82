// SPDX-License-Identifier: MIT
#include "icons.h"

#include <QApplication>
#include <QFile>
#include <QHash>
#include <QIconEngine>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QSvgRenderer>

using namespace Qt::StringLiterals;

namespace {

class PaletteSvgIconEngine : public QIconEngine
{
public:
    explicit PaletteSvgIconEngine(QString name)
        : m_name(std::move(name))
    {
        QFile file(u":/icons/"_s + m_name + u".svg"_s);
        if (file.open(QIODevice::ReadOnly))
            m_svg = file.readAll();
    }

    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State) override
    {
        const QPalette palette = QApplication::palette();
        QColor color = palette.color(mode == QIcon::Disabled ? QPalette::Disabled : QPalette::Active,
            mode == QIcon::Selected ? QPalette::HighlightedText : QPalette::WindowText);
        QByteArray svg = m_svg;
        svg.replace("currentColor", color.name().toLatin1());
        // Accent colours stay as drawn, but get lighter on dark palettes.
        if (palette.color(QPalette::Window).lightness() < 128)
            svg.replace("#c0392b", "#ef6f5e").replace("#1e7f4f", "#5cc98f").replace("#1f6fb2", "#6fb2f0");
        QSvgRenderer renderer(svg);
        if (!renderer.isValid())
            return;
        renderer.render(painter, QRectF(rect));
    }

    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override
    {
        return scaledPixmap(size, mode, state, 1.0);
    }

    QPixmap scaledPixmap(const QSize& size, QIcon::Mode mode, QIcon::State state, qreal scale) override
    {
        QPixmap pixmap(size * scale);
        pixmap.fill(Qt::transparent);
        {
            QPainter painter(&pixmap);
            paint(&painter, QRect(QPoint(), size * scale), mode, state);
        }
        pixmap.setDevicePixelRatio(scale);
        return pixmap;
    }

    QSize actualSize(const QSize& size, QIcon::Mode, QIcon::State) override { return size; }
    QIconEngine* clone() const override { return new PaletteSvgIconEngine(*this); }
    QString key() const override { return u"mts-palette-svg"_s; }
    bool isNull() override { return m_svg.isEmpty(); }

private:
    QString m_name;
    QByteArray m_svg;
};

} // namespace

QIcon Icons::icon(const QString& name)
{
    return QIcon(new PaletteSvgIconEngine(name));
}
