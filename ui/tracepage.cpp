// SPDX-License-Identifier: MIT
#include "tracepage.h"

#include "appsettings.h"
#include "icons.h"
#include "logview.h"
#include "processnamewatcher.h"
#include "traceoptionspanel.h"
#include "tracestateline.h"

#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

TracePage::TracePage(QWidget* parent)
    : QWidget(parent)
    , m_modes(new QTabWidget(this))
    , m_options(new TraceOptionsPanel(this))
    , m_traceButton(new QPushButton(this))
    , m_againButton(new QToolButton(this))
    , m_stateLine(new TraceStateLine(this))
    , m_log(new LogView(this))
    , m_waitName(new QLineEdit(this))
    , m_program(new QLineEdit(this))
    , m_arguments(new QLineEdit(this))
    , m_workingDirectory(new QLineEdit(this))
    , m_environment(new QPlainTextEdit(this))
    , m_nameWatcher(new ProcessNameWatcher(this))
{
    m_modes->setDocumentMode(true);
    m_modes->addTab(createAttachTab(), Icons::icon(u"process"_s), tr("Running process"));
    m_modes->addTab(createWaitTab(), Icons::icon(u"wait"_s), tr("Next process named…"));
    m_modes->addTab(createLaunchTab(), Icons::icon(u"launch"_s), tr("Launch program"));
    m_modes->setAccessibleName(tr("What to trace"));
    connect(m_modes, &QTabWidget::currentChanged, this, &TracePage::updateTraceButton);

    m_options->setValues(AppSettings::lastTraceOptions());
    auto* optionsScroll = new QScrollArea(this);
    optionsScroll->setWidgetResizable(true);
    optionsScroll->setFrameShape(QFrame::NoFrame);
    optionsScroll->setWidget(m_options);
    optionsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    QFont big = m_traceButton->font();
    big.setPointSizeF(big.pointSizeF() * 1.15);
    big.setBold(true);
    m_traceButton->setFont(big);
    m_traceButton->setMinimumHeight(m_traceButton->sizeHint().height() * 3 / 2);
    m_traceButton->setDefault(false);
    connect(m_traceButton, &QPushButton::clicked, this, [this] {
        if (m_busy)
            stopTrace();
        else
            startTrace();
    });
    m_againButton->setIcon(Icons::icon(u"again"_s));
    m_againButton->setText(tr("Trace again"));
    m_againButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_againButton->setToolTip(tr("Repeat the last trace with the same target and options (Ctrl+Shift+R)"));
    m_againButton->setAccessibleName(tr("Trace again"));
    m_againButton->setEnabled(false);
    connect(m_againButton, &QToolButton::clicked, this, &TracePage::traceAgain);

    auto* optionsBox = new QGroupBox(tr("Options"), this);
    auto* optionsLayout = new QVBoxLayout(optionsBox);
    optionsLayout->addWidget(optionsScroll, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_againButton);
    buttons->addWidget(m_traceButton, 1);
    optionsLayout->addLayout(buttons);

    auto* top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(m_modes);
    top->addWidget(optionsBox);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    top->setChildrenCollapsible(false);

    auto* bottom = new QWidget(this);
    auto* bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(m_stateLine);
    bottomLayout->addWidget(m_log, 1);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(bottom);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);
    split->setObjectName(u"traceSplitter"_s);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(split, 1);

    connect(m_stateLine, &TraceStateLine::openRequested, this, &TracePage::openTraceRequested);
    connect(m_options, &TraceOptionsPanel::changed, this,
        [this] { AppSettings::setLastTraceOptions(m_options->values()); });
    connect(m_nameWatcher, &ProcessNameWatcher::appeared, this, [this](qint64 pid) {
        m_log->appendLine(tr("A process named %1 started: PID %2").arg(m_nameWatcher->name()).arg(pid),
            LogView::LineClass::Note, QDateTime::currentDateTime());
        TraceTarget target;
        target.pids = { pid };
        target.displayName = u"%1 (%2)"_s.arg(m_nameWatcher->name()).arg(pid);
        begin(target);
    });
    updateTraceButton();
}

TracePage::~TracePage() = default;

QWidget* TracePage::createAttachTab()
{
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    layout->addWidget(new QLabel(tr("The process list appears here."), tab));
    return tab;
}

QWidget* TracePage::createWaitTab()
{
    auto* tab = new QWidget(this);
    auto* form = new QFormLayout(tab);
    m_waitName->setPlaceholderText(tr("e.g. my_server"));
    m_waitName->setAccessibleName(tr("Process name to wait for"));
    m_waitName->setToolTip(tr("The command name (as shown in the process list) or the program's file name."));
    connect(m_waitName, &QLineEdit::returnPressed, this, &TracePage::startTrace);
    form->addRow(tr("Process name:"), m_waitName);
    auto* help = new QLabel(tr("Press Trace, then start the program: magic-trace attaches to the next process with "
                               "this name as soon as it appears. Processes already running are ignored."),
        tab);
    help->setWordWrap(true);
    help->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(help);
    return tab;
}

