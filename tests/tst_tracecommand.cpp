// SPDX-License-Identifier: MIT
// `magic-trace-studio trace` end to end with the magic-trace test double: what a script relies on (stdout holds
// only the trace path, exit statuses, Ctrl-C and --stop-after stop properly, the diagnosis on failure), and the
// trace it produces opens with `inspect`.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr int kWait = 60'000;

} // namespace

class TestTraceCommand : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_target;

    qint64 startTarget()
    {
        m_target = std::make_unique<QProcess>();
        m_target->start(u"sleep"_s, { u"60"_s });
        return m_target->waitForStarted(kWait) ? m_target->processId() : 0;
    }

    QProcessEnvironment environment(const QByteArray& scenario = "ok", int attachDelayMs = 200) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"FAKE_MAGIC_TRACE_VERSION"_s, u"v1.2.4"_s);
        env.insert(u"FAKE_MAGIC_TRACE_SCENARIO"_s, QString::fromLatin1(scenario));
        env.insert(u"FAKE_MAGIC_TRACE_ATTACH_DELAY_MS"_s, QString::number(attachDelayMs));
        env.insert(u"FAKE_MAGIC_TRACE_DECODE_MS"_s, u"100"_s);
        env.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"data"_s));
        env.remove(u"MAGIC_TRACE_PATH"_s);
        return env;
    }

    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    Run trace(const QStringList& arguments, const QProcessEnvironment& env)
    {
        QProcess app;
        app.setProcessEnvironment(env);
        app.start(QStringLiteral(MTS_APP_PATH), QStringList { u"trace"_s } + arguments);
        Run r;
        if (!app.waitForFinished(kWait))
            return r;
        r.exitCode = app.exitStatus() == QProcess::NormalExit ? app.exitCode() : -1;
        r.out = app.readAllStandardOutput();
        r.err = app.readAllStandardError();
        return r;
    }

    QStringList fake() const { return { u"--magic-trace"_s, QStringLiteral(MTS_FAKE_MAGIC_TRACE) }; }

