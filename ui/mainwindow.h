// SPDX-License-Identifier: MIT
#pragma once

#include <QMainWindow>
#include <functional>

class LibraryPage;
class QAction;
class QLabel;
class QSystemTrayIcon;
class QTabWidget;
class TraceLibrary;
class TracePage;

// The application window: the Trace page, the Library page and one tab per open trace. Holds the actions and
// their shortcuts, restores its geometry, accepts dropped traces and bundles, and never lets a recording trace be
// lost by closing it.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Builds the widget that shows one trace file, or returns nullptr with *error set. Set by whoever provides the
    // viewer (ui/viewer); without one, opening a trace says that no viewer is built in.
    using ViewerFactory = std::function<QWidget*(const QString& path, QWidget* parent, QString* error)>;
    static void setViewerFactory(ViewerFactory factory);

    // Opens a trace file in a viewer tab (or switches to it when already open).
    void openTrace(const QString& path);
    // Starts tracing the given process as soon as the window is ready (--attach PID).
    void attachTo(const QString& pid);

    TracePage* tracePage() const { return m_tracePage; }
    LibraryPage* libraryPage() const { return m_libraryPage; }
    TraceLibrary* library() const { return m_library; }
    QTabWidget* pages() const { return m_pages; }
    QAction* action(const QString& name) const;

    // Whether a file name looks like something we can open (.fxt, .fxt.gz, .fxt.zst, .fxt.xz) or import as a
    // bundle (.tar.zst, .tar.gz, .tar.xz, .zip).
    static bool isTraceFile(const QString& path);
    static bool isBundleFile(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createMenus();
    void openFileDialog();
    void showSettings();
    void notifyFinished(const QString& path, const QString& target);
    void updateActions();
    void closeTab(int index);
    void useLibraryFolder(const QString& folder);

    QTabWidget* m_pages;
    TracePage* m_tracePage;
    LibraryPage* m_libraryPage;
    QLabel* m_statusLabel;
    TraceLibrary* m_library = nullptr;
    QSystemTrayIcon* m_tray = nullptr;
    QList<QAction*> m_actions;
    bool m_closeWhenIdle = false;
};
