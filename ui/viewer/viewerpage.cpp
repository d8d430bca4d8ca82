// SPDX-License-Identifier: MIT
#include "viewer/viewerpage.h"

#include "desktopactions.h"
#include "fxt/fxtcrop.h"
#include "fxt/fxtreader.h"
#include "fxt/tracedata.h"
#include "util/duration.h"
#include "viewer/calltreemodel.h"
#include "viewer/functiontablemodel.h"
#include "viewer/timelinewidget.h"
#include "viewer/tracetimelinedata.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

namespace {
constexpr qsizetype maximumMatches = 5'000'000;

struct LoadResult
{
    std::shared_ptr<TraceTimelineData> data;
    QString error;
};

struct Analysis
{
    QList<FunctionTotals> functions;
    bool hasTrees = false;
    CallTree topDown;
    CallTree bottomUp;
    bool cancelled = false;
    int generation = 0;
};

struct SearchResult
{
    QSet<quint32> names;
    std::vector<SliceRef> matches;
    bool truncated = false;
    QString error;
    int generation = 0;
};

QString htmlRow(const QString& key, const QString& value)
{
    return u"<tr><td style='color:#555;padding-right:14px'>%1</td><td>%2</td></tr>"_s.arg(key.toHtmlEscaped(), value);
}

// magic-trace adds `file`, `line` and `col` arguments to a call when the binary has debug information: shown as
// one "file:line:col", as editors and compilers write it. Empty when the slice has no `file`.
QString sourceLocation(const QList<TimelineData::Argument>& arguments)
{
    QString file, line, column;
    for (const TimelineData::Argument& argument : arguments) {
        if (argument.name == u"file")
            file = argument.value;
        else if (argument.name == u"line")
            line = argument.value;
        else if (argument.name == u"col")
            column = argument.value;
    }
    if (file.size() >= 2 && file.startsWith(u'"') && file.endsWith(u'"'))
        file = file.mid(1, file.size() - 2); // a string argument's display form is quoted
    if (file.isEmpty())
        return {};
    QString location = file;
    if (!line.isEmpty()) {
        location += u':' + line;
        if (!column.isEmpty())
            location += u':' + column;
    }
    return location;
}
} // namespace

struct ViewerPage::LoadJob
{
    std::atomic_bool cancel { false };
    std::atomic<quint64> done { 0 };
    std::atomic<quint64> total { 0 };
};

ViewerPage::ViewerPage(QWidget* parent)
    : QWidget(parent)
    , m_progressTimer(new QTimer(this))
    , m_searchTimer(new QTimer(this))
{
    buildUi();
    m_progressTimer->setInterval(100);
    connect(m_progressTimer, &QTimer::timeout, this, &ViewerPage::updateProgress);
    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(250);
    connect(m_searchTimer, &QTimer::timeout, this, &ViewerPage::runSearch);
}

ViewerPage::~ViewerPage()
{
    // Workers hold their own references to what they use; they only need to stop soon.
    if (m_job)
        m_job->cancel = true;
    if (m_analysisCancel)
        *m_analysisCancel = true;
    if (m_searchCancel)
        *m_searchCancel = true;
}