QWidget* TracePage::createLaunchTab()
{
    auto* tab = new QWidget(this);
    auto* form = new QFormLayout(tab);
    auto* programRow = new QHBoxLayout;
    m_program->setPlaceholderText(tr("Program to start under magic-trace"));
    m_program->setAccessibleName(tr("Program"));
    auto* browse = new QToolButton(tab);
    browse->setIcon(Icons::icon(u"folder"_s));
    browse->setAccessibleName(tr("Choose the program"));
    browse->setToolTip(tr("Choose the program"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Program to trace"), m_program->text());
        if (!path.isEmpty())
            m_program->setText(path);
    });
    programRow->addWidget(m_program, 1);
    programRow->addWidget(browse);
    form->addRow(tr("Program:"), programRow);
    m_arguments->setPlaceholderText(tr("Arguments, quoted as in a shell"));
    m_arguments->setAccessibleName(tr("Arguments"));
    form->addRow(tr("Arguments:"), m_arguments);
    m_workingDirectory->setPlaceholderText(tr("Default: the traces folder"));
    m_workingDirectory->setAccessibleName(tr("Working directory"));
    form->addRow(tr("Working directory:"), m_workingDirectory);
    m_environment->setPlaceholderText(tr("KEY=VALUE, one per line, added to the environment"));
    m_environment->setAccessibleName(tr("Environment"));
    m_environment->setMaximumHeight(m_environment->fontMetrics().lineSpacing() * 6);
    form->addRow(tr("Environment:"), m_environment);
    auto* help = new QLabel(tr("magic-trace starts the program and records until it exits or you press Stop."), tab);
    help->setWordWrap(true);
    help->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(help);
    return tab;
}

bool TracePage::isBusy() const
{
    return m_busy;
}

bool TracePage::canStop() const
{
    return m_busy && !m_stopRequested;
}

std::optional<TraceTarget> TracePage::currentTarget(QString* error) const
{
    TraceTarget target;
    switch (m_modes->currentIndex()) {
    case 0:
        *error = tr("Select a process in the list first.");
        return std::nullopt;
    case 2: {
        target.mode = TraceTarget::Mode::Launch;
        target.program = m_program->text().trimmed();
        if (target.program.isEmpty()) {
            *error = tr("Enter the program to launch.");
            return std::nullopt;
        }
        target.arguments = QProcess::splitCommand(m_arguments->text());
        target.workingDirectory = m_workingDirectory->text().trimmed();
        const QStringList lines = m_environment->toPlainText().split(u'\n', Qt::SkipEmptyParts);
        for (const QString& line : lines) {
            if (!line.trimmed().isEmpty())
                target.environment << line.trimmed();
        }
        target.displayName = QFileInfo(target.program).fileName();
        return target;
    }
    default:
        break;
    }
    *error = tr("Nothing to trace.");
    return std::nullopt;
}

void TracePage::startTrace()
{
    if (m_busy)
        return;
    if (m_modes->currentIndex() == 1) {
        const QString name = m_waitName->text().trimmed();
        if (name.isEmpty()) {
            m_stateLine->setIdle(tr("Enter the name of the process to wait for."));
            m_waitName->setFocus();
            return;
        }
        m_log->clear();
        m_stateLine->setIdle(tr("Waiting for a process named %1 to start…").arg(name));
        m_nameWatcher->start(name);
        setBusy(true);
        return;
    }
    QString error;
    const std::optional<TraceTarget> target = currentTarget(&error);
    if (!target) {
        m_stateLine->setIdle(error);
        return;
    }
    begin(*target);
}

void TracePage::traceProcess(qint64 pid)
{
    TraceTarget target;
    target.pids = { pid };
    target.displayName = tr("PID %1").arg(pid);
    begin(target);
}

void TracePage::traceAgain()
{
    if (m_lastTarget && !m_busy)
        begin(*m_lastTarget);
}

void TracePage::begin(const TraceTarget& target)
{
    m_lastTarget = target;
    m_againButton->setEnabled(true);
    AppSettings::setLastTraceOptions(m_options->values());
    m_log->clear();
    m_stateLine->setFailed(tr("The trace controller is not built in yet"),
        tr("This build has no magic-trace controller (core/trace)."), QString());
}

void TracePage::stopTrace()
{
    if (!m_busy || m_stopRequested)
        return;
    if (m_nameWatcher->isWatching()) {
        m_nameWatcher->cancel();
        m_stateLine->setIdle(tr("Stopped waiting."));
        setBusy(false);
        return;
    }
    m_stopRequested = true;
    updateTraceButton();
}

void TracePage::abortTrace()
{
    stopTrace();
}

void TracePage::stopForClose()
{
    if (!m_busy) {
        Q_EMIT idle();
        return;
    }
    stopTrace();
}

void TracePage::refresh() { }

void TracePage::focusFilter()
{
    if (m_modes->currentIndex() == 1)
        m_waitName->setFocus();
}

void TracePage::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    if (!busy)
        m_stopRequested = false;
    updateTraceButton();
    Q_EMIT busyChanged(busy);
    if (!busy)
        Q_EMIT idle();
}

void TracePage::updateTraceButton()
{
    if (m_busy) {
        m_traceButton->setText(m_stopRequested ? tr("Stopping…") : tr("Stop"));
        m_traceButton->setIcon(Icons::icon(u"stop"_s));
        m_traceButton->setToolTip(tr("Take the snapshot and write the trace (Esc)"));
        m_traceButton->setEnabled(!m_stopRequested);
    } else {
        m_traceButton->setText(tr("Trace"));
        m_traceButton->setIcon(Icons::icon(u"trace"_s));
        m_traceButton->setToolTip(tr("Start magic-trace on the selected target (Ctrl+R)"));
        m_traceButton->setEnabled(true);
    }
    m_traceButton->setAccessibleName(m_traceButton->text());
    m_modes->setEnabled(!m_busy);
    m_options->setEnabled(!m_busy);
    m_againButton->setEnabled(!m_busy && m_lastTarget.has_value());
}
