// SPDX-License-Identifier: MIT
#include "librarypage.h"

#include "appsettings.h"
#include "desktopactions.h"
#include "icons.h"
#include "library/libraryfiltermodel.h"
#include "library/libraryjob.h"
#include "library/librarymodel.h"
#include "logview.h"
#include "traceoptionspanel.h"

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

using namespace Qt::StringLiterals;

namespace {

// The last part of a log that is shown in the details pane; the file on disk keeps everything.
constexpr qint64 maxLogBytesShown = 4 * 1024 * 1024;

QString readLogTail(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    if (file.size() > maxLogBytesShown)
        file.seek(file.size() - maxLogBytesShown);
    return QString::fromUtf8(file.readAll());
}

QString formatDuration(qint64 ms)
{
    if (ms < 0)
        return {};
    if (ms < 1000)
        return QObject::tr("%1 ms").arg(ms);
    if (ms < 60'000)
        return QObject::tr("%1 s").arg(QLocale().toString(ms / 1000.0, 'f', 1));
    return QObject::tr("%1 min %2 s").arg(ms / 60'000).arg((ms / 1000) % 60);
}

} // namespace

LibraryPage::LibraryPage(QWidget* parent)
    : QWidget(parent)
    , m_model(new LibraryModel(this))
    , m_filter(new LibraryFilterModel(this))
    , m_search(new QLineEdit(this))
    , m_outcome(new QComboBox(this))
    , m_date(new QComboBox(this))
    , m_table(new QTableView(this))
    , m_actions(new QToolBar(this))
    , m_title(new QLabel(this))
    , m_metadata(nullptr)
    , m_tags(new QLineEdit(this))
    , m_notes(new QPlainTextEdit(this))
    , m_log(new LogView(this))
    , m_searchDebounce(new QTimer(this))
    , m_notesDebounce(new QTimer(this))
    , m_messageBar(new QFrame(this))
    , m_message(new QLabel(this))
    , m_undo(new QPushButton(tr("Undo"), this))
    , m_jobBar(new QFrame(this))
    , m_jobLabel(new QLabel(this))
    , m_jobProgress(new QProgressBar(this))
    , m_jobCancel(new QPushButton(tr("Cancel"), this))
{
    m_filter->setSourceModel(m_model);
    m_filter->setSortRole(LibraryModel::SortRole);

    m_search->setPlaceholderText(tr("Search title, process, command line, tags, notes"));
    m_search->setClearButtonEnabled(true);
    m_search->addAction(Icons::icon(u"search"_s), QLineEdit::LeadingPosition);
    m_search->setAccessibleName(tr("Search the library"));
    m_searchDebounce->setSingleShot(true);
    m_searchDebounce->setInterval(200);
    connect(m_search, &QLineEdit::textChanged, m_searchDebounce, qOverload<>(&QTimer::start));
    connect(m_searchDebounce, &QTimer::timeout, this, [this] { m_filter->setFilterText(m_search->text()); });

    m_outcome->addItem(tr("All outcomes"), -1);
    for (TraceOutcome outcome : TraceOutcomes::all())
        m_outcome->addItem(TraceOutcomes::displayName(outcome), int(outcome));
    m_outcome->setAccessibleName(tr("Outcome filter"));
    connect(m_outcome, &QComboBox::currentIndexChanged, this, [this] {
        const int value = m_outcome->currentData().toInt();
        m_filter->setOutcomes(value < 0 ? QSet<TraceOutcome>() : QSet<TraceOutcome> { TraceOutcome(value) });
    });
    m_date->addItem(tr("Any time"), 0);
    m_date->addItem(tr("Today"), 1);
    m_date->addItem(tr("Last 7 days"), 7);
    m_date->addItem(tr("Last 30 days"), 30);
    m_date->setAccessibleName(tr("Date filter"));
    connect(m_date, &QComboBox::currentIndexChanged, this, [this] {
        const int days = m_date->currentData().toInt();
        if (days == 0) {
            m_filter->setDateRange({}, {});
            return;
        }
        const QDateTime from = QDateTime(QDate::currentDate().addDays(1 - days), QTime(0, 0)).toUTC();
        m_filter->setDateRange(from, {});
    });

    // Actions: toolbar, context menu and keyboard.
    const auto makeAction = [this](const QString& name, const QString& icon, const QString& text,
                                const QString& toolTip, const QKeySequence& key, auto slot) {
        auto* action = new QAction(Icons::icon(icon), text, this);
        action->setObjectName(name);
        action->setToolTip(toolTip);
        if (!key.isEmpty()) {
            action->setShortcut(key);
            action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        connect(action, &QAction::triggered, this, slot);
        this->addAction(action);
        m_actionByName.insert(name, action);
        return action;
    };
    m_actions->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_actions->setIconSize(QSize(16, 16));
    m_actions->setAccessibleName(tr("Library actions"));
    m_actions->addAction(makeAction(u"open"_s, u"open"_s, tr("Open"), tr("Open the trace in a viewer tab (Enter)"),
        QKeySequence(), [this] { openSelected(); }));
    m_actions->addAction(makeAction(u"showInFolder"_s, u"folder"_s, tr("Show in folder"),
        tr("Show the trace file in the file manager"), QKeySequence(), [this] {
            if (const auto entry = currentEntry())
                DesktopActions::showInFolder(entry->tracePath());
        }));
    m_actions->addAction(makeAction(u"perfetto"_s, u"external"_s, tr("Perfetto"),
        tr("Open the Perfetto UI in the browser and tell which file to load there"), QKeySequence(), [this] {
            if (const auto entry = currentEntry())
                DesktopActions::openInPerfetto(entry->tracePath(), this);
        }));
    m_actions->addSeparator();
    m_actions->addAction(makeAction(u"rename"_s, u"rename"_s, tr("Rename…"), tr("Change the title (F2)"),
        QKeySequence(Qt::Key_F2), [this] { renameSelected(); }));
    m_actions->addAction(makeAction(u"delete"_s, u"delete"_s, tr("Delete"),
        tr("Move the trace, its metadata and log to the trash (Del); can be undone"), QKeySequence::Delete,
        [this] { deleteSelected(); }));
    // Secondary actions show only their icon in the toolbar (their text stays in tooltips and the context menu).
    for (const QString& name : { u"showInFolder"_s, u"perfetto"_s, u"rename"_s })
        m_actionByName.value(name)->setPriority(QAction::LowPriority);
    auto* compressMenu = new QMenu(this);
    compressMenu->addAction(tr("zstd"), this, [this] { compressSelected(TraceProbe::Compression::Zstd); });
    compressMenu->addAction(
        tr("gzip (Perfetto can open it)"), this, [this] { compressSelected(TraceProbe::Compression::GZip); });
    compressMenu->addAction(tr("xz"), this, [this] { compressSelected(TraceProbe::Compression::Xz); });
    compressMenu->addAction(tr("Uncompressed FXT"), this, [this] { compressSelected(TraceProbe::Compression::None); });
    QAction* compress = makeAction(u"compress"_s, u"compress"_s, tr("Compress"),
        tr("Compress the trace in place with the format of the settings; the menu offers the others"), QKeySequence(),
        [this] {
            const auto target = TraceProbe::compressionFromKey(AppSettings::compressionFormat());
            compressSelected(target.value_or(TraceProbe::Compression::Zstd));
        });
    compress->setMenu(compressMenu);
    m_actions->addAction(compress);
    if (auto* button = qobject_cast<QToolButton*>(m_actions->widgetForAction(compress)))
        button->setPopupMode(QToolButton::MenuButtonPopup);
    m_actions->addAction(makeAction(u"export"_s, u"export"_s, tr("Export…"),
        tr("Write a bundle (trace, metadata and log) to share"), QKeySequence(), [this] { exportSelected(); }));
    m_actions->addAction(makeAction(u"import"_s, u"import"_s, tr("Import…"),
        tr("Add traces or bundles to the library (or drop them on the window)"), QKeySequence(),
        [this] { importWithDialog(); }));
    makeAction(u"undo"_s, u"again"_s, tr("Undo delete"), tr("Bring back the last deleted trace"), QKeySequence::Undo,
        [this] { undoDelete(); });

    auto* filters = new QHBoxLayout;
    filters->addWidget(m_search, 1);
    filters->addWidget(m_outcome);
    filters->addWidget(m_date);

    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(LibraryModel::Date, Qt::DescendingOrder);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(LibraryModel::Title, QHeaderView::Interactive);
    m_table->setColumnWidth(LibraryModel::Title, 170);
    m_table->setColumnWidth(LibraryModel::Process, 110);
    m_table->setColumnWidth(LibraryModel::Date, 150);
    m_table->setColumnWidth(LibraryModel::Duration, 70);
    m_table->setColumnWidth(LibraryModel::Size, 80);
    m_table->setColumnWidth(LibraryModel::Format, 60);
    m_table->setColumnWidth(LibraryModel::Outcome, 90);
    m_table->setAccessibleName(tr("Saved traces"));
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QTableView::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu menu(this);
        for (const QString& name :
            { u"open"_s, u"showInFolder"_s, u"perfetto"_s, u"rename"_s, u"delete"_s, u"compress"_s, u"export"_s })
            menu.addAction(m_actionByName.value(name));
        menu.exec(m_table->viewport()->mapToGlobal(pos));
    });
    connect(m_table, &QTableView::activated, this, [this] { openSelected(); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LibraryPage::showDetails);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &LibraryPage::updateActions);
    connect(m_model, &LibraryModel::totalDiskUsageChanged, this, &LibraryPage::updateDiskUsage);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &LibraryPage::updateDiskUsage);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &LibraryPage::updateDiskUsage);
    // With nothing selected the details pane says whether the library is empty; keep that true as rows come and go.
    for (const auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved })
        connect(m_model, signal, this, [this] {
            if (m_detailsId.isEmpty())
                showDetails();
        });
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& topLeft) {
        if (m_model->idAt(topLeft.row()) == m_detailsId)
            showDetails();
    });

    // A message line for results and "Deleted … Undo"; never hidden on a timer.
    auto* messageLayout = new QHBoxLayout(m_messageBar);
    messageLayout->setContentsMargins(6, 2, 6, 2);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* dismiss = new QToolButton(this);
    dismiss->setIcon(Icons::icon(u"close"_s));
    dismiss->setAutoRaise(true);
    dismiss->setAccessibleName(tr("Dismiss"));
    connect(dismiss, &QToolButton::clicked, m_messageBar, &QWidget::hide);
    connect(m_undo, &QPushButton::clicked, this, &LibraryPage::undoDelete);
    m_undo->setIcon(Icons::icon(u"again"_s));
    messageLayout->addWidget(m_message, 1);
    messageLayout->addWidget(m_undo);
    messageLayout->addWidget(dismiss);
    m_messageBar->hide();

    auto* jobLayout = new QHBoxLayout(m_jobBar);
    jobLayout->setContentsMargins(6, 2, 6, 2);
    jobLayout->addWidget(m_jobLabel);
    jobLayout->addWidget(m_jobProgress, 1);
    jobLayout->addWidget(m_jobCancel);
    m_jobProgress->setAccessibleName(tr("Progress"));
    connect(m_jobCancel, &QPushButton::clicked, this, [this] {
        m_importQueue.clear();
        if (m_job)
            m_job->cancel();
    });
    m_jobBar->hide();

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_actions);
    leftLayout->addLayout(filters);
    leftLayout->addWidget(m_messageBar);
    leftLayout->addWidget(m_table, 1);
    leftLayout->addWidget(m_jobBar);

    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* metadataWidget = new QWidget(this);
    m_metadata = new QFormLayout(metadataWidget);
    m_metadata->setContentsMargins(0, 0, 0, 0);
    m_metadata->setRowWrapPolicy(QFormLayout::WrapLongRows);
    m_tags->setPlaceholderText(tr("tags, separated by commas"));
    m_tags->setAccessibleName(tr("Tags"));
    connect(m_tags, &QLineEdit::editingFinished, this, &LibraryPage::saveTags);
    m_notes->setPlaceholderText(tr("Notes about this trace: what you were looking for, what you found"));
    m_notes->setAccessibleName(tr("Notes"));
    m_notesDebounce->setSingleShot(true);
    m_notesDebounce->setInterval(800);
    connect(m_notes, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_notes->signalsBlocked())
            m_notesDebounce->start();
    });
    connect(m_notesDebounce, &QTimer::timeout, this, &LibraryPage::saveNotes);

    auto* detailsTabs = new QTabWidget(this);
    detailsTabs->setDocumentMode(true);
    auto* info = new QWidget(this);
    auto* infoLayout = new QVBoxLayout(info);
    infoLayout->addWidget(m_title);
    infoLayout->addWidget(metadataWidget);
    auto* tagsForm = new QFormLayout;
    tagsForm->addRow(tr("Tags:"), m_tags);
    infoLayout->addLayout(tagsForm);
    infoLayout->addWidget(new QLabel(tr("Notes:"), this));
    infoLayout->addWidget(m_notes, 1);
    detailsTabs->addTab(info, Icons::icon(u"note"_s), tr("Details"));
    detailsTabs->addTab(m_log, Icons::icon(u"decode"_s), tr("Log"));

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(detailsTabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);
    split->setSizes({ 780, 480 });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(split, 1);

    showDetails();
    updateActions();
}

