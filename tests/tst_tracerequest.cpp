// SPDX-License-Identifier: MIT
#include "trace/tracerequest.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestTraceRequest : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    TraceRequest base() const
    {
        TraceRequest r;
        r.pids = { 1234 };
        r.outputPath = m_dir.filePath(u"t.fxt"_s);
        return r;
    }

private Q_SLOTS:
    void validate_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("change");
        QTest::addColumn<QString>("refusal"); // empty: accepted; otherwise text the message must contain
        QTest::newRow("plain attach 1.0.2") << u"v1.0.2"_s << QString() << QString();
        QTest::newRow("two pids 1.0.2") << u"v1.0.2"_s << u"pids"_s << u"1.2.0"_s;
        QTest::newRow("two pids 1.2.4") << u"v1.2.4"_s << u"pids"_s << QString();
        QTest::newRow("duplicate pids") << u"v1.2.4"_s << u"duplicate"_s << u"twice"_s;
        QTest::newRow("no pid") << u"v1.2.4"_s << u"nopid"_s << u"process"_s;
        QTest::newRow("negative pid") << u"v1.2.4"_s << u"negative"_s << u"valid"_s;
        QTest::newRow("gz on 1.0.2") << u"v1.0.2"_s << u"gz"_s << u"1.2.4"_s;
        QTest::newRow("gz on 1.2.3") << u"v1.2.3"_s << u"gz"_s << u"1.2.4"_s;
        QTest::newRow("gz on 1.2.4") << u"v1.2.4"_s << u"gz"_s << QString();
        QTest::newRow("zst on 1.2.4") << u"v1.2.4"_s << u"zst"_s << QString();
        QTest::newRow("sexp on 1.0.2") << u"v1.0.2"_s << u"sexp"_s << u"1.1.0"_s;
        QTest::newRow("sexp on 1.1.0") << u"v1.1.0"_s << u"sexp"_s << QString();
        QTest::newRow("relative output") << u"v1.2.4"_s << u"relative"_s << u"absolute"_s;
        QTest::newRow("output folder missing") << u"v1.2.4"_s << u"nofolder"_s << u"does not exist"_s;
        QTest::newRow("sampling 1.0.2") << u"v1.0.2"_s << u"sampling"_s << u"-sampling needs magic-trace 1.2.0"_s;
        QTest::newRow("sampling 1.2.0") << u"v1.2.0"_s << u"sampling"_s << QString();
        QTest::newRow("callgraph 1.0.2") << u"v1.0.2"_s << u"callgraph"_s << u"needs magic-trace 1.2.0"_s;
        QTest::newRow("callgraph 1.2.4") << u"v1.2.4"_s << u"callgraph"_s << QString();
        QTest::newRow("callgraph without sampling") << u"v1.2.4"_s << u"callgraph-alone"_s << u"sampling"_s;
        QTest::newRow("callgraph bad") << u"v1.2.4"_s << u"callgraph-bad"_s << u"lbr"_s;
        QTest::newRow("filter 1.0.2") << u"v1.0.2"_s << u"filter"_s << u"-filter"_s;
        QTest::newRow("filter 1.2.4") << u"v1.2.4"_s << u"filter"_s << QString();
        QTest::newRow("filter bad") << u"v1.2.4"_s << u"filter-bad"_s << u"(START STOP)"_s;
        QTest::newRow("perf path 1.2.2") << u"v1.2.2"_s << u"perf"_s << u"1.2.3"_s;
        QTest::newRow("perf path 1.2.3") << u"v1.2.3"_s << u"perf"_s << QString();
        QTest::newRow("perf path not executable") << u"v1.2.4"_s << u"perf-bad"_s << u"executable"_s;
        QTest::newRow("snapshot size") << u"v1.0.2"_s << u"size"_s << QString();
        QTest::newRow("snapshot size bad") << u"v1.0.2"_s << u"size-bad"_s << u"256K"_s;
        QTest::newRow("snapshot + full execution") << u"v1.2.4"_s << u"size-full"_s << u"full execution"_s;
        QTest::newRow("timer High") << u"v1.0.2"_s << u"timer"_s << QString();
        QTest::newRow("timer Sample 1.0.2") << u"v1.0.2"_s << u"timer-sample"_s << u"1.2.0"_s;
        QTest::newRow("timer Sample 1.2.4") << u"v1.2.4"_s << u"timer-sample"_s << QString();
        QTest::newRow("timer bad") << u"v1.2.4"_s << u"timer-bad"_s << u"Low"_s;
        QTest::newRow("both kernel flags") << u"v1.2.4"_s << u"kernel-both"_s << u"kernel"_s;
        QTest::newRow("interactive trigger") << u"v1.2.4"_s << u"trigger-?"_s << u"symbol"_s;
        QTest::newRow("run without program") << u"v1.2.4"_s << u"run-empty"_s << u"program"_s;
        QTest::newRow("run bad cwd") << u"v1.2.4"_s << u"run-badcwd"_s << u"working directory"_s;
        QTest::newRow("run ok") << u"v1.0.2"_s << u"run"_s << QString();
        QTest::newRow("run would rename a file") << u"v1.2.4"_s << u"run-clash"_s << u".old"_s;
        QTest::newRow("zero attach timeout") << u"v1.2.4"_s << u"timeout"_s << u"timeout"_s;
    }
    void validate()
    {
        QFETCH(QString, version);
        QFETCH(QString, change);
        QFETCH(QString, refusal);
        TraceRequest r = base();
        if (change == u"pids"_s)
            r.pids = { 1, 2 };
        else if (change == u"duplicate"_s)
            r.pids = { 5, 5 };
        else if (change == u"nopid"_s)
            r.pids.clear();
        else if (change == u"negative"_s)
            r.pids = { -3 };
        else if (change == u"gz"_s)
            r.outputPath += u".gz"_s;
        else if (change == u"zst"_s)
            r.outputPath += u".zst"_s;
        else if (change == u"sexp"_s)
            r.outputPath = m_dir.filePath(u"t.sexp"_s);
        else if (change == u"relative"_s)
            r.outputPath = u"t.fxt"_s;
        else if (change == u"nofolder"_s)
            r.outputPath = m_dir.filePath(u"missing/t.fxt"_s);
        else if (change == u"sampling"_s)
            r.sampling = true;
        else if (change == u"callgraph"_s)
            r.sampling = true, r.callgraphMode = u"dwarf"_s;
        else if (change == u"callgraph-alone"_s)
            r.callgraphMode = u"lbr"_s;
        else if (change == u"callgraph-bad"_s)
            r.sampling = true, r.callgraphMode = u"magic"_s;
        else if (change == u"filter"_s)
            r.filter = u"(main exit)"_s;
        else if (change == u"filter-bad"_s)
            r.filter = u"main"_s;
        else if (change == u"perf"_s)
            r.perfPath = u"/bin/sh"_s;
        else if (change == u"perf-bad"_s)
            r.perfPath = m_dir.filePath(u"no-perf"_s);
        else if (change == u"size"_s)
            r.snapshotSize = u"4M"_s;
        else if (change == u"size-bad"_s)
            r.snapshotSize = u"lots"_s;
        else if (change == u"size-full"_s)
            r.snapshotSize = u"4M"_s, r.fullExecution = true;
        else if (change == u"timer"_s)
            r.timerResolution = u"High"_s;
        else if (change == u"timer-sample"_s)
            r.timerResolution = u"(Sample ((freq 1000)))"_s;
        else if (change == u"timer-bad"_s)
            r.timerResolution = u"Ultra"_s;
        else if (change == u"kernel-both"_s)
            r.includeKernel = true, r.kernelOnly = true;
        else if (change == u"trigger-?"_s)
            r.trigger = u"?"_s;
        else if (change == u"run-empty"_s)
            r.mode = TraceRequest::Mode::Run;
        else if (change == u"run-badcwd"_s)
            r.mode = TraceRequest::Mode::Run, r.program = u"ls"_s, r.workingDirectory = m_dir.filePath(u"nope"_s);
        else if (change == u"run"_s)
            r.mode = TraceRequest::Mode::Run, r.program = u"ls"_s, r.workingDirectory = m_dir.path();
        else if (change == u"run-clash"_s) {
            r.mode = TraceRequest::Mode::Run, r.program = u"ls"_s;
            QDir(m_dir.path()).mkpath(u"cwd"_s);
            r.workingDirectory = m_dir.filePath(u"cwd"_s);
            QFile clash(m_dir.filePath(u"cwd/t.fxt"_s));
            QVERIFY(clash.open(QIODevice::WriteOnly));
        } else if (change == u"timeout"_s)
            r.attachTimeoutMs = 0;

        const auto caps = MagicTraceCapabilities::forVersion(*MagicTraceVersion::parse(version));
        QString error;
        const bool ok = r.validate(caps, &error);
        if (refusal.isEmpty()) {
            QVERIFY2(ok, qPrintable(error));
        } else {
            QVERIFY(!ok);
            QVERIFY2(error.contains(refusal), qPrintable(error));
        }
    }

    void attachArguments()
    {
        TraceRequest r = base();
        r.pids = { 10, 20 };
        r.trigger = u"my_func"_s;
        r.multiThread = true;
        r.multiSnapshot = true;
        r.snapshotSize = u"1M"_s;
        r.timerResolution = u"High"_s;
        r.sampling = true;
        r.callgraphMode = u"fp"_s;
        r.includeKernel = true;
        r.filter = u" (a b) "_s;
        QCOMPARE(r.magicTraceArguments(),
            (QStringList { u"attach"_s, u"-pid"_s, u"10,20"_s, u"-output"_s, r.outputPath, u"-trigger"_s, u"my_func"_s,
                u"-multi-thread"_s, u"-multi-snapshot"_s, u"-snapshot-size"_s, u"1M"_s, u"-timer-resolution"_s,
                u"High"_s, u"-sampling"_s, u"-callgraph-mode"_s, u"fp"_s, u"-trace-include-kernel"_s, u"-filter"_s,
                u"(a b)"_s }));
    }

    void runArgumentsKeepProgramArgumentsAfterDoubleDash()
    {
        TraceRequest r = base();
        r.mode = TraceRequest::Mode::Run;
        r.program = u"/usr/bin/prog"_s;
        r.programArguments = { u"-o"_s, u"x; rm -rf /"_s, u"--"_s };
        r.fullExecution = true;
        QCOMPARE(r.magicTraceArguments(),
            (QStringList { u"run"_s, u"-output"_s, r.outputPath, u"-full-execution"_s, u"/usr/bin/prog"_s, u"--"_s,
                u"-o"_s, u"x; rm -rf /"_s, u"--"_s }));
    }
};

QTEST_GUILESS_MAIN(TestTraceRequest)
#include "tst_tracerequest.moc"
