// SPDX-License-Identifier: MIT
// The main path a user takes, against the magic-trace test double: a spawned target appears in the process list,
// is selected and traced, log lines arrive, Stop writes the trace, the library lists it with its metadata, and
// Open shows it. Plus the failure path (perf refused) with its diagnosis, stop while attaching, and closing the
// window while a trace records.
#include "appsettings.h"
#include "desktopactions.h"
#include "library/librarymodel.h"
#include "library/tracelibrary.h"
#include "librarypage.h"
#include "logview.h"
#include "mainwindow.h"
#include "processes/processfiltermodel.h"
#include "processes/processmodel.h"
#include "processpicker.h"
#include "tracepage.h"
#include "tracestateline.h"
#include "viewer/viewerpage.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

using namespace Qt::StringLiterals;

namespace {

constexpr int slow = 30'000; // generous: two tests may run in parallel on a loaded 2-core machine

// The viewer most tests use: a label naming the file, so that opening a trace costs nothing.
QWidget* labelViewer(const QString& path, QWidget* parent, QString*)
{
    auto* label = new QLabel(u"viewer for "_s + path, parent);
    label->setObjectName(u"testViewer"_s);
    return label;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_home;
    QString m_tracesFolder;
    QList<QUrl> m_openedUrls;

    QProcess* spawnTarget()
    {
        auto* target = new QProcess(this);
        target->start(u"sleep"_s, { u"60"_s });
        if (!target->waitForStarted(10'000))
            return nullptr;
        return target;
    }

    static void stopTarget(QProcess* target)
    {
        if (!target)
            return;
        target->kill();
        target->waitForFinished(5000);
        delete target;
    }

    // Waits until magic-trace was looked for, and selects pid in the process list.
    static bool selectInPicker(MainWindow& window, qint64 pid)
    {
        ProcessPicker* picker = window.tracePage()->picker();
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < slow) {
            if (picker->selectPid(pid))
                return true;
            QTest::qWait(100);
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
#ifndef MTS_FAKE_MAGIC_TRACE
        QSKIP("the magic-trace test double (tests/fake-magic-trace) is not built");
#else
        QVERIFY(m_home.isValid());
        // Everything the app writes goes below a temporary home: settings, library, installs.
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_home.filePath(u"config"_s)));
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_home.filePath(u"data"_s)));
        qputenv("XDG_CACHE_HOME", QFile::encodeName(m_home.filePath(u"cache"_s)));
        QCoreApplication::setOrganizationName(u"magic-trace-studio-test"_s);
        QCoreApplication::setApplicationName(u"tst_mainwindow"_s);
        m_tracesFolder = m_home.filePath(u"traces"_s);
        TraceLibrary::setConfiguredFolder(m_tracesFolder);
        AppSettings::setMagicTracePath(QStringLiteral(MTS_FAKE_MAGIC_TRACE));
        AppSettings::setAttachTimeoutSeconds(60);
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "600");
        qputenv("FAKE_MAGIC_TRACE_DECODE_MS", "300");
        qunsetenv("FAKE_MAGIC_TRACE_SCENARIO");
        // No browser, no file manager: record what would have been opened.
        DesktopActions::setUrlOpener([this](const QUrl& url) {
            m_openedUrls << url;
            return true;
        });
        MainWindow::setViewerFactory(labelViewer);