LibraryPage::~LibraryPage()
{
    if (m_job)
        m_job->cancel();
}

void LibraryPage::setLibrary(TraceLibrary* library)
{
    m_library = library;
    m_model->setLibrary(library);
    if (library) {
        connect(library, &TraceLibrary::problem, this, [this](const QString& message) { showMessage(message, true); });
        if (!library->isLoaded())
            library->loadAsync();
    }
    updateDiskUsage();
    updateActions();
}

void LibraryPage::refresh()
{
    if (m_library)
        m_library->rescan();
}

void LibraryPage::focusFilter()
{
    m_search->setFocus();
    m_search->selectAll();
}

QStringList LibraryPage::selectedIds() const
{
    QStringList ids;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    for (const QModelIndex& index : rows)
        ids << index.data(LibraryModel::IdRole).toString();
    if (ids.isEmpty() && m_table->currentIndex().isValid())
        ids << m_table->currentIndex().data(LibraryModel::IdRole).toString();
    return ids;
}

QString LibraryPage::currentId() const
{
    const QModelIndex current = m_table->currentIndex();
    if (current.isValid())
        return current.data(LibraryModel::IdRole).toString();
    return selectedIds().value(0);
}

void LibraryPage::selectId(const QString& id)
{
    const QModelIndex source = m_model->indexOf(id);
    const QModelIndex index = m_filter->mapFromSource(source);
    if (!index.isValid())
        return;
    m_table->setCurrentIndex(index);
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

std::optional<TraceEntry> LibraryPage::currentEntry() const
{
    if (!m_library)
        return std::nullopt;
    const QString id = currentId();
    if (id.isEmpty())
        return std::nullopt;
    return m_library->entry(id);
}

void LibraryPage::updateActions()
{
    const bool hasSelection = !selectedIds().isEmpty() && m_library;
    const bool busy = isJobRunning();
    for (const QString& name : { u"open"_s, u"showInFolder"_s, u"perfetto"_s, u"rename"_s, u"delete"_s })
        m_actionByName.value(name)->setEnabled(hasSelection);
    m_actionByName.value(u"compress"_s)->setEnabled(hasSelection && !busy);
    m_actionByName.value(u"export"_s)->setEnabled(hasSelection && !busy);
    m_actionByName.value(u"import"_s)->setEnabled(m_library && !busy);
    m_actionByName.value(u"undo"_s)->setEnabled(!m_removed.isEmpty());
}

void LibraryPage::updateDiskUsage()
{
    const int count = m_model->rowCount();
    Q_EMIT diskUsageChanged(tr("Library: %n trace(s), %1 on disk", nullptr, count)
                                .arg(QLocale().formattedDataSize(m_model->totalDiskUsage())));
}

QString LibraryPage::detailsText() const
{
    QStringList lines;
    for (int row = 0; row < m_metadata->rowCount(); ++row) {
        auto* label = qobject_cast<QLabel*>(m_metadata->itemAt(row, QFormLayout::LabelRole)
                ? m_metadata->itemAt(row, QFormLayout::LabelRole)->widget()
                : nullptr);
        auto* field = qobject_cast<QLabel*>(m_metadata->itemAt(row, QFormLayout::FieldRole)
                ? m_metadata->itemAt(row, QFormLayout::FieldRole)->widget()
                : nullptr);
        if (label && field)
            lines << label->text() + u' ' + field->text();
    }
    return lines.join(u'\n');
}

void LibraryPage::showDetails()
{
    // Pending edits belong to the entry that was shown.
    if (m_notesDebounce->isActive()) {
        m_notesDebounce->stop();
        saveNotes();
    }
    while (m_metadata->rowCount() > 0)
        m_metadata->removeRow(0);
    const std::optional<TraceEntry> entry = currentEntry();
    m_detailsId = entry ? entry->id() : QString();
    m_tags->setEnabled(entry.has_value());
    m_notes->setEnabled(entry.has_value());
    {
        const QSignalBlocker blockTags(m_tags);
        const QSignalBlocker blockNotes(m_notes);
        m_tags->setText(entry ? entry->metadata.tags.join(u", "_s) : QString());
        m_notes->setPlainText(entry ? entry->metadata.notes : QString());
    }
    ++m_logRequest;
    if (!entry) {
        m_title->setText(m_model->rowCount() == 0
                ? tr("No traces yet. Take one on the Trace page, or drop .fxt files and bundles here.")
                : tr("Select a trace to see its details."));
        m_log->clear();
        updateActions();
        return;
    }
    const TraceMetadata& m = entry->metadata;
    m_title->setText(m.title.isEmpty() ? m.traceFile : m.title);
    const auto row = [this](const QString& label, const QString& value) {
        if (value.isEmpty())
            return;
        auto* field = new QLabel(value);
        field->setWordWrap(true);
        field->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_metadata->addRow(label, field);
    };
    const QLocale locale;
    row(tr("Outcome:"), TraceOutcomes::displayName(m.outcome));
    row(tr("Process:"), m.targetPid > 0 ? tr("%1 (PID %2)").arg(m.processName).arg(m.targetPid) : m.processName);
    row(tr("Command line:"), m.commandLine);
    row(tr("Executable:"), m.executable);
    row(tr("User:"), m.user);
    row(tr("Started:"), m.date().isValid() ? locale.toString(m.date().toLocalTime(), QLocale::LongFormat) : QString());
    row(tr("Duration:"), formatDuration(m.durationMs));
    row(tr("Mode:"), m.mode);
    if (!m.magicTraceArguments.isEmpty()) {
        row(tr("Command:"), u"magic-trace "_s + m.magicTraceArguments.join(u' '));
    } else if (!m.options.isEmpty()) {
        // Options recorded by the Trace page: show them as the flags they mean.
        const QStringList flags = TraceOptionValues::fromVariantMap(m.options.toVariantMap()).toArguments();
        row(tr("Options:"), flags.isEmpty() ? tr("magic-trace's defaults") : flags.join(u' '));
    }
    row(tr("magic-trace:"), m.magicTraceVersion);
    row(tr("perf:"), m.perfVersion);
    if (m.exitCode)
        row(tr("Exit status:"), QString::number(*m.exitCode));
    else if (m.exitSignal)
        row(tr("Exit status:"), tr("killed by signal %1").arg(m.exitSignal));
    row(tr("File:"),
        entry->traceExists() ? tr("%1 (%2, %3)").arg(entry->tracePath(), m.format, locale.formattedDataSize(m.fileSize))
                             : tr("%1 (missing)").arg(entry->tracePath()));
    if (!m.traceProcesses.isEmpty())
        row(tr("In the trace:"), m.traceProcesses.join(u", "_s));

    // The log can be large: read it on a worker, show only the answer to the latest request.
    m_log->clear();
    const QString logPath = entry->logPath();
    if (!logPath.isEmpty()) {
        const quint64 request = m_logRequest;
        auto* watcher = new QFutureWatcher<QString>(this);
        connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, request] {
            if (request == m_logRequest)
                m_log->setPlainLog(watcher->result());
            watcher->deleteLater();
        });
        watcher->setFuture(QtConcurrent::run(readLogTail, logPath));
    }
    updateActions();
}

