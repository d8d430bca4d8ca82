// SPDX-License-Identifier: MIT
#include "tracepage.h"

#include "library/tracerecording.h"

#include "appsettings.h"
#include "desktopactions.h"
#include "host/hostcheck.h"
#include "host/magictraceinstaller.h"
#include "icons.h"
#include "logview.h"
#include "processes/processtable.h"
#include "processnamewatcher.h"
#include "processpicker.h"
#include "readinessbanner.h"
#include "trace/traceoutput.h"
#include "traceoptionspanel.h"
#include "tracestateline.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
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
    , m_banner(new ReadinessBanner(this))
    , m_locator(new MagicTraceLocator(this))
    , m_hostCheck(new HostCheck(this))
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
    layout->addWidget(m_banner);
    layout->addWidget(split, 1);

    connect(m_stateLine, &TraceStateLine::openRequested, this, &TracePage::openTraceRequested);
    connect(m_stateLine, &TraceStateLine::showInFolderRequested, this,
        [](const QString& path) { DesktopActions::showInFolder(path); });
    connect(m_stateLine, &TraceStateLine::openInPerfettoRequested, this,
        [this](const QString& path) { DesktopActions::openInPerfetto(path, this); });
    connect(m_stateLine, &TraceStateLine::copyFixRequested, this,
        [](const QString& fix) { QApplication::clipboard()->setText(fix); });
    connect(m_locator, &MagicTraceLocator::finished, this, &TracePage::located);
    connect(m_hostCheck, &HostCheck::finished, this, [this](const HostReport& report) {
        m_banner->setChecking(false);
        m_hostFindings = report.findings;
        updateBanner();
    });
    connect(m_banner, &ReadinessBanner::recheckRequested, this, &TracePage::checkHost);
    connect(m_banner, &ReadinessBanner::installRequested, this, &TracePage::installMagicTrace);
    connect(m_banner, &ReadinessBanner::installCancelRequested, this, [this] {
        if (m_installer)
            m_installer->cancel();
    });
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
    checkHost();
}

TracePage::~TracePage()
{
    // Never orphan magic-trace: the session's destructor kills its process group. MainWindow stops it properly
    // before it gets here.
    delete m_session;
}

void TracePage::checkHost()
{
    if (m_locator->isRunning())
        return;
    m_banner->setChecking(true);
    m_locator->setConfiguredPath(AppSettings::magicTracePath());
    m_locator->start();
}

void TracePage::located(const MagicTraceLocation& location)
{
    m_banner->setChecking(false);
    m_hostChecked = true;
    m_locatorFindings.clear();
    m_magicTrace = location.found();
    if (m_magicTrace) {
        // A development build that prints no version is treated as the newest release.
        const MagicTraceVersion version
            = m_magicTrace->version.isValid() ? m_magicTrace->version : MagicTraceVersion::fromNumbers(1, 2, 4);
        m_capabilities = MagicTraceCapabilities::forVersion(version);
        m_options->setMagicTraceVersion(QVersionNumber(version.major, version.minor, version.patch));
        m_banner->setInstallOffered(false);
    } else {
        Finding missing;
        missing.id = u"magic-trace.missing"_s;
        missing.severity = Finding::Severity::Blocker;
        QStringList problems;
        for (const MagicTraceCandidate& candidate : location.candidates) {
            if (!candidate.problem.isEmpty())
                problems << candidate.path + u": "_s + candidate.problem;
        }
        missing.message = tr("magic-trace was not found: not at the path in the settings, not on PATH and not "
                             "installed by Magic Trace Studio.");
        if (!problems.isEmpty())
            missing.message += u' ' + tr("Skipped: %1.").arg(problems.join(u"; "_s));
        missing.fix = tr("Press \"Install magic-trace\" to download the release binary, or set its path in "
                         "Settings.");
        m_locatorFindings << missing;
        m_banner->setInstallOffered(true);
    }
    updateBanner();
    HostCheckOptions hostOptions = HostCheckOptions::fromEnvironment();
    hostOptions.magicTrace = location;
    m_hostCheck->setOptions(hostOptions);
    if (!m_hostCheck->isRunning()) {
        m_banner->setChecking(true);
        m_hostCheck->start();
    }
    Q_EMIT hostChecked();
    if (m_pendingTarget) {
        const TraceTarget target = *std::exchange(m_pendingTarget, std::nullopt);
        begin(target);
    }
}

