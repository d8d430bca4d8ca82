// SPDX-License-Identifier: MIT
#pragma once

#include <QMainWindow>

class QTabWidget;

// The application window. Pages (trace, library, viewer tabs) are added to the central tab widget.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Opens a trace file in a viewer tab.
    void openTrace(const QString& path);
    // Starts tracing the given process as soon as the window is ready.
    void attachTo(const QString& pid);

private:
    QTabWidget* m_pages;
};