void LibraryPage::saveNotes()
{
    if (!m_library || m_detailsId.isEmpty())
        return;
    const std::optional<TraceEntry> entry = m_library->entry(m_detailsId);
    const QString notes = m_notes->toPlainText();
    if (!entry || entry->metadata.notes == notes)
        return;
    QString error;
    if (!m_library->setNotes(m_detailsId, notes, &error))
        showMessage(tr("The notes could not be saved: %1").arg(error), true);
}

void LibraryPage::saveTags()
{
    if (!m_library || m_detailsId.isEmpty())
        return;
    QStringList tags;
    const QStringList parts = m_tags->text().split(u',', Qt::SkipEmptyParts);
    for (const QString& part : parts) {
        const QString tag = part.trimmed();
        if (!tag.isEmpty() && !tags.contains(tag))
            tags << tag;
    }
    const std::optional<TraceEntry> entry = m_library->entry(m_detailsId);
    if (!entry || entry->metadata.tags == tags)
        return;
    QString error;
    if (!m_library->setTags(m_detailsId, tags, &error))
        showMessage(tr("The tags could not be saved: %1").arg(error), true);
}

void LibraryPage::openSelected()
{
    if (!m_library)
        return;
    const QStringList ids = selectedIds();
    for (const QString& id : ids) {
        if (const auto entry = m_library->entry(id)) {
            if (entry->traceExists())
                Q_EMIT openTraceRequested(entry->tracePath());
            else
                showMessage(tr("The trace file of \"%1\" is missing.").arg(entry->metadata.title), true);
        }
    }
}

