// SPDX-License-Identifier: MIT
#include "processpicker.h"

#include "icons.h"
#include "processes/processfiltermodel.h"
#include "processes/processmodel.h"
#include "processes/processtable.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QStyledItemDelegate>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

// Greys what cannot be traced (with a lock) and marks our own process.
class ProcessDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const bool own = index.data(ProcessModel::OwnProcessRole).toBool();
        const bool traceable = index.data(ProcessModel::TraceableRole).toBool();
        if (!traceable || own) {
            const QColor grey = option->palette.color(QPalette::Disabled, QPalette::Text);
            option->palette.setColor(QPalette::Text, grey);
        }
        if (index.column() == ProcessModel::NameColumn) {
            if (own) {
                option->text += QApplication::translate("ProcessPicker", " (Magic Trace Studio)");
                option->font.setItalic(true);
                option->icon = Icons::icon(u"self"_s);
                option->features |= QStyleOptionViewItem::HasDecoration;
            } else if (!traceable) {
                option->icon = Icons::icon(u"lock"_s);
                option->features |= QStyleOptionViewItem::HasDecoration;
            }
        }
    }
};

} // namespace

ProcessPicker::ProcessPicker(QWidget* parent, const QString& procRoot)
    : QWidget(parent)
    , m_table(new ProcessTable(procRoot, std::nullopt, this))
    , m_model(new ProcessModel(this))
    , m_filter(new ProcessFilterModel(this))
    , m_filterEdit(new QLineEdit(this))
    , m_onlyMine(new QCheckBox(tr("Mine only"), this))
    , m_onlyTraceable(new QCheckBox(tr("Traceable only"), this))
    , m_hideKernel(new QCheckBox(tr("Hide kernel threads"), this))
    , m_tree(new QToolButton(this))
    , m_refresh(new QToolButton(this))
    , m_view(new QTreeView(this))
    , m_count(new QLabel(this))
{
    m_model->setTable(m_table);
    m_filter->setSourceModel(m_model);

    QSettings settings;
    m_onlyMine->setChecked(settings.value(u"processes/onlyMine"_s, ::geteuid() != 0).toBool());
    m_onlyTraceable->setChecked(settings.value(u"processes/onlyTraceable"_s, false).toBool());
    m_hideKernel->setChecked(settings.value(u"processes/hideKernelThreads"_s, true).toBool());
    m_filter->setOnlyMine(m_onlyMine->isChecked());
    m_filter->setOnlyTraceable(m_onlyTraceable->isChecked());
    m_filter->setHideKernelThreads(m_hideKernel->isChecked());

    m_filterEdit->setPlaceholderText(tr("Filter by name, PID, command line or user (Ctrl+F)"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->addAction(Icons::icon(u"search"_s), QLineEdit::LeadingPosition);
    m_filterEdit->setAccessibleName(tr("Filter processes"));
    connect(m_filterEdit, &QLineEdit::textChanged, m_filter, &ProcessFilterModel::setFilterText);
    // Enter in the filter traces the only match, or moves to the list.
    connect(m_filterEdit, &QLineEdit::returnPressed, this, [this] {
        if (m_filter->rowCount() == 1 && !m_filter->hasChildren(m_filter->index(0, 0))) {
            m_view->setCurrentIndex(m_filter->index(0, 0));
            if (const auto process = selectedProcess())
                Q_EMIT traceRequested(*process);
            return;
        }
        m_view->setFocus();
        if (!m_view->currentIndex().isValid() && m_filter->rowCount() > 0)
            m_view->setCurrentIndex(m_filter->index(0, 0));
    });

    m_onlyMine->setToolTip(tr("Show only processes that run as you"));
    m_onlyTraceable->setToolTip(tr("Hide processes magic-trace cannot attach to (other users' processes without "
                                   "privileges, zombies, kernel threads)"));
    m_hideKernel->setToolTip(tr("Hide kernel threads ([kworker/0:1] and the like); they cannot be traced"));
    const auto saveToggles = [this] {
        QSettings settings;
        settings.setValue(u"processes/onlyMine"_s, m_onlyMine->isChecked());
        settings.setValue(u"processes/onlyTraceable"_s, m_onlyTraceable->isChecked());
        settings.setValue(u"processes/hideKernelThreads"_s, m_hideKernel->isChecked());
        updateCount();
    };
    connect(m_onlyMine, &QCheckBox::toggled, this, [this, saveToggles](bool on) {
        m_filter->setOnlyMine(on);
        saveToggles();
    });
    connect(m_onlyTraceable, &QCheckBox::toggled, this, [this, saveToggles](bool on) {
        m_filter->setOnlyTraceable(on);
        saveToggles();
    });
    connect(m_hideKernel, &QCheckBox::toggled, this, [this, saveToggles](bool on) {
        m_filter->setHideKernelThreads(on);
        saveToggles();
    });

    m_tree->setCheckable(true);
    m_tree->setIcon(Icons::icon(u"tree"_s));
    m_tree->setText(tr("Tree"));
    m_tree->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_tree->setToolTip(tr("Show processes as a tree by parent"));
    m_tree->setAccessibleName(tr("Tree view"));
    connect(m_tree, &QToolButton::toggled, this, &ProcessPicker::setTreeMode);
    m_refresh->setIcon(Icons::icon(u"refresh"_s));
    m_refresh->setToolTip(tr("Refresh the list now (F5); it also refreshes every 2 seconds"));
    m_refresh->setAccessibleName(tr("Refresh the process list"));
    connect(m_refresh, &QToolButton::clicked, this, &ProcessPicker::refresh);

    m_view->setModel(m_filter);
    m_view->setItemDelegate(new ProcessDelegate(m_view));
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ProcessModel::CpuColumn, Qt::DescendingOrder);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAllColumnsShowFocus(true);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setAccessibleName(tr("Processes"));
    m_view->header()->setStretchLastSection(true);
    m_view->header()->setSectionsMovable(true);
    connect(m_view, &QTreeView::customContextMenuRequested, this, &ProcessPicker::showContextMenu);
    connect(m_view, &QTreeView::activated, this, [this] {
        if (const auto process = selectedProcess())
            Q_EMIT traceRequested(*process);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &ProcessPicker::selectionChanged);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &ProcessPicker::updateCount);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &ProcessPicker::updateCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &ProcessPicker::updateCount);
    connect(m_filter, &ProcessFilterModel::filterApplied, this, &ProcessPicker::updateCount);
    connect(m_table, &ProcessTable::updated, this, [this] {
        updateCount();
        if (!m_columnsSized && m_model->processCount() > 0) {
            m_columnsSized = true;
            m_view->setColumnWidth(ProcessModel::PidColumn, m_view->fontMetrics().horizontalAdvance(u"9999999"_s) + 24);
            m_view->setColumnWidth(ProcessModel::NameColumn, m_view->fontMetrics().horizontalAdvance(u"M"_s) * 16);
            m_view->setColumnWidth(ProcessModel::UserColumn, m_view->fontMetrics().horizontalAdvance(u"M"_s) * 7);
            m_view->setColumnWidth(ProcessModel::CpuColumn, m_view->fontMetrics().horizontalAdvance(u"100.0 %"_s) + 24);
            m_view->setColumnWidth(
                ProcessModel::MemoryColumn, m_view->fontMetrics().horizontalAdvance(u"9999.9 MiB"_s) + 24);
            m_view->setColumnWidth(
                ProcessModel::ThreadsColumn, m_view->fontMetrics().horizontalAdvance(u"Threads"_s) + 24);
        }
    });
    connect(m_table, &ProcessTable::scanFailed, this,
        [this](const QString& error) { m_count->setText(tr("The process list cannot be read: %1").arg(error)); });

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_filterEdit, 1);
    bar->addWidget(m_tree);
    bar->addWidget(m_refresh);
    auto* toggles = new QHBoxLayout;
    toggles->setContentsMargins(0, 0, 0, 0);
    toggles->addWidget(m_onlyMine);
    toggles->addWidget(m_onlyTraceable);
    toggles->addWidget(m_hideKernel);
    toggles->addStretch();
    toggles->addWidget(m_count);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(bar);
    layout->addLayout(toggles);
    layout->addWidget(m_view, 1);
    m_count->setForegroundRole(QPalette::PlaceholderText);
}

