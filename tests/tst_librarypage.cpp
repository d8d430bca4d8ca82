// SPDX-License-Identifier: MIT
// The Library page over a real TraceLibrary in a temporary folder: import, details, notes, delete with undo.
#include "desktopactions.h"
#include "library/librarymodel.h"
#include "library/tracelibrary.h"
#include "librarypage.h"
#include "librarytestutil.h"

#include <QAction>
#include <QDir>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestLibraryPage : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_home.filePath(u"config"_s)));
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_home.filePath(u"data"_s)));
        QDir().mkpath(m_home.filePath(u"data"_s));
        DesktopActions::setUrlOpener([](const QUrl&) { return true; });
    }

    void importDetailsNotesDeleteUndo()
    {
        const QString sample = QStringLiteral(MTS_SAMPLES_DIR) + u"/richiesams_fxt_magic_trace.fxt"_s;
        if (!QFileInfo::exists(sample))
            QSKIP("the shared samples are not available");
        // Under the data home, so the desktop trash is on the same file system.
        QTemporaryDir folder(m_home.filePath(u"data/traces-XXXXXX"_s));
        TraceLibrary library(folder.path());
        LibraryPage page;
        page.setLibrary(&library);
        page.resize(1200, 700);
        page.show();
        QTRY_VERIFY_WITH_TIMEOUT(library.isLoaded(), 20'000);
        QCOMPARE(page.model()->rowCount(), 0);

        // Import a loose trace: it appears, selected, with what was read from the file.
        QSignalSpy jobs(&page, &LibraryPage::jobFinished);
        page.importFiles({ sample });
        QVERIFY(jobs.wait(30'000));
        QCOMPARE(jobs.first().at(0).toBool(), true);
        QTRY_COMPARE(page.model()->rowCount(), 1);
        const QString id = page.model()->idAt(0);
        page.selectId(id);
        QCOMPARE(page.currentId(), id);
        QVERIFY2(page.detailsText().contains(u"2248878"_s), qPrintable(page.detailsText()));

        // Notes are saved after a pause in typing.
        page.notesEdit()->setPlainText(u"kernel trace from the sample"_s);
        QTRY_COMPARE_WITH_TIMEOUT(library.entry(id)->metadata.notes, u"kernel trace from the sample"_s, 5000);

        // Opening asks the window for a viewer tab.
        QSignalSpy opened(&page, &LibraryPage::openTraceRequested);
        page.openSelected();
        QCOMPARE(opened.count(), 1);
        QVERIFY(QFileInfo::exists(opened.first().at(0).toString()));

        // Delete moves it away; Undo brings it back with its notes.
        const QString tracePath = library.entry(id)->tracePath();
        page.deleteSelected();
        QString shownMessage;
        for (const QLabel* label : page.findChildren<QLabel*>()) {
            if (label->text().contains(u"trash"_s))
                shownMessage = label->text();
        }
        QVERIFY2(page.model()->rowCount() == 0, qPrintable(shownMessage));
        QVERIFY(!QFileInfo::exists(tracePath));
        QVERIFY(page.undoButton()->isVisible());
        page.undoDelete();
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 1, 10'000);
        QVERIFY(QFileInfo::exists(tracePath));
        QCOMPARE(library.entry(id)->metadata.notes, u"kernel trace from the sample"_s);
    }

    // With nothing selected the details pane tells an empty library from one whose traces are just not selected,
    // also when the rows arrive after the page was shown (the list comes from a worker).
    void placeholderFollowsTheRows()
    {
        QTemporaryDir folder;
        QTemporaryDir elsewhere;
        const QString loose = elsewhere.filePath(u"loose.fxt"_s);
        QVERIFY(LibraryTest::writeFile(loose, LibraryTest::smallTrace()));
        {
            TraceLibrary filler(folder.path());
            QString error;
            QVERIFY2(filler.load(&error), qPrintable(error));
            QVERIFY2(filler.importNow(loose, nullptr, &error), qPrintable(error));
        }
        TraceLibrary library(folder.path());
        LibraryPage page;
        page.setLibrary(&library);
        page.show();
        QTRY_VERIFY_WITH_TIMEOUT(library.isLoaded(), 20'000);
        QCOMPARE(page.model()->rowCount(), 1);
        QCOMPARE(page.currentId(), QString());
        const auto title = [&page] {
            for (const QLabel* label : page.findChildren<QLabel*>())
                if (label->text().startsWith(u"No traces yet"_s) || label->text().startsWith(u"Select a trace"_s))
                    return label->text();
            return QString();
        };
        QVERIFY2(title().startsWith(u"Select a trace"_s), qPrintable(title()));
        QString error;
        QVERIFY2(library.remove(page.model()->idAt(0), &error), qPrintable(error));
        QTRY_COMPARE(page.model()->rowCount(), 0);
        QVERIFY2(title().startsWith(u"No traces yet"_s), qPrintable(title()));
    }

    void badImportSaysWhy()
    {
        QTemporaryDir folder;
        TraceLibrary library(folder.path());
        LibraryPage page;
        page.setLibrary(&library);
        QTRY_VERIFY_WITH_TIMEOUT(library.isLoaded(), 20'000);
        QTemporaryDir elsewhere;
        const QString junk = elsewhere.filePath(u"not-a-trace.zip"_s);
        QFile file(junk);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a zip file");
        file.close();
        QSignalSpy jobs(&page, &LibraryPage::jobFinished);
        page.importFiles({ junk });
        QVERIFY(jobs.wait(30'000));
        QCOMPARE(jobs.first().at(0).toBool(), false);
        QVERIFY(!jobs.first().at(1).toString().isEmpty());
        QCOMPARE(page.model()->rowCount(), 0);
    }
};

QTEST_MAIN(TestLibraryPage)
#include "tst_librarypage.moc"