void LibraryPage::renameSelected()
{
    const std::optional<TraceEntry> entry = currentEntry();
    if (!entry)
        return;
    bool ok = false;
    const QString title
        = QInputDialog::getText(this, tr("Rename trace"), tr("Title:"), QLineEdit::Normal, entry->metadata.title, &ok);
    if (!ok || title.trimmed().isEmpty() || title == entry->metadata.title)
        return;
    QString error;
    if (!m_library->setTitle(entry->id(), title.trimmed(), &error))
        showMessage(tr("The trace could not be renamed: %1").arg(error), true);
}

void LibraryPage::deleteSelected()
{
    if (!m_library)
        return;
    const QStringList ids = selectedIds();
    if (ids.isEmpty())
        return;
    QStringList titles;
    QStringList errors;
    for (const QString& id : ids) {
        const std::optional<TraceEntry> entry = m_library->entry(id);
        QString error;
        const std::optional<TraceLibrary::Removed> removed = m_library->remove(id, &error);
        if (removed) {
            m_removed.append(*removed);
            titles << (entry ? entry->metadata.title : id);
        } else {
            errors << error;
        }
    }
    if (!errors.isEmpty())
        showMessage(tr("Not everything could be deleted: %1").arg(errors.join(u"; "_s)), true);
    else
        showMessage(tr("Deleted %1 (moved to the trash).").arg(titles.join(u", "_s)), false);
    m_undo->setVisible(!m_removed.isEmpty());
    updateActions();
}

