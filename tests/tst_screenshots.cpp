// SPDX-License-Identifier: MIT
// Not a check: writes PNGs of each page for the README when MTS_SCREENSHOT_DIR is set (scripts/screenshots).
#include "mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QTabWidget>
#include <QTest>

using namespace Qt::StringLiterals;

class TestScreenshots : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pages()
    {
        const QString dir = qEnvironmentVariable("MTS_SCREENSHOT_DIR");
        if (dir.isEmpty())
            QSKIP("MTS_SCREENSHOT_DIR is not set; run scripts/screenshots");
        QDir().mkpath(dir);
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTest::qWait(300);
        QVERIFY(window.grab().save(dir + u"/trace-page.png"_s));
        window.pages()->setCurrentIndex(1);
        QTest::qWait(200);
        QVERIFY(window.grab().save(dir + u"/library-page.png"_s));
    }
};

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