void ViewerPage::buildUi()
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_stack = new QStackedWidget(this);
    layout->addWidget(m_stack);

    // Page 0: loading.
    auto* loadingPage = new QWidget;
    auto* loadingLayout = new QVBoxLayout(loadingPage);
    loadingLayout->addStretch();
    m_loadingLabel = new QLabel;
    m_loadingLabel->setAlignment(Qt::AlignCenter);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(520);
    m_cancelButton = new QPushButton(tr("Cancel"));
    connect(m_cancelButton, &QPushButton::clicked, this, &ViewerPage::cancel);
    loadingLayout->addWidget(m_loadingLabel);
    loadingLayout->addWidget(m_progress, 0, Qt::AlignHCenter);
    loadingLayout->addWidget(m_cancelButton, 0, Qt::AlignHCenter);
    loadingLayout->addStretch();
    m_stack->addWidget(loadingPage);

    // Page 1: error.
    m_errorLabel = new QLabel;
    m_errorLabel->setAlignment(Qt::AlignCenter);
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stack->addWidget(m_errorLabel);

    // Page 2: the trace.
    auto* tracePage = new QWidget;
    auto* traceLayout = new QVBoxLayout(tracePage);
    traceLayout->setContentsMargins(4, 4, 4, 4);
    traceLayout->setSpacing(4);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    traceLayout->addWidget(m_summary);

    auto* bar = new QHBoxLayout;
    auto addButton = [&](const QString& text, const QString& tip, auto slot) {
        auto* button = new QToolButton;
        button->setText(text);
        button->setToolTip(tip);
        button->setAutoRaise(true);
        connect(button, &QToolButton::clicked, this, slot);
        bar->addWidget(button);
        return button;
    };
    addButton(tr("Fit"), tr("Show the whole trace (0)"), [this] { m_timeline->fitAll(); });
    addButton(tr("Zoom to selection"), tr("Zoom to the selected slice or range (F)"),
        [this] { m_timeline->zoomToSelection(); });
    bar->addSpacing(12);
    m_searchField = new QLineEdit;
    m_searchField->setObjectName(u"search"_s);
    m_searchField->setPlaceholderText(tr("Search slices by name"));
    m_searchField->setClearButtonEnabled(true);
    m_searchField->setMaximumWidth(320);
    connect(m_searchField, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_searchField, &QLineEdit::returnPressed, this, [this] {
        if (!m_searchTimer->isActive()) {
            nextMatch();
            return;
        }
        // Typed and Enter pressed before the delay ran out: the matches are still the previous text's.
        m_jumpAfterSearch = JumpAfterSearch::FirstMatch;
        runSearch();
    });
    bar->addWidget(m_searchField);
    m_regexBox = new QCheckBox(tr("Regex"));
    connect(m_regexBox, &QCheckBox::toggled, m_searchTimer, qOverload<>(&QTimer::start));
    bar->addWidget(m_regexBox);
    addButton(u"\u25c0"_s, tr("Previous match"), &ViewerPage::previousMatch);
    addButton(u"\u25b6"_s, tr("Next match (Enter)"), &ViewerPage::nextMatch);
    m_matchLabel = new QLabel;
    bar->addWidget(m_matchLabel);
    bar->addStretch();
    m_exportButton = addButton(tr("Export selection\u2026"),
        tr("Write the selected time range as a smaller FXT file that Perfetto can load"),
        &ViewerPage::exportSelectionInteractive);
    m_exportButton->setEnabled(false);
    addButton(tr("Open in Perfetto"), tr("Open ui.perfetto.dev in the browser to load this file there"),
        &ViewerPage::openInPerfetto);
    traceLayout->addLayout(bar);

    auto* splitter = new QSplitter(Qt::Vertical);
    m_timeline = new TimelineWidget;
    splitter->addWidget(m_timeline);
    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_details = new QTextBrowser;
    m_details->setObjectName(u"details"_s);
    m_details->setOpenLinks(false);
    m_tabs->addTab(m_details, tr("Details"));
    m_rangeStats = new QTextBrowser;
    m_rangeStats->setObjectName(u"rangeStats"_s);
    m_tabs->addTab(m_rangeStats, tr("Selection"));

    auto* functionsPage = new QWidget;
    auto* functionsLayout = new QVBoxLayout(functionsPage);
    functionsLayout->setContentsMargins(0, 2, 0, 0);
    m_functionFilter = new QLineEdit;
    m_functionFilter->setObjectName(u"functionFilter"_s);
    m_functionFilter->setPlaceholderText(tr("Filter functions (regular expression)"));
    m_functionFilter->setClearButtonEnabled(true);
    functionsLayout->addWidget(m_functionFilter);
    m_functions = new FunctionTableModel(this);
    m_functionProxy = new QSortFilterProxyModel(this);
    m_functionProxy->setSourceModel(m_functions);
    m_functionProxy->setSortRole(FunctionTableModel::SortRole);
    m_functionProxy->setFilterKeyColumn(FunctionTableModel::Name);
    m_functionProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(m_functionFilter, &QLineEdit::textChanged, m_functionProxy, [this](const QString& text) {
        // While an expression is being typed it is often invalid: say so, and keep the last valid filter.
        const QRegularExpression pattern(text, QRegularExpression::CaseInsensitiveOption);
        m_functionFilter->setStyleSheet(pattern.isValid() ? QString() : u"QLineEdit { color: #b02020; }"_s);
        m_functionFilter->setToolTip(
            pattern.isValid() ? QString() : tr("Not a valid regular expression: %1").arg(pattern.errorString()));
        if (pattern.isValid())
            m_functionProxy->setFilterRegularExpression(pattern);
    });
    m_functionView = new QTreeView;
    m_functionView->setObjectName(u"functions"_s);
    m_functionView->setRootIsDecorated(false);
    m_functionView->setUniformRowHeights(true);
    m_functionView->setSortingEnabled(true);
    m_functionView->setModel(m_functionProxy);
    m_functionView->sortByColumn(FunctionTableModel::Self, Qt::DescendingOrder);
    m_functionView->setToolTip(tr("Double-click a function to step through its calls on the timeline"));
    connect(m_functionView, &QTreeView::activated, this,
        [this](const QModelIndex& index) { jumpToFunction(index.data(FunctionTableModel::NameIdRole).toUInt()); });
    functionsLayout->addWidget(m_functionView);
    m_tabs->addTab(functionsPage, tr("Functions"));

    auto makeTree = [this](CallTreeModel* model) {
        auto* view = new QTreeView;
        view->setUniformRowHeights(true);
        view->setModel(model);
        view->header()->setStretchLastSection(false);
        view->header()->setSectionResizeMode(CallTreeModel::Name, QHeaderView::Stretch);
        connect(view, &QTreeView::activated, this,
            [this](const QModelIndex& index) { jumpToFunction(index.data(CallTreeModel::NameIdRole).toUInt()); });
        return view;
    };
    m_topDown = new CallTreeModel(this);
    m_bottomUp = new CallTreeModel(this);
    m_topDownView = makeTree(m_topDown);
    m_bottomUpView = makeTree(m_bottomUp);
    m_tabs->addTab(m_topDownView, tr("Top-down"));
    m_tabs->addTab(m_bottomUpView, tr("Bottom-up"));
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    traceLayout->addWidget(splitter, 1);
    m_stack->addWidget(tracePage);

    // Call trees can be large: they are built only while one of their tabs is shown.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_treesStale && treesWanted())
            analyseRange();
    });
    connect(m_timeline, &TimelineWidget::sliceSelected, this, [this](const SliceRef& slice) { showDetails(slice); });
    connect(m_timeline, &TimelineWidget::rangeSelected, this, [this](qint64, qint64) { analyseRange(); });
    connect(m_timeline, &TimelineWidget::rangeCleared, this, &ViewerPage::analyseRange);
}

