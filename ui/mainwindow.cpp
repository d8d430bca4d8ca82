// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "icons.h"
#include "library/tracelibrary.h"
#include "librarypage.h"
#include "settingsdialog.h"
#include "tracepage.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

#if __has_include("viewer/viewerpage.h")
#include "viewer/viewerpage.h"
#define MTS_HAVE_VIEWER 1
#endif

using namespace Qt::StringLiterals;

namespace {

MainWindow::ViewerFactory defaultViewerFactory()
{
#ifdef MTS_HAVE_VIEWER
    // The viewer of ui/viewer: loads in the background, so the tab appears at once.
    return [](const QString& path, QWidget* parent, QString*) -> QWidget* {
        auto* page = new ViewerPage(parent);
        page->open(path);
        return page;
    };
#else
    return {};
#endif
}

MainWindow::ViewerFactory& viewerFactory()
{
    static MainWindow::ViewerFactory factory = defaultViewerFactory();
    return factory;
}

// A tab that says why a trace cannot be shown, instead of a dialog that hides the window.
QWidget* messageTab(const QString& path, const QString& message, QWidget* parent)
{
    auto* tab = new QWidget(parent);
    auto* layout = new QVBoxLayout(tab);
    auto* label = new QLabel(u"<p><b>%1</b></p><p>%2</p>"_s.arg(path.toHtmlEscaped(), message.toHtmlEscaped()), tab);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setAlignment(Qt::AlignCenter);
    layout->addWidget(label, 1);
    return tab;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_pages(new QTabWidget(this))
    , m_tracePage(new TracePage(this))
    , m_libraryPage(new LibraryPage(this))
    , m_statusLabel(new QLabel(this))
{
    setWindowTitle(tr("Magic Trace Studio"));
    setObjectName(u"MainWindow"_s);
    setAcceptDrops(true);

    m_pages->setDocumentMode(true);
    m_pages->setTabsClosable(true);
    m_pages->setMovable(false);
    m_pages->setAccessibleName(tr("Pages"));
    m_pages->addTab(m_tracePage, Icons::icon(u"trace"_s), tr("Trace"));
    m_pages->addTab(m_libraryPage, Icons::icon(u"library"_s), tr("Library"));
    // The two pages stay; only trace tabs close.
    for (int i = 0; i < 2; ++i) {
        m_pages->tabBar()->setTabButton(i, QTabBar::RightSide, nullptr);
        m_pages->tabBar()->setTabButton(i, QTabBar::LeftSide, nullptr);
    }
    connect(m_pages, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
    connect(m_pages, &QTabWidget::currentChanged, this, &MainWindow::updateActions);
    setCentralWidget(m_pages);
    statusBar()->addPermanentWidget(m_statusLabel);

    connect(m_tracePage, &TracePage::openTraceRequested, this, &MainWindow::openTrace);
    connect(m_tracePage, &TracePage::busyChanged, this, &MainWindow::updateActions);
    connect(m_tracePage, &TracePage::traceFinished, this, &MainWindow::notifyFinished);
    connect(m_tracePage, &TracePage::idle, this, [this] {
        if (m_closeWhenIdle)
            close();
    });
    connect(m_libraryPage, &LibraryPage::openTraceRequested, this, &MainWindow::openTrace);
    connect(m_libraryPage, &LibraryPage::diskUsageChanged, this,
        [this](const QString& text) { m_statusLabel->setText(text); });

    createActions();
    createMenus();
    updateActions();
    useLibraryFolder(TraceLibrary::configuredFolder());

    resize(1280, 800);
    QSettings settings;
    restoreGeometry(settings.value(u"window/geometry"_s).toByteArray());
    restoreState(settings.value(u"window/state"_s).toByteArray());
}

MainWindow::~MainWindow() = default;

void MainWindow::useLibraryFolder(const QString& folder)
{
    if (m_library && m_library->folder() == folder)
        return;
    TraceLibrary* old = m_library;
    m_library = new TraceLibrary(folder, this);
    m_libraryPage->setLibrary(m_library);
    m_tracePage->setLibrary(m_library);
    if (old)
        old->deleteLater();
}

void MainWindow::setViewerFactory(ViewerFactory factory)
{
    viewerFactory() = std::move(factory);
}

QAction* MainWindow::action(const QString& name) const
{
    for (QAction* action : m_actions) {
        if (action->objectName() == name)
            return action;
    }
    return nullptr;
}

void MainWindow::createActions()
{
    const auto add = [this](const QString& name, const QString& icon, const QString& text, const QKeySequence& key,
                         auto slot) {
        auto* action = new QAction(Icons::icon(icon), text, this);
        action->setObjectName(name);
        if (!key.isEmpty()) {
            action->setShortcut(key);
            action->setToolTip(
                u"%1 (%2)"_s.arg(QString(text).remove(u'&').remove(u"…"_s), key.toString(QKeySequence::NativeText)));
        }
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        m_actions.append(action);
        return action;
    };
    add(u"open"_s, u"open"_s, tr("&Open…"), QKeySequence::Open, [this] { openFileDialog(); });
    add(u"import"_s, u"import"_s, tr("&Import into library…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I), [this] {
        m_pages->setCurrentWidget(m_libraryPage);
        m_libraryPage->importWithDialog();
    });
    add(u"settings"_s, u"settings"_s, tr("&Settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma),
        [this] { showSettings(); });
    add(u"quit"_s, u"quit"_s, tr("&Quit"), QKeySequence::Quit, [this] { close(); });
    add(u"trace"_s, u"trace"_s, tr("&Trace"), QKeySequence(Qt::CTRL | Qt::Key_R), [this] {
        m_pages->setCurrentWidget(m_tracePage);
        m_tracePage->startTrace();
    });
    add(u"stop"_s, u"stop"_s, tr("&Stop"), QKeySequence(Qt::Key_Escape), [this] { m_tracePage->stopTrace(); });
    add(u"traceAgain"_s, u"again"_s, tr("Trace &again"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), [this] {
        m_pages->setCurrentWidget(m_tracePage);
        m_tracePage->traceAgain();
    });
    add(u"refresh"_s, u"refresh"_s, tr("&Refresh"), QKeySequence::Refresh, [this] {
        if (m_pages->currentWidget() == m_libraryPage)
            m_libraryPage->refresh();
        else
            m_tracePage->refresh();
    });
    add(u"filter"_s, u"search"_s, tr("&Filter"), QKeySequence::Find, [this] {
#ifdef MTS_HAVE_VIEWER
        if (auto* viewer = qobject_cast<ViewerPage*>(m_pages->currentWidget())) {
            viewer->focusSearch();
            return;
        }
#endif
        if (m_pages->currentWidget() == m_libraryPage)
            m_libraryPage->focusFilter();
        else {
            m_pages->setCurrentWidget(m_tracePage);
            m_tracePage->focusFilter();
        }
    });
    add(u"showTrace"_s, u"trace"_s, tr("Trace &page"), QKeySequence(Qt::ALT | Qt::Key_1),
        [this] { m_pages->setCurrentWidget(m_tracePage); });
    add(u"showLibrary"_s, u"library"_s, tr("&Library page"), QKeySequence(Qt::ALT | Qt::Key_2),
        [this] { m_pages->setCurrentWidget(m_libraryPage); });
    add(u"closeTab"_s, u"close"_s, tr("&Close trace tab"), QKeySequence::Close,
        [this] { closeTab(m_pages->currentIndex()); });
    add(u"about"_s, u"info"_s, tr("&About Magic Trace Studio"), QKeySequence(), [this] {
        QMessageBox::about(this, tr("About Magic Trace Studio"),
            tr("<p><b>Magic Trace Studio</b> %1</p><p>A desktop front end for Jane Street's magic-trace: pick a "
               "process, trace it with Intel Processor Trace, and open, keep and share the result.</p>")
                .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(action(u"open"_s));
    file->addAction(action(u"import"_s));
    file->addAction(action(u"closeTab"_s));
    file->addSeparator();
    file->addAction(action(u"settings"_s));
    file->addSeparator();
    file->addAction(action(u"quit"_s));
    QMenu* trace = menuBar()->addMenu(tr("&Trace"));
    trace->addAction(action(u"trace"_s));
    trace->addAction(action(u"stop"_s));
    trace->addAction(action(u"traceAgain"_s));
    trace->addSeparator();
    trace->addAction(action(u"refresh"_s));
    trace->addAction(action(u"filter"_s));
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(action(u"showTrace"_s));
    view->addAction(action(u"showLibrary"_s));
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action(u"about"_s));

    QToolBar* toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(u"mainToolBar"_s);
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(action(u"trace"_s));
    toolBar->addAction(action(u"stop"_s));
    toolBar->addAction(action(u"traceAgain"_s));
    toolBar->addSeparator();
    toolBar->addAction(action(u"open"_s));
    toolBar->addAction(action(u"import"_s));
    toolBar->addAction(action(u"refresh"_s));
    toolBar->addSeparator();
    toolBar->addAction(action(u"settings"_s));
}

void MainWindow::updateActions()
{
    const bool busy = m_tracePage->isBusy();
    action(u"trace"_s)->setEnabled(!busy);
    action(u"stop"_s)->setEnabled(m_tracePage->canStop());
    action(u"traceAgain"_s)->setEnabled(!busy);
    action(u"closeTab"_s)->setEnabled(m_pages->currentIndex() >= 2);
}

void MainWindow::openFileDialog()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open traces"), QString(), tr("Traces (*.fxt *.fxt.gz *.fxt.zst *.fxt.xz);;All files (*)"));
    for (const QString& file : files)
        openTrace(file);
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted) {
        // A recording in progress keeps writing to the library it started in; switch once it is done.
        if (m_tracePage->isBusy()) {
            connect(
                m_tracePage, &TracePage::idle, this, [this] { useLibraryFolder(TraceLibrary::configuredFolder()); },
                Qt::SingleShotConnection);
        } else {
            useLibraryFolder(TraceLibrary::configuredFolder());
        }
        m_libraryPage->settingsChanged();
        m_tracePage->checkHost();
    }
}

bool MainWindow::isTraceFile(const QString& path)
{
    const QString name = QFileInfo(path).fileName().toLower();
    return name.endsWith(u".fxt"_s) || name.endsWith(u".fxt.gz"_s) || name.endsWith(u".fxt.zst"_s)
        || name.endsWith(u".fxt.xz"_s);
}

bool MainWindow::isBundleFile(const QString& path)
{
    const QString name = QFileInfo(path).fileName().toLower();
    return name.endsWith(u".tar.zst"_s) || name.endsWith(u".tar.gz"_s) || name.endsWith(u".tgz"_s)
        || name.endsWith(u".tar.xz"_s) || name.endsWith(u".zip"_s);
}

void MainWindow::openTrace(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    for (int i = 2; i < m_pages->count(); ++i) {
        if (m_pages->widget(i)->property("tracePath").toString() == absolute) {
            m_pages->setCurrentIndex(i);
            return;
        }
    }
    QWidget* tab = nullptr;
    QString error;
    if (!QFileInfo::exists(absolute))
        error = tr("The file does not exist.");
    else if (viewerFactory())
        tab = viewerFactory()(absolute, m_pages, &error);
    else
        error = tr("This build has no trace viewer yet. Use \"Open in Perfetto\" or \"Show in folder\" from the "
                   "Trace or Library page for now.");
    if (!tab)
        tab = messageTab(absolute, error, m_pages);
    tab->setProperty("tracePath", absolute);
    const int index = m_pages->addTab(tab, Icons::icon(u"decode"_s), QFileInfo(absolute).fileName());
    m_pages->setTabToolTip(index, absolute);
#ifdef MTS_HAVE_VIEWER
    if (auto* viewer = qobject_cast<ViewerPage*>(tab)) {
        connect(viewer, &ViewerPage::titleChanged, this, [this, viewer](const QString& title) {
            const int at = m_pages->indexOf(viewer);
            if (at >= 0)
                m_pages->setTabText(at, title);
        });
    }
#endif
    m_pages->setCurrentIndex(index);
    statusBar()->showMessage(tr("Opened %1").arg(absolute), 5000);
}

void MainWindow::closeTab(int index)
{
    if (index < 2)
        return;
    QWidget* tab = m_pages->widget(index);
    m_pages->removeTab(index);
    tab->deleteLater();
}

void MainWindow::attachTo(const QString& pid)
{
    bool ok = false;
    const qint64 value = pid.toLongLong(&ok);
    m_pages->setCurrentWidget(m_tracePage);
    if (!ok || value <= 0) {
        QMessageBox::warning(this, tr("Cannot attach"), tr("\"%1\" is not a process ID.").arg(pid));
        return;
    }
    m_tracePage->traceProcess(value);
}

void MainWindow::notifyFinished(const QString& path, const QString& target)
{
    m_libraryPage->refresh();
    if (isActiveWindow())
        return;
    // The user is elsewhere: tell them, without stealing focus.
    QApplication::alert(this);
    if (QSystemTrayIcon::isSystemTrayAvailable() && QSystemTrayIcon::supportsMessages()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(QApplication::windowIcon(), this);
            connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
                showNormal();
                raise();
                activateWindow();
            });
        }
        m_tray->show();
        m_tray->showMessage(tr("Trace ready"), tr("%1\n%2").arg(target, path), QSystemTrayIcon::Information, 8000);
    }
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_tracePage->isBusy()) {
        if (m_closeWhenIdle) {
            event->ignore(); // already stopping; the window closes when magic-trace has finished
            return;
        }
        QMessageBox box(QMessageBox::Question, tr("A trace is running"),
            tr("magic-trace is still running. Stop it and keep the trace before quitting?"), QMessageBox::NoButton,
            this);
        QPushButton* stop = box.addButton(tr("Stop, save and quit"), QMessageBox::AcceptRole);
        QPushButton* discard = box.addButton(tr("Discard and quit"), QMessageBox::DestructiveRole);
        box.addButton(QMessageBox::Cancel);
        box.setDefaultButton(stop);
        box.exec();
        if (box.clickedButton() == stop) {
            m_closeWhenIdle = true;
            m_tracePage->stopForClose();
        } else if (box.clickedButton() == discard) {
            m_closeWhenIdle = true;
            m_tracePage->abortTrace();
        }
        if (m_tracePage->isBusy()) {
            event->ignore();
            return;
        }
    }
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!event->mimeData()->hasUrls())
        return;
    const QList<QUrl> urls = event->mimeData()->urls();
    for (const QUrl& url : urls) {
        if (url.isLocalFile() && (isTraceFile(url.toLocalFile()) || isBundleFile(url.toLocalFile()))) {
            event->acceptProposedAction();
            return;
        }
    }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList imports;
    const QList<QUrl> urls = event->mimeData()->urls();
    const bool onLibrary = m_pages->currentWidget() == m_libraryPage;
    for (const QUrl& url : urls) {
        if (!url.isLocalFile())
            continue;
        const QString path = url.toLocalFile();
        // Bundles always go to the library; traces open, or are imported when dropped on the library page.
        if (isBundleFile(path) || (onLibrary && isTraceFile(path)))
            imports << path;
        else if (isTraceFile(path))
            openTrace(path);
    }
    if (!imports.isEmpty()) {
        m_pages->setCurrentWidget(m_libraryPage);
        m_libraryPage->importFiles(imports);
    }
    event->acceptProposedAction();
}