void TracePage::updateBanner()
{
    // The host check judges magic-trace too once it has run; until then the locator's own finding stands.
    m_banner->setFindings(m_hostFindings.isEmpty() ? m_locatorFindings : m_hostFindings);
}

void TracePage::installMagicTrace()
{
    if (m_installer && m_installer->isRunning())
        return;
    if (!m_installer) {
        m_installer = new MagicTraceInstaller(this);
        connect(m_installer, &MagicTraceInstaller::progress, m_banner, &ReadinessBanner::setInstallProgress);
        connect(m_installer, &MagicTraceInstaller::finished, this, [this](const InstallResult& result) {
            if (result.ok()) {
                m_banner->setInstallFinished(true,
                    result.verified ? tr("magic-trace was installed and its checksum verified.")
                                    : tr("magic-trace was installed to %1 (not verified; SHA-256 %2).")
                                          .arg(result.path, result.sha256));
                checkHost();
            } else {
                m_banner->setInstallFinished(false, tr("Installing magic-trace failed: %1").arg(result.error));
            }
        });
    }
    m_banner->setInstallProgress(0, -1);
    m_installer->start();
}

QWidget* TracePage::createAttachTab()
{
    m_picker = new ProcessPicker(this);
    connect(m_picker, &ProcessPicker::traceRequested, this, [this](const ProcessInfo& process) {
        if (m_busy)
            return;
        QString error;
        m_picker->selectPid(process.pid);
        if (const std::optional<TraceTarget> target = currentTarget(&error))
            begin(*target);
        else
            m_stateLine->setFailed(tr("%1 cannot be traced").arg(process.name), error, QString());
    });
    return m_picker;
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
    case 0: {
        const std::optional<ProcessInfo> process = m_picker->selectedProcess();
        if (!process) {
            *error = tr("Select a process in the list first.");
            return std::nullopt;
        }
        if (process->isOwnProcess) {
            *error = tr("This is Magic Trace Studio itself; pick the program you want to trace.");
            return std::nullopt;
        }
        if (!process->traceable) {
            *error = process->reason.isEmpty() ? tr("magic-trace cannot attach to this process.") : process->reason;
            return std::nullopt;
        }
        return targetFor(*process);
    }
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
        if (m_modes->currentIndex() == 0 && m_picker->selectedProcess())
            m_stateLine->setFailed(tr("%1 cannot be traced").arg(m_picker->selectedProcess()->name), error, QString());
        else
            m_stateLine->setIdle(error);
        return;
    }
    begin(*target);
}

TraceTarget TracePage::targetFor(const ProcessInfo& process)
{
    TraceTarget target;
    target.pids = { process.pid };
    target.displayName = u"%1 (%2)"_s.arg(process.name).arg(process.pid);
    target.processName = process.name;
    target.commandLine = process.commandLine();
    target.executable = process.exePath;
    target.user = process.userName;
    return target;
}

void TracePage::traceProcess(qint64 pid)
{
    m_modes->setCurrentIndex(0);
    TraceTarget target;
    target.pids = { pid };
    target.displayName = tr("PID %1").arg(pid);
    // Use what the process list knows when it has the process already.
    for (const ProcessInfo& process : m_picker->table()->processes()) {
        if (process.pid == pid)
            target = targetFor(process);
    }
    begin(target);
}

void TracePage::traceAgain()
{
    if (m_lastTarget && !m_busy)
        begin(*m_lastTarget);
}

void TracePage::failBeforeStart(const QString& headline, const QString& explanation, const QString& fix)
{
    m_stateLine->setFailed(headline, explanation, fix);
    setBusy(false);
}

