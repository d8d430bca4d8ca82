// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class LogView;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;
class QToolBar;

// The Library page: every saved trace in a table with search and filters, a details pane (metadata, notes, tags,
// the log), and the operations: open, rename, notes, delete with undo, compress, export, import.
class LibraryPage : public QWidget
{
    Q_OBJECT
public:
    explicit LibraryPage(QWidget* parent = nullptr);
    ~LibraryPage() override;

    QTableView* table() const { return m_table; }
    QLineEdit* searchEdit() const { return m_search; }

public Q_SLOTS:
    void refresh();
    void focusFilter();
    void importFiles(const QStringList& paths);
    void importWithDialog();
    // The traces folder or compression settings changed.
    void settingsChanged();

Q_SIGNALS:
    void openTraceRequested(const QString& path);
    void diskUsageChanged(const QString& text);

private:
    QLineEdit* m_search;
    QComboBox* m_outcome;
    QTableView* m_table;
    QToolBar* m_actions;
    QLabel* m_title;
    QFormLayout* m_metadata;
    QLineEdit* m_tags;
    QPlainTextEdit* m_notes;
    LogView* m_log;
};
