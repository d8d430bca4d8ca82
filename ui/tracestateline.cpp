// SPDX-License-Identifier: MIT
#include "tracestateline.h"

#include "icons.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

QString formatElapsed(qint64 seconds)
{
    if (seconds < 3600)
        return u"%1:%2"_s.arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return u"%1:%2:%3"_s.arg(seconds / 3600)
        .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

TraceStateLine::TraceStateLine(QWidget* parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_headline(new QLabel(this))
    , m_elapsed(new QLabel(this))
    , m_details(new QLabel(this))
    , m_busy(new QProgressBar(this))
    , m_open(new QPushButton(Icons::icon(u"open"_s), tr("Open"), this))
    , m_showInFolder(new QPushButton(Icons::icon(u"folder"_s), tr("Show in folder"), this))
    , m_perfetto(new QPushButton(Icons::icon(u"external"_s), tr("Open in Perfetto"), this))
    , m_copyFix(new QPushButton(Icons::icon(u"copy"_s), tr("Copy fix"), this))
    , m_tick(new QTimer(this))
{
    setFrameShape(QFrame::StyledPanel);
    setAccessibleName(tr("Trace state"));
    m_icon->setFixedSize(20, 20);
    m_headline->setTextFormat(Qt::PlainText);
    QFont bold = m_headline->font();
    bold.setBold(true);
    m_headline->setFont(bold);
    m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_elapsed->setAccessibleName(tr("Elapsed time"));
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::PlainText);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_details->setVisible(false);
    m_busy->setRange(0, 0);
    m_busy->setTextVisible(false);
    m_busy->setMaximumWidth(120);
    m_busy->setMaximumHeight(12);
    m_busy->setAccessibleName(tr("Busy"));
    m_open->setToolTip(tr("Open the trace in a viewer tab"));
    m_showInFolder->setToolTip(tr("Show the trace file in the file manager"));
    m_perfetto->setToolTip(
        tr("Open ui.perfetto.dev in the browser; the trace file must then be loaded there with \"Open trace file\" "
           "(a web page cannot be handed a local file). Perfetto runs in the browser and does not upload it."));
    m_copyFix->setToolTip(tr("Copy the suggested fix to the clipboard"));
    connect(m_open, &QPushButton::clicked, this, [this] { Q_EMIT openRequested(m_tracePath); });
    connect(m_showInFolder, &QPushButton::clicked, this, [this] { Q_EMIT showInFolderRequested(m_tracePath); });
    connect(m_perfetto, &QPushButton::clicked, this, [this] { Q_EMIT openInPerfettoRequested(m_tracePath); });
    connect(m_copyFix, &QPushButton::clicked, this, [this] { Q_EMIT copyFixRequested(m_fix); });

    auto* top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_icon);
    top->addWidget(m_headline, 1);
    top->addWidget(m_busy);
    top->addWidget(m_elapsed);
    top->addWidget(m_open);
    top->addWidget(m_showInFolder);
    top->addWidget(m_perfetto);
    top->addWidget(m_copyFix);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->setSpacing(4);
    layout->addLayout(top);
    layout->addWidget(m_details);

    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, &TraceStateLine::updateElapsed);
    setIdle();
}

void TraceStateLine::enter(State state, const QString& icon, bool busy, bool timed)
{
    m_state = state;
    m_icon->setPixmap(Icons::icon(icon).pixmap(QSize(20, 20), devicePixelRatioF()));
    m_busy->setVisible(busy);
    const bool done = state == State::Finished;
    m_open->setVisible(done);
    m_showInFolder->setVisible(done);
    m_perfetto->setVisible(done);
    m_copyFix->setVisible(state == State::Failed && !m_fix.isEmpty());
    m_details->setVisible(!m_details->text().isEmpty());
    if (timed) {
        if (!m_tick->isActive()) {
            m_clock.start();
            m_tick->start();
        }
    } else {
        m_tick->stop();
    }
    m_elapsed->setVisible(timed || m_clock.isValid());
    updateElapsed();
}