std::shared_ptr<const TimelineData> ViewerPage::data() const
{
    return m_data;
}

QString ViewerPage::title() const
{
    const QString name = QFileInfo(m_path).fileName();
    if (m_loading && m_job && m_job->total > 0)
        return tr("%1 (%2 %)").arg(name).arg(int(100.0 * double(m_job->done) / double(m_job->total)));
    return name;
}

void ViewerPage::open(const QString& path)
{
    if (m_job)
        m_job->cancel = true;
    // Work still running on the previous trace would hold it in memory and occupy the pool; its results are
    // dropped by generation.
    if (m_searchCancel)
        *m_searchCancel = true;
    if (m_analysisCancel)
        *m_analysisCancel = true;
    ++m_searchGeneration;
    ++m_analysisGeneration;
    m_currentMatch = -1;
    m_selfTime.reset();
    m_selfTimePending.reset();
    m_path = QFileInfo(path).absoluteFilePath();
    m_loading = true;
    m_data.reset();
    m_matches.clear();
    m_timeline->setData(nullptr);
    m_job = std::make_shared<LoadJob>();
    m_loadingLabel->setText(tr("Loading %1\u2026").arg(QFileInfo(path).fileName()));
    m_progress->setValue(0);
    m_cancelButton->setEnabled(true);
    m_stack->setCurrentIndex(0);
    m_progressTimer->start();

    auto* watcher = new QFutureWatcher<LoadResult>(this);
    const std::shared_ptr<LoadJob> job = m_job;
    connect(watcher, &QFutureWatcher<LoadResult>::finished, this, [this, watcher, job] {
        watcher->deleteLater();
        if (job != m_job)
            return; // superseded by another open()
        const LoadResult result = watcher->result();
        finishLoad(result.data, result.error);
    });
    const QString file = m_path;
    watcher->setFuture(QtConcurrent::run([job, file]() -> LoadResult {
        FxtReader::Options options;
        options.cancel = &job->cancel;
        options.progress = [job](quint64 done, quint64 total) {
            job->done = done;
            job->total = total;
        };
        QString error;
        std::shared_ptr<TraceData> trace = FxtReader::load(file, options, &error);
        if (!trace)
            return { nullptr, error.isEmpty() ? QStringLiteral("cannot read the file") : error };
        if (job->cancel)
            return { nullptr, QStringLiteral("cancelled") };
        if (trace->summary().anomaly(FxtAnomaly::BadMagic))
            return { nullptr,
                QCoreApplication::translate("ViewerPage", "not an FXT trace (no FXT magic at the start)") };
        return { std::make_shared<TraceTimelineData>(std::move(trace)), {} };
    }));
    Q_EMIT titleChanged(title());
}