#endif
    }

    void cleanup()
    {
        qunsetenv("FAKE_MAGIC_TRACE_SCENARIO");
    }

    void mainPath()
    {
        QProcess* target = spawnTarget();
        QVERIFY(target);
        const qint64 pid = target->processId();

        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TracePage* page = window.tracePage();
        QTRY_VERIFY_WITH_TIMEOUT(page->magicTrace().has_value(), slow);

        // The target appears in the list, with its name.
        QVERIFY(selectInPicker(window, pid));
        const std::optional<ProcessInfo> selected = page->picker()->selectedProcess();
        QVERIFY(selected);
        QCOMPARE(selected->pid, pid);
        QCOMPARE(selected->name, u"sleep"_s);
        QVERIFY(selected->traceable);

        // Trace: the button becomes Stop, the state line says attaching, then recording.
        QPushButton* button = page->traceButton();
        QCOMPARE(button->text(), u"Trace"_s);
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(page->isBusy());
        QCOMPARE(button->text(), u"Stop"_s);
        QVERIFY(!window.action(u"trace"_s)->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Recording, slow);
        QVERIFY(page->stateLine()->headline().contains(u"sleep"_s));
        // Log lines arrive as magic-trace writes them.
        QTRY_VERIFY_WITH_TIMEOUT(page->logView()->toPlainText().contains(u"[ Attached. Press Ctrl-C"_s), slow);
        QVERIFY(window.action(u"stop"_s)->isEnabled());

        // Stop: disabled the moment it is clicked.
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(!button->isEnabled());
        QVERIFY(!window.action(u"stop"_s)->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Finished, slow);
        QVERIFY(!page->isBusy());
        QCOMPARE(button->text(), u"Trace"_s);
        QVERIFY(button->isEnabled());
        const QString tracePath = page->stateLine()->tracePath();
        QVERIFY2(QFileInfo(tracePath).size() > 0, qPrintable(tracePath));
        QVERIFY(tracePath.startsWith(m_tracesFolder));
        QVERIFY(page->logView()->toPlainText().contains(u"[ Decoding"_s));

        // The library shows the new trace with its metadata.
        LibraryPage* library = window.libraryPage();
        const QString id = page->lastRecordingId();
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(library->model()->indexOf(id).isValid(), slow);
        const std::optional<TraceEntry> entry = window.library()->entry(id);
        QVERIFY(entry);
        QCOMPARE(entry->metadata.outcome, TraceOutcome::Succeeded);
        QCOMPARE(entry->metadata.targetPid, pid);
        QCOMPARE(entry->metadata.processName, u"sleep"_s);
        QVERIFY(entry->metadata.commandLine.contains(u"sleep 60"_s));
        QCOMPARE(entry->metadata.magicTraceVersion, u"v1.2.4"_s);
        QVERIFY(!entry->logPath().isEmpty());
        QCOMPARE(QFileInfo(entry->tracePath()).canonicalFilePath(), QFileInfo(tracePath).canonicalFilePath());

        window.pages()->setCurrentWidget(library);
        library->selectId(id);
        QTRY_VERIFY(library->detailsText().contains(u"PID %1"_s.arg(pid)));
        QVERIFY(library->detailsText().contains(u"v1.2.4"_s));
        // The saved log is shown in the details.
        QTRY_VERIFY_WITH_TIMEOUT(library->logView()->toPlainText().contains(u"[ Attached"_s), slow);

        // Notes and tags are kept.
        library->tagsEdit()->setText(u"baseline, sleep"_s);
        Q_EMIT library->tagsEdit()->editingFinished();
        QTRY_COMPARE(window.library()->entry(id)->metadata.tags, QStringList({ u"baseline"_s, u"sleep"_s }));

        // Open: a viewer tab for the trace.
        const int tabsBefore = window.pages()->count();
        library->findChild<QAction*>(u"open"_s)->trigger();
        QCOMPARE(window.pages()->count(), tabsBefore + 1);
        QWidget* viewer = window.pages()->currentWidget();
        QCOMPARE(viewer->objectName(), u"testViewer"_s);
        QCOMPARE(QFileInfo(viewer->property("tracePath").toString()).canonicalFilePath(),
            QFileInfo(tracePath).canonicalFilePath());
        // Opening it again (from the state line) switches to the same tab.
        window.pages()->setCurrentWidget(page);
        Q_EMIT page->stateLine()->openRequested(tracePath);
        QCOMPARE(window.pages()->count(), tabsBefore + 1);
        QCOMPARE(window.pages()->currentWidget(), viewer);

        // Open in Perfetto opens the Perfetto UI and names the file.
        m_openedUrls.clear();
        const QString message = DesktopActions::openInPerfetto(tracePath, nullptr);
        QCOMPARE(m_openedUrls, QList<QUrl>({ DesktopActions::perfettoUrl() }));
        QVERIFY(message.contains(tracePath));

        // Trace again repeats the last target and options.
        QVERIFY(window.action(u"traceAgain"_s)->isEnabled());
        window.action(u"traceAgain"_s)->trigger();
        QVERIFY(page->isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Recording, slow);
        window.action(u"stop"_s)->trigger(); // Esc
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Finished, slow);
        QVERIFY(page->lastRecordingId() != id);
        QTRY_COMPARE_WITH_TIMEOUT(library->model()->rowCount(), 2, slow);

        stopTarget(target);
    }

    void failureShowsTheDiagnosis()
    {
        qputenv("FAKE_MAGIC_TRACE_SCENARIO", "perf-paranoid");
        QProcess* target = spawnTarget();
        QVERIFY(target);
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TracePage* page = window.tracePage();
        QTRY_VERIFY_WITH_TIMEOUT(page->magicTrace().has_value(), slow);
        QVERIFY(selectInPicker(window, target->processId()));
        window.action(u"trace"_s)->trigger(); // Ctrl+R
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Failed, slow);
        QVERIFY(!page->isBusy());
        const QString details = page->stateLine()->details();
        QVERIFY2(details.contains(u"perf_event_paranoid"_s), qPrintable(details));
        QVERIFY2(details.contains(u"sudo sysctl"_s), qPrintable(details));
        // The failure stays: it is not hidden after a while.
        QTest::qWait(1500);
        QCOMPARE(page->stateLine()->state(), TraceStateLine::State::Failed);
        QVERIFY(page->logView()->toPlainText().contains(u"perf_event_paranoid setting is 4"_s));
        // The failed attempt is kept in the library, marked as failed.
        const QString id = page->lastRecordingId();
        QTRY_VERIFY_WITH_TIMEOUT(window.library()->entry(id).has_value(), slow);
        QCOMPARE(window.library()->entry(id)->metadata.outcome, TraceOutcome::Failed);
        stopTarget(target);
    }

    void untraceableProcessIsRefusedWithTheReason()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TracePage* page = window.tracePage();
        ProcessPicker* picker = page->picker();
        picker->onlyMineBox()->setChecked(false);
        picker->hideKernelBox()->setChecked(false);
        // Our own process is listed, marked, and cannot be traced from here.
        QTRY_VERIFY_WITH_TIMEOUT(picker->selectPid(QCoreApplication::applicationPid()), slow);
        QVERIFY(picker->selectedProcess()->isOwnProcess);
        page->startTrace();
        QVERIFY(!page->isBusy());
        QCOMPARE(page->stateLine()->state(), TraceStateLine::State::Failed);
        QVERIFY(page->stateLine()->details().contains(u"Magic Trace Studio itself"_s));
    }

    void stopWhileAttachingIsHeld()
    {
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "2500");
        QProcess* target = spawnTarget();
        QVERIFY(target);
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TracePage* page = window.tracePage();
        QTRY_VERIFY_WITH_TIMEOUT(page->magicTrace().has_value(), slow);
        page->traceProcess(target->processId());
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Attaching, slow);
        page->stopTrace();
        QVERIFY(!page->traceButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(page->stateLine()->headline().contains(u"as soon as"_s), slow);
        page->stopTrace(); // a second stop is ignored
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Finished, slow);
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "600");
        stopTarget(target);
    }

    void closingWhileRecordingStopsProperly()
    {
        QProcess* target = spawnTarget();
        QVERIFY(target);
        auto* window = new MainWindow;
        window->setAttribute(Qt::WA_DeleteOnClose, false);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        TracePage* page = window->tracePage();
        QTRY_VERIFY_WITH_TIMEOUT(page->magicTrace().has_value(), slow);
        page->traceProcess(target->processId());
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Recording, slow);
        const qint64 magicTracePid = page->session()->processId();
        QVERIFY(magicTracePid > 0);

        // Answer the question with "Stop, save and quit".
        bool asked = false;
        QTimer::singleShot(300, this, [&asked] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box)
                return;
            asked = true;
            for (QAbstractButton* button : box->buttons()) {
                if (box->buttonRole(button) == QMessageBox::AcceptRole)
                    button->click();
            }
        });
        QVERIFY(!window->close()); // not yet: magic-trace is writing the trace
        QVERIFY(asked);
        QVERIFY(window->isVisible());
        // The window closes by itself once the trace is written.
        QTRY_VERIFY_WITH_TIMEOUT(!window->isVisible(), slow);
        QCOMPARE(page->stateLine()->state(), TraceStateLine::State::Finished);
        QVERIFY(QFileInfo(page->stateLine()->tracePath()).size() > 0);
        QVERIFY(!page->isBusy());
        // magic-trace has exited and was reaped: not orphaned.
        QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(u"/proc/%1"_s.arg(magicTracePid)), slow);
        delete window;
        stopTarget(target);
    }

    void shortcutsAndGeometry()
    {
        QByteArray geometry;
        QSize savedSize;
        {
            MainWindow window;
            QCOMPARE(window.action(u"open"_s)->shortcut(), QKeySequence(QKeySequence::Open));
            QCOMPARE(window.action(u"quit"_s)->shortcut(), QKeySequence(QKeySequence::Quit));
            QCOMPARE(window.action(u"refresh"_s)->shortcut(), QKeySequence(Qt::Key_F5));
            QCOMPARE(window.action(u"filter"_s)->shortcut(), QKeySequence(QKeySequence::Find));
            QCOMPARE(window.action(u"trace"_s)->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_R));
            QCOMPARE(window.action(u"stop"_s)->shortcut(), QKeySequence(Qt::Key_Escape));
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.resize(640, 480); // within the offscreen screen (800x600)
            QTest::qWait(50);
            // Ctrl+F goes to the process filter.
            window.activateWindow();
            window.action(u"filter"_s)->trigger();
            QTRY_VERIFY(window.tracePage()->picker()->filterEdit()->hasFocus());
            // The window's minimum size may be larger than asked for: compare with what it really was.
            savedSize = window.size();
            QVERIFY(savedSize.width() < 1000 && savedSize.height() < 700);
            QVERIFY(window.close());
            geometry = QSettings().value(u"window/geometry"_s).toByteArray();
        }
        QVERIFY(!geometry.isEmpty());
        MainWindow again;
        // Restored, not the 1280x800 default (the offscreen platform may add a few pixels of frame).
        QVERIFY2(qAbs(again.width() - savedSize.width()) <= 16 && qAbs(again.height() - savedSize.height()) <= 16,
            qPrintable(u"%1x%2, was %3x%4"_s.arg(again.width())
                           .arg(again.height())
                           .arg(savedSize.width())
                           .arg(savedSize.height())));
    }

    // In a viewer tab, Find (Ctrl+F) goes to that trace's search field.
    void findInAViewerTabGoesToItsSearch()
    {
        const QString sample = QStringLiteral(MTS_SAMPLES_DIR "/richiesams_fxt_magic_trace.fxt");
        if (!QFile::exists(sample))
            QSKIP("sample not available");
        // The real viewer for this test; the others use a label.
        MainWindow::setViewerFactory([](const QString& path, QWidget* parent, QString*) -> QWidget* {
            auto* page = new ViewerPage(parent);
            page->open(path);
            return page;
        });
        const auto restore = qScopeGuard([] { MainWindow::setViewerFactory(labelViewer); });
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow();
        window.openTrace(sample);
        QWidget* viewer = window.pages()->currentWidget();
        auto* search = viewer->findChild<QLineEdit*>(u"search"_s);
        QVERIFY(search);
        window.action(u"filter"_s)->trigger();
        QTRY_VERIFY(search->hasFocus());
        QCOMPARE(window.pages()->currentWidget(), viewer);
    }

    void filesAreRecognised_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("trace");
        QTest::addColumn<bool>("bundle");
        QTest::newRow("fxt") << u"a.fxt"_s << true << false;
        QTest::newRow("gzip") << u"/x/trace.fxt.gz"_s << true << false;
        QTest::newRow("zstd") << u"t.FXT.ZST"_s << true << false;
        QTest::newRow("bundle zstd") << u"b.tar.zst"_s << false << true;
        QTest::newRow("zip") << u"b.zip"_s << false << true;
        QTest::newRow("other") << u"notes.txt"_s << false << false;
    }
    void filesAreRecognised()
    {
        QFETCH(QString, name);
        QFETCH(bool, trace);
        QFETCH(bool, bundle);
        QCOMPARE(MainWindow::isTraceFile(name), trace);
        QCOMPARE(MainWindow::isBundleFile(name), bundle);
    }

    void missingFileOpensAnExplanation()
    {
        MainWindow window;
        window.openTrace(m_home.filePath(u"nope.fxt"_s));
        QCOMPARE(window.pages()->count(), 3);
        const auto labels = window.pages()->currentWidget()->findChildren<QLabel*>();
        QVERIFY(!labels.isEmpty());
        QVERIFY(labels.first()->text().contains(u"does not exist"_s));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
