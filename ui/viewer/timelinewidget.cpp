// SPDX-License-Identifier: MIT
#include "viewer/timelinewidget.h"

#include "util/duration.h"
#include "viewer/slicecolors.h"
#include "viewer/timeaxis.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <cmath>

using namespace Qt::StringLiterals;

namespace {
constexpr int barUnits = 1 << 30;
const QColor backgroundColor(0xfb, 0xfb, 0xfc);
const QColor headerColor(0xe8, 0xea, 0xee);
const QColor gutterColor(0xf2, 0xf3, 0xf5);
const QColor gridColor(0, 0, 0, 18);
const QColor rangeFill(40, 110, 200, 38);
const QColor rangeEdge(40, 110, 200);
const QColor matchOutline(0xff, 0x7a, 0x00);
const QColor denseColor(0x9a, 0xa3, 0xb2); // runs of many merged sub-pixel calls
const QColor fadedDenseColor(0xc8, 0xcd, 0xd5);

// The keys keyPressEvent() handles without modifiers.
bool isNavigationKey(int key)
{
    switch (key) {
    case Qt::Key_W:
    case Qt::Key_S:
    case Qt::Key_A:
    case Qt::Key_D:
    case Qt::Key_F:
    case Qt::Key_0:
    case Qt::Key_Home:
    case Qt::Key_Escape:
        return true;
    default:
        return false;
    }
}
} // namespace

TimelineWidget::TimelineWidget(QWidget* parent)
    : QAbstractScrollArea(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setMouseTracking(true);
    viewport()->setAutoFillBackground(false);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    m_view.setWidth(std::max(1, viewport()->width() - labelWidth));
}

TimelineWidget::~TimelineWidget() = default;

void TimelineWidget::setData(std::shared_ptr<const TimelineData> data)
{
    m_data = std::move(data);
    m_selected = {};
    m_range.reset();
    m_highlighted.clear();
    m_collapsed.clear();
    m_counterMax.clear();
    m_nameColors.clear();
    if (m_data) {
        m_view.setBounds(m_data->startTime(), m_data->endTime());
        for (int c = 0; c < m_data->counters().size(); ++c) {
            double maximum = 0;
            for (qsizetype i = 0, n = m_data->counterPointCount(c); i < n; ++i)
                maximum = std::max(maximum, m_data->counterValue(c, i));
            m_counterMax.push_back(maximum);
        }
        // Four colours per name, looked up by id while painting: plain, merged (darker), and both faded for
        // slices that are not search matches. Stored as four consecutive blocks of nameCount entries.
        const quint32 names = m_data->nameCount();
        m_nameColors.assign(size_t(names) * 4, 0);
        for (quint32 id = 0; id < names; ++id) {
            const QColor plain = SliceColors::forName(m_data->name(id));
            const QColor merged = plain.darker(112);
            auto faded = [](const QColor& c) {
                return QColor::fromHsl(c.hslHue(), c.hslSaturation() / 4, std::min(235, c.lightness() + 25)).rgb();
            };
            m_nameColors[id] = plain.rgb();
            m_nameColors[names + id] = merged.rgb();
            m_nameColors[2 * size_t(names) + id] = faded(plain);
            m_nameColors[3 * size_t(names) + id] = faded(merged);
        }
    }
    rebuildRows();
    syncHorizontalBar();
    viewport()->update();
    Q_EMIT viewChanged();
}

void TimelineWidget::rebuildRows()
{
    m_rows.clear();
    int y = 0;
    if (m_data) {
        for (int p = 0; p < m_data->processes().size(); ++p) {
            m_rows.append({ RowKind::ProcessHeader, p, y, headerHeight });
            y += headerHeight;
            if (m_collapsed.contains(p))
                continue;
            const TimelineData::Process& process = m_data->processes().at(p);
            for (const int t : process.threads) {
                const int height = std::max(1, m_data->threads().at(t).depths) * rowHeight + 6;
                m_rows.append({ RowKind::Thread, t, y, height });
                y += height;
            }
            for (const int c : process.counters) {
                m_rows.append({ RowKind::Counter, c, y, counterHeight });
                y += counterHeight;
            }
        }
    }
    m_contentHeight = y;
    updateScrollBars();
}