void ViewerPage::cancel()
{
    if (!m_loading || !m_job)
        return;
    m_job->cancel = true;
    m_cancelButton->setEnabled(false);
    m_loadingLabel->setText(tr("Cancelling\u2026"));
}

void ViewerPage::updateProgress()
{
    if (!m_job || m_job->total == 0)
        return;
    m_progress->setValue(int(1000.0 * double(m_job->done) / double(m_job->total)));
    Q_EMIT titleChanged(title());
}

void ViewerPage::finishLoad(std::shared_ptr<TraceTimelineData> data, const QString& error)
{
    m_progressTimer->stop();
    m_loading = false;
    if (m_job && m_job->cancel)
        data.reset(); // Cancel pressed after the reader had finished, while the timeline was being prepared
    if (!data) {
        const QString message = m_job && m_job->cancel ? tr("Loading was cancelled.") : error;
        m_errorLabel->setText(tr("Could not open %1:\n%2").arg(m_path, message));
        m_stack->setCurrentIndex(1);
        Q_EMIT titleChanged(title());
        Q_EMIT failed(message);
        return;
    }
    m_data = std::move(data);
    m_timeline->setData(m_data);
    showSummary();
    showDetails({});
    m_stack->setCurrentIndex(2);
    m_timeline->setFocus();
    Q_EMIT titleChanged(title());
    Q_EMIT loaded();
    analyseRange();
    if (!m_searchField->text().isEmpty())
        runSearch();
}

void ViewerPage::showSummary()
{
    const TraceData& trace = m_data->trace();
    const FxtSummary& s = trace.summary();
    QStringList parts;
    parts << tr("<b>%1</b>").arg(QFileInfo(m_path).fileName().toHtmlEscaped());
    // The trace's own span (the timeline's is at least 1 ns, so that an empty or one-instant trace can be drawn).
    const quint64 traceStart = s.startNs.value_or(0);
    parts << tr("duration %1")
                 .arg(Duration::format(qint64(std::max(s.endNs.value_or(traceStart), traceStart) - traceStart)));
    const QDateTime wall = m_data->wallClockStart();
    if (wall.isValid())
        parts << tr("started %1").arg(QLocale().toString(wall.toLocalTime(), QLocale::ShortFormat));
    const QLocale locale;
    const qsizetype processes = m_data->processes().size();
    const qsizetype threads = m_data->threads().size();
    parts << (processes == 1 ? tr("1 process") : tr("%1 processes").arg(locale.toString(processes)));
    parts << (threads == 1 ? tr("1 thread") : tr("%1 threads").arg(locale.toString(threads)));
    parts << tr("%1 slices").arg(locale.toString(qulonglong(trace.sliceCount())));
    parts << tr("%1 on disk").arg(locale.formattedDataSize(qint64(s.fileBytes)));
    QStringList anomalies;
    for (const auto& [name, count] : m_data->anomalies())
        anomalies << u"%1 %2"_s.arg(name).arg(locale.toString(qulonglong(count)));
    if (!s.complete && !s.errorMessage.isEmpty())
        anomalies << tr("parsing stopped at byte %1: %2")
                         .arg(locale.toString(qulonglong(s.errorOffset.value_or(0))), s.errorMessage.toHtmlEscaped());
    parts << (anomalies.isEmpty()
            ? tr("no anomalies")
            : u"<span style='color:#a33'>"_s + tr("anomalies: %1").arg(anomalies.join(u", "_s)) + u"</span>"_s);
    m_summary->setText(parts.join(u" \u00b7 "_s));
}

