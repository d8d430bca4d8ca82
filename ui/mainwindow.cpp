// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include <QStatusBar>
#include <QTabWidget>

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_pages(new QTabWidget(this))
{
    setWindowTitle(tr("Magic Trace Studio"));
    m_pages->setDocumentMode(true);
    setCentralWidget(m_pages);
    resize(1280, 800);
}

void MainWindow::openTrace(const QString& path)
{
    statusBar()->showMessage(tr("Opening %1").arg(path));
}

void MainWindow::attachTo(const QString& pid)
{
    statusBar()->showMessage(tr("Attach to %1 requested").arg(pid));
}
