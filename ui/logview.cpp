// SPDX-License-Identifier: MIT
#include "logview.h"

#include "icons.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

constexpr int flushIntervalMs = 50;

bool isDarkPalette(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QColor colorFor(LogView::LineClass lineClass, const QPalette& palette)
{
    const bool dark = isDarkPalette(palette);
    switch (lineClass) {
    case LogView::LineClass::Progress:
        return dark ? QColor(0x6f, 0xb2, 0xf0) : QColor(0x1f, 0x6f, 0xb2);
    case LogView::LineClass::Warning:
        return dark ? QColor(0xf0, 0xc0, 0x5a) : QColor(0x9a, 0x5b, 0x00);
    case LogView::LineClass::Error:
        return dark ? QColor(0xef, 0x6f, 0x5e) : QColor(0xc0, 0x39, 0x2b);
    case LogView::LineClass::Note:
        return palette.color(QPalette::Disabled, QPalette::Text);
    case LogView::LineClass::Other:
        break;
    }
    return palette.color(QPalette::Text);
}

} // namespace

LogView::LogView(QWidget* parent)
    : QWidget(parent)
    , m_text(new QPlainTextEdit(this))
    , m_search(new QLineEdit(this))
    , m_follow(new QToolButton(this))
    , m_dropped(new QLabel(this))
    , m_flushTimer(new QTimer(this))
{
    m_text->setReadOnly(true);
    m_text->setUndoRedoEnabled(false);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setMaximumBlockCount(m_maximumLines);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_text->setAccessibleName(tr("magic-trace log"));
    m_text->setPlaceholderText(tr("magic-trace's messages appear here while it runs."));

    m_search->setPlaceholderText(tr("Search the log"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search the log"));
    m_search->setMaximumWidth(260);
    connect(m_search, &QLineEdit::returnPressed, this, [this] { find(m_search->text()); });
    connect(m_search, &QLineEdit::textChanged, this, [this] { updateSearchHighlight(); });

    auto* previous = new QToolButton(this);
    previous->setIcon(Icons::icon(u"up"_s));
    previous->setToolTip(tr("Previous match (Shift+Enter)"));
    previous->setAccessibleName(tr("Previous match"));
    connect(previous, &QToolButton::clicked, this, [this] { find(m_search->text(), true); });
    auto* previousShortcut = new QAction(this);
    previousShortcut->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_Return));
    previousShortcut->setShortcutContext(Qt::WidgetShortcut);
    m_search->addAction(previousShortcut);
    connect(previousShortcut, &QAction::triggered, this, [this] { find(m_search->text(), true); });
    auto* next = new QToolButton(this);
    next->setIcon(Icons::icon(u"down"_s));
    next->setToolTip(tr("Next match (Enter)"));
    next->setAccessibleName(tr("Next match"));
    connect(next, &QToolButton::clicked, this, [this] { find(m_search->text()); });

    m_follow->setCheckable(true);
    m_follow->setChecked(true);
    m_follow->setText(tr("Follow"));
    m_follow->setIcon(Icons::icon(u"follow"_s));
    m_follow->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_follow->setToolTip(tr("Keep the newest line in view. Scrolling up pauses this; scrolling back to the end "
                            "resumes it."));
    m_follow->setAccessibleName(tr("Follow the log"));
    connect(m_follow, &QToolButton::toggled, this, &LogView::setFollowing);

    auto* copy = new QToolButton(this);
    copy->setText(tr("Copy all"));
    copy->setIcon(Icons::icon(u"copy"_s));
    copy->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    copy->setToolTip(tr("Copy the whole log shown here to the clipboard"));
    copy->setAccessibleName(tr("Copy the whole log"));
    connect(copy, &QToolButton::clicked, this, &LogView::copyAll);

    m_dropped->setVisible(false);
    m_dropped->setForegroundRole(QPalette::PlaceholderText);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_search);
    bar->addWidget(previous);
    bar->addWidget(next);
    bar->addWidget(m_dropped, 1);
    bar->addStretch();
    bar->addWidget(m_follow);
    bar->addWidget(copy);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(m_text, 1);

    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(flushIntervalMs);
    connect(m_flushTimer, &QTimer::timeout, this, &LogView::flush);
    connect(m_text->verticalScrollBar(), &QScrollBar::valueChanged, this, &LogView::onScrolled);
}

void LogView::appendLine(const QString& text, LineClass lineClass, const QDateTime& time)
{
    QString line = text;
    if (line.size() > maximumLineLength()) {
        line.truncate(maximumLineLength());
        line += u" …"_s;
    }
    m_pending.append({ std::move(line), lineClass, time });
    // Never queue more than can be shown: the oldest queued lines would be trimmed right away anyway.
    if (m_pending.size() > m_maximumLines) {
        const qsizetype excess = m_pending.size() - m_maximumLines;
        m_pending.remove(0, excess);
        m_droppedLines += excess;
    }
    scheduleFlush();
}

void LogView::addSkippedLines(qint64 lines)
{
    if (lines <= 0)
        return;
    m_droppedLines += lines;
    scheduleFlush();
}

void LogView::setPlainLog(const QString& log)
{
    clear();
    const QStringList lines = log.split(u'\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QString line = lines.at(i);
        if (line.endsWith(u'\r'))
            line.chop(1);
        if (i == lines.size() - 1 && line.isEmpty())
            break;
        appendLine(line, classify(line));
    }
    flush();
}