void ViewerPage::showDetails(const SliceRef& slice, bool showTab)
{
    if (!m_data || !slice.isValid()) {
        m_details->setHtml(tr("<p style='color:#666'>Click a slice to see its details. Drag to pan, Ctrl+wheel or "
                              "W/S to zoom, A/D to pan, Shift+drag to select a time range, F to zoom to the "
                              "selection, 0 to fit.</p>"));
        return;
    }
    const qint64 s = m_data->start(slice);
    const qint64 e = m_data->end(slice);
    const TimelineData::Thread& thread = m_data->threads().at(slice.thread);
    const TimelineData::Process& process = m_data->processes().at(thread.process);
    QString html = u"<table>"_s;
    html += htmlRow(tr("Name"), u"<b>"_s + m_data->nameOf(slice).toHtmlEscaped() + u"</b>"_s);
    html += htmlRow(tr("Start"), tr("%1 after the trace start").arg(Duration::format(s - m_data->startTime())));
    html += htmlRow(tr("Duration"), Duration::format(e - s));
    html += htmlRow(tr("Self time"), selfTimeText(slice));
    html += htmlRow(tr("Depth"), QString::number(slice.depth));
    html += htmlRow(tr("Thread"), u"%1 (%2)"_s.arg(thread.name.toHtmlEscaped()).arg(thread.koid));
    html += htmlRow(tr("Process"), u"%1 (%2)"_s.arg(process.name.toHtmlEscaped()).arg(process.koid));
    const SliceRef parent = m_data->parent(slice);
    if (parent.isValid())
        html += htmlRow(tr("Called from"), m_data->nameOf(parent).toHtmlEscaped());
    // Arguments are decoded from the file only now.
    const QList<TimelineData::Argument> arguments = m_data->sliceArguments(slice);
    const QString source = sourceLocation(arguments);
    if (!source.isEmpty())
        html += htmlRow(tr("Source"), u"<code>"_s + source.toHtmlEscaped() + u"</code>"_s);
    for (const TimelineData::Argument& argument : arguments) {
        if (!source.isEmpty() && (argument.name == u"file" || argument.name == u"line" || argument.name == u"col"))
            continue; // shown as Source
        html += htmlRow(argument.name, u"<code>"_s + argument.value.toHtmlEscaped() + u"</code>"_s);
    }
    html += u"</table>"_s;
    m_details->setHtml(html);
    if (showTab)
        m_tabs->setCurrentWidget(m_details);
    m_exportButton->setEnabled(m_timeline->selectedRange().has_value());
}

QString ViewerPage::selfTimeText(const SliceRef& slice)
{
    if (m_selfTime && m_selfTime->first == slice)
        return Duration::format(m_selfTime->second);
    if (const std::optional<qint64> quick = m_data->quickSelfTime(slice))
        return Duration::format(*quick);
    const QString computing
        = tr("computing\u2026 (%1 calls inside)").arg(QLocale().toString(m_data->childCount(slice)));
    if (m_selfTimePending == slice)
        return computing;
    // Millions of direct calls (a main loop): added up on a worker; the details are shown again when it is done.
    m_selfTimePending = slice;
    auto* watcher = new QFutureWatcher<qint64>(this);
    connect(watcher, &QFutureWatcher<qint64>::finished, this, [this, watcher, slice, data = m_data] {
        watcher->deleteLater();
        if (data != m_data)
            return; // another trace since
        if (m_selfTimePending == slice)
            m_selfTimePending.reset();
        m_selfTime = std::pair { slice, watcher->result() };
        if (m_timeline->selectedSlice() == slice)
            showDetails(slice, false);
    });
    watcher->setFuture(QtConcurrent::run([data = m_data, slice] { return data->selfTime(slice); }));
    return computing;
}

void ViewerPage::selectRange(qint64 from, qint64 to)
{
    m_timeline->setSelectedRange(std::pair { from, to });
    analyseRange();
}