ProcessPicker::~ProcessPicker() = default;

std::optional<ProcessInfo> ProcessPicker::selectedProcess() const
{
    const QModelIndex index = m_view->currentIndex();
    if (!index.isValid())
        return std::nullopt;
    const QVariant value = index.siblingAtColumn(0).data(ProcessModel::ProcessInfoRole);
    if (!value.canConvert<ProcessInfo>())
        return std::nullopt;
    return value.value<ProcessInfo>();
}

bool ProcessPicker::selectPid(qint64 pid)
{
    const QModelIndex source = m_model->indexOfPid(pid);
    const QModelIndex index = m_filter->mapFromSource(source);
    if (!index.isValid())
        return false;
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index);
    return true;
}

void ProcessPicker::refresh()
{
    m_table->refresh();
}

void ProcessPicker::focusFilter()
{
    m_filterEdit->setFocus();
    m_filterEdit->selectAll();
}

void ProcessPicker::setScanningPaused(bool paused)
{
    m_paused = paused;
    updateActive();
}

void ProcessPicker::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    updateActive();
}

void ProcessPicker::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    updateActive();
}

void ProcessPicker::updateActive()
{
    m_table->setActive(isVisible() && !m_paused);
}

void ProcessPicker::updateCount()
{
    m_count->setText(tr("%1 of %n process(es)", nullptr, m_model->processCount()).arg(m_filter->rowCount()));
}

void ProcessPicker::setTreeMode(bool tree)
{
    const std::optional<ProcessInfo> selected = selectedProcess();
    m_model->setMode(tree ? ProcessModel::Mode::Tree : ProcessModel::Mode::Flat);
    m_view->setRootIsDecorated(tree);
    if (tree)
        m_view->expandAll();
    if (selected)
        selectPid(selected->pid);
}

void ProcessPicker::showContextMenu(const QPoint& pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    m_view->setCurrentIndex(index);
    const std::optional<ProcessInfo> process = selectedProcess();
    if (!process)
        return;
    QMenu menu(this);
    QAction* trace = menu.addAction(Icons::icon(u"trace"_s), tr("Trace %1").arg(process->name));
    trace->setEnabled(process->traceable && !process->isOwnProcess);
    connect(trace, &QAction::triggered, this, [this, p = *process] { Q_EMIT traceRequested(p); });
    menu.addSeparator();
    menu.addAction(Icons::icon(u"copy"_s), tr("Copy PID"), this,
        [pid = process->pid] { QApplication::clipboard()->setText(QString::number(pid)); });
    menu.addAction(Icons::icon(u"copy"_s), tr("Copy command line"), this,
        [line = process->commandLine()] { QApplication::clipboard()->setText(line); });
    if (!process->exePath.isEmpty()) {
        menu.addAction(Icons::icon(u"copy"_s), tr("Copy executable path"), this,
            [path = process->exePath] { QApplication::clipboard()->setText(path); });
    }
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}
