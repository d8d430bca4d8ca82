// SPDX-License-Identifier: MIT
#pragma once

#include "library/tracelibrary.h"

#include <QPointer>
#include <QWidget>

class LibraryFilterModel;
class LibraryJob;
class LibraryModel;
class LogView;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class QTimer;
class QToolBar;

// The Library page: every saved trace in a table with search and filters, a details pane (metadata, notes, tags,
// the log), and the operations: open, rename, notes, delete with undo, compress, export, import. Long operations
// run as the library's jobs (worker threads) with progress and cancel.
class LibraryPage : public QWidget
{
    Q_OBJECT
public:
    explicit LibraryPage(QWidget* parent = nullptr);
    ~LibraryPage() override;

    // Shows this library (not owned). Loads it asynchronously when it is not loaded yet.
    void setLibrary(TraceLibrary* library);
    TraceLibrary* library() const { return m_library; }

    QTableView* table() const { return m_table; }
    QLineEdit* searchEdit() const { return m_search; }
    QComboBox* outcomeCombo() const { return m_outcome; }
    LibraryModel* model() const { return m_model; }
    LibraryFilterModel* filterModel() const { return m_filter; }
    LogView* logView() const { return m_log; }
    QLineEdit* tagsEdit() const { return m_tags; }
    QPlainTextEdit* notesEdit() const { return m_notes; }
    QLabel* detailsTitle() const { return m_title; }
    QPushButton* undoButton() const { return m_undo; }
    // The text shown in the details pane's metadata rows (tests).
    QString detailsText() const;
    bool isJobRunning() const;

    // The ids of the selected entries, in view order.
    QStringList selectedIds() const;
    void selectId(const QString& id);
    QString currentId() const;

public Q_SLOTS:
    void refresh();
    void focusFilter();
    void importFiles(const QStringList& paths);
    void importWithDialog();
    void openSelected();
    void renameSelected();
    void deleteSelected();
    void undoDelete();
    void compressSelected(TraceProbe::Compression target);
    void exportSelected();
    // The traces folder or compression settings changed.
    void settingsChanged();

Q_SIGNALS:
    void openTraceRequested(const QString& path);
    void diskUsageChanged(const QString& text);
    // A job (compress, export, import) finished; error is empty on success.
    void jobFinished(bool ok, const QString& error);

private:
    void showDetails();
    void saveNotes();
    void saveTags();
    void runJob(LibraryJob* job, const QString& description);
    void startNextImport();
    void showMessage(const QString& text, bool error);
    void updateActions();
    void updateDiskUsage();
    std::optional<TraceEntry> currentEntry() const;

    QPointer<TraceLibrary> m_library;
    LibraryModel* m_model;
    LibraryFilterModel* m_filter;
    QLineEdit* m_search;
    QComboBox* m_outcome;
    QComboBox* m_date;
    QTableView* m_table;
    QToolBar* m_actions;
    QLabel* m_title;
    QFormLayout* m_metadata;
    QLineEdit* m_tags;
    QPlainTextEdit* m_notes;
    LogView* m_log;
    QTimer* m_searchDebounce;
    QTimer* m_notesDebounce;
    QWidget* m_messageBar;
    QLabel* m_message;
    QPushButton* m_undo;
    QWidget* m_jobBar;
    QLabel* m_jobLabel;
    QProgressBar* m_jobProgress;
    QPushButton* m_jobCancel;
    QPointer<LibraryJob> m_job;
    QStringList m_importQueue;
    QList<TraceLibrary::Removed> m_removed;
    QString m_detailsId;
    quint64 m_logRequest = 0;
    QHash<QString, QAction*> m_actionByName;
};