void TimelineWidget::updateScrollBars()
{
    const int visible = std::max(0, viewport()->height() - axisHeight);
    verticalScrollBar()->setPageStep(visible);
    verticalScrollBar()->setSingleStep(rowHeight * 3);
    verticalScrollBar()->setRange(0, std::max(0, m_contentHeight - visible));
}

void TimelineWidget::syncHorizontalBar()
{
    const double total = double(m_view.boundsEnd() - m_view.boundsStart());
    const int page = std::clamp(int(m_view.span() / total * barUnits), 1, barUnits);
    m_updatingBar = true;
    QScrollBar* bar = horizontalScrollBar();
    bar->setRange(0, barUnits - page);
    bar->setPageStep(page);
    bar->setSingleStep(std::max(1, page / 10));
    bar->setValue(int((m_view.start() - double(m_view.boundsStart())) / total * barUnits));
    m_updatingBar = false;
}

void TimelineWidget::scrollContentsBy(int, int)
{
    if (!m_updatingBar) {
        const double total = double(m_view.boundsEnd() - m_view.boundsStart());
        const double start = double(m_view.boundsStart()) + double(horizontalScrollBar()->value()) / barUnits * total;
        if (std::abs(start - m_view.start()) > total / barUnits) {
            m_view.scrollTo(start);
            Q_EMIT viewChanged();
        }
    }
    viewport()->update();
}

void TimelineWidget::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    m_view.setWidth(std::max(1, viewport()->width() - labelWidth));
    updateScrollBars();
    syncHorizontalBar();
}

void TimelineWidget::fitAll()
{
    m_view.fit();
    syncHorizontalBar();
    viewport()->update();
    Q_EMIT viewChanged();
}

void TimelineWidget::zoomToSelection()
{
    if (m_range) {
        m_view.showRange(double(m_range->first), double(m_range->second));
    } else if (m_selected.isValid() && m_data) {
        const double s = double(m_data->start(m_selected));
        const double e = double(m_data->end(m_selected));
        const double margin = std::max((e - s) * 0.05, 5.0);
        m_view.showRange(s - margin, e + margin);
    } else {
        return;
    }
    syncHorizontalBar();
    viewport()->update();
    Q_EMIT viewChanged();
}

void TimelineWidget::zoomAroundX(double x, double factor)
{
    m_view.zoomAround(x, factor);
    syncHorizontalBar();
    viewport()->update();
    Q_EMIT viewChanged();
}

void TimelineWidget::panPixels(double dx)
{
    m_view.panByPixels(dx);
    syncHorizontalBar();
    viewport()->update();
    Q_EMIT viewChanged();
}

void TimelineWidget::reveal(const SliceRef& slice)
{
    if (!m_data || !slice.isValid())
        return;
    const double s = double(m_data->start(slice));
    const double e = double(m_data->end(slice));
    if ((e - s) / m_view.nsPerPixel() < 3) {
        // Too small to see: zoom so that it is about a tenth of the width.
        const double span = std::max((e - s) * 10, TimeViewport::minimumSpan * 10);
        m_view.showRange((s + e) / 2 - span / 2, (s + e) / 2 + span / 2);
    } else if (e < m_view.start() || s > m_view.end()) {
        m_view.scrollTo((s + e) / 2 - m_view.span() / 2);
    }
    const int process = m_data->threads().at(slice.thread).process;
    if (m_collapsed.contains(process))
        setProcessCollapsed(process, false);
    const int y = yForDepth(slice.thread, slice.depth);
    if (y >= 0 && (y < axisHeight || y + rowHeight > viewport()->height())) {
        verticalScrollBar()->setValue(
            verticalScrollBar()->value() + y - axisHeight - (viewport()->height() - axisHeight) / 2);
    }
    syncHorizontalBar();
    viewport()->update();
    Q_EMIT viewChanged();
}

void TimelineWidget::setSelectedSlice(const SliceRef& slice)
{
    m_selected = slice;
    viewport()->update();
}

void TimelineWidget::setSelectedRange(std::optional<std::pair<qint64, qint64>> range)
{
    if (range && range->first > range->second)
        std::swap(range->first, range->second);
    m_range = range;
    viewport()->update();
}

void TimelineWidget::setHighlightedNames(QSet<quint32> names)
{
    m_highlighted = std::move(names);
    viewport()->update();
}