void ViewerPage::analyseRange()
{
    if (!m_data)
        return;
    const auto range = m_timeline->selectedRange();
    m_exportButton->setEnabled(range.has_value());
    const qint64 from = range ? range->first : m_data->startTime();
    const qint64 to = range ? range->second : m_data->endTime();
    if (m_analysisCancel)
        *m_analysisCancel = true;
    m_analysisCancel = std::make_shared<std::atomic_bool>(false);
    const int generation = ++m_analysisGeneration;
    m_rangeStats->setHtml(range ? tr("<p>Selected %1 (from +%2 to +%3). Computing\u2026</p>")
                                      .arg(Duration::format(to - from), Duration::format(from - m_data->startTime()),
                                          Duration::format(to - m_data->startTime()))
                                : tr("<p style='color:#666'>No time range selected: Shift+drag on the timeline, or "
                                     "drag on the time axis. Tables show the whole trace.</p>"));
    auto* watcher = new QFutureWatcher<Analysis>(this);
    const bool withTrees = treesWanted();
    connect(watcher, &QFutureWatcher<Analysis>::finished, this, [this, watcher, range, from, to] {
        watcher->deleteLater();
        Analysis analysis = watcher->result();
        if (analysis.generation != m_analysisGeneration || analysis.cancelled || !m_data)
            return;
        if (range) {
            quint64 calls = 0;
            qint64 busy = 0; // the self times add up to the time covered by outermost slices
            for (const FunctionTotals& f : analysis.functions) {
                calls += f.calls;
                busy += f.self;
            }
            QList<FunctionTotals> bySelf = analysis.functions;
            std::sort(bySelf.begin(), bySelf.end(),
                [](const FunctionTotals& a, const FunctionTotals& b) { return a.self > b.self; });
            QString html = u"<table>"_s;
            html += htmlRow(tr("Duration"), u"<b>"_s + Duration::format(to - from) + u"</b>"_s);
            html += htmlRow(tr("From"), u"+"_s + Duration::format(from - m_data->startTime()));
            html += htmlRow(tr("To"), u"+"_s + Duration::format(to - m_data->startTime()));
            html += htmlRow(tr("Slices"), QLocale().toString(calls));
            html += htmlRow(tr("Functions"), QLocale().toString(analysis.functions.size()));
            html += htmlRow(tr("Busy time (all threads)"), Duration::format(busy));
            for (qsizetype i = 0; i < std::min<qsizetype>(5, bySelf.size()); ++i) {
                html += htmlRow(i == 0 ? tr("Most self time") : QString(),
                    u"%1 \u2014 %2"_s.arg(
                        m_data->name(bySelf.at(i).name).toHtmlEscaped(), Duration::format(bySelf.at(i).self)));
            }
            html += u"</table>"_s;
            m_rangeStats->setHtml(html);
            if (!treesWanted() && m_tabs->currentWidget() != m_functionView->parentWidget())
                m_tabs->setCurrentWidget(m_rangeStats);
        }
        m_functions->setStats(m_data, std::move(analysis.functions));
        m_functionProxy->sort(
            m_functionView->header()->sortIndicatorSection(), m_functionView->header()->sortIndicatorOrder());
        m_treesStale = !analysis.hasTrees;
        m_topDown->setTree(m_data, std::move(analysis.topDown));
        m_bottomUp->setTree(m_data, std::move(analysis.bottomUp));
        m_functionView->resizeColumnToContents(FunctionTableModel::Name);
        Q_EMIT rangeAnalysed();
    });
    const std::shared_ptr<const TimelineData> data = m_data;
    const auto cancel = m_analysisCancel;
    watcher->setFuture(QtConcurrent::run([data, from, to, cancel, generation, withTrees] {
        Analysis analysis;
        analysis.generation = generation;
        analysis.functions = CallTrees::functionTotals(*data, from, to, cancel.get(), &analysis.cancelled);
        if (withTrees && !analysis.cancelled) {
            analysis.hasTrees = true;
            analysis.topDown = CallTrees::topDown(*data, from, to, cancel.get());
            analysis.cancelled = analysis.topDown.cancelled;
            if (!analysis.cancelled)
                analysis.bottomUp = CallTrees::bottomUp(analysis.topDown);
        }
        return analysis;
    }));
}

bool ViewerPage::treesWanted() const
{
    return m_tabs->currentWidget() == m_topDownView || m_tabs->currentWidget() == m_bottomUpView;
}

void ViewerPage::showTab(Tab tab)
{
    QWidget* pages[] = { m_details, m_rangeStats, m_functionView->parentWidget(), m_topDownView, m_bottomUpView };
    m_tabs->setCurrentWidget(pages[int(tab)]);
}

void ViewerPage::search(const QString& text, bool regularExpression)
{
    m_regexBox->setChecked(regularExpression);
    m_searchField->setText(text);
    m_searchTimer->stop();
    runSearch();
}

