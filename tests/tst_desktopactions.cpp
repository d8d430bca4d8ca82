// SPDX-License-Identifier: MIT
// DesktopActions: every hand-off goes through the replaceable opener; "Open in Perfetto" opens the Perfetto UI,
// puts the trace's path on the clipboard and warns about what a browser may not load.
#include "desktopactions.h"

#include <QClipboard>
#include <QFile>
#include <QGuiApplication>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestDesktopActions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        DesktopActions::setUrlOpener([this](const QUrl& url) {
            m_opened << url;
            return m_browserStarts;
        });
    }
    void cleanupTestCase() { DesktopActions::setUrlOpener({}); }
    void init()
    {
        m_opened.clear();
        m_browserStarts = true;
    }

    void openInPerfettoWarnsAboutWhatABrowserMayNotLoad_data()
    {
        QTest::addColumn<QByteArray>("head"); // the file's first bytes
        QTest::addColumn<qint64>("size"); // its length (sparse beyond the head)
        QTest::addColumn<qint64>("fxtBytes"); // the decompressed size as a viewer knows it; -1: unknown
        QTest::addColumn<QString>("warning"); // expected in the message; empty: no warning at all
        const QByteArray fxt = QByteArray::fromHex("1000044678541600");
        const QByteArray gzip = QByteArray::fromHex("1f8b0800000000000003");
        QTest::newRow("small plain") << fxt << qint64(4096) << qint64(-1) << QString();
        QTest::newRow("small gzip") << gzip << qint64(4096) << qint64(20'000) << QString();
        QTest::newRow("zstd") << QByteArray::fromHex("28b52ffd00000000") << qint64(4096) << qint64(-1) << u"zstd -d"_s;
        QTest::newRow("xz") << QByteArray::fromHex("fd377a585a000000") << qint64(4096) << qint64(-1) << u"xz -dk"_s;
        QTest::newRow("large plain") << fxt << qint64(400'000'000) << qint64(-1) << u"400 MB"_s;
        QTest::newRow("small gzip of a large trace") << gzip << qint64(4096) << qint64(1'000'000'000) << u"1000 MB"_s;
    }
    void openInPerfettoWarnsAboutWhatABrowserMayNotLoad()
    {
        QFETCH(QByteArray, head);
        QFETCH(qint64, size);
        QFETCH(qint64, fxtBytes);
        QFETCH(QString, warning);
        const QString path = m_dir.filePath(QString::fromLatin1(QTest::currentDataTag()) + u".fxt"_s);
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(head);
            QVERIFY(file.resize(size));
        }
        const QString message = DesktopActions::openInPerfetto(path, nullptr, fxtBytes);
        QCOMPARE(m_opened, QList<QUrl>({ DesktopActions::perfettoUrl() }));
        QCOMPARE(QGuiApplication::clipboard()->text(), path);
        QVERIFY2(message.contains(path), qPrintable(message));
        if (warning.isEmpty()) {
            QVERIFY2(
                !message.contains(u"Browsers often fail"_s) && !message.contains(u"compressed"_s), qPrintable(message));
        } else {
            QVERIFY2(message.contains(warning), qPrintable(message));
        }
        QFile::remove(path);
    }

    void withoutABrowserTheMessageSaysWhereToGo()
    {
        m_browserStarts = false;
        const QString path = m_dir.filePath(u"t.fxt"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromHex("1000044678541600"));
        file.close();
        const QString message = DesktopActions::openInPerfetto(path, nullptr);
        QVERIFY2(message.contains(DesktopActions::perfettoUrl().toString()), qPrintable(message));
        QVERIFY2(message.contains(path), qPrintable(message));
    }

private:
    QTemporaryDir m_dir;
    QList<QUrl> m_opened;
    bool m_browserStarts = true;
};

QTEST_MAIN(TestDesktopActions)
#include "tst_desktopactions.moc"