void TraceStateLine::setIdle(const QString& hint)
{
    m_clock.invalidate();
    m_fix.clear();
    m_tracePath.clear();
    m_headlineBase = hint.isEmpty() ? tr("Ready. Pick a process and press Trace.") : hint;
    m_headline->setText(m_headlineBase);
    m_details->clear();
    enter(State::Idle, u"info"_s, false, false);
}

void TraceStateLine::setAttaching(const QString& target)
{
    m_clock.invalidate();
    m_fix.clear();
    m_tracePath.clear();
    m_target = target;
    m_headlineBase = tr("Attaching to %1…").arg(target);
    m_headline->setText(m_headlineBase);
    m_details->setText(tr("magic-trace is loading the program's symbols and starting perf; this can take a while "
                          "for large binaries."));
    enter(State::Attaching, u"trace"_s, true, true);
}

void TraceStateLine::setStopPending()
{
    m_headlineBase = tr("Attaching to %1… the stop will be sent as soon as it has attached").arg(m_target);
    m_headline->setText(m_headlineBase);
    updateElapsed();
}

void TraceStateLine::setRecording(const QString& target)
{
    if (!target.isEmpty())
        m_target = target;
    m_headlineBase = tr("Recording %1").arg(m_target);
    m_headline->setText(m_headlineBase);
    m_details->setText(tr("Press Stop (Esc) to take the snapshot. magic-trace keeps the last moments before the "
                          "stop."));
    enter(State::Recording, u"record"_s, false, true);
}

void TraceStateLine::setStopping()
{
    m_headlineBase = tr("Stopping: taking the snapshot of %1…").arg(m_target);
    m_headline->setText(m_headlineBase);
    m_details->clear();
    enter(State::Stopping, u"stop"_s, true, true);
}

void TraceStateLine::setDecoding()
{
    m_headlineBase = tr("Decoding the trace of %1…").arg(m_target);
    m_headline->setText(m_headlineBase);
    m_details->setText(tr("perf script is decoding the processor trace; this takes from seconds to minutes and "
                          "has no time limit."));
    enter(State::Decoding, u"decode"_s, true, true);
}

void TraceStateLine::setFinished(const QString& tracePath, const QString& summary)
{
    m_tracePath = tracePath;
    m_headlineBase = tr("Done: %1").arg(m_target.isEmpty() ? tracePath : m_target);
    m_headline->setText(m_headlineBase);
    m_details->setText(summary.isEmpty() ? tracePath : summary);
    enter(State::Finished, u"done"_s, false, false);
}

void TraceStateLine::setFailed(
    const QString& headline, const QString& explanation, const QString& fix, const QStringList& evidence)
{
    m_fix = fix;
    m_headlineBase = headline;
    m_headline->setText(headline);
    QString details = explanation;
    if (!fix.isEmpty())
        details += u"\n\n"_s + tr("Fix: %1").arg(fix);
    if (!evidence.isEmpty()) {
        // The last few lines that show it; the whole transcript is in the log below.
        const QStringList shown = evidence.mid(qMax<qsizetype>(0, evidence.size() - 4));
        details += u"\n\n"_s + tr("magic-trace said (the whole output is in the log below):") + u"\n  "_s
            + shown.join(u"\n  "_s);
    }
    m_details->setText(details.trimmed());
    enter(State::Failed, u"error"_s, false, false);
}

void TraceStateLine::setCancelled(const QString& reason)
{
    m_headlineBase = tr("Cancelled");
    m_headline->setText(m_headlineBase);
    m_details->setText(reason);
    enter(State::Cancelled, u"stop"_s, false, false);
}

QString TraceStateLine::headline() const
{
    return m_headline->text();
}

QString TraceStateLine::details() const
{
    return m_details->text();
}

qint64 TraceStateLine::elapsedSeconds() const
{
    return m_clock.isValid() ? m_clock.elapsed() / 1000 : 0;
}

void TraceStateLine::updateElapsed()
{
    m_elapsed->setText(m_clock.isValid() ? formatElapsed(elapsedSeconds()) : QString());
}