void TracePage::begin(const TraceTarget& target)
{
    if (m_session)
        return;
    m_lastTarget = target;
    m_currentTarget = target;
    const TraceOptionValues options = m_options->values();
    AppSettings::setLastTraceOptions(options);
    m_log->clear();
    setBusy(true);
    if (!m_magicTrace) {
        if (!m_hostChecked || m_locator->isRunning()) {
            // Still looking (e.g. --attach at start-up): trace as soon as it is found.
            m_pendingTarget = target;
            m_stateLine->setIdle(tr("Looking for magic-trace…"));
            return;
        }
        failBeforeStart(tr("magic-trace is not installed"),
            tr("No magic-trace executable was found, so nothing can be traced yet."),
            tr("Press \"Install magic-trace\" above, or set its path in Settings (Ctrl+,)."));
        return;
    }

    TraceRequest request;
    request.mode = target.mode == TraceTarget::Mode::Launch ? TraceRequest::Mode::Run : TraceRequest::Mode::Attach;
    request.pids = target.pids;
    request.program = target.program;
    request.programArguments = target.arguments;
    request.workingDirectory = target.workingDirectory;
    if (!target.environment.isEmpty()) {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const QString& assignment : target.environment) {
            const qsizetype equals = assignment.indexOf(u'=');
            if (equals > 0)
                environment.insert(assignment.left(equals), assignment.mid(equals + 1));
        }
        request.environment = environment;
    }
    options.applyTo(request);
    request.attachTimeoutMs = AppSettings::attachTimeoutSeconds() * 1000;

    TraceProbe::Compression compression = TraceProbe::Compression::None;
    if (m_capabilities.compressedOutput) {
        if (options.outputFormat == u"fxt.gz"_s)
            compression = TraceProbe::Compression::GZip;
        else if (options.outputFormat == u"fxt.zst"_s)
            compression = TraceProbe::Compression::Zstd;
    }
    // Validate before anything is written, so a refused option leaves no library entry behind.
    request.outputPath = TraceOutput::defaultDirectory() + u"/check"_s + TraceProbe::fileSuffix(compression);
    QString error;
    if (!request.validate(m_capabilities, &error)) {
        failBeforeStart(
            tr("These options cannot be used"), error, tr("Change the options, or install a newer magic-trace."));
        return;
    }

    m_recordingId.clear();
    m_recordingLogPath.clear();
    if (m_library) {
        TraceMetadata metadata;
        metadata.title = target.displayName;
        metadata.targetPid = target.pids.value(0);
        metadata.processName = target.processName;
        metadata.commandLine = target.commandLine;
        metadata.executable = target.mode == TraceTarget::Mode::Launch ? target.program : target.executable;
        metadata.user = target.user;
        metadata.startTime = QDateTime::currentDateTimeUtc();
        metadata.mode = TraceRequest::modeName(request.mode);
        QJsonObject optionObject;
        const QVariantMap optionMap = options.toVariantMap();
        for (auto it = optionMap.cbegin(); it != optionMap.cend(); ++it)
            optionObject.insert(it.key(), QJsonValue::fromVariant(it.value()));
        metadata.options = optionObject;
        metadata.magicTraceVersion = m_magicTrace->versionText;
        const std::optional<TraceLibrary::Recording> recording
            = m_library->beginRecording(metadata, &error, compression);
        if (!recording) {
            failBeforeStart(tr("The trace cannot be stored"), error, tr("Check the traces folder in Settings."));
            return;
        }
        m_recordingId = recording->id;
        m_recordingLogPath = recording->logPath;
        request.outputPath = recording->tracePath;
    } else {
        request.outputPath = TraceOutput::uniqueOutputPath(TraceOutput::defaultDirectory(), m_capabilities);
        if (compression != TraceProbe::Compression::GZip) {
            const QString suffix = TraceProbe::fileSuffix(compression);
            request.outputPath = request.outputPath.left(request.outputPath.indexOf(u".fxt"_s)) + suffix;
        }
    }

    m_session = new TraceSession(m_magicTrace->path, m_capabilities, request, this);
    connect(m_session, &TraceSession::stateChanged, this, &TracePage::onSessionState);
    // One signal per read: under a flood, only the lines the view can keep are decoded.
    connect(m_session, &TraceSession::logBatch, this, [this](const LogBatch& batch) {
        const qsizetype skipped = std::max<qsizetype>(0, batch.size() - m_log->maximumLines());
        m_log->addSkippedLines(skipped);
        const QDateTime time = QDateTime::fromMSecsSinceEpoch(batch.timeMs());
        for (qsizetype i = skipped; i < batch.size(); ++i) {
            LogView::LineClass lineClass = LogView::LineClass::Other;
            switch (batch.kind(i)) {
            case LogLine::Kind::Progress:
                lineClass = LogView::LineClass::Progress;
                break;
            case LogLine::Kind::Warning:
                lineClass = LogView::LineClass::Warning;
                break;
            case LogLine::Kind::Error:
                lineClass = LogView::LineClass::Error;
                break;
            case LogLine::Kind::Other:
                break;
            }
            m_log->appendLine(batch.text(i), lineClass, time);
        }
    });
    connect(m_session, &TraceSession::stopHeld, this, [this] { m_stateLine->setStopPending(); });
    connect(m_session, &TraceSession::targetsExited, this, [this](const QList<qint64>& pids) {
        QStringList list;
        for (qint64 pid : pids)
            list << QString::number(pid);
        m_log->appendLine(tr("The traced process exited (PID %1); stopping magic-trace so the trace is still "
                             "written.")
                              .arg(list.join(u", "_s)),
            LogView::LineClass::Note, QDateTime::currentDateTime());
    });
    connect(m_session, &TraceSession::finished, this, &TracePage::onSessionFinished);
    m_log->appendLine(u"$ magic-trace "_s + request.magicTraceArguments().join(u' '), LogView::LineClass::Note,
        QDateTime::currentDateTime());
    m_stateLine->setAttaching(target.displayName);
    m_session->start(&error);
}