void LogView::clear()
{
    m_pending.clear();
    m_flushTimer->stop();
    m_droppedLines = 0;
    m_dropped->setVisible(false);
    m_text->clear();
    setFollowing(true);
}

void LogView::scheduleFlush()
{
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void LogView::flush()
{
    m_flushTimer->stop();
    if (m_pending.isEmpty())
        return;
    const QList<Pending> pending = std::exchange(m_pending, {});

    m_adjusting = true;
    QScrollBar* bar = m_text->verticalScrollBar();
    const int keptValue = bar->value();
    QTextCursor cursor(m_text->document());
    cursor.movePosition(QTextCursor::End);
    cursor.beginEditBlock();
    const QPalette palette = m_text->palette();
    QTextCharFormat timeFormat;
    timeFormat.setForeground(palette.color(QPalette::Disabled, QPalette::Text));
    bool first = m_text->document()->isEmpty();
    for (const Pending& line : pending) {
        if (!first)
            cursor.insertBlock();
        first = false;
        if (line.time.isValid())
            cursor.insertText(line.time.toLocalTime().toString(u"HH:mm:ss.zzz "_s), timeFormat);
        QTextCharFormat format;
        format.setForeground(colorFor(line.lineClass, palette));
        if (line.lineClass == LineClass::Error)
            format.setFontWeight(QFont::DemiBold);
        cursor.insertText(line.text, format);
    }
    cursor.endEditBlock();
    if (m_following)
        bar->setValue(bar->maximum());
    else
        bar->setValue(qMin(keptValue, bar->maximum()));
    m_adjusting = false;

    if (m_droppedLines > 0) {
        m_dropped->setText(tr("%n older line(s) not shown here (the whole log is saved with the trace)", nullptr,
            int(qMin<qint64>(m_droppedLines, std::numeric_limits<int>::max()))));
        m_dropped->setVisible(true);
    }
    if (!m_search->text().isEmpty())
        updateSearchHighlight();
}

void LogView::setMaximumLines(int lines)
{
    m_maximumLines = qMax(1, lines);
    m_text->setMaximumBlockCount(m_maximumLines);
}

int LogView::lineCount() const
{
    return m_text->document()->isEmpty() ? 0 : m_text->document()->blockCount();
}

QString LogView::lineText(int index) const
{
    return m_text->document()->findBlockByNumber(index).text();
}

QString LogView::toPlainText() const
{
    return m_text->toPlainText();
}

void LogView::setFollowing(bool follow)
{
    if (follow) {
        QScrollBar* bar = m_text->verticalScrollBar();
        m_adjusting = true;
        bar->setValue(bar->maximum());
        m_adjusting = false;
    }
    if (m_following == follow)
        return;
    m_following = follow;
    const QSignalBlocker blocker(m_follow);
    m_follow->setChecked(follow);
    Q_EMIT followingChanged(follow);
}

void LogView::onScrolled(int value)
{
    if (m_adjusting)
        return;
    // The user moved the view: follow only while the end is in view.
    setFollowing(value >= m_text->verticalScrollBar()->maximum());
}

bool LogView::find(const QString& text, bool backwards)
{
    flush();
    if (text.isEmpty())
        return false;
    QTextDocument::FindFlags flags;
    if (backwards)
        flags |= QTextDocument::FindBackward;
    QTextCursor found = m_text->document()->find(text, m_text->textCursor(), flags);
    if (found.isNull()) {
        QTextCursor wrap(m_text->document());
        wrap.movePosition(backwards ? QTextCursor::End : QTextCursor::Start);
        found = m_text->document()->find(text, wrap, flags);
    }
    if (found.isNull())
        return false;
    m_text->setTextCursor(found);
    m_text->ensureCursorVisible();
    return true;
}

void LogView::updateSearchHighlight()
{
    QList<QTextEdit::ExtraSelection> selections;
    const QString text = m_search->text();
    if (!text.isEmpty()) {
        QTextEdit::ExtraSelection selection;
        selection.format.setBackground(isDarkPalette(palette()) ? QColor(0x6b, 0x5b, 0x10) : QColor(0xff, 0xe8, 0x7c));
        QTextCursor cursor(m_text->document());
        // Highlighting is for the eye; a few hundred matches are plenty and keep this cheap on big logs.
        while (selections.size() < 500) {
            cursor = m_text->document()->find(text, cursor);
            if (cursor.isNull())
                break;
            selection.cursor = cursor;
            selections.append(selection);
        }
    }
    m_text->setExtraSelections(selections);
}

void LogView::copyAll()
{
    flush();
    QApplication::clipboard()->setText(m_text->toPlainText());
}

LogView::LineClass LogView::classify(QStringView line)
{
    QStringView trimmed = line.trimmed();
    // Saved logs carry "HH:MM:SS.mmm E| " in front of each line.
    if (trimmed.size() >= 16 && trimmed[2] == u':' && trimmed[5] == u':' && trimmed[8] == u'.' && trimmed[14] == u'|')
        trimmed = trimmed.mid(16);
    if (trimmed.startsWith(u"[ "_s) || trimmed.startsWith(u"Visit https://"_s))
        return LineClass::Progress;
    if (trimmed.startsWith(u"Error"_s, Qt::CaseInsensitive) || trimmed.contains(u"BUG"_s)
        || trimmed.startsWith(u"(monitor.ml.Error"_s) || trimmed.contains(u"Exit_non_zero"_s))
        return LineClass::Error;
    if (trimmed.startsWith(u"Warning"_s, Qt::CaseInsensitive))
        return LineClass::Warning;
    return LineClass::Other;
}