void LibraryPage::undoDelete()
{
    if (!m_library || m_removed.isEmpty())
        return;
    const TraceLibrary::Removed removed = m_removed.takeLast();
    QString error;
    if (m_library->restore(removed, &error)) {
        showMessage(tr("Restored."), false);
        m_library->rescan();
        QTimer::singleShot(0, this, [this, id = removed.id] { selectId(id); });
    } else {
        showMessage(tr("The trace could not be restored: %1").arg(error), true);
    }
    m_undo->setVisible(!m_removed.isEmpty());
    updateActions();
}

void LibraryPage::compressSelected(TraceProbe::Compression target)
{
    const std::optional<TraceEntry> entry = currentEntry();
    if (!entry || isJobRunning())
        return;
    const QString formatName
        = target == TraceProbe::Compression::None ? tr("uncompressed FXT") : TraceProbe::formatKey(target);
    runJob(m_library->startCompress(entry->id(), target),
        tr("Converting %1 to %2…").arg(entry->metadata.title, formatName));
}

void LibraryPage::exportSelected()
{
    const std::optional<TraceEntry> entry = currentEntry();
    if (!entry || isJobRunning())
        return;
    QString name = entry->metadata.title.isEmpty() ? entry->id() : entry->metadata.title;
    name.replace(QRegularExpression(u"[^A-Za-z0-9._-]+"_s), u"-"_s);
    const QString path = QFileDialog::getSaveFileName(this, tr("Export trace bundle"), name + u".tar.zst"_s,
        tr("zstd tar bundle (*.tar.zst);;gzip tar bundle (*.tar.gz);;xz tar bundle (*.tar.xz);;ZIP (*.zip)"));
    if (path.isEmpty())
        return;
    runJob(m_library->startExport(entry->id(), path), tr("Exporting %1…").arg(entry->metadata.title));
}

