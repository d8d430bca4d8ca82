// SPDX-License-Identifier: MIT
// ScopedTrace on the test process itself, with the magic-trace test double. The test functions run outside any
// Qt event loop (QTest calls them from main), which is the situation ScopedTrace is made for.
#include "trace/scopedtrace.h"
#include "trace/traceoutput.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <sys/resource.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

double cpuSeconds()
{
    rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

} // namespace

class TestScopedTrace : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    ScopedTrace::Options options(const QString& name, const QString& version = u"v1.2.4"_s)
    {
        ScopedTrace::Options o;
        o.magicTracePath = QStringLiteral(MTS_FAKE_MAGIC_TRACE);
        o.capabilities = MagicTraceCapabilities::forVersion(*MagicTraceVersion::parse(version));
        o.request.outputPath = m_dir.filePath(name);
        return o;
    }

private Q_SLOTS:
    void init()
    {
        qputenv("FAKE_MAGIC_TRACE_VERSION", "v1.2.4");
        qputenv("FAKE_MAGIC_TRACE_SCENARIO", "ok");
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "300");
        qputenv("FAKE_MAGIC_TRACE_DECODE_MS", "100");
        qputenv("FAKE_MAGIC_TRACE_RECORD", m_dir.filePath(u"record.txt"_s).toLocal8Bit());
    }

    void tracesThisProcess()
    {
        QCOMPARE(QThread::currentThread()->loopLevel(), 0); // no event loop is running
        const QString output = m_dir.filePath(u"self.fxt.gz"_s);
        std::atomic<int> lines { 0 };
        {
            ScopedTrace::Options o = options(u"self.fxt.gz"_s);
            o.onLogLine = [&lines](const LogLine&) { ++lines; };
            ScopedTrace trace(o);
            QVERIFY2(trace.isRecording(), qPrintable(trace.errorString()));
            QVERIFY(trace.errorString().isEmpty());
            QVERIFY(!QFileInfo::exists(output)); // not yet: it is written when the scope ends
            volatile double sink = 0;
            for (int i = 0; i < 100000; ++i)
                sink = sink + i * 0.5;
        }
        QString format;
        QVERIFY(TraceOutput::checkOutput(output, &format, nullptr));
        QCOMPARE(format, u"gzip"_s);
        QVERIFY(lines.load() >= 8);
        QFile record(m_dir.filePath(u"record.txt"_s));
        QVERIFY(record.open(QIODevice::ReadOnly));
        const QByteArray expected = QByteArray("arg=") + QByteArray::number(::getpid()) + QByteArray("\n");
        QVERIFY(record.readAll().contains(expected)); // -pid <our pid>
    }

    void stopReturnsTheResultOnce()
    {
        ScopedTrace trace(options(u"explicit.fxt"_s));
        QVERIFY(trace.isRecording());
        const TraceResult result = trace.stop();
        QVERIFY(!trace.isRecording());
        QCOMPARE(result.outcome, TraceResult::Outcome::Finished);
        QVERIFY(result.stopSent);
        QCOMPARE(result.outputPath, m_dir.filePath(u"explicit.fxt"_s));
        QCOMPARE(result.request.pids, QList<qint64> { ::getpid() });
        QCOMPARE(trace.stop().outputPath, result.outputPath); // idempotent
        QCOMPARE(trace.result().outcome, TraceResult::Outcome::Finished);
    }

    void waitingForTheHandshakeDoesNotSpin()
    {
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "1500");
        const double before = cpuSeconds();
        QElapsedTimer timer;
        timer.start();
        ScopedTrace trace(options(u"idle.fxt"_s));
        QVERIFY(timer.elapsed() >= 1400);
        QVERIFY(trace.isRecording());
        const double used = cpuSeconds() - before;
        QVERIFY2(used < 0.5, qPrintable(u"%1 s of CPU while waiting 1.5 s"_s.arg(used)));
    }

    void failureBeforeAttachReturnsWithTheDiagnosis()
    {
        qputenv("FAKE_MAGIC_TRACE_SCENARIO", "perf-paranoid");
        ScopedTrace trace(options(u"para.fxt"_s));
        QVERIFY(!trace.isRecording());
        QVERIFY2(trace.errorString().contains(u"perf_event_paranoid"_s), qPrintable(trace.errorString()));
        QCOMPARE(trace.result().diagnosis.kind, Diagnosis::Case::PerfPermission);
        QCOMPARE(trace.stop().outcome, TraceResult::Outcome::Failed); // harmless
    }

    void attachTimeoutReturns()
    {
        qputenv("FAKE_MAGIC_TRACE_ATTACH_DELAY_MS", "30000");
        ScopedTrace::Options o = options(u"slow.fxt"_s);
        o.request.attachTimeoutMs = 500;
        QElapsedTimer timer;
        timer.start();
        ScopedTrace trace(o);
        QVERIFY(timer.elapsed() < 15'000);
        QVERIFY(!trace.isRecording());
        QCOMPARE(trace.result().diagnosis.kind, Diagnosis::Case::AttachTimeout);
    }

    void versionIsAskedWhenNotGiven()
    {
        qputenv("FAKE_MAGIC_TRACE_VERSION", "v1.0.2");
        ScopedTrace::Options o = options(QString());
        o.capabilities.reset();
        o.request.outputPath = TraceOutput::uniqueOutputPath(
            m_dir.path(), MagicTraceCapabilities::forVersion(MagicTraceVersion::fromNumbers(1, 0, 2)), u"asked"_s);
        ScopedTrace trace(o);
        QVERIFY2(trace.isRecording(), qPrintable(trace.errorString()));
        const TraceResult result = trace.stop();
        QCOMPARE(result.magicTraceVersion.toString(), u"1.0.2"_s);
        QCOMPARE(result.outputFormat, u"fxt"_s);
    }

    void missingMagicTrace()
    {
        ScopedTrace::Options o = options(u"none.fxt"_s);
        o.magicTracePath = m_dir.filePath(u"not-there"_s);
        o.capabilities.reset();
        ScopedTrace trace(o);
        QVERIFY(!trace.isRecording());
        QVERIFY(!trace.errorString().isEmpty());
        QCOMPARE(trace.stop().outcome, TraceResult::Outcome::Failed);
    }
};

QTEST_GUILESS_MAIN(TestScopedTrace)
#include "tst_scopedtrace.moc"
