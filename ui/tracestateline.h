// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QFrame>

class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

// One calm line that says what the trace is doing: attaching (busy, elapsed time), recording (elapsed time,
// target), stopping, decoding (busy), done (with Open / Show in folder / Open in Perfetto) or failed (the
// diagnosis and the fix). A failure stays until the next trace starts: it is never hidden on a timer.
class TraceStateLine : public QFrame
{
    Q_OBJECT
public:
    enum class State { Idle, Attaching, Recording, Stopping, Decoding, Finished, Failed, Cancelled };
    Q_ENUM(State)

    explicit TraceStateLine(QWidget* parent = nullptr);

    void setIdle(const QString& hint = {});
    void setAttaching(const QString& target);
    // A stop asked for while attaching is held until magic-trace has attached; say so.
    void setStopPending();
    void setRecording(const QString& target);
    void setStopping();
    void setDecoding();
    void setFinished(const QString& tracePath, const QString& summary = {});
    void setFailed(
        const QString& headline, const QString& explanation, const QString& fix, const QStringList& evidence = {});
    void setCancelled(const QString& reason);

    State state() const { return m_state; }
    QString headline() const;
    QString details() const;
    QString tracePath() const { return m_tracePath; }
    qint64 elapsedSeconds() const;

Q_SIGNALS:
    void openRequested(const QString& path);
    void showInFolderRequested(const QString& path);
    void openInPerfettoRequested(const QString& path);
    void copyFixRequested(const QString& fix);

private:
    void enter(State state, const QString& icon, bool busy, bool timed);
    void updateElapsed();

    State m_state = State::Idle;
    QLabel* m_icon;
    QLabel* m_headline;
    QLabel* m_elapsed;
    QLabel* m_details;
    QProgressBar* m_busy;
    QPushButton* m_open;
    QPushButton* m_showInFolder;
    QPushButton* m_perfetto;
    QPushButton* m_copyFix;
    QTimer* m_tick;
    QElapsedTimer m_clock;
    QString m_target;
    QString m_tracePath;
    QString m_fix;
    QString m_headlineBase;
};