void LibraryPage::importWithDialog()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Import traces or bundles"), QString(),
        tr("Traces and bundles (*.fxt *.fxt.gz *.fxt.zst *.fxt.xz *.tar.zst *.tar.gz *.tar.xz *.zip);;All files (*)"));
    if (!files.isEmpty())
        importFiles(files);
}

void LibraryPage::importFiles(const QStringList& paths)
{
    if (!m_library) {
        showMessage(tr("The library is not available."), true);
        return;
    }
    m_importQueue << paths;
    if (!isJobRunning())
        startNextImport();
}

void LibraryPage::startNextImport()
{
    if (m_importQueue.isEmpty() || !m_library)
        return;
    const QString path = m_importQueue.takeFirst();
    runJob(m_library->startImport(path), tr("Importing %1…").arg(QFileInfo(path).fileName()));
}

bool LibraryPage::isJobRunning() const
{
    return m_job && m_job->isRunning();
}

void LibraryPage::runJob(LibraryJob* job, const QString& description)
{
    if (!job)
        return;
    m_job = job;
    m_jobLabel->setText(description);
    m_jobProgress->setRange(0, 0);
    m_jobBar->show();
    connect(job, &LibraryJob::progress, this, [this](qint64 done, qint64 total) {
        if (total > 0) {
            m_jobProgress->setRange(0, 1000);
            m_jobProgress->setValue(int(done * 1000 / total));
        }
    });
    connect(job, &LibraryJob::finished, this, [this, job, description](bool ok, const QString& error) {
        job->deleteLater();
        m_jobBar->hide();
        if (ok) {
            const QString value = job->result().value;
            showMessage(tr("Done: %1").arg(QString(description).remove(u"…"_s)), false);
            if (m_library && m_library->entry(value))
                QTimer::singleShot(0, this, [this, value] { selectId(value); });
        } else {
            showMessage(error.isEmpty() ? tr("Cancelled.") : error, true);
        }
        Q_EMIT jobFinished(ok, error);
        updateActions();
        startNextImport();
    });
    updateActions();
}

void LibraryPage::showMessage(const QString& text, bool error)
{
    m_message->setText(text);
    QPalette palette = m_message->palette();
    palette.setColor(QPalette::WindowText, error ? QColor(0xc0, 0x39, 0x2b) : QPalette().color(QPalette::WindowText));
    m_message->setPalette(palette);
    m_undo->setVisible(!error && !m_removed.isEmpty());
    m_messageBar->show();
}

void LibraryPage::settingsChanged()
{
    // The window recreates the library when the folder changed; nothing else is cached here.
    showDetails();
}