void TimelineWidget::setProcessCollapsed(int process, bool collapsed)
{
    if (collapsed)
        m_collapsed.insert(process);
    else
        m_collapsed.remove(process);
    rebuildRows();
    viewport()->update();
}

bool TimelineWidget::isProcessCollapsed(int process) const
{
    return m_collapsed.contains(process);
}

const TimelineWidget::Row* TimelineWidget::rowAt(int viewportY) const
{
    if (viewportY < axisHeight)
        return nullptr;
    const int y = viewportY - axisHeight + verticalScrollBar()->value();
    // Rows are sorted by y: binary search.
    auto it = std::upper_bound(m_rows.cbegin(), m_rows.cend(), y, [](int v, const Row& r) { return v < r.y; });
    if (it == m_rows.cbegin())
        return nullptr;
    --it;
    return y < it->y + it->height ? &*it : nullptr;
}

int TimelineWidget::yForDepth(int thread, int depth) const
{
    for (const Row& row : m_rows) {
        if (row.kind == RowKind::Thread && row.index == thread)
            return axisHeight + row.y - verticalScrollBar()->value() + 3 + depth * rowHeight;
    }
    return -1;
}

int TimelineWidget::yForCounter(int counter) const
{
    for (const Row& row : m_rows) {
        if (row.kind == RowKind::Counter && row.index == counter)
            return axisHeight + row.y - verticalScrollBar()->value();
    }
    return -1;
}

SliceRef TimelineWidget::sliceAt(const QPoint& pos) const
{
    const Row* row = rowAt(pos.y());
    if (!row || row->kind != RowKind::Thread || pos.x() < labelWidth || !m_data)
        return {};
    const int top = axisHeight + row->y - verticalScrollBar()->value() + 3;
    if (pos.y() < top)
        return {};
    const int depth = (pos.y() - top) / rowHeight;
    if (depth >= m_data->threads().at(row->index).depths)
        return {};
    const TimelineLane lane { m_data.get(), row->index, depth };
    const double t = timeForX(pos.x() + 0.5);
    const qsizetype index = Lod::hitTest(lane, m_data->laneInfo(row->index, depth), t, 2 * m_view.nsPerPixel());
    return index < 0 ? SliceRef {} : SliceRef { row->index, depth, index };
}

void TimelineWidget::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    paintTimeline(p, viewport()->rect());
}

void TimelineWidget::renderTo(QPaintDevice* device)
{
    QPainter p(device);
    paintTimeline(p, QRect(0, 0, device->width(), device->height()));
}

void TimelineWidget::paintTimeline(QPainter& p, const QRect& area)
{
    const int width = area.width();
    p.fillRect(area, backgroundColor);
    if (!m_data) {
        paintAxis(p, width);
        return;
    }
    const int scroll = verticalScrollBar()->value();
    // Rows overlapping the visible height, found by binary search like everything else.
    auto it = std::upper_bound(m_rows.cbegin(), m_rows.cend(), scroll, [](int v, const Row& r) { return v < r.y; });
    if (it != m_rows.cbegin())
        --it;
    p.save();
    p.setClipRect(QRect(0, axisHeight, width, area.height() - axisHeight));
    for (; it != m_rows.cend(); ++it) {
        const int top = axisHeight + it->y - scroll;
        if (top > area.height())
            break;
        if (top + it->height < axisHeight)
            continue;
        switch (it->kind) {
        case RowKind::ProcessHeader: {
            const TimelineData::Process& process = m_data->processes().at(it->index);
            p.fillRect(QRect(0, top, width, it->height), headerColor);
            p.setPen(QColor(0x30, 0x33, 0x38));
            const QString arrow = m_collapsed.contains(it->index) ? u"\u25b8"_s : u"\u25be"_s;
            const QString title = (process.name.isEmpty() ? tr("Process %1").arg(process.koid) : process.name);
            QFont bold = p.font();
            bold.setBold(true);
            p.setFont(bold);
            p.drawText(QRect(6, top, width - 12, it->height), Qt::AlignVCenter | Qt::AlignLeft,
                arrow + u' ' + p.fontMetrics().elidedText(title, Qt::ElideMiddle, width / 2));
            p.setFont(font());
            break;
        }
        case RowKind::Thread:
            paintThread(p, *it, top, width);
            break;
        case RowKind::Counter:
            paintCounter(p, *it, top, width);
            break;
        }
    }
    p.restore();

    if (m_range) {
        const double x0 = xForTime(double(m_range->first));
        const double x1 = xForTime(double(m_range->second));
        const QRectF band(std::max(x0, double(labelWidth)), 0, 0, area.height());
        QRectF shown = band;
        shown.setRight(std::min(std::max(x1, x0 + 1), double(width)));
        if (shown.width() > 0)
            p.fillRect(shown, rangeFill);
        p.setPen(rangeEdge);
        if (x0 >= labelWidth)
            p.drawLine(QPointF(x0, 0), QPointF(x0, area.height()));
        if (x1 >= labelWidth)
            p.drawLine(QPointF(x1, 0), QPointF(x1, area.height()));
    }
    paintAxis(p, width);
}

