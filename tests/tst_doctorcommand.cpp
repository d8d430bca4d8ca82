// SPDX-License-Identifier: MIT
// `magic-trace-studio doctor` run as users run it, against fake /proc, /sys and / trees (MTS_PROC_ROOT,
// MTS_SYS_ROOT, MTS_FS_ROOT) and a private HOME. This test program doubles as a fake magic-trace: started with
// "-version" it prints a version, so it can be put in PATH or served for --install.
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <cstring>

using namespace Qt::StringLiterals;

namespace {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

// Serves this test program's own binary at /magic-trace; everything else is 404.
class BinaryServer : public QObject
{
public:
    QByteArray body;
    bool listen()
    {
        QFile self(QCoreApplication::applicationFilePath());
        if (!self.open(QIODevice::ReadOnly))
            return false;
        body = self.readAll();
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    m_requests[socket] += socket->readAll();
                    if (!m_requests[socket].contains("\r\n\r\n"))
                        return;
                    if (m_requests[socket].startsWith("GET /magic-trace ")) {
                        socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: "
                            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                    } else {
                        socket->write("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
                    }
                    socket->disconnectFromHost();
                });
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url(const QString& path) const { return u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path); }

private:
    QTcpServer m_server;
    QHash<QTcpSocket*, QByteArray> m_requests;
};

} // namespace

