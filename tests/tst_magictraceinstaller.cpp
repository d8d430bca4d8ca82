// SPDX-License-Identifier: MIT
// MagicTraceInstaller against a small HTTP server on 127.0.0.1 run by the test itself (never the internet).
#include "host/magictraceinstaller.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QNetworkProxy>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace Qt::StringLiterals;
using Failure = InstallResult::Failure;

namespace {

QByteArray fakeElf(int size)
{
    QByteArray bytes("\x7f"
                     "ELF\x02\x01\x01");
    QRandomGenerator generator(42);
    while (bytes.size() < size)
        bytes.append(char(generator.bounded(256)));
    return bytes;
}

// Answers one request per connection, chosen by path. Enough HTTP/1.1 for QNetworkAccessManager.
class HttpServer : public QObject
{
public:
    QByteArray body = fakeElf(300 * 1024);
    int requests = 0;

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url(const QString& path) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path));
    }

    HttpServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onRequest(socket); });
            }
        });
    }

private:
    QTcpServer m_server;

    static QByteArray head(const QByteArray& status, const QByteArray& extra)
    {
        return "HTTP/1.1 " + status + "\r\nConnection: close\r\n" + extra + "\r\n";
    }
    void onRequest(QTcpSocket* socket)
    {
        QByteArray& buffer = m_buffers[socket];
        buffer += socket->readAll();
        if (!buffer.contains("\r\n\r\n"))
            return;
        ++requests;
        const QByteArray path = buffer.split(' ').value(1);
        const QByteArray length = "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        if (path == "/ok") {
            socket->write(head("200 OK", length) + body);
        } else if (path == "/missing") {
            const QByteArray page = "<html><body>Not Found</body></html>";
            socket->write(head("404 Not Found", "Content-Length: " + QByteArray::number(page.size()) + "\r\n") + page);
        } else if (path == "/truncated") {
            socket->write(head("200 OK", length) + body.left(body.size() / 3));
        } else if (path == "/loop") {
            socket->write(head("302 Found", "Location: /loop\r\nContent-Length: 0\r\n"));
        } else if (path == "/redirect") {
            socket->write(head("302 Found", "Location: /ok\r\nContent-Length: 0\r\n"));
        } else if (path == "/html") {
            const QByteArray page = "<!DOCTYPE html><html><body>Release not found</body></html>";
            socket->write(head("200 OK", "Content-Length: " + QByteArray::number(page.size()) + "\r\n") + page);
        } else if (path == "/empty") {
            socket->write(head("200 OK", "Content-Length: 0\r\n"));
        } else if (path == "/announced-huge") {
            socket->write(head("200 OK", "Content-Length: 1073741824\r\n") + body.left(1024));
            return; // left open: the client must give up on the header alone
        } else if (path == "/unannounced-huge") {
            // No Content-Length: the body ends when the connection closes; the client must count.
            socket->write(head("200 OK", QByteArray()));
            for (int i = 0; i < 8; ++i)
                socket->write(body);
        } else if (path == "/stall") {
            socket->write(head("200 OK", length) + body.left(65536));
            return; // never sends the rest, never closes
        } else {
            socket->write(head("500 Internal Server Error", "Content-Length: 0\r\n"));
        }
        socket->disconnectFromHost();
    }
    QHash<QTcpSocket*, QByteArray> m_buffers;
};

