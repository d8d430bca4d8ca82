// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTimer;
class QToolButton;

// A live log: lines arrive at any rate, are shown coloured by class, can be searched and copied, and follow the
// end until the user scrolls up (following resumes when they scroll back to the end or press "Follow").
// Memory is bounded: at most maximumLines() lines are kept, each cut at maximumLineLength() characters; the full
// log is the controller's business (it writes it next to the trace).
class LogView : public QWidget
{
    Q_OBJECT
public:
    enum class LineClass { Other, Progress, Warning, Error, Note };

    explicit LogView(QWidget* parent = nullptr);

    // Queues a line; lines are put on screen in batches (about 20 times a second) so a flood cannot stall the UI.
    void appendLine(const QString& text, LineClass lineClass = LineClass::Other, const QDateTime& time = {});
    // Counts lines that were never handed over because later ones would have pushed them out at once (a caller
    // draining a flood skips them instead of decoding them).
    void addSkippedLines(qint64 lines);
    // Replaces the contents with a saved log (one line per '\n'), classifying each line with classify().
    void setPlainLog(const QString& log);
    void clear();

    // Shows queued lines at once (tests, and before copying).
    void flush();

    void setMaximumLines(int lines);
    int maximumLines() const { return m_maximumLines; }
    static constexpr int maximumLineLength() { return 4096; }

    // Lines currently on screen (after flush()).
    int lineCount() const;
    QString lineText(int index) const;
    QString toPlainText() const;

    bool isFollowing() const { return m_following; }
    void setFollowing(bool follow);

    // Moves to the next (or previous) line containing text, case-insensitively, wrapping around. Returns false
    // when no line matches.
    bool find(const QString& text, bool backwards = false);

    // A cheap guess at a line's class for logs that come without one (saved logs).
    static LineClass classify(QStringView line);

    QPlainTextEdit* textEdit() const { return m_text; }

Q_SIGNALS:
    void followingChanged(bool following);

private:
    struct Pending
    {
        QString text;
        LineClass lineClass;
        QDateTime time;
    };
    void scheduleFlush();
    void onScrolled(int value);
    void updateSearchHighlight();
    void copyAll();

    QPlainTextEdit* m_text;
    QLineEdit* m_search;
    QToolButton* m_follow;
    QLabel* m_dropped;
    QTimer* m_flushTimer;
    QList<Pending> m_pending;
    int m_maximumLines = 20000;
    qint64 m_droppedLines = 0;
    bool m_following = true;
    bool m_adjusting = false;
};