void ViewerPage::runSearch()
{
    m_searchTimer->stop();
    if (m_searchCancel)
        *m_searchCancel = true;
    // A new generation even when nothing is searched: the cancelled search returns what it had found so far.
    const int generation = ++m_searchGeneration;
    const JumpAfterSearch jump = std::exchange(m_jumpAfterSearch, JumpAfterSearch::None);
    const QString text = m_searchField->text();
    m_matches.clear();
    m_currentMatch = -1;
    if (!m_data || text.isEmpty()) {
        m_timeline->setHighlightedNames({});
        m_matchLabel->clear();
        if (m_data)
            Q_EMIT searchFinished(0);
        return;
    }
    const bool regex = m_regexBox->isChecked();
    m_searchCancel = std::make_shared<std::atomic_bool>(false);
    m_matchLabel->setText(tr("searching\u2026"));
    auto* watcher = new QFutureWatcher<SearchResult>(this);
    connect(watcher, &QFutureWatcher<SearchResult>::finished, this, [this, watcher, jump] {
        watcher->deleteLater();
        SearchResult result = watcher->result();
        if (result.generation != m_searchGeneration)
            return;
        if (!result.error.isEmpty()) {
            m_matchLabel->setText(result.error);
            m_timeline->setHighlightedNames({});
            Q_EMIT searchFinished(0);
            return;
        }
        m_matches = std::move(result.matches);
        m_timeline->setHighlightedNames(std::move(result.names));
        const QLocale locale;
        m_matchLabel->setText(m_matches.empty()
                ? tr("no match")
                : tr("%1%2 matches")
                      .arg(locale.toString(qulonglong(m_matches.size())), result.truncated ? u"+"_s : QString()));
        Q_EMIT searchFinished(qsizetype(m_matches.size()));
        if (jump != JumpAfterSearch::None && !m_matches.empty())
            goToMatch(firstMatchInRange(), jump == JumpAfterSearch::FirstMatch);
    });
    const std::shared_ptr<const TimelineData> data = m_data;
    const auto cancel = m_searchCancel;
    watcher->setFuture(QtConcurrent::run([data, text, regex, cancel, generation] {
        SearchResult result;
        result.generation = generation;
        QRegularExpression pattern;
        if (regex) {
            pattern.setPattern(text);
            if (!pattern.isValid()) {
                result.error = QCoreApplication::translate("ViewerPage", "invalid expression");
                return result;
            }
        }
        // Which names match: each distinct name is tested once, then slices are matched by id.
        std::vector<bool> matching(data->nameCount(), false);
        for (quint32 id = 0; id < data->nameCount(); ++id) {
            const QString name = data->name(id);
            if (regex ? pattern.match(name).hasMatch() : name.contains(text, Qt::CaseInsensitive)) {
                matching[id] = true;
                result.names.insert(id);
            }
        }
        if (result.names.isEmpty())
            return result;
        for (int t = 0; t < data->threads().size() && !result.truncated; ++t) {
            for (int d = 0; d < data->threads().at(t).depths && !result.truncated; ++d) {
                if (*cancel)
                    return result;
                for (qsizetype i = 0, n = data->sliceCount(t, d); i < n; ++i) {
                    const quint32 name = data->sliceName(t, d, i);
                    if (name < matching.size() && matching[name]) {
                        result.matches.push_back({ t, d, i });
                        if (qsizetype(result.matches.size()) >= maximumMatches) {
                            result.truncated = true;
                            break;
                        }
                    }
                }
            }
        }
        std::sort(result.matches.begin(), result.matches.end(), [&](const SliceRef& a, const SliceRef& b) {
            const qint64 sa = data->start(a), sb = data->start(b);
            if (sa != sb)
                return sa < sb;
            return std::tie(a.thread, a.depth) < std::tie(b.thread, b.depth);
        });
        return result;
    }));
}

void ViewerPage::focusSearch()
{
    m_searchField->setFocus(Qt::ShortcutFocusReason);
    m_searchField->selectAll();
}

qsizetype ViewerPage::firstMatchInRange() const
{
    const auto range = m_timeline->selectedRange();
    if (!range)
        return 0;
    const auto it = std::lower_bound(m_matches.cbegin(), m_matches.cend(), range->first,
        [this](const SliceRef& m, qint64 t) { return m_data->start(m) < t; });
    return it == m_matches.cend() ? 0 : it - m_matches.cbegin();
}

