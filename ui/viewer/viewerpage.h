// SPDX-License-Identifier: MIT
#pragma once

#include "viewer/calltree.h"
#include "viewer/timelinedata.h"

#include <QWidget>
#include <atomic>
#include <memory>
#include <optional>
#include <utility>

class CallTreeModel;
class FunctionTableModel;
class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTabWidget;
class QTextBrowser;
class QTimer;
class QToolButton;
class QTreeView;
class TimelineWidget;
class TraceTimelineData;

// One trace in the viewer: give it a path with open(); it loads the file in the background (progress bar and
// Cancel; compressed files work), then shows the summary, the timeline, and below it the details of the selected
// slice, the statistics of the selected time range, per-function aggregates and top-down / bottom-up call trees.
// Self-contained so that a window can hold several in tabs.
class ViewerPage : public QWidget
{
    Q_OBJECT
public:
    explicit ViewerPage(QWidget* parent = nullptr);
    ~ViewerPage() override;

    // Starts loading `path`, replacing whatever the page showed.
    void open(const QString& path);
    // Stops a load in progress (failed() is emitted with a "cancelled" message).
    void cancel();

    QString path() const { return m_path; }
    // The file name, with the loading progress while loading.
    QString title() const;
    bool isLoading() const { return m_loading; }
    // Null until loaded.
    std::shared_ptr<const TimelineData> data() const;
    TimelineWidget* timeline() const { return m_timeline; }

    enum class Tab { Details, Selection, Functions, TopDown, BottomUp };
    void showTab(Tab tab);

    // Selects a time range [from, to] (ns, trace timebase) as if dragged: statistics and trees follow.
    void selectRange(qint64 from, qint64 to);
    // Searches slice names (substring, or a regular expression); highlights all matches.
    void search(const QString& text, bool regularExpression = false);
    // Puts the keyboard focus in the search field, its text selected (the window's Find shortcut).
    void focusSearch();
    qsizetype matchCount() const { return qsizetype(m_matches.size()); }
    void nextMatch();
    void previousMatch();
    // Writes the selected range as a cropped FXT to `output` (compressed by suffix). False with *error when there
    // is no selection or the crop fails.
    bool exportSelection(const QString& output, QString* error);

Q_SIGNALS:
    void loaded();
    void failed(const QString& error);
    void titleChanged(const QString& title);
    // The range statistics and call trees for the current selection are ready (also used by tests).
    void rangeAnalysed();
    // Search results are ready.
    void searchFinished(qsizetype matches);

private:
    struct LoadJob;
    void buildUi();
    void finishLoad(std::shared_ptr<TraceTimelineData> data, const QString& error);
    void updateProgress();
    void showSummary();
    // Shows a slice's details; switches to the Details tab unless showTab is false (stepping from a table).
    void showDetails(const SliceRef& slice, bool showTab = true);
    // The slice's self time for the details, or "computing…" while a worker adds up its many children.
    QString selfTimeText(const SliceRef& slice);
    void analyseRange();
    bool treesWanted() const;
    void runSearch();
    void goToMatch(qsizetype index, bool showDetailsTab = true);
    // The first match that starts in the selected range (or the first of all), as the tables show that range.
    qsizetype firstMatchInRange() const;
    void exportSelectionInteractive();
    void openInPerfetto();
    void jumpToFunction(quint32 nameId);

    QString m_path;
    bool m_loading = false;
    std::shared_ptr<LoadJob> m_job;
    std::shared_ptr<TraceTimelineData> m_data;
    QTimer* m_progressTimer;

    QStackedWidget* m_stack;
    QLabel* m_loadingLabel;
    QProgressBar* m_progress;
    QPushButton* m_cancelButton;
    QLabel* m_errorLabel;
    QLabel* m_summary;
    TimelineWidget* m_timeline;
    QTabWidget* m_tabs;
    QTextBrowser* m_details;
    QTextBrowser* m_rangeStats;
    FunctionTableModel* m_functions;
    QSortFilterProxyModel* m_functionProxy;
    QTreeView* m_functionView;
    QLineEdit* m_functionFilter;
    CallTreeModel* m_topDown;
    CallTreeModel* m_bottomUp;
    QTreeView* m_topDownView;
    QTreeView* m_bottomUpView;
    QLineEdit* m_searchField;
    QCheckBox* m_regexBox;
    QLabel* m_matchLabel;
    QToolButton* m_exportButton;
    QTimer* m_searchTimer;

    std::shared_ptr<std::atomic_bool> m_analysisCancel;
    int m_analysisGeneration = 0;
    std::shared_ptr<std::atomic_bool> m_searchCancel;
    int m_searchGeneration = 0;
    std::vector<SliceRef> m_matches;
    qsizetype m_currentMatch = -1;
    // The last self time a worker computed (for a slice with too many children to add up on the UI thread).
    std::optional<std::pair<SliceRef, qint64>> m_selfTime;
    std::optional<SliceRef> m_selfTimePending; // being computed
    // What the next search does when its result arrives: nothing, go to its first match, or go there and stay on
    // the table that asked (so that the next activation steps on).
    enum class JumpAfterSearch { None, FirstMatch, FirstMatchFromTable };
    JumpAfterSearch m_jumpAfterSearch = JumpAfterSearch::None;
    bool m_treesStale = true;
};
