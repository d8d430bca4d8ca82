// SPDX-License-Identifier: MIT
#pragma once

#include "host/finding.h"
#include "host/magictracelocator.h"
#include "host/magictraceversion.h"
#include "library/tracelibrary.h"
#include "processes/processinfo.h"
#include "trace/tracesession.h"
#include "traceoptionspanel.h"

#include <QPointer>
#include <QWidget>

class LogView;
class HostCheck;
class MagicTraceInstaller;
class ProcessPicker;
class ReadinessBanner;
class ProcessNameWatcher;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QToolButton;
class TraceOptionsPanel;
class TraceStateLine;

// What to trace, as chosen on the page.
struct TraceTarget
{
    enum class Mode { Attach, Launch };
    Mode mode = Mode::Attach;
    QList<qint64> pids;
    QString displayName; // "firefox (1234)" or the program
    QString processName;
    QString commandLine;
    QString executable;
    QString user;
    QString program;
    QStringList arguments;
    QString workingDirectory;
    QStringList environment; // KEY=VALUE, added to ours
};

// The Trace page: pick a process (or a name to wait for, or a program to launch), set the options, Trace, watch
// the state line and the live log, Stop, and open the result.
class TracePage : public QWidget
{
    Q_OBJECT
public:
    explicit TracePage(QWidget* parent = nullptr);
    ~TracePage() override;

    // True from Trace until the session has finished, failed or been cancelled (also while waiting for a name).
    bool isBusy() const;
    // True while magic-trace runs and a Stop makes sense.
    bool canStop() const;

    TraceStateLine* stateLine() const { return m_stateLine; }
    LogView* logView() const { return m_log; }
    TraceOptionsPanel* optionsPanel() const { return m_options; }
    QPushButton* traceButton() const { return m_traceButton; }
    QTabWidget* modeTabs() const { return m_modes; }
    ReadinessBanner* banner() const { return m_banner; }
    ProcessPicker* picker() const { return m_picker; }
    QLineEdit* waitNameEdit() const { return m_waitName; }
    QLineEdit* programEdit() const { return m_program; }
    QLineEdit* argumentsEdit() const { return m_arguments; }

    // Where new traces are recorded (the library the Library page shows). Without one, traces go to
    // TraceOutput::defaultDirectory() and are not listed.
    void setLibrary(TraceLibrary* library) { m_library = library; }
    // The magic-trace in use, once found.
    std::optional<MagicTraceCandidate> magicTrace() const { return m_magicTrace; }
    bool isHostChecked() const { return m_hostChecked; }
    // The session of the running trace, if any (tests).
    TraceSession* session() const { return m_session; }
    // The library id of the last trace started.
    QString lastRecordingId() const { return m_recordingId; }

public Q_SLOTS:
    // Trace what is selected in the current mode (Ctrl+R, the Trace button, double-click, Enter).
    void startTrace();
    // Stop the running trace (Esc, the Stop button). A second call is ignored.
    void stopTrace();
    // Repeat the last trace: same target (when it still runs) and same options.
    void traceAgain();
    // Trace this PID at once (--attach).
    void traceProcess(qint64 pid);
    void refresh();
    void focusFilter();
    // Stops the running trace properly and emits idle() when magic-trace has exited (closing the window).
    void stopForClose();
    void abortTrace();
    // Looks for magic-trace (and checks the host) again, e.g. after the settings changed.
    void checkHost();

Q_SIGNALS:
    void busyChanged(bool busy);
    void openTraceRequested(const QString& path);
    // A trace finished and was written to path.
    void traceFinished(const QString& path, const QString& target);
    void idle();
    // The host checks finished (magicTrace() tells whether magic-trace was found).
    void hostChecked();

private:
    QWidget* createAttachTab();
    QWidget* createWaitTab();
    QWidget* createLaunchTab();
    void begin(const TraceTarget& target);
    void setBusy(bool busy);
    void updateTraceButton();
    std::optional<TraceTarget> currentTarget(QString* error) const;
    void located(const MagicTraceLocation& location);
    void installMagicTrace();
    void onSessionState(TraceSession::State state);
    void onSessionFinished(const TraceResult& result);
    void failBeforeStart(const QString& headline, const QString& explanation, const QString& fix = {});
    void updateBanner();
    static TraceTarget targetFor(const ProcessInfo& process);

    QTabWidget* m_modes;
    TraceOptionsPanel* m_options;
    QPushButton* m_traceButton;
    QToolButton* m_againButton;
    TraceStateLine* m_stateLine;
    LogView* m_log;
    QLineEdit* m_waitName;
    QLineEdit* m_program;
    QLineEdit* m_arguments;
    QLineEdit* m_workingDirectory;
    QPlainTextEdit* m_environment;
    ProcessNameWatcher* m_nameWatcher;
    ReadinessBanner* m_banner;
    MagicTraceLocator* m_locator;
    HostCheck* m_hostCheck;
    ProcessPicker* m_picker = nullptr;
    QList<Finding> m_hostFindings;
    MagicTraceInstaller* m_installer = nullptr;
    QPointer<TraceLibrary> m_library;
    std::optional<MagicTraceCandidate> m_magicTrace;
    MagicTraceCapabilities m_capabilities;
    QList<Finding> m_locatorFindings;
    bool m_hostChecked = false;
    std::optional<TraceTarget> m_pendingTarget; // asked for before magic-trace was found
    TraceSession* m_session = nullptr;
    TraceTarget m_currentTarget;
    QString m_recordingId;
    QString m_recordingLogPath;
    std::optional<TraceTarget> m_lastTarget;
    bool m_busy = false;
    bool m_stopRequested = false;
};