void TracePage::onSessionState(TraceSession::State state)
{
    switch (state) {
    case TraceSession::State::Starting:
    case TraceSession::State::Attaching:
        if (m_stateLine->state() != TraceStateLine::State::Attaching)
            m_stateLine->setAttaching(m_currentTarget.displayName);
        break;
    case TraceSession::State::Recording:
        m_stateLine->setRecording(m_currentTarget.displayName);
        break;
    case TraceSession::State::Stopping:
        m_stateLine->setStopping();
        break;
    case TraceSession::State::Decoding:
        m_stateLine->setDecoding();
        break;
    default:
        break;
    }
    updateTraceButton();
    Q_EMIT busyChanged(m_busy);
}

void TracePage::onSessionFinished(const TraceResult& result)
{
    TraceSession* session = std::exchange(m_session, nullptr);
    if (!session)
        return;
    m_log->flush();
    if (m_library && !m_recordingId.isEmpty()) {
        const TraceLibrary::RecordingResult recorded = TraceRecording::resultFor(result);
        QString error;
        if (!m_library->finishRecording(m_recordingId, recorded, &error)) {
            m_log->appendLine(tr("The trace's record in the library could not be completed: %1").arg(error),
                LogView::LineClass::Error, QDateTime::currentDateTime());
        } else if (!result.logPath.isEmpty() && QFileInfo(result.logPath) != QFileInfo(m_recordingLogPath)
            && QFileInfo::exists(m_recordingLogPath)) {
            QFile::remove(result.logPath); // the library keeps its own copy
        }
    }

    switch (result.outcome) {
    case TraceResult::Outcome::Finished: {
        QString summary = result.outputPath;
        if (result.outputSize > 0)
            summary = tr("%1 (%2)").arg(result.outputPath, QLocale().formattedDataSize(result.outputSize));
        if (result.targetsExited)
            summary += u"\n"_s + tr("The traced process exited while recording; magic-trace was stopped for you.");
        m_stateLine->setFinished(result.outputPath, summary);
        Q_EMIT traceFinished(result.outputPath, m_currentTarget.displayName);
        break;
    }
    case TraceResult::Outcome::Failed:
        m_stateLine->setFailed(tr("The trace of %1 failed").arg(m_currentTarget.displayName), result.diagnosis.sentence,
            result.diagnosis.fix, result.diagnosis.evidence);
        break;
    case TraceResult::Outcome::Cancelled:
        m_stateLine->setCancelled(tr("magic-trace was stopped without writing a trace."));
        break;
    }
    session->deleteLater();
    setBusy(false);
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
    if (m_pendingTarget) {
        m_pendingTarget.reset();
        m_stateLine->setIdle(tr("Cancelled before magic-trace was found."));
        setBusy(false);
        return;
    }
    if (!m_session)
        return;
    // Disabled at once: a second stop would kill magic-trace while it decodes and lose the trace.
    m_stopRequested = true;
    updateTraceButton();
    Q_EMIT busyChanged(m_busy);
    m_session->stop();
}

void TracePage::abortTrace()
{
    if (m_session) {
        m_session->abort();
        return;
    }
    stopTrace();
}

void TracePage::stopForClose()
{
    if (!m_busy) {
        Q_EMIT idle();
        return;
    }
    if (m_session && m_stopRequested)
        return; // already stopping; idle() follows when magic-trace has written the trace
    stopTrace();
}

void TracePage::refresh()
{
    m_picker->refresh();
}

void TracePage::focusFilter()
{
    switch (m_modes->currentIndex()) {
    case 0:
        m_picker->focusFilter();
        break;
    case 1:
        m_waitName->setFocus();
        break;
    default:
        m_program->setFocus();
        break;
    }
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
    m_picker->setScanningPaused(m_busy);
    m_options->setEnabled(!m_busy);
    m_againButton->setEnabled(!m_busy && m_lastTarget.has_value());
}