void TimelineWidget::paintThread(QPainter& p, const Row& row, int top, int width)
{
    const TimelineData::Thread& thread = m_data->threads().at(row.index);
    p.fillRect(QRect(0, top, labelWidth, row.height), gutterColor);
    p.setPen(QColor(0x40, 0x44, 0x4a));
    const QString label = (thread.name.isEmpty() ? tr("Thread") : thread.name) + u" "_s + QString::number(thread.koid);
    p.drawText(QRect(14, top + 2, labelWidth - 18, rowHeight), Qt::AlignVCenter | Qt::AlignLeft,
        p.fontMetrics().elidedText(label, Qt::ElideMiddle, labelWidth - 18));
    p.setPen(QColor(0, 0, 0, 30));
    p.drawLine(0, top + row.height - 1, width, top + row.height - 1);

    const double viewStart = m_view.start();
    const double viewEnd = m_view.end();
    const double npp = m_view.nsPerPixel();
    const int right = width;
    p.save();
    p.setClipRect(QRect(labelWidth, std::max(top, axisHeight), width - labelWidth, row.height), Qt::IntersectClip);
    const QFontMetrics metrics = p.fontMetrics();
    const int minTextWidth = metrics.horizontalAdvance(u"M…"_s) + 6;
    const bool searching = !m_highlighted.isEmpty();
    const QRect visible = p.clipBoundingRect().toAlignedRect();
    for (int depth = 0; depth < thread.depths; ++depth) {
        const int y = top + 3 + depth * rowHeight;
        if (y + rowHeight < visible.top() || y > visible.bottom())
            continue;
        const TimelineLane lane { m_data.get(), row.index, depth };
        // Adjacent merged marks are painted as one rectangle: at that zoom a pixel stands for many calls, and one
        // fill per run instead of per column keeps zoomed-out frames cheap. A run of several columns is drawn in
        // a neutral grey so that it does not read as one long call of whatever function came first.
        double runX0 = 0, runX1 = -1;
        qsizetype runFirst = 0;
        int runMarks = 0;
        const size_t names = m_nameColors.size() / 4;
        auto colourOf = [&](quint32 nameId, bool merged, bool match) {
            const int variant = (merged ? 1 : 0) + (searching && !match ? 2 : 0);
            return nameId < names ? m_nameColors[size_t(variant) * names + nameId] : qRgb(160, 160, 160);
        };
        auto flushRun = [&] {
            if (runX1 > runX0) {
                // The name of a run's first slice is read only for a lone mark: zoomed out, runs are long and
                // their slices need not be touched at all.
                const QColor colour = runMarks > 1
                    ? (searching ? fadedDenseColor : denseColor)
                    : QColor(colourOf(m_data->sliceName(row.index, depth, runFirst), true, false));
                p.fillRect(QRectF(runX0, y, runX1 - runX0, rowHeight - 1), colour);
            }
            runX1 = -1;
            runMarks = 0;
        };
        const Lod::LaneInfo& info = m_data->laneInfo(row.index, depth);
        const LaneSummary* summary = m_data->laneSummary(row.index, depth);
        Lod::forEachMark(lane, info, summary, viewStart, npp, viewEnd, [&](const Lod::Mark& m) {
            double x0 = labelWidth + (double(m.start) - viewStart) / npp;
            double x1 = labelWidth + (double(m.end) - viewStart) / npp;
            if (m.merged()) {
                x0 = std::floor(x0);
                x1 = std::ceil(x1);
            }
            x0 = std::max(x0, double(labelWidth) - 1);
            x1 = std::min(x1, double(right) + 1);
            const double w = std::max(x1 - x0, 1.0);
            // While searching, a merged mark is highlighted by the name of its first slice.
            const bool needName = !m.merged() || searching;
            const quint32 nameId = needName ? m_data->sliceName(row.index, depth, m.first) : 0;
            const bool match = searching && m_highlighted.contains(nameId);
            if (m.merged() && !match) {
                if (runX1 >= 0 && x0 <= runX1 + 0.5) {
                    runX1 = std::max(runX1, x0 + w);
                    ++runMarks;
                    return;
                }
                flushRun();
                runX0 = x0;
                runX1 = x0 + w;
                runFirst = m.first;
                runMarks = 1;
                return;
            }
            flushRun();
            const QColor colour(colourOf(nameId, m.merged(), match));
            const QRectF box(x0, y, w, rowHeight - 1);
            p.fillRect(box, colour);
            if (match && w >= 1) {
                p.setPen(QPen(matchOutline, 1.5));
                p.drawRect(box.adjusted(0.75, 0.75, -0.75, -0.75));
            }
            if (!m.merged() && w >= minTextWidth) {
                const QRectF textBox = box.adjusted(3, 0, -3, 0)
                                           .intersected(QRectF(labelWidth + 2, y, width - labelWidth - 4, rowHeight));
                if (textBox.width() >= minTextWidth - 6) {
                    p.setPen(SliceColors::textOn(colour));
                    p.drawText(textBox, Qt::AlignVCenter | Qt::AlignLeft,
                        metrics.elidedText(m_data->name(nameId), Qt::ElideRight, int(textBox.width())));
                }
            }
        });
        flushRun();
    }
    if (m_selected.isValid() && m_selected.thread == row.index) {
        const double x0 = xForTime(double(m_data->start(m_selected)));
        const double x1 = xForTime(double(m_data->end(m_selected)));
        const int y = top + 3 + m_selected.depth * rowHeight;
        p.setPen(QPen(QColor(0x10, 0x10, 0x10), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(x0, y, std::max(x1 - x0, 2.0), rowHeight - 1));
    }
    p.restore();
}

void TimelineWidget::paintCounter(QPainter& p, const Row& row, int top, int width)
{
    const TimelineData::Counter& counter = m_data->counters().at(row.index);
    p.fillRect(QRect(0, top, labelWidth, row.height), gutterColor);
    p.setPen(QColor(0x40, 0x44, 0x4a));
    p.drawText(QRect(14, top, labelWidth - 18, row.height), Qt::AlignVCenter | Qt::AlignLeft,
        p.fontMetrics().elidedText(counter.name, Qt::ElideMiddle, labelWidth - 18));
    const qsizetype n = m_data->counterPointCount(row.index);
    const double maximum = size_t(row.index) < m_counterMax.size() ? m_counterMax[size_t(row.index)] : 0;
    if (n == 0 || maximum <= 0)
        return;
    const int c = row.index;
    // Last point at or before time t (binary search), -1 when none.
    auto lastAtOrBefore = [&](double t) {
        qsizetype lo = 0, hi = n;
        while (lo < hi) {
            const qsizetype mid = lo + (hi - lo) / 2;
            if (double(m_data->counterTime(c, mid)) <= t)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo - 1;
    };
    const double graphTop = top + 4;
    const double graphHeight = row.height - 8;
    auto yFor = [&](double v) { return graphTop + graphHeight * (1 - v / maximum); };
    QPainterPath path;
    qsizetype i = std::max<qsizetype>(0, lastAtOrBefore(m_view.start()));
    double x = std::max(double(labelWidth), xForTime(double(m_data->counterTime(c, i))));
    double y = yFor(m_data->counterValue(c, i));
    path.moveTo(x, graphTop + graphHeight);
    path.lineTo(x, y);
    // One step per pixel column at most: points that share a column are skipped by binary search.
    while (i + 1 < n && x < width) {
        qsizetype next = i + 1;
        const double nextX = xForTime(double(m_data->counterTime(c, next)));
        if (nextX - x < 1)
            next = std::max(next, lastAtOrBefore(timeForX(std::floor(x) + 1)));
        const double stepX = std::min(xForTime(double(m_data->counterTime(c, next))), double(width));
        path.lineTo(stepX, y);
        y = yFor(m_data->counterValue(c, next));
        path.lineTo(stepX, y);
        x = stepX;
        i = next;
    }
    // The last value holds until the trace ends; the area closes straight down from there.
    const double endX = std::min(double(width), xForTime(double(m_data->endTime())));
    if (endX > x) {
        path.lineTo(endX, y);
        x = endX;
    }
    path.lineTo(x, graphTop + graphHeight);
    p.save();
    p.setClipRect(QRect(labelWidth, std::max(top, axisHeight), width - labelWidth, row.height), Qt::IntersectClip);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(QColor(0x2f, 0x6f, 0xb3));
    p.setBrush(QColor(0x2f, 0x6f, 0xb3, 60));
    p.drawPath(path);
    p.restore();
    p.setPen(QColor(0x60, 0x60, 0x60));
    p.drawText(QRect(14, top + row.height - 16, labelWidth - 18, 14), Qt::AlignRight | Qt::AlignVCenter,
        tr("max %1").arg(maximum));
}

void TimelineWidget::paintAxis(QPainter& p, int width)
{
    p.fillRect(QRect(0, 0, width, axisHeight), QColor(0xf0, 0xf1, 0xf4));
    p.setPen(QColor(0, 0, 0, 60));
    p.drawLine(0, axisHeight - 1, width, axisHeight - 1);
    if (!m_data)
        return;
    const TimeAxis::Ticks ticks = TimeAxis::ticksFor(m_view, m_data->startTime());
    p.save();
    p.setClipRect(QRect(labelWidth, 0, width - labelWidth, height()));
    for (const TimeAxis::Tick& tick : ticks.ticks) {
        const double x = labelWidth + tick.x;
        p.setPen(gridColor);
        p.drawLine(QPointF(x, axisHeight), QPointF(x, height()));
        p.setPen(QColor(0x50, 0x50, 0x50));
        p.drawLine(QPointF(x, axisHeight - 7), QPointF(x, axisHeight - 1));
        if (tick.x >= 0) // a label cut by the gutter would read as garbage
            p.drawText(QRectF(x + 3, 2, 200, axisHeight - 6), Qt::AlignLeft | Qt::AlignVCenter, tick.label);
    }
    p.restore();
    p.setPen(QColor(0x30, 0x30, 0x30));
    const QString corner = ticks.baseLabel.isEmpty() ? tr("from start") : ticks.baseLabel;
    p.drawText(QRect(6, 0, labelWidth - 10, axisHeight), Qt::AlignVCenter | Qt::AlignLeft, corner);
    if (m_range) {
        const double x0 = std::max(xForTime(double(m_range->first)), double(labelWidth));
        const QString text = Duration::format(m_range->second - m_range->first);
        const int w = p.fontMetrics().horizontalAdvance(text) + 10;
        const QRectF box(x0, 2, w, axisHeight - 5);
        p.fillRect(box, rangeEdge);
        p.setPen(Qt::white);
        p.drawText(box, Qt::AlignCenter, text);
    }
}

double TimelineWidget::pointerX() const
{
    const QPoint pos = viewport()->mapFromGlobal(QCursor::pos());
    if (viewport()->rect().contains(pos) && pos.x() >= labelWidth)
        return pos.x() - labelWidth;
    return m_view.width() / 2.0;
}

void TimelineWidget::wheelEvent(QWheelEvent* event)
{
    const QPoint delta = event->angleDelta();
    if (event->modifiers() & Qt::ControlModifier) {
        const double x = std::max(0.0, event->position().x() - labelWidth);
        zoomAroundX(x, std::pow(1.0015, delta.y()));
        event->accept();
    } else if (event->modifiers() & Qt::ShiftModifier || delta.x() != 0) {
        panPixels(-(delta.x() != 0 ? delta.x() : delta.y()) / 2.0);
        event->accept();
    } else {
        QAbstractScrollArea::wheelEvent(event);
    }
}

void TimelineWidget::mousePressEvent(QMouseEvent* event)
{
    m_pressPos = m_lastPos = event->position().toPoint();
    m_moved = false;
    if (event->button() == Qt::LeftButton
        && (event->modifiers() & Qt::ShiftModifier || (m_pressPos.y() < axisHeight && m_pressPos.x() >= labelWidth))) {
        m_drag = Drag::Select;
        m_selectAnchor = timeForX(m_pressPos.x());
    } else if (event->button() == Qt::LeftButton || event->button() == Qt::MiddleButton) {
        m_drag = Drag::Pan;
        viewport()->setCursor(Qt::ClosedHandCursor);
    }
    event->accept();
}

void TimelineWidget::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if ((pos - m_pressPos).manhattanLength() >= 3)
        m_moved = true;
    if (m_drag == Drag::Pan && m_moved) {
        panPixels(m_lastPos.x() - pos.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() + m_lastPos.y() - pos.y());
    } else if (m_drag == Drag::Select && m_moved && m_data) {
        const double t = std::clamp(timeForX(pos.x()), double(m_data->startTime()), double(m_data->endTime()));
        const double anchor = std::clamp(m_selectAnchor, double(m_data->startTime()), double(m_data->endTime()));
        setSelectedRange(
            std::pair { qint64(std::llround(std::min(anchor, t))), qint64(std::llround(std::max(anchor, t))) });
    }
    m_lastPos = pos;
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent* event)
{
    const Drag drag = m_drag;
    m_drag = Drag::None;
    viewport()->unsetCursor();
    const QPoint pos = event->position().toPoint();
    if (drag == Drag::Select) {
        if (m_moved && m_range && m_range->second > m_range->first) {
            Q_EMIT rangeSelected(m_range->first, m_range->second);
        } else {
            setSelectedRange(std::nullopt);
            Q_EMIT rangeCleared();
        }
        return;
    }
    if (m_moved || event->button() != Qt::LeftButton)
        return;
    const Row* row = rowAt(pos.y());
    if (row && row->kind == RowKind::ProcessHeader) {
        setProcessCollapsed(row->index, !m_collapsed.contains(row->index));
        return;
    }
    const SliceRef slice = sliceAt(pos);
    setSelectedSlice(slice);
    Q_EMIT sliceSelected(slice);
}

bool TimelineWidget::event(QEvent* event)
{
    // The navigation keys belong to the timeline while it has the focus, before any window shortcut on the same
    // key (Esc is also the main window's Stop: it must not end a recording while the user clears a selection).
    if (event->type() == QEvent::ShortcutOverride) {
        auto* key = static_cast<QKeyEvent*>(event);
        if ((key->modifiers() & ~Qt::KeypadModifier) == Qt::NoModifier && isNavigationKey(key->key())) {
            event->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

void TimelineWidget::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_W:
        zoomAroundX(pointerX(), 1.3);
        break;
    case Qt::Key_S:
        zoomAroundX(pointerX(), 1 / 1.3);
        break;
    case Qt::Key_A:
        panPixels(-m_view.width() * 0.15);
        break;
    case Qt::Key_D:
        panPixels(m_view.width() * 0.15);
        break;
    case Qt::Key_F:
        zoomToSelection();
        break;
    case Qt::Key_0:
    case Qt::Key_Home:
        fitAll();
        break;
    case Qt::Key_Escape:
        setSelectedRange(std::nullopt);
        setSelectedSlice({});
        Q_EMIT rangeCleared();
        Q_EMIT sliceSelected({});
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
}

bool TimelineWidget::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::ToolTip && m_data) {
        auto* help = static_cast<QHelpEvent*>(event);
        const SliceRef slice = sliceAt(help->pos());
        if (slice.isValid()) {
            const qint64 s = m_data->start(slice);
            const qint64 e = m_data->end(slice);
            const TimelineData::Thread& thread = m_data->threads().at(slice.thread);
            // Self time walks the children: a slice with very many is left to the details pane's worker.
            const std::optional<qint64> quickSelf = m_data->quickSelfTime(slice);
            const QString self = quickSelf
                ? Duration::format(*quickSelf)
                : tr("in the details (%1 calls inside)").arg(QLocale().toString(m_data->childCount(slice)));
            QToolTip::showText(help->globalPos(),
                tr("<b>%1</b><br>%2 at +%3<br>self %4 · depth %5 · %6 %7")
                    .arg(m_data->nameOf(slice).toHtmlEscaped(), Duration::format(e - s),
                        Duration::format(s - m_data->startTime()), self)
                    .arg(slice.depth)
                    .arg(thread.name.toHtmlEscaped())
                    .arg(thread.koid),
                viewport());
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}
