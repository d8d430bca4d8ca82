// SPDX-License-Identifier: MIT
// Not a check: writes PNGs of each page for the README when MTS_SCREENSHOT_DIR is set (scripts/screenshots runs it
// under xvfb-run). It walks the main path against the magic-trace test double so the pictures show real states.
#include "appsettings.h"
#include "desktopactions.h"
#include "library/librarymodel.h"
#include "library/tracelibrary.h"
#include "librarypage.h"
#include "logview.h"
#include "mainwindow.h"
#include "processpicker.h"
#include "settingsdialog.h"
#include "tracepage.h"
#include "tracestateline.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QProcess>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestScreenshots : public QObject
{
    Q_OBJECT
    QString m_dir;
    QString m_suffix;
    QTemporaryDir m_home;

    void save(QWidget* widget, const QString& name)
    {
        QTest::qWait(400); // let queued log lines and repaints land
        const QString path = m_dir + u'/' + name + m_suffix + u".png"_s;
        QVERIFY2(widget->grab().save(path), qPrintable(path));
        qInfo("wrote %s", qPrintable(path));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = qEnvironmentVariable("MTS_SCREENSHOT_DIR");
        if (m_dir.isEmpty())
            QSKIP("MTS_SCREENSHOT_DIR is not set; run scripts/screenshots");
#ifndef MTS_FAKE_MAGIC_TRACE
        QSKIP("the magic-trace test double is not built");
#else
        m_suffix = qEnvironmentVariable("MTS_SCREENSHOT_SUFFIX");
        QDir().mkpath(m_dir);
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_home.filePath(u"config"_s)));
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_home.filePath(u"data"_s)));
        QCoreApplication::setOrganizationName(u"magic-trace-studio"_s);
        QCoreApplication::setApplicationName(u"magic-trace-studio"_s);
        TraceLibrary::setConfiguredFolder(m_home.filePath(u"traces"_s));
        AppSettings::setMagicTracePath(QStringLiteral(MTS_FAKE_MAGIC_TRACE));
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "800");
        qputenv("FAKE_MAGIC_TRACE_DECODE_MS", "1500");
        DesktopActions::setUrlOpener([](const QUrl&) { return true; });
#endif
    }

    void pages()
    {
        QProcess target;
        target.start(u"sleep"_s, { u"120"_s });
        QVERIFY(target.waitForStarted());
        QProcess other;
        other.start(u"sleep"_s, { u"121"_s });
        QVERIFY(other.waitForStarted());

        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TracePage* page = window.tracePage();
        QTRY_VERIFY_WITH_TIMEOUT(page->magicTrace().has_value(), 30'000);
        ProcessPicker* picker = page->picker();
        QTRY_VERIFY_WITH_TIMEOUT(picker->selectPid(target.processId()), 30'000);
        save(&window, u"trace-pick"_s);

        page->startTrace();
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Recording, 30'000);
        QTest::qWait(2200);
        save(&window, u"trace-recording"_s);

        page->stopTrace();
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Decoding, 30'000);
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Finished, 30'000);
        save(&window, u"trace-done"_s);

        // A second trace, of the other process, for the library.
        QVERIFY(picker->selectPid(other.processId()));
        page->startTrace();
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Recording, 30'000);
        page->stopTrace();
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Finished, 30'000);

        qputenv("FAKE_MAGIC_TRACE_SCENARIO", "perf-paranoid");
        page->startTrace();
        QTRY_COMPARE_WITH_TIMEOUT(page->stateLine()->state(), TraceStateLine::State::Failed, 30'000);
        qunsetenv("FAKE_MAGIC_TRACE_SCENARIO");
        save(&window, u"trace-failed"_s);

        LibraryPage* library = window.libraryPage();
        window.pages()->setCurrentWidget(library);
        QTRY_VERIFY_WITH_TIMEOUT(library->model()->rowCount() >= 3, 30'000);
        QString id = page->lastRecordingId();
        // Show a successful one in the details.
        for (int row = 0; row < library->model()->rowCount(); ++row) {
            const QString candidate = library->model()->idAt(row);
            if (window.library()->entry(candidate)->metadata.outcome == TraceOutcome::Succeeded)
                id = candidate;
        }
        library->selectId(id);
        QString error;
        window.library()->setNotes(id,
            u"Baseline before the allocator change. The slow path is the second "
            "call to parse_request."_s,
            &error);
        window.library()->setTags(id, { u"baseline"_s, u"parser"_s }, &error);
        QTest::qWait(300);
        library->selectId(id);
        save(&window, u"library"_s);

        SettingsDialog settings(&window);
        settings.show();
        QVERIFY(QTest::qWaitForWindowExposed(&settings));
        save(&settings, u"settings"_s);
        settings.close();

        target.kill();
        other.kill();
        target.waitForFinished();
        other.waitForFinished();
    }
};

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