private Q_SLOTS:
    void cleanup()
    {
        if (m_target) {
            m_target->kill();
            m_target->waitForFinished();
            m_target.reset();
        }
    }

    void stopAfterWritesATraceThatInspectOpens()
    {
        const qint64 pid = startTarget();
        const QString output = m_dir.filePath(u"cli.fxt.gz"_s);
        const Run r = trace(
            QStringList { u"--pid"_s, QString::number(pid), u"--output"_s, output, u"--stop-after"_s, u"300ms"_s }
                + fake(),
            environment());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out, output.toLocal8Bit() + '\n'); // stdout: the path and nothing else
        QVERIFY(r.err.contains("[ Attached. Press Ctrl-C to stop recording. ]")); // the live log on stderr
        QVERIFY(r.err.contains("Visit https://magic-trace.org/"));
        QVERIFY(QFileInfo::exists(output + u".log"_s));

        QProcess inspect;
        inspect.start(QStringLiteral(MTS_APP_PATH), { u"inspect"_s, u"--json"_s, output });
        QVERIFY(inspect.waitForFinished(kWait));
        QCOMPARE(inspect.exitCode(), 0);
        const QJsonObject json = QJsonDocument::fromJson(inspect.readAllStandardOutput()).object();
        QCOMPARE(json.value(u"format"_s).toString(), u"gzip"_s);
        QVERIFY(json.value(u"complete"_s).toBool());
        QVERIFY(json.value(u"slices"_s).toInteger() > 0);
        QCOMPARE(json.value(u"providers"_s).toVariant().toList().value(0).toMap().value(u"name"_s).toString(),
            u"jane_tracing"_s);
    }

    void ctrlCStopsProperly()
    {
        const qint64 pid = startTarget();
        const QString output = m_dir.filePath(u"ctrlc.fxt"_s);
        QProcess app;
        app.setProcessEnvironment(environment());
        app.start(QStringLiteral(MTS_APP_PATH),
            QStringList { u"trace"_s, u"--pid"_s, QString::number(pid), u"--output"_s, output } + fake());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += app.readAllStandardError()).contains("[ Attached"), kWait);
        ::kill(pid_t(app.processId()), SIGINT);
        QVERIFY(app.state() == QProcess::NotRunning || app.waitForFinished(kWait));
        err += app.readAllStandardError();
        QVERIFY2(app.exitCode() == 0, err.constData());
        QCOMPARE(app.readAllStandardOutput(), output.toLocal8Bit() + '\n');
        QVERIFY(err.contains("stopping"));
        QVERIFY(QFileInfo(output).size() > 0);
    }

    void ctrlCBeforeAttachIsHeld()
    {
        const qint64 pid = startTarget();
        const QString output = m_dir.filePath(u"early.fxt"_s);
        QProcess app;
        app.setProcessEnvironment(environment("ok", 1500));
        app.start(QStringLiteral(MTS_APP_PATH),
            QStringList { u"trace"_s, u"--pid"_s, QString::number(pid), u"--output"_s, output } + fake());
        QVERIFY(app.waitForStarted(kWait));
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(output + u".log"_s), kWait); // the session has started
        ::kill(pid_t(app.processId()), SIGINT);
        QVERIFY(app.state() == QProcess::NotRunning || app.waitForFinished(kWait));
        err = app.readAllStandardError();
        QVERIFY2(app.exitCode() == 0, err.constData());
        QVERIFY(err.contains("stop held"));
        QVERIFY(QFileInfo(output).size() > 0);
    }

    void threeCtrlCsAbort()
    {
        const qint64 pid = startTarget();
        const QString output = m_dir.filePath(u"abort.fxt"_s);
        QProcess app;
        app.setProcessEnvironment(environment("ok", 20'000));
        app.start(QStringLiteral(MTS_APP_PATH),
            QStringList { u"trace"_s, u"--pid"_s, QString::number(pid), u"--output"_s, output } + fake());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(output + u".log"_s), kWait);
        for (int i = 0; i < 3; ++i) {
            ::kill(pid_t(app.processId()), SIGINT);
            QTest::qWait(100);
        }
        QVERIFY(app.state() == QProcess::NotRunning || app.waitForFinished(kWait));
        QCOMPARE(app.exitCode(), 130);
        QVERIFY(app.readAllStandardOutput().isEmpty());
        QVERIFY(!QFileInfo::exists(output));
    }

    void failurePrintsTheDiagnosis()
    {
        const qint64 pid = startTarget();
        const Run r = trace(
            QStringList { u"--pid"_s, QString::number(pid), u"--output"_s, m_dir.filePath(u"f.fxt"_s) } + fake(),
            environment("perf-paranoid"));
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.isEmpty());
        QVERIFY(r.err.contains("perf-permission"));
        QVERIFY(r.err.contains("sudo sysctl -w kernel.perf_event_paranoid=2"));
        QVERIFY(r.err.contains("perf_event_paranoid setting is 4"));
        QVERIFY(r.err.contains("Full log: "));
    }

    void targetExitStops()
    {
        const qint64 pid = startTarget();
        const QString output = m_dir.filePath(u"exit.fxt"_s);
        QProcess app;
        app.setProcessEnvironment(environment());
        app.start(QStringLiteral(MTS_APP_PATH),
            QStringList { u"trace"_s, u"--pid"_s, QString::number(pid), u"--output"_s, output } + fake());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += app.readAllStandardError()).contains("[ Attached"), kWait);
        m_target->kill();
        QVERIFY(app.state() == QProcess::NotRunning || app.waitForFinished(kWait));
        err += app.readAllStandardError();
        QCOMPARE(app.exitCode(), 0);
        QVERIFY(err.contains("exited; stopping magic-trace"));
    }

    void runAProgram()
    {
        const QString output = m_dir.filePath(u"run.fxt"_s);
        const Run r = trace(QStringList { u"--output"_s, output, u"--env"_s, u"WHO=script"_s, u"--cwd"_s, m_dir.path() }
                + fake() + QStringList { u"--"_s, u"sh"_s, u"-c"_s, u"echo \"hi $WHO\"; sleep 0.1"_s },
            environment());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out, output.toLocal8Bit() + '\n'); // the program's stdout went to our stderr
        QVERIFY(r.err.contains("hi script"));
    }

    void defaultOutputFolder()
    {
        const qint64 pid = startTarget();
        const Run r = trace(
            QStringList { u"--pid"_s, QString::number(pid), u"--stop-after"_s, u"0.2s"_s } + fake(), environment());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString path = QString::fromLocal8Bit(r.out).trimmed();
        QVERIFY2(path.startsWith(m_dir.filePath(u"data/"_s)), qPrintable(path));
        QVERIFY(path.contains(u"/traces/"_s));
        QVERIFY(path.endsWith(u".fxt.gz"_s));
        QVERIFY(QFileInfo::exists(path));
        // It went into the trace library: a sidecar names the trace, the target and the outcome.
        const QFileInfo trace(path);
        bool recorded = false;
        for (const QFileInfo& sidecar : QDir(trace.absolutePath()).entryInfoList({ u"*.json"_s }, QDir::Files)) {
            QFile file(sidecar.absoluteFilePath());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QJsonObject object = QJsonDocument::fromJson(file.readAll()).object();
            if (object.value(u"traceFile"_s).toString() != trace.fileName())
                continue;
            recorded = true;
            QCOMPARE(object.value(u"outcome"_s).toString(), u"succeeded"_s);
            QCOMPARE(object.value(u"targetPid"_s).toInteger(), pid);
            QCOMPARE(object.value(u"mode"_s).toString(), u"attach"_s);
        }
        QVERIFY2(recorded, "no library sidecar for the trace");
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("nothing") << QStringList {} << u"either --pid"_s;
        QTest::newRow("both") << QStringList { u"--pid"_s, u"1"_s, u"--"_s, u"ls"_s } << u"either --pid"_s;
        QTest::newRow("empty program") << QStringList { u"--"_s } << u"no program"_s;
        QTest::newRow("bad pid") << QStringList { u"--pid"_s, u"12x"_s } << u"not a PID"_s;
        QTest::newRow("bad duration") << QStringList { u"--pid"_s, u"1"_s, u"--stop-after"_s, u"soon"_s }
                                      << u"--stop-after"_s;
        QTest::newRow("unknown option") << QStringList { u"--frobnicate"_s } << u"frobnicate"_s;
        QTest::newRow("stray argument") << QStringList { u"--pid"_s, u"1"_s, u"ls"_s } << u"after --"_s;
        QTest::newRow("env without program")
            << QStringList { u"--pid"_s, u"1"_s, u"--env"_s, u"A=b"_s } << u"--cwd and --env"_s;
        QTest::newRow("option too new") << QStringList { u"--pid"_s, u"1"_s, u"--perf"_s, u"/bin/sh"_s } << u"1.2.3"_s;
    }
    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        QProcessEnvironment env = environment();
        env.insert(u"FAKE_MAGIC_TRACE_VERSION"_s, u"v1.0.2"_s);
        const Run r = trace(fake() + arguments, env);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(QString::fromLocal8Bit(r.err).contains(message), r.err.constData());
    }

    void help()
    {
        const Run r = trace({ u"--help"_s }, environment());
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("--stop-after"));
        QVERIFY(r.out.contains("Exit status"));
    }
};

QTEST_GUILESS_MAIN(TestTraceCommand)
#include "tst_tracecommand.moc"
