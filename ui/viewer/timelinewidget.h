// SPDX-License-Identifier: MIT
#pragma once

#include "viewer/timelinedata.h"
#include "viewer/timeviewport.h"

#include <QAbstractScrollArea>
#include <QColor>
#include <QSet>
#include <memory>
#include <optional>

// The timeline: a time axis on top, one lane per thread grouped under collapsible process headers, each lane a
// flame chart (one row per call depth), and counter tracks as step graphs. Painting goes through Lod, so a frame
// costs about the same whatever the number of slices.
//
// Mouse: Ctrl+wheel zooms around the pointer, Shift+wheel pans, wheel scrolls lanes; dragging pans; Shift+drag
// or dragging on the axis selects a time range; a click selects a slice; clicking a process header folds it.
// Keys as in Perfetto: W/S zoom in/out around the pointer, A/D pan, F zooms to the selection, 0 fits all,
// Escape clears the selection.
class TimelineWidget : public QAbstractScrollArea
{
    Q_OBJECT
public:
    static constexpr int axisHeight = 26;
    static constexpr int labelWidth = 200;
    static constexpr int rowHeight = 17;
    static constexpr int headerHeight = 22;
    static constexpr int counterHeight = 44;

    explicit TimelineWidget(QWidget* parent = nullptr);
    ~TimelineWidget() override;

    void setData(std::shared_ptr<const TimelineData> data);
    const TimelineData* data() const { return m_data.get(); }

    TimeViewport& timeView() { return m_view; }
    const TimeViewport& timeView() const { return m_view; }

    void fitAll();
    void zoomToSelection();
    void zoomAroundX(double x, double factor);
    void panPixels(double dx);
    // Scrolls horizontally and vertically so that the slice is visible (zooming in when it is tiny).
    void reveal(const SliceRef& slice);

    SliceRef selectedSlice() const { return m_selected; }
    void setSelectedSlice(const SliceRef& slice);

    // A time range [from, to] in ns; nullopt when none.
    std::optional<std::pair<qint64, qint64>> selectedRange() const { return m_range; }
    void setSelectedRange(std::optional<std::pair<qint64, qint64>> range);

    // Names (ids in the data's name table) whose slices are highlighted as search matches.
    void setHighlightedNames(QSet<quint32> names);

    void setProcessCollapsed(int process, bool collapsed);
    bool isProcessCollapsed(int process) const;

    // The slice drawn at a point of the widget's viewport, or invalid.
    SliceRef sliceAt(const QPoint& pos) const;
    // Pixel x (in viewport coordinates) of a time, and back.
    double xForTime(double t) const { return labelWidth + m_view.timeToX(t); }
    double timeForX(double x) const { return m_view.xToTime(x - labelWidth); }
    // Vertical position (viewport coordinates, scrolled) of a thread's depth row, or -1 when its process is folded.
    int yForDepth(int thread, int depth) const;
    // Top of a counter's track (viewport coordinates, scrolled; counterHeight tall), or -1 when its process is folded.
    int yForCounter(int counter) const;

    // Paints the whole viewport into an image (for the benchmark and tests).
    void renderTo(QPaintDevice* device);

Q_SIGNALS:
    void sliceSelected(const SliceRef& slice);
    void rangeSelected(qint64 from, qint64 to);
    void rangeCleared();
    void viewChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    enum class RowKind { ProcessHeader, Thread, Counter };
    struct Row
    {
        RowKind kind;
        int index; // process, thread or counter index
        int y; // content y (unscrolled)
        int height;
    };

    void rebuildRows();
    void updateScrollBars();
    void syncHorizontalBar();
    void paintTimeline(QPainter& p, const QRect& area);
    void paintThread(QPainter& p, const Row& row, int top, int width);
    void paintCounter(QPainter& p, const Row& row, int top, int width);
    void paintAxis(QPainter& p, int width);
    const Row* rowAt(int viewportY) const;
    double pointerX() const;

    std::shared_ptr<const TimelineData> m_data;
    TimeViewport m_view;
    QList<Row> m_rows;
    QSet<int> m_collapsed;
    int m_contentHeight = 0;
    SliceRef m_selected;
    std::optional<std::pair<qint64, qint64>> m_range;
    QSet<quint32> m_highlighted;
    std::vector<double> m_counterMax;
    std::vector<QRgb> m_nameColors;
    bool m_updatingBar = false;

    enum class Drag { None, Pan, Select };
    Drag m_drag = Drag::None;
    QPoint m_pressPos;
    QPoint m_lastPos;
    double m_selectAnchor = 0;
    bool m_moved = false;
};
