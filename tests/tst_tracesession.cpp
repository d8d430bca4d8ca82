// SPDX-License-Identifier: MIT
// TraceSession against the magic-trace test double (tests/fake-magic-trace): every state transition, the stop and
// abort paths, the failure cases of the protocol notes, the target-exit rule, the stderr flood, concurrency.
#include "trace/traceoutput.h"
#include "trace/tracesession.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <unistd.h>

using namespace Qt::StringLiterals;
using State = TraceSession::State;
Q_DECLARE_METATYPE(Diagnosis::Case)

namespace {

constexpr int kWait = 30'000; // generous: two test programs may share a loaded 2-core machine

MagicTraceCapabilities caps(const QString& version)
{
    return MagicTraceCapabilities::forVersion(*MagicTraceVersion::parse(version));
}

QMap<QString, QString> readRecord(const QString& path)
{
    QMap<QString, QString> values;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return values;
    const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    for (const QString& line : lines) {
        const qsizetype eq = line.indexOf(u'=');
        const QString key = line.left(eq);
        values.insert(key, values.contains(key) ? values.value(key) + u' ' + line.mid(eq + 1) : line.mid(eq + 1));
    }
    return values;
}

bool processGone(qint64 pid)
{
    return pid > 0 && ::kill(pid_t(pid), 0) == -1 && errno == ESRCH;
}

} // namespace