class TestDoctorCommand : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir;
    BinaryServer m_server;

    QString root(const QString& relative) const { return m_dir->filePath(relative); }

    void write(const QString& relative, const QByteArray& content, bool executable = false)
    {
        const QString path = root(relative);
        QDir().mkpath(QFileInfo(path).path());
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
        file.close();
        if (executable)
            QVERIFY(file.setPermissions(file.permissions() | QFileDevice::ExeOwner));
    }

    // A machine that can trace: Intel PT, perf 5.15, paranoid 2, uid 1000; magic-trace only when asked.
    void buildGoodMachine(bool withMagicTrace)
    {
        write(u"sys/bus/event_source/devices/intel_pt/caps/psb_cyc"_s, "1\n");
        write(u"sys/bus/event_source/devices/cpu/type"_s, "4\n");
        write(u"proc/cpuinfo"_s, "vendor_id\t: GenuineIntel\nflags\t\t: fpu intel_pt\n");
        write(u"proc/sys/kernel/perf_event_paranoid"_s, "2\n");
        write(u"proc/sys/kernel/perf_event_mlock_kb"_s, "516\n");
        write(u"proc/sys/kernel/kptr_restrict"_s, "1\n");
        write(u"proc/self/status"_s,
            "Name:\tx\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nCapPrm:\t0\nCapEff:\t0\nCapAmb:"
            "\t0\n");
        write(u"fs/etc/os-release"_s, "ID=debian\n");
        write(u"bin/perf"_s, "#!/bin/sh\necho 'perf version 5.15.0'\n", true);
        QDir().mkpath(root(u"tmp"_s));
        QDir().mkpath(root(u"home"_s));
        if (withMagicTrace)
            QVERIFY(QFile::link(QCoreApplication::applicationFilePath(), root(u"bin/magic-trace"_s)));
    }

    Result doctor(const QStringList& arguments)
    {
        QProcess process;
        QProcessEnvironment env;
        env.insert(u"MTS_PROC_ROOT"_s, root(u"proc"_s));
        env.insert(u"MTS_SYS_ROOT"_s, root(u"sys"_s));
        env.insert(u"MTS_FS_ROOT"_s, root(u"fs"_s));
        env.insert(u"PATH"_s, root(u"bin"_s));
        env.insert(u"HOME"_s, root(u"home"_s));
        env.insert(u"XDG_CONFIG_HOME"_s, root(u"home/.config"_s));
        env.insert(u"XDG_DATA_HOME"_s, root(u"home/.local/share"_s));
        env.insert(u"TMPDIR"_s, root(u"tmp"_s));
        env.insert(u"LANG"_s, u"C.UTF-8"_s);
        process.setProcessEnvironment(env);
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(QStringLiteral(MTS_APP_PATH), QStringList { u"doctor"_s } + arguments);
        // An event loop, not waitForFinished(): the HTTP server of the --install cases lives on this thread.
        if (!finished.wait(120'000)) {
            process.kill();
            process.waitForFinished();
            return { -1, {}, u"did not finish"_s };
        }
        return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
            QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError()) };
    }

    static QJsonObject parseJson(const Result& result)
    {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(result.out.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError)
            qWarning("not JSON (%s): %s", qPrintable(error.errorString()), qPrintable(result.out.left(500)));
        return document.object();
    }
    static QStringList ids(const QJsonObject& json)
    {
        QStringList list;
        for (const QJsonValue& finding : json.value(u"findings"_s).toArray())
            list << finding.toObject().value(u"id"_s).toString();
        return list;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_server.listen()); }
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void goodMachineCanTrace()
    {
        buildGoodMachine(true);
        const Result result = doctor({});
        QVERIFY2(result.exitCode == 0, qPrintable(result.out + result.err));
        QVERIFY(result.out.contains(u"Verdict: a trace can be taken"_s));
        QVERIFY2(result.out.simplified().contains(u"magic-trace v1.2.4 at "_s + root(u"bin/magic-trace"_s)),
            qPrintable(result.out));
        QVERIFY(result.out.contains(u"perf 5.15.0"_s));
        QVERIFY(!result.out.contains(u"BLOCKER"_s));
    }

    // What our own build machine looks like: AMD in a VM, no Intel PT, no perf, no magic-trace.
    void machineLikeOursSaysSoPlainly()
    {
        write(u"proc/cpuinfo"_s, "vendor_id\t: AuthenticAMD\nflags\t\t: fpu hypervisor\n");
        write(u"proc/sys/kernel/perf_event_paranoid"_s, "2\n");
        write(u"proc/self/status"_s, "Uid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n");
        write(u"fs/.dockerenv"_s, "");
        QDir().mkpath(root(u"bin"_s));
        const Result result = doctor({});
        QCOMPARE(result.exitCode, 1);
        for (const QString& expected : { u"BLOCKER   magic-trace is not installed"_s,
                 u"magic-trace-studio doctor --install"_s, u"No Intel Processor Trace"_s, u"AMD processor"_s,
                 u"perf is not installed"_s, u"sudo apt install linux-perf"_s, u"docker container"_s,
                 u"Verdict: NO trace can be taken on this machine until the 3 problems"_s }) {
            QVERIFY2(result.out.contains(expected), qPrintable(expected + u"\n---\n"_s + result.out));
        }
    }

    void jsonOutput()
    {
        buildGoodMachine(false);
        const Result result = doctor({ u"--json"_s });
        QCOMPARE(result.exitCode, 1);
        const QJsonObject json = parseJson(result);
        QCOMPARE(json.value(u"canTrace"_s).toBool(true), false);
        QVERIFY(ids(json).contains(u"magic-trace.missing"_s));
        QVERIFY(ids(json).contains(u"intel-pt.present"_s));
        QCOMPARE(json.value(u"magicTrace"_s).toObject().value(u"found"_s).toBool(true), false);
        QCOMPARE(json.value(u"facts"_s).toObject().value(u"perfVersion"_s).toString(), u"5.15.0"_s);
    }

    void installThenCheck()
    {
        buildGoodMachine(false);
        const Result result = doctor({ u"--install"_s, u"--url"_s, m_server.url(u"/magic-trace"_s) });
        QVERIFY2(result.exitCode == 0, qPrintable(result.out + result.err));
        QVERIFY2(result.err.contains(u"NOT verified"_s), qPrintable(result.err));
        QVERIFY2(result.out.contains(u"magic-trace v1.2.4 at"_s)
                && result.out.contains(root(u"home/.local/share/"_s) + u"magic-trace-studio/magic-trace-studio/bin"_s),
            qPrintable(result.out + result.err));

        // Installed once, it is found again without --install.
        const QJsonObject json = parseJson(doctor({ u"--json"_s }));
        QCOMPARE(json.value(u"magicTrace"_s)
                     .toObject()
                     .value(u"candidates"_s)
                     .toArray()
                     .last()
                     .toObject()
                     .value(u"source"_s),
            u"app-install"_s);
        QVERIFY(json.value(u"canTrace"_s).toBool());
    }

    void installWithChecksumAndJson()
    {
        buildGoodMachine(false);
        const QString sha
            = QString::fromLatin1(QCryptographicHash::hash(m_server.body, QCryptographicHash::Sha256).toHex());
        const Result result
            = doctor({ u"--json"_s, u"--install"_s, u"--url"_s, m_server.url(u"/magic-trace"_s), u"--sha256"_s, sha });
        QCOMPARE(result.exitCode, 0);
        const QJsonObject install = parseJson(result).value(u"install"_s).toObject();
        QVERIFY(install.value(u"ok"_s).toBool());
        QVERIFY(install.value(u"verified"_s).toBool());
        QCOMPARE(install.value(u"sha256"_s).toString(), sha);
    }

    void failedInstallSaysWhy()
    {
        buildGoodMachine(false);
        const Result result = doctor({ u"--install"_s, u"--url"_s, m_server.url(u"/nothing"_s) });
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(
            result.err.contains(u"Installation failed"_s) && result.err.contains(u"404"_s), qPrintable(result.err));
        QVERIFY(result.out.contains(u"magic-trace is not installed"_s));
    }

    void brokenConfiguredMagicTraceIsReported()
    {
        buildGoodMachine(true);
        write(u"opt/magic-trace"_s, "#!/bin/sh\necho 'I am not magic-trace'\n", true);
        const Result result = doctor({ u"--magic-trace"_s, root(u"opt/magic-trace"_s) });
        QCOMPARE(result.exitCode, 0); // the one in PATH still works
        QVERIFY2(result.out.contains(u"WARNING   The configured magic-trace is unusable"_s), qPrintable(result.out));
    }

    void targetProcess()
    {
        buildGoodMachine(true);
        const Result result = doctor({ u"--pid"_s, u"999999"_s });
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.out.contains(u"Process 999999 cannot be traced"_s), qPrintable(result.out));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("unknown option") << QStringList { u"--bogus"_s };
        QTest::newRow("bad pid") << QStringList { u"--pid"_s, u"abc"_s };
        QTest::newRow("stray argument") << QStringList { u"now"_s };
    }
    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        const Result result = doctor(arguments);
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.err.contains(u"magic-trace-studio doctor"_s));
    }

    void help()
    {
        const Result result = doctor({ u"--help"_s });
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains(u"--json"_s));
        QVERIFY(result.out.contains(u"--install"_s));
    }
};

int main(int argc, char** argv)
{
    if (argc == 2 && std::strcmp(argv[1], "-version") == 0) {
        std::puts("v1.2.4");
        return 0;
    }
    QCoreApplication app(argc, argv);
    TestDoctorCommand test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_doctorcommand.moc"