QStringList entries(const QString& directory)
{
    return QDir(directory).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestMagicTraceInstaller : public QObject
{
    Q_OBJECT
private:
    HttpServer* m_server = nullptr;

private Q_SLOTS:
    void initTestCase()
    {
        // A proxy from the environment must not intercept the test's own loopback server.
        QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
        m_server = new HttpServer;
        QVERIFY(m_server->listen());
    }
    void cleanupTestCase() { delete m_server; }

    void releaseUrl()
    {
        QCOMPARE(MagicTraceRelease::downloadUrl(),
            QUrl(u"https://github.com/janestreet/magic-trace/releases/download/v1.2.4/magic-trace"_s));
        QCOMPARE(MagicTraceRelease::downloadUrl(u"v1.0.2"_s, u"https://mirror.example/mt/{version}/bin"_s),
            QUrl(u"https://mirror.example/mt/v1.0.2/bin"_s));
        QVERIFY(!MagicTraceRelease::downloadUrl(u"v1"_s, u"not a url {version}"_s).isValid());
    }

    void install_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expectedSha256");
        QTest::addColumn<qint64>("maxBytes");
        QTest::addColumn<bool>("oldBinaryPresent");
        QTest::addColumn<Failure>("failure");
        QTest::addColumn<QString>("errorMentions");

        const QString rightSha
            = QString::fromLatin1(QCryptographicHash::hash(HttpServer().body, QCryptographicHash::Sha256).toHex());
        const QString wrongSha(64, u'0');
        const qint64 noLimit = 128ll << 20;
        QTest::newRow("success, unverified") << u"/ok"_s << QString() << noLimit << false << Failure::None << QString();
        QTest::newRow("success, verified") << u"/ok"_s << rightSha << noLimit << false << Failure::None << QString();
        QTest::newRow("success, upper-case hash")
            << u"/ok"_s << rightSha.toUpper() << noLimit << true << Failure::None << QString();
        QTest::newRow("replaces old binary") << u"/ok"_s << QString() << noLimit << true << Failure::None << QString();
        QTest::newRow("one redirect") << u"/redirect"_s << QString() << noLimit << false << Failure::None << QString();
        QTest::newRow("404") << u"/missing"_s << QString() << noLimit << true << Failure::HttpStatus
                             << u"404 Not Found"_s;
        QTest::newRow("500") << u"/other"_s << QString() << noLimit << false << Failure::HttpStatus << u"500"_s;
        QTest::newRow("truncated body") << u"/truncated"_s << QString() << noLimit << true << Failure::Truncated
                                        << u"nothing was installed"_s;
        QTest::newRow("wrong checksum") << u"/ok"_s << wrongSha << noLimit << true << Failure::ChecksumMismatch
                                        << rightSha;
        QTest::newRow("redirect loop") << u"/loop"_s << QString() << noLimit << false << Failure::TooManyRedirects
                                       << u"redirect"_s;
        QTest::newRow("html page") << u"/html"_s << QString() << noLimit << true << Failure::NotAnExecutable
                                   << u"ELF"_s;
        QTest::newRow("empty body") << u"/empty"_s << QString() << noLimit << false << Failure::Truncated << u"empty"_s;
        QTest::newRow("announced too large")
            << u"/announced-huge"_s << QString() << qint64(1 << 20) << false << Failure::TooLarge << u"limit"_s;
        QTest::newRow("unannounced too large")
            << u"/unannounced-huge"_s << QString() << qint64(1 << 20) << true << Failure::TooLarge << u"limit"_s;
    }
    void install()
    {
        QFETCH(QString, path);
        QFETCH(QString, expectedSha256);
        QFETCH(qint64, maxBytes);
        QFETCH(bool, oldBinaryPresent);
        QFETCH(Failure, failure);
        QFETCH(QString, errorMentions);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString target = dir.filePath(u"bin"_s);
        const QByteArray oldBinary = "#!/bin/sh\necho v1.0.2\n";
        if (oldBinaryPresent) {
            QVERIFY(QDir().mkpath(target));
            QFile old(target + u"/magic-trace"_s);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write(oldBinary);
        }

        MagicTraceInstaller installer;
        installer.setUrl(m_server->url(path));
        installer.setTargetDirectory(target);
        installer.setExpectedSha256(expectedSha256);
        installer.setMaxBytes(maxBytes);
        installer.setStallTimeout(20'000);
        QSignalSpy progress(&installer, &MagicTraceInstaller::progress);
        const InstallResult result = installer.installAndWait();

        QCOMPARE(result.failure, failure);
        QVERIFY(!installer.isRunning());
        const QString binary = target + u"/magic-trace"_s;
        if (failure == Failure::None) {
            QVERIFY(result.error.isEmpty());
            QCOMPARE(result.path, binary);
            QCOMPARE(readAll(binary), m_server->body);
            QCOMPARE(result.bytes, m_server->body.size());
            QCOMPARE(result.sha256,
                QString::fromLatin1(QCryptographicHash::hash(m_server->body, QCryptographicHash::Sha256).toHex()));
            QCOMPARE(result.verified, !expectedSha256.isEmpty());
            QVERIFY(QFileInfo(binary).isExecutable());
            QVERIFY(!progress.isEmpty());
            QCOMPARE(entries(target), QStringList { u"magic-trace"_s });
        } else {
            QVERIFY2(result.error.contains(errorMentions, Qt::CaseInsensitive), qPrintable(result.error));
            QVERIFY(result.path.isEmpty());
            QVERIFY(!result.verified);
            // Nothing half-written: either the old binary, untouched, or nothing at all.
            if (oldBinaryPresent) {
                QCOMPARE(entries(target), QStringList { u"magic-trace"_s });
                QCOMPARE(readAll(binary), oldBinary);
            } else {
                QVERIFY2(entries(target).isEmpty(), qPrintable(entries(target).join(u',')));
            }
        }
    }

    void stalledServerTimesOut()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MagicTraceInstaller installer;
        installer.setUrl(m_server->url(u"/stall"_s));
        installer.setTargetDirectory(dir.path());
        installer.setStallTimeout(1500);
        QElapsedTimer elapsed;
        elapsed.start();
        const InstallResult result = installer.installAndWait();
        QCOMPARE(result.failure, Failure::Stalled);
        QVERIFY2(result.error.contains(u"stalled"_s), qPrintable(result.error));
        QVERIFY(elapsed.elapsed() >= 1400);
        QVERIFY(entries(dir.path()).isEmpty());
    }

    void cancelRemovesThePartialFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MagicTraceInstaller installer;
        installer.setUrl(m_server->url(u"/stall"_s));
        installer.setTargetDirectory(dir.path());
        QSignalSpy progress(&installer, &MagicTraceInstaller::progress);
        QSignalSpy finished(&installer, &MagicTraceInstaller::finished);
        installer.start();
        QVERIFY(installer.isRunning());
        QVERIFY(progress.wait(20'000)); // some bytes arrived and sit in the temporary file
        QCOMPARE(progress.last().at(0).toLongLong(), 65536);
        QCOMPARE(progress.last().at(1).toLongLong(), m_server->body.size());
        // Qt may keep the temporary file unnamed (O_TMPFILE) until the rename; either way no binary is visible.
        QVERIFY(!entries(dir.path()).contains(u"magic-trace"_s));
        installer.cancel();
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().first().value<InstallResult>().failure, Failure::Canceled);
        QVERIFY(entries(dir.path()).isEmpty());
    }

    void connectionRefused()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MagicTraceInstaller installer;
        installer.setUrl(QUrl(u"http://127.0.0.1:%1/ok"_s.arg(port)));
        installer.setTargetDirectory(dir.path());
        const InstallResult result = installer.installAndWait();
        QCOMPARE(result.failure, Failure::Network);
        QVERIFY2(result.error.contains(u"refused"_s, Qt::CaseInsensitive), qPrintable(result.error));
        QVERIFY(entries(dir.path()).isEmpty());
    }

    void refusesBeforeDownloading_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("sha");
        QTest::addColumn<int>("mode"); // of the target directory; 0 = a regular file instead of a directory
        QTest::addColumn<Failure>("failure");
        QTest::addColumn<QString>("errorMentions");
        QTest::newRow("group-writable") << u"/ok"_s << QString() << 0775 << Failure::UnsafeTarget << u"chmod go-w"_s;
        QTest::newRow("world-writable") << u"/ok"_s << QString() << 0777 << Failure::UnsafeTarget << u"0777"_s;
        QTest::newRow("sticky like /tmp")
            << u"/ok"_s << QString() << 01777 << Failure::UnsafeTarget << u"other users"_s;
        QTest::newRow("not a directory") << u"/ok"_s << QString() << 0 << Failure::UnsafeTarget << u"not a directory"_s;
        QTest::newRow("insecure http") << u"http://example.invalid/magic-trace"_s << QString() << 0700
                                       << Failure::InvalidRequest << u"https"_s;
        QTest::newRow("malformed hash") << u"/ok"_s << u"abc"_s << 0700 << Failure::InvalidRequest << u"64"_s;
    }
    void refusesBeforeDownloading()
    {
        QFETCH(QString, url);
        QFETCH(QString, sha);
        QFETCH(int, mode);
        QFETCH(Failure, failure);
        QFETCH(QString, errorMentions);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString target = dir.filePath(u"target"_s);
        if (mode == 0) {
            QFile file(target);
            QVERIFY(file.open(QIODevice::WriteOnly));
        } else {
            QVERIFY(QDir().mkpath(target));
            QCOMPARE(::chmod(QFile::encodeName(target).constData(), mode), 0);
        }
        const int before = m_server->requests;
        MagicTraceInstaller installer;
        installer.setUrl(url.startsWith(u'/') ? m_server->url(url) : QUrl(url));
        installer.setTargetDirectory(target);
        installer.setExpectedSha256(sha);
        QSignalSpy finished(&installer, &MagicTraceInstaller::finished);
        installer.start();
        QCOMPARE(finished.size(), 0); // reported asynchronously, like every other outcome
        QVERIFY(finished.wait(5000));
        const auto result = finished.first().first().value<InstallResult>();
        QCOMPARE(result.failure, failure);
        QVERIFY2(result.error.contains(errorMentions), qPrintable(result.error));
        QCOMPARE(m_server->requests, before); // refused before any network traffic
        if (mode != 0)
            QVERIFY(entries(target).isEmpty());
    }

    void createsAPrivateTargetDirectory()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString target = dir.filePath(u"a/b/bin"_s);
        QString error;
        QVERIFY2(MagicTraceInstaller::prepareTargetDirectory(target, &error), qPrintable(error));
        struct stat st = {};
        QCOMPARE(::stat(QFile::encodeName(target).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0700);
        QVERIFY(!MagicTraceInstaller::prepareTargetDirectory(u"relative/bin"_s, &error));
        QVERIFY(error.contains(u"absolute"_s));
    }

    void concurrentInstallsDoNotCorruptEachOther()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MagicTraceInstaller first;
        MagicTraceInstaller second;
        for (MagicTraceInstaller* installer : { &first, &second }) {
            installer->setUrl(m_server->url(u"/ok"_s));
            installer->setTargetDirectory(dir.path());
        }
        QSignalSpy firstDone(&first, &MagicTraceInstaller::finished);
        QSignalSpy secondDone(&second, &MagicTraceInstaller::finished);
        first.start();
        second.start();
        QTRY_VERIFY_WITH_TIMEOUT(firstDone.size() == 1 && secondDone.size() == 1, 30'000);
        QVERIFY(firstDone.first().first().value<InstallResult>().ok());
        QVERIFY(secondDone.first().first().value<InstallResult>().ok());
        QCOMPARE(entries(dir.path()), QStringList { u"magic-trace"_s });
        QCOMPARE(readAll(dir.filePath(u"magic-trace"_s)), m_server->body);
    }

    void secondStartWhileRunningIsRefused()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MagicTraceInstaller installer;
        installer.setUrl(m_server->url(u"/stall"_s));
        installer.setTargetDirectory(dir.path());
        QSignalSpy finished(&installer, &MagicTraceInstaller::finished);
        installer.start();
        installer.start();
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().first().value<InstallResult>().failure, Failure::Busy);
        QVERIFY(installer.isRunning()); // the first one goes on
        installer.cancel();
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.last().first().value<InstallResult>().failure, Failure::Canceled);
    }

    // No small file system can be mounted here, so "disk full" is simulated with the file size limit
    // (RLIMIT_FSIZE): writes beyond it fail with EFBIG exactly where ENOSPC would.
    void writeFailureLeavesNothing()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MagicTraceInstaller installer;
        installer.setUrl(m_server->url(u"/ok"_s));
        installer.setTargetDirectory(dir.path());

        struct rlimit saved = {};
        QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
        const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = saved;
        small.rlim_cur = 64 * 1024;
        QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
        const InstallResult result = installer.installAndWait();
        ::setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, previousHandler);

        QCOMPARE(result.failure, Failure::WriteFailed);
        QVERIFY2(result.error.contains(u"too large"_s, Qt::CaseInsensitive), qPrintable(result.error));
        QVERIFY(entries(dir.path()).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMagicTraceInstaller)
#include "tst_magictraceinstaller.moc"