void ViewerPage::goToMatch(qsizetype index, bool showDetailsTab)
{
    if (m_matches.empty())
        return;
    m_currentMatch = (index % qsizetype(m_matches.size()) + qsizetype(m_matches.size())) % qsizetype(m_matches.size());
    const SliceRef slice = m_matches[size_t(m_currentMatch)];
    m_timeline->setSelectedSlice(slice);
    m_timeline->reveal(slice);
    showDetails(slice, showDetailsTab);
    m_matchLabel->setText(
        tr("%1 of %2").arg(QLocale().toString(m_currentMatch + 1), QLocale().toString(qsizetype(m_matches.size()))));
}

void ViewerPage::nextMatch()
{
    if (m_matches.empty())
        return;
    if (m_currentMatch < 0 && m_timeline->selectedSlice().isValid()) {
        // Continue from the selected slice.
        const qint64 s = m_data->start(m_timeline->selectedSlice());
        const auto it = std::upper_bound(m_matches.cbegin(), m_matches.cend(), s,
            [this](qint64 t, const SliceRef& m) { return t < m_data->start(m); });
        goToMatch(it - m_matches.cbegin());
        return;
    }
    goToMatch(m_currentMatch + 1);
}

void ViewerPage::previousMatch()
{
    if (!m_matches.empty())
        goToMatch(m_currentMatch < 0 ? qsizetype(m_matches.size()) - 1 : m_currentMatch - 1);
}

void ViewerPage::jumpToFunction(quint32 nameId)
{
    if (!m_data || nameId >= m_data->nameCount())
        return; // a row that stands for no one function, such as a tree's other call paths
    const QString pattern = u"^"_s + QRegularExpression::escape(m_data->name(nameId)) + u"$"_s;
    if (m_regexBox->isChecked() && m_searchField->text() == pattern && !m_searchTimer->isActive()
        && !m_matches.empty()) {
        // The same function again: its next call.
        goToMatch(m_currentMatch < 0 ? firstMatchInRange() : m_currentMatch + 1, false);
        return;
    }
    m_jumpAfterSearch = JumpAfterSearch::FirstMatchFromTable;
    search(pattern, true);
}

bool ViewerPage::exportSelection(const QString& output, QString* error)
{
    const auto range = m_timeline->selectedRange();
    if (!m_data || !range) {
        if (error)
            *error = tr("Select a time range first (Shift+drag on the timeline).");
        return false;
    }
    CropOptions options;
    options.fromNs = quint64(range->first - m_data->startTime());
    options.toNs = quint64(range->second - m_data->startTime());
    CropResult result;
    return cropTrace(m_data->trace(), output, options, &result, error);
}

void ViewerPage::exportSelectionInteractive()
{
    const auto range = m_timeline->selectedRange();
    if (!m_data || !range)
        return;
    const QFileInfo info(m_path);
    QString base = info.fileName();
    for (const QString& suffix : { u".gz"_s, u".zst"_s, u".xz"_s, u".fxt"_s }) {
        if (base.endsWith(suffix))
            base.chop(suffix.size());
    }
    const QString suggested = info.dir().filePath(base + u"-selection.fxt"_s);
    const QString output = QFileDialog::getSaveFileName(
        this, tr("Export selection"), suggested, tr("FXT traces (*.fxt *.fxt.gz *.fxt.zst *.fxt.xz)"));
    if (output.isEmpty())
        return;
    m_exportButton->setEnabled(false);
    m_exportButton->setText(tr("Exporting\u2026"));
    CropOptions options;
    options.fromNs = quint64(range->first - m_data->startTime());
    options.toNs = quint64(range->second - m_data->startTime());
    const std::shared_ptr<const TraceData> trace = m_data->traceShared();
    auto* watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, output] {
        watcher->deleteLater();
        m_exportButton->setText(tr("Export selection\u2026"));
        m_exportButton->setEnabled(m_timeline->selectedRange().has_value());
        const QString error = watcher->result();
        if (error.isEmpty())
            QMessageBox::information(this, tr("Selection exported"), tr("Wrote %1.").arg(output));
        else
            QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1:\n%2").arg(output, error));
    });
    watcher->setFuture(QtConcurrent::run([trace, output, options] {
        QString error;
        CropResult result;
        if (!cropTrace(*trace, output, options, &result, &error))
            return error.isEmpty() ? QStringLiteral("unknown error") : error;
        return QString();
    }));
}

void ViewerPage::openInPerfetto()
{
    DesktopActions::openInPerfetto(m_path, this, m_data ? qint64(m_data->trace().summary().fxtBytes) : -1);
}