class TestTraceSession : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_target;

    qint64 startTarget()
    {
        m_target = std::make_unique<QProcess>();
        m_target->start(u"sleep"_s, { u"60"_s });
        if (!m_target->waitForStarted(kWait))
            return 0;
        return m_target->processId();
    }

    TraceRequest attachRequest(qint64 pid, const QString& name = u"trace.fxt"_s)
    {
        TraceRequest r;
        r.mode = TraceRequest::Mode::Attach;
        r.pids = { pid };
        r.outputPath = m_dir.filePath(name);
        return r;
    }

    // The states a session went through, from its stateChanged signals.
    static QList<State> states(const QSignalSpy& spy)
    {
        QList<State> result;
        for (const QList<QVariant>& args : spy)
            result.append(args.at(0).value<State>());
        return result;
    }

    static bool waitEnded(TraceSession& s, int timeout = kWait)
    {
        if (!s.isActive())
            return true;
        QSignalSpy spy(&s, &TraceSession::finished);
        return spy.wait(timeout) || !s.isActive();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QFileInfo(QStringLiteral(MTS_FAKE_MAGIC_TRACE)).isExecutable());
    }

    void init()
    {
        qputenv("FAKE_MAGIC_TRACE_VERSION", "v1.2.4");
        qputenv("FAKE_MAGIC_TRACE_SCENARIO", "ok");
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "200");
        qputenv("FAKE_MAGIC_TRACE_DECODE_MS", "100");
        qputenv("FAKE_MAGIC_TRACE_RECORD", m_dir.filePath(u"record.txt"_s).toLocal8Bit());
        qunsetenv("FAKE_MAGIC_TRACE_FLOOD_BYTES");
        QFile::remove(m_dir.filePath(u"record.txt"_s));
    }

    void cleanup()
    {
        if (m_target) {
            m_target->kill();
            m_target->waitForFinished(kWait);
            m_target.reset();
        }
    }

    void attachAndStop_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QString>("format");
        QTest::newRow("v1.2.4 gzip") << u"v1.2.4"_s << u"a.fxt.gz"_s << u"gzip"_s;
        QTest::newRow("v1.2.4 zstd") << u"v1.2.4"_s << u"b.fxt.zst"_s << u"zstd"_s;
        QTest::newRow("v1.2.4 raw") << u"v1.2.4"_s << u"c.fxt"_s << u"fxt"_s;
        QTest::newRow("v1.0.2 raw") << u"v1.0.2"_s << u"d.fxt"_s << u"fxt"_s;
        QTest::newRow("v1.2.1 raw") << u"v1.2.1"_s << u"e.fxt"_s << u"fxt"_s;
    }
    void attachAndStop()
    {
        QFETCH(QString, version);
        QFETCH(QString, fileName);
        QFETCH(QString, format);
        qputenv("FAKE_MAGIC_TRACE_VERSION", version.toLatin1());
        const qint64 pid = startTarget();
        QVERIFY(pid > 0);
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(version), attachRequest(pid, fileName));
        QSignalSpy stateSpy(&session, &TraceSession::stateChanged);
        QSignalSpy lineSpy(&session, &TraceSession::logLine);
        QSignalSpy finishedSpy(&session, &TraceSession::finished);
        QVERIFY(session.start());
        QCOMPARE(session.state(), State::Starting);
        const QString tempDir = session.temporaryDirectory();
        QVERIFY(QFileInfo(tempDir).isDir());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
        QVERIFY(session.stop());
        QCOMPARE(session.state(), State::Stopping);
        QVERIFY(waitEnded(session));

        QCOMPARE(states(stateSpy),
            (QList<State> { State::Starting, State::Attaching, State::Recording, State::Stopping, State::Decoding,
                State::Finished }));
        QCOMPARE(finishedSpy.size(), 1);
        const TraceResult result = session.result();
        QCOMPARE(result.outcome, TraceResult::Outcome::Finished);
        QCOMPARE(result.outputPath, m_dir.filePath(fileName));
        QCOMPARE(result.outputFormat, format);
        QVERIFY(result.outputSize > 8);
        QString detected;
        QVERIFY(TraceOutput::checkOutput(result.outputPath, &detected, nullptr));
        QCOMPARE(detected, format);
        QVERIFY(result.stopSent);
        QVERIFY(!result.stopWasHeld);
        QCOMPARE(result.exitCode, 0);
        QVERIFY(!result.crashed);
        QVERIFY(!result.diagnosis.isFailure());
        QVERIFY(result.attachTime.isValid() && result.stopTime.isValid() && result.endTime.isValid());
        QVERIFY(result.startTime <= result.attachTime && result.attachTime <= result.stopTime);
        QCOMPARE(result.magicTraceVersion.text, version);

        // Every line was signalled and classified; the protocol markers are progress lines.
        QVERIFY(lineSpy.size() >= 8);
        bool sawVisit = false;
        for (const QList<QVariant>& args : lineSpy) {
            const LogLine line = args.at(0).value<LogLine>();
            if (line.text.startsWith(u"[ "_s))
                QCOMPARE(line.kind, LogLine::Kind::Progress);
            if (line.text.startsWith(u"Warning:"_s))
                QCOMPARE(line.kind, LogLine::Kind::Warning);
            sawVisit = sawVisit || line.text.startsWith(u"Visit https://magic-trace.org/"_s);
        }
        QVERIFY(sawVisit);

        // The whole log is next to the trace; the app-owned TMPDIR is gone; magic-trace ran in the output folder,
        // with our TMPDIR, in a process group of its own.
        QFile log(result.logPath);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray logText = log.readAll();
        QVERIFY(logText.contains("[ Attached. Press Ctrl-C to stop recording. ]"));
        QVERIFY(logText.contains("Visit https://magic-trace.org/"));
        QVERIFY(!QFileInfo::exists(tempDir));
        const auto record = readRecord(m_dir.filePath(u"record.txt"_s));
        QCOMPARE(record.value(u"TMPDIR"_s), tempDir);
        QCOMPARE(QFileInfo(record.value(u"cwd"_s)).canonicalFilePath(), QFileInfo(m_dir.path()).canonicalFilePath());
        QCOMPARE(record.value(u"pgid"_s), record.value(u"pid"_s));
        QVERIFY(record.value(u"arg"_s).contains(u"-pid "_s + QString::number(pid)));
    }

    void stopWhileAttachingIsHeld()
    {
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "700");
        const qint64 pid = startTarget();
        TraceSession session(
            QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), attachRequest(pid, u"held.fxt"_s));
        QSignalSpy stateSpy(&session, &TraceSession::stateChanged);
        QSignalSpy heldSpy(&session, &TraceSession::stopHeld);
        QVERIFY(session.start());
        QVERIFY(session.stop()); // during Starting/Attaching: held, not sent (a SIGINT now would kill it)
        QCOMPARE(heldSpy.size(), 1);
        QVERIFY(session.isStopPending());
        QVERIFY(!session.result().stopSent);
        QVERIFY(!session.stop()); // a second request is ignored
        QCOMPARE(heldSpy.size(), 1);
        QVERIFY(waitEnded(session));
        QCOMPARE(session.result().outcome, TraceResult::Outcome::Finished);
        QVERIFY(session.result().stopWasHeld);
        QVERIFY(session.result().stopSent);
        QVERIFY(states(stateSpy).contains(State::Recording));
        QCOMPARE(states(stateSpy).last(), State::Finished);
    }

    void secondStopIsIgnored()
    {
        // With v1.2.4 a second SIGINT kills decoding; Finished proves only one was sent.
        qputenv("FAKE_MAGIC_TRACE_DECODE_MS", "600");
        const qint64 pid = startTarget();
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), attachRequest(pid, u"two.fxt"_s));
        QVERIFY(session.start());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
        QVERIFY(session.stop());
        QVERIFY(!session.stop());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Decoding, kWait);
        QVERIFY(!session.stop());
        QVERIFY(waitEnded(session));
        QCOMPARE(session.result().outcome, TraceResult::Outcome::Finished);
    }

    void secondSigintFromOutside_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<bool>("survives");
        QTest::newRow("v1.0.2 ignores it") << u"v1.0.2"_s << true;
        QTest::newRow("v1.2.0 ignores it") << u"v1.2.0"_s << true;
        QTest::newRow("v1.2.1 dies") << u"v1.2.1"_s << false;
        QTest::newRow("v1.2.4 dies") << u"v1.2.4"_s << false;
    }
    void secondSigintFromOutside()
    {
        QFETCH(QString, version);
        QFETCH(bool, survives);
        qputenv("FAKE_MAGIC_TRACE_VERSION", version.toLatin1());
        qputenv("FAKE_MAGIC_TRACE_DECODE_MS", "800");
        const qint64 pid = startTarget();
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(version), attachRequest(pid, u"ext.fxt"_s));
        QVERIFY(session.start());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
        QVERIFY(session.stop());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Decoding, kWait);
        ::kill(pid_t(session.processId()), SIGINT); // e.g. a second Ctrl-C that reached it
        QVERIFY(waitEnded(session));
        if (survives) {
            QCOMPARE(session.result().outcome, TraceResult::Outcome::Finished);
        } else {
            QCOMPARE(session.result().outcome, TraceResult::Outcome::Failed);
            QVERIFY(session.result().crashed);
            QCOMPARE(session.result().exitSignal, SIGINT);
            QCOMPARE(session.result().diagnosis.kind, Diagnosis::Case::KilledBySignal);
            QVERIFY(!QFileInfo::exists(m_dir.filePath(u"ext.fxt"_s))); // the partial file is removed
        }
    }

    void abortInEveryState_data()
    {
        QTest::addColumn<State>("abortIn");
        QTest::newRow("starting") << State::Starting;
        QTest::newRow("attaching") << State::Attaching;
        QTest::newRow("recording") << State::Recording;
        QTest::newRow("decoding") << State::Decoding;
    }
    void abortInEveryState()
    {
        QFETCH(State, abortIn);
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "600");
        qputenv("FAKE_MAGIC_TRACE_DECODE_MS", "3000");
        const qint64 pid = startTarget();
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), attachRequest(pid, u"ab.fxt"_s));
        QSignalSpy finishedSpy(&session, &TraceSession::finished);
        QVERIFY(session.start());
        if (abortIn == State::Decoding) {
            QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
            session.stop();
        }
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), abortIn, kWait);
        const qint64 magicTracePid = session.processId();
        const QString tempDir = session.temporaryDirectory();
        session.abort();
        QVERIFY(waitEnded(session));
        QCOMPARE(session.state(), State::Cancelled);
        QCOMPARE(finishedSpy.size(), 1);
        QCOMPARE(session.result().outcome, TraceResult::Outcome::Cancelled);
        QCOMPARE(session.result().diagnosis.kind, Diagnosis::Case::Aborted);
        QVERIFY(processGone(magicTracePid));
        QVERIFY(!QFileInfo::exists(tempDir));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(u"ab.fxt"_s)));
        QVERIFY(QFileInfo::exists(session.result().logPath)); // the log is kept
        session.abort(); // harmless afterwards
        QCOMPARE(finishedSpy.size(), 1);
    }

    void targetExitStopsTheTrace()
    {
        const qint64 pid = startTarget();
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), attachRequest(pid, u"te.fxt"_s));
        QSignalSpy exitedSpy(&session, &TraceSession::targetsExited);
        QVERIFY(session.start());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
        m_target->kill(); // magic-trace does not notice (its issue #312); we must
        QVERIFY(exitedSpy.wait(kWait));
        QCOMPARE(exitedSpy.first().at(0).value<QList<qint64>>(), QList<qint64> { pid });
        QVERIFY(waitEnded(session));
        QCOMPARE(session.result().outcome, TraceResult::Outcome::Finished);
        QVERIFY(session.result().targetsExited);
        QVERIFY(session.result().stopSent);
    }

    void targetExitWhileAttachingStopsAfterHandshake()
    {
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "800");
        const qint64 pid = startTarget();
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), attachRequest(pid, u"tea.fxt"_s));
        QVERIFY(session.start());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Attaching, kWait);
        // Once the double has read /proc/PID/exe (as magic-trace does first), the target may go.
        QTRY_VERIFY_WITH_TIMEOUT(readRecord(m_dir.filePath(u"record.txt"_s)).contains(u"preflight"_s), kWait);
        m_target->kill();
        QVERIFY(waitEnded(session));
        QVERIFY2(session.result().outcome == TraceResult::Outcome::Finished,
            qPrintable(session.result().diagnosis.toText()));
        QVERIFY(session.result().stopSent);
        QVERIFY(session.result().targetsExited);
    }

    void failures_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<bool>("needsStop");
        QTest::addColumn<QString>("trigger");
        QTest::addColumn<bool>("kernel");
        QTest::addColumn<Diagnosis::Case>("expected");
        QTest::addColumn<QString>("evidence"); // a text the evidence lines must contain
        using C = Diagnosis::Case;
        QTest::newRow("perf missing") << u"v1.2.4"_s << u"perf-missing"_s << false << QString() << false
                                      << C::PerfMissing << u"relies on \"perf\""_s;
        QTest::newRow("perf version") << u"v1.2.4"_s << u"perf-version-unreadable"_s << false << QString() << false
                                      << C::PerfVersionUnreadable << u"unable to interpret"_s;
        QTest::newRow("no intel pt v1.0.2") << u"v1.0.2"_s << u"no-intel-pt"_s << false << QString() << false
                                            << C::NoIntelPt << u"Intel Processor Trace"_s;
        QTest::newRow("paranoid") << u"v1.2.4"_s << u"perf-paranoid"_s << false << QString() << false
                                  << C::PerfPermission << u"perf_event_paranoid setting is 4"_s;
        QTest::newRow("mlock") << u"v1.2.4"_s << u"perf-mlock"_s << false << QString() << false << C::PerfMemoryLimit
                               << u"Permission error mapping pages"_s;
        QTest::newRow("no such pid") << u"v1.2.4"_s << u"no-such-pid"_s << false << QString() << false
                                     << C::NoSuchProcess << u"readlink"_s;
        QTest::newRow("other user") << u"v1.2.4"_s << u"permission-denied"_s << false << QString() << false
                                    << C::OtherUsersProcess << u"Permission denied"_s;
        QTest::newRow("kernel needs root") << u"v1.2.4"_s << u"kernel-needs-root"_s << false << QString() << true
                                           << C::KernelTracingNeedsRoot << u"as root"_s;
        QTest::newRow("trigger not found") << u"v1.2.4"_s << u"trigger-not-found"_s << false << u"my_func"_s << false
                                           << C::TriggerSymbolNotFound << u"my_func"_s;
        QTest::newRow("no symbol table v1.2.4")
            << u"v1.2.4"_s << u"no-symbol-table"_s << false << u"f"_s << false << C::NoSymbolTable << u"symbol table"_s;
        QTest::newRow("no symbol table v1.0.2")
            << u"v1.0.2"_s << u"no-symbol-table"_s << false << u"f"_s << false << C::NoSymbolTable << u"symbol table"_s;
        QTest::newRow("tmpdir read-only") << u"v1.2.4"_s << u"tmpdir-readonly"_s << false << QString() << false
                                          << C::TempDirUnwritable << u"Read-only file system"_s;
        QTest::newRow("perf fails after attach") << u"v1.2.4"_s << u"perf-fails-after-attach"_s << true << QString()
                                                 << false << C::PerfFailedWhileRecording << u"No child process"_s;
        QTest::newRow("decode crash") << u"v1.2.4"_s << u"decode-crash"_s << true << QString() << false
                                      << C::DecodeCrashed << u"BUG: assumptions violated"_s;
        QTest::newRow("perf 6") << u"v1.2.4"_s << u"perf6-parse-bug"_s << true << QString() << false
                                << C::PerfOutputUnreadable << u"tr strt jmp"_s;
        QTest::newRow("string too long") << u"v1.2.4"_s << u"string-too-long"_s << true << QString() << false
                                         << C::StringTooLong << u"32kb"_s;
        QTest::newRow("no output") << u"v1.2.4"_s << u"no-output"_s << true << QString() << false << C::OutputInvalid
                                   << u"Visit"_s;
        QTest::newRow("garbage output") << u"v1.2.4"_s << u"garbage-output"_s << true << QString() << false
                                        << C::OutputInvalid << u"Visit"_s;
    }
    void failures()
    {
        QFETCH(QString, version);
        QFETCH(QString, scenario);
        QFETCH(bool, needsStop);
        QFETCH(QString, trigger);
        QFETCH(bool, kernel);
        QFETCH(Diagnosis::Case, expected);
        QFETCH(QString, evidence);
        qputenv("FAKE_MAGIC_TRACE_VERSION", version.toLatin1());
        qputenv("FAKE_MAGIC_TRACE_SCENARIO", scenario.toLatin1());
        const qint64 pid = startTarget();
        TraceRequest request = attachRequest(pid, u"fail.fxt"_s);
        request.trigger = trigger;
        request.includeKernel = kernel;
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(version), request);
        QSignalSpy stateSpy(&session, &TraceSession::stateChanged);
        QVERIFY(session.start());
        if (needsStop) {
            QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
            session.stop();
        }
        QVERIFY(waitEnded(session));
        const TraceResult result = session.result();
        QCOMPARE(session.state(), State::Failed);
        QCOMPARE(result.outcome, TraceResult::Outcome::Failed);
        QCOMPARE(result.diagnosis.kind, expected);
        QVERIFY(!result.diagnosis.sentence.isEmpty());
        QVERIFY2(result.diagnosis.evidence.join(u'\n').contains(evidence),
            qPrintable(result.diagnosis.evidence.join(u'\n')));
        if (!needsStop) {
            QVERIFY(!states(stateSpy).contains(State::Recording)); // it never attached
            QCOMPARE(result.exitCode, 1);
        }
        QVERIFY(!QFileInfo::exists(m_dir.filePath(u"fail.fxt"_s))); // no partial trace left
        QVERIFY(QFileInfo::exists(result.logPath));
    }

    void commandLineRefusedByAnOlderMagicTrace()
    {
        // The capabilities claim 1.2.4 but the binary is 1.0.2: it rejects -sampling with Core's parse error.
        qputenv("FAKE_MAGIC_TRACE_VERSION", "v1.0.2");
        const qint64 pid = startTarget();
        TraceRequest request = attachRequest(pid, u"cl.fxt"_s);
        request.sampling = true;
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), request);
        QVERIFY(session.start());
        QVERIFY(waitEnded(session));
        QCOMPARE(session.result().diagnosis.kind, Diagnosis::Case::CommandLineError);
        QVERIFY(session.result().diagnosis.sentence.contains(u"unknown flag -sampling"_s));
    }

    void refusedBeforeStarting()
    {
        const qint64 pid = startTarget();
        TraceRequest request = attachRequest(pid, u"r.fxt"_s);
        request.sampling = true;
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.0.2"_s), request);
        QSignalSpy finishedSpy(&session, &TraceSession::finished);
        QString error;
        QVERIFY(!session.start(&error));
        QVERIFY(error.contains(u"1.2.0"_s));
        QCOMPARE(session.state(), State::Failed);
        QCOMPARE(finishedSpy.size(), 1);
        QCOMPARE(session.result().diagnosis.sentence, error);
        QVERIFY(!QFileInfo::exists(m_dir.filePath(u"record.txt"_s))); // magic-trace was never run
    }

    void failedToStart()
    {
        const qint64 pid = startTarget();
        TraceSession session(
            m_dir.filePath(u"no-such-magic-trace"_s), caps(u"v1.2.4"_s), attachRequest(pid, u"x.fxt"_s));
        session.start();
        QVERIFY(waitEnded(session));
        QCOMPARE(session.state(), State::Failed);
        QCOMPARE(session.result().diagnosis.kind, Diagnosis::Case::FailedToStart);
    }

    void attachTimeout()
    {
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "20000");
        const qint64 pid = startTarget();
        TraceRequest request = attachRequest(pid, u"to.fxt"_s);
        request.attachTimeoutMs = 400;
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), request);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(session.start());
        QVERIFY(waitEnded(session));
        QVERIFY(timer.elapsed() < 10'000);
        QCOMPARE(session.state(), State::Failed);
        QCOMPARE(session.result().diagnosis.kind, Diagnosis::Case::AttachTimeout);
        QVERIFY(processGone(session.processId()));
    }

    void decodeTimeoutOnlyWhenAsked()
    {
        qputenv("FAKE_MAGIC_TRACE_DECODE_MS", "20000");
        const qint64 pid = startTarget();
        TraceRequest request = attachRequest(pid, u"dt.fxt"_s);
        request.decodeTimeoutMs = 500;
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), request);
        QVERIFY(session.start());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
        session.stop();
        QVERIFY(waitEnded(session));
        QCOMPARE(session.result().diagnosis.kind, Diagnosis::Case::DecodeTimeout);
        QVERIFY(!QFileInfo::exists(m_dir.filePath(u"dt.fxt"_s)));
    }

    void triggerHitFinishesWithoutStop()
    {
        qputenv("FAKE_MAGIC_TRACE_SCENARIO", "trigger-hit");
        qputenv("FAKE_MAGIC_TRACE_TRIGGER_HIT_MS", "200");
        const qint64 pid = startTarget();
        TraceRequest request = attachRequest(pid, u"hit.fxt"_s);
        request.trigger = u"my_function"_s;
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), request);
        QSignalSpy stateSpy(&session, &TraceSession::stateChanged);
        QList<State> stateAtAttaching;
        connect(&session, &TraceSession::logLine, this, [&](const LogLine& line) {
            if (line.text.startsWith(u"[ Attaching to"_s))
                stateAtAttaching.append(session.state());
        });
        QVERIFY(session.start());
        QVERIFY(waitEnded(session));
        // "[ Attaching to my_function @ 0x...]" is not the handshake.
        QCOMPARE(stateAtAttaching, QList<State> { State::Attaching });
        QCOMPARE(states(stateSpy),
            (QList<State> { State::Starting, State::Attaching, State::Recording, State::Stopping, State::Decoding,
                State::Finished }));
        QVERIFY(session.result().triggerHit);
        QVERIFY(!session.result().stopSent);
        QCOMPARE(session.result().outcome, TraceResult::Outcome::Finished);
    }

    void externalSigtermKills()
    {
        const qint64 pid = startTarget();
        TraceSession session(
            QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), attachRequest(pid, u"term.fxt"_s));
        QVERIFY(session.start());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
        ::kill(pid_t(session.processId()), SIGTERM);
        QVERIFY(waitEnded(session));
        QCOMPARE(session.result().diagnosis.kind, Diagnosis::Case::KilledBySignal);
        QCOMPARE(session.result().exitSignal, SIGTERM);
        QVERIFY(session.result().diagnosis.sentence.contains(u"SIGTERM"_s));
    }

    void floodIsDrainedWithBoundedMemory_data()
    {
        QTest::addColumn<bool>("perLine");
        QTest::newRow("logBatch receiver") << false;
        QTest::newRow("logLine receiver") << true;
    }
    void floodIsDrainedWithBoundedMemory()
    {
        QFETCH(bool, perLine);
        qputenv("FAKE_MAGIC_TRACE_SCENARIO", "flood");
        qputenv("FAKE_MAGIC_TRACE_FLOOD_BYTES", QByteArray::number(50 * 1024 * 1024));
        const qint64 pid = startTarget();
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), attachRequest(pid, u"fl.fxt"_s));
        qint64 lines = 0;
        if (perLine)
            connect(&session, &TraceSession::logLine, this, [&lines](const LogLine&) { ++lines; });
        else
            connect(
                &session, &TraceSession::logBatch, this, [&lines](const LogBatch& batch) { lines += batch.size(); });
        QVERIFY(session.start());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
        session.stop();
        QVERIFY(waitEnded(session, 120'000));
        QCOMPARE(session.result().outcome, TraceResult::Outcome::Finished);
        QVERIFY(lines > 500'000);
        QCOMPARE(session.result().logLineCount, lines);
        QVERIFY(session.result().logByteCount > 50 * 1024 * 1024);
        // In memory: only the head and the tail.
        QVERIFY(session.recentLog().size() <= 2200);
        QVERIFY(session.logBuffer().droppedLines() > 0);
        // The last lines are kept (the success line is among them); the whole log is on disk, every line.
        QVERIFY(session.recentLog().last().text.startsWith(u"Visit https://magic-trace.org/"_s));
        QFile log(session.result().logPath);
        QVERIFY(log.open(QIODevice::ReadOnly));
        qint64 fileLines = 0;
        qint64 warnings = 0;
        while (!log.atEnd()) {
            const QByteArray line = log.readLine();
            if (!line.startsWith('#'))
                ++fileLines;
            if (line.contains(
                    " E| Warning: perf reported an error decoding the trace: 'Overflow packet (foo)' @ IP 0x"))
                ++warnings;
        }
        QCOMPARE(fileLines, lines);
        QVERIFY(warnings > 500'000);
        QVERIFY(log.size() > 50 * 1024 * 1024);
        log.close();
        QFile::remove(session.result().logPath);
    }

    void batchesAndLinesAgree()
    {
        // The same lines, in the same order, whichever signal one follows; logLine interleaves with the state
        // changes, logBatch comes after the state changes of its lines.
        qputenv("FAKE_MAGIC_TRACE_VERSION", "v1.2.4");
        const qint64 pid = startTarget();
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), attachRequest(pid, u"ag.fxt"_s));
        QList<LogLine> perLine;
        QList<LogLine> fromBatches;
        QList<State> stateAtAttachedBatch;
        connect(&session, &TraceSession::logLine, this, [&](const LogLine& line) { perLine.append(line); });
        connect(&session, &TraceSession::logBatch, this, [&](const LogBatch& batch) {
            QVERIFY(!batch.isEmpty());
            for (qsizetype i = 0; i < batch.size(); ++i) {
                fromBatches.append(batch.line(i));
                if (batch.text(i).startsWith(u"[ Attached"_s))
                    stateAtAttachedBatch.append(session.state());
            }
        });
        QVERIFY(session.start());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
        session.stop();
        QVERIFY(waitEnded(session));
        QCOMPARE(session.result().outcome, TraceResult::Outcome::Finished);
        QCOMPARE(stateAtAttachedBatch, QList<State> { State::Recording });
        QCOMPARE(fromBatches.size(), perLine.size());
        QCOMPARE(qint64(perLine.size()), session.result().logLineCount);
        QVERIFY(perLine.size() >= 5);
        for (qsizetype i = 0; i < perLine.size(); ++i) {
            QCOMPARE(fromBatches.at(i).text, perLine.at(i).text);
            QCOMPARE(fromBatches.at(i).kind, perLine.at(i).kind);
            QCOMPARE(fromBatches.at(i).stream, perLine.at(i).stream);
            QCOMPARE(fromBatches.at(i).timeMs, perLine.at(i).timeMs);
            QCOMPARE(fromBatches.at(i).kind, LogLine::classify(perLine.at(i).text));
        }
        QVERIFY(perLine.last().text.startsWith(u"Visit https://magic-trace.org/"_s));
        // The kept log is the same lines.
        const QList<LogLine> kept = session.recentLog();
        QCOMPARE(kept.size(), perLine.size());
        for (qsizetype i = 0; i < kept.size(); ++i)
            QCOMPARE(kept.at(i).text, perLine.at(i).text);
    }

    void concurrentTraces()
    {
        const qint64 pid1 = startTarget();
        QProcess second;
        second.start(u"sleep"_s, { u"60"_s });
        QVERIFY(second.waitForStarted(kWait));
        TraceSession a(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), attachRequest(pid1, u"c1.fxt"_s));
        TraceSession b(
            QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), attachRequest(second.processId(), u"c2.fxt.gz"_s));
        QVERIFY(a.start());
        QVERIFY(b.start());
        QVERIFY(a.temporaryDirectory() != b.temporaryDirectory());
        QTRY_VERIFY_WITH_TIMEOUT(a.state() == State::Recording && b.state() == State::Recording, kWait);
        a.stop();
        b.stop();
        QVERIFY(waitEnded(a));
        QVERIFY(waitEnded(b));
        second.kill();
        second.waitForFinished();
        QCOMPARE(a.result().outcome, TraceResult::Outcome::Finished);
        QCOMPARE(b.result().outcome, TraceResult::Outcome::Finished);
        QCOMPARE(a.result().outputFormat, u"fxt"_s);
        QCOMPARE(b.result().outputFormat, u"gzip"_s);
    }

    void runMode()
    {
        QTemporaryDir programDir;
        TraceRequest request;
        request.mode = TraceRequest::Mode::Run;
        request.program = u"sh"_s;
        request.programArguments = { u"-c"_s, u"echo \"hello $GREETING from $(pwd)\"; sleep 0.2"_s };
        request.workingDirectory = programDir.path();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"GREETING"_s, u"bonjour"_s);
        request.environment = env;
        request.outputPath = m_dir.filePath(u"run.fxt.gz"_s);
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), request);
        QSignalSpy stateSpy(&session, &TraceSession::stateChanged);
        QStringList stdoutLines;
        connect(&session, &TraceSession::logLine, this, [&](const LogLine& line) {
            if (line.stream == LogLine::Stream::StdOut)
                stdoutLines.append(line.text);
        });
        QVERIFY(session.start());
        QVERIFY(waitEnded(session));
        QCOMPARE(session.result().outcome, TraceResult::Outcome::Finished);
        QVERIFY(!session.result().stopSent); // the program ended by itself
        QCOMPARE(states(stateSpy),
            (QList<State> { State::Starting, State::Recording, State::Stopping, State::Decoding, State::Finished }));
        QCOMPARE(
            stdoutLines, QStringList { u"hello bonjour from "_s + QFileInfo(programDir.path()).canonicalFilePath() });
        const auto record = readRecord(m_dir.filePath(u"record.txt"_s));
        QVERIFY(record.value(u"arg"_s).endsWith(
            u"run -output "_s + request.outputPath + u" sh -- -c "_s + request.programArguments.at(1)));
    }

    void runModeStop()
    {
        TraceRequest request;
        request.mode = TraceRequest::Mode::Run;
        request.program = u"sleep"_s;
        request.programArguments = { u"60"_s };
        request.outputPath = m_dir.filePath(u"runstop.fxt"_s);
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), request);
        QVERIFY(session.start());
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
        QTest::qWait(800); // past the attach delay: the SIGINT is forwarded to the program
        QVERIFY(session.stop());
        QVERIFY(waitEnded(session));
        QCOMPARE(session.result().outcome, TraceResult::Outcome::Finished);
    }

    void runModeProgramNotFound()
    {
        TraceRequest request;
        request.mode = TraceRequest::Mode::Run;
        request.program = u"no-such-program-anywhere"_s;
        request.outputPath = m_dir.filePath(u"nf.fxt"_s);
        TraceSession session(QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), request);
        QVERIFY(session.start());
        QVERIFY(waitEnded(session));
        QCOMPARE(session.result().diagnosis.kind, Diagnosis::Case::ProgramNotFound);
        QVERIFY(session.result().diagnosis.sentence.contains(u"no-such-program-anywhere"_s));
    }

    void destroyingARunningSessionKillsIt()
    {
        const qint64 pid = startTarget();
        qint64 magicTracePid = 0;
        QString tempDir;
        {
            TraceSession session(
                QStringLiteral(MTS_FAKE_MAGIC_TRACE), caps(u"v1.2.4"_s), attachRequest(pid, u"gone.fxt"_s));
            QVERIFY(session.start());
            QTRY_COMPARE_WITH_TIMEOUT(session.state(), State::Recording, kWait);
            magicTracePid = session.processId();
            tempDir = session.temporaryDirectory();
        }
        QVERIFY(processGone(magicTracePid));
        QVERIFY(!QFileInfo::exists(tempDir));
    }

    void staleTemporaryDirectoriesAreRemoved()
    {
        // A PID that cannot exist (above pid_max's ceiling) stands for an app that died.
        const QString stale = QDir::tempPath() + u"/magic-trace-studio-1073741823-abcdef"_s;
        QVERIFY(QDir().mkpath(stale + u"/magic_trace.tmp.123456"_s));
        const QString ours = QDir::tempPath() + u"/magic-trace-studio-"_s
            + QString::number(QCoreApplication::applicationPid()) + u"-keepme"_s;
        QVERIFY(QDir().mkpath(ours));
        QVERIFY(TraceSession::removeStaleTemporaryDirectories() >= 1);
        QVERIFY(!QFileInfo::exists(stale));
        QVERIFY(QFileInfo::exists(ours));
        QDir(ours).removeRecursively();
    }
};

QTEST_GUILESS_MAIN(TestTraceSession)
#include "tst_tracesession.moc"
