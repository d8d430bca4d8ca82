// SPDX-License-Identifier: MIT
// Diagnosis::diagnose is a pure function: a table of stderr transcripts (the exact texts of the protocol notes,
// §4, and real transcripts from magic-trace's issues) and exit statuses mapped to the case, the fix and evidence.
#include "trace/diagnosis.h"

#include <QTest>
#include <csignal>

using namespace Qt::StringLiterals;
Q_DECLARE_METATYPE(Diagnosis::Case)
Q_DECLARE_METATYPE(RunEnd::How)

namespace {

QStringList monitor(const QString& exn)
{
    return { u"(monitor.ml.Error "_s + exn,
        u" (\"Raised at Core_unix.improve in file \\\"core_unix/src/core_unix.ml\\\", line 46, characters 4-43\""_s,
        u"  \"Caught by monitor Monitor.protect\"))"_s };
}

} // namespace

class TestDiagnosis : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void diagnose_data()
    {
        QTest::addColumn<RunEnd::How>("how");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<bool>("handshake");
        QTest::addColumn<QStringList>("stderrLines");
        QTest::addColumn<Diagnosis::Case>("expected");
        QTest::addColumn<QString>("inSentence"); // text the sentence must contain
        QTest::addColumn<QString>("inFix"); // text the fix must contain
        QTest::addColumn<QString>("inEvidence"); // text the evidence must contain
        using C = Diagnosis::Case;
        using H = RunEnd::How;

        QTest::newRow("command line") << H::Exited << 1 << false
                                      << QStringList { u"Error parsing command line:"_s, QString(),
                                             u"  unknown flag -sampling"_s, QString(), u"For usage information, run"_s,
                                             QString(), u"  magic-trace attach -help"_s, QString() }
                                      << C::CommandLineError << u"unknown flag -sampling"_s << u"update"_s
                                      << u"Error parsing command line:"_s;
        QTest::newRow("perf missing")
            << H::Exited << 1 << false
            << QStringList { u"magic-trace relies on \"perf\", but it is not present in your path. You may need to install it."_s }
            << C::PerfMissing << u"perf"_s << u"linux-perf"_s << u"relies on"_s;
        QTest::newRow("perf version") << H::Exited << 1 << false
                                      << monitor(u"(\"unable to interpret perf version string\" (version_string \"perf "
                                                 "version \\n\"))"_s)
                                      << C::PerfVersionUnreadable << u"version"_s << u"linux-tools"_s
                                      << u"unable to interpret"_s;
        QTest::newRow("no intel pt")
            << H::Exited << 1 << false
            << QStringList { u"Error: This machine doesn't support Intel Processor Trace, which is a hardware feature "
                             "essential for magic-trace to work."_s,
                   u"This may be because it's a virtual machine or it's a physical machine that isn't new enough or "
                   "uses an AMD processor."_s,
                   u"Try again on a physical Intel machine."_s }
            << C::NoIntelPt << u"Intel Processor Trace"_s << u"1.2.0"_s << u"Try again"_s;
        QTest::newRow("paranoid 4")
            << H::Exited << 1 << false
            << QStringList { u"Error:"_s,
                   u"Access to performance monitoring and observability operations is limited."_s,
                   u"Consider adjusting /proc/sys/kernel/perf_event_paranoid setting to open"_s,
                   u"perf_event_paranoid setting is 4:"_s, u"  -1: Allow use of (almost) all events by all users"_s,
                   u"(Unix.Exit (Exit_non_zero 255))"_s }
            << C::PerfPermission << u"perf_event_paranoid is 4"_s << u"sudo sysctl -w kernel.perf_event_paranoid=2"_s
            << u"Access to performance monitoring"_s;
        QTest::newRow("paranoid, no value")
            << H::Exited << 1 << false
            << QStringList { u"Error:"_s,
                   u"Access to performance monitoring and observability operations is limited."_s,
                   u"(Unix.Exit (Exit_non_zero 255))"_s }
            << C::PerfPermission << u"perf_event_paranoid"_s << u"kernel.perf_event_paranoid=2"_s << u"Error:"_s;
        QTest::newRow("perf exit 255 only")
            << H::Exited << 1 << false << QStringList { u"(Unix.Exit (Exit_non_zero 255))"_s } << C::PerfPermission
            << u"refused"_s << u"perf_event_paranoid"_s << u"Exit_non_zero 255"_s;
        QTest::newRow("mlock") << H::Exited << 1 << false
                               << QStringList { u"Permission error mapping pages."_s,
                                      u"Consider increasing /proc/sys/kernel/perf_event_mlock_kb,"_s,
                                      u"or try again with a smaller value of -m/--mmap_pages."_s,
                                      u"(Unix.Exit (Exit_non_zero 255))"_s }
                               << C::PerfMemoryLimit << u"lock"_s << u"perf_event_mlock_kb"_s
                               << u"Permission error mapping pages."_s;
        QTest::newRow("no such pid")
            << H::Exited << 1 << false
            << monitor(u"(Unix.Unix_error \"No such file or directory\" readlink /proc/4242/exe)"_s) << C::NoSuchProcess
            << u"4242"_s << u"running"_s << u"readlink /proc/4242/exe"_s;
        QTest::newRow("other user") << H::Exited << 1 << false
                                    << monitor(u"(Unix.Unix_error \"Permission denied\" readlink /proc/1/exe)"_s)
                                    << C::OtherUsersProcess << u"another user"_s << u"root"_s << u"Permission denied"_s;
        QTest::newRow("pid mandatory") << H::Exited << 1 << false
                                       << QStringList { u"The [-pid] argument is mandatory. magic-trace could show you "
                                                        "a fuzzy-finding selector here if \"fzf\" were in your PATH, "
                                                        "but it is not."_s }
                                       << C::PidRequired << u"without a process"_s << u"PID"_s << u"mandatory"_s;
        QTest::newRow("duplicate pids") << H::Exited << 1 << false << QStringList { u"Duplicate PIDs were passed"_s }
                                        << C::DuplicatePids << u"twice"_s << u"once"_s << u"Duplicate"_s;
        QTest::newRow("kernel root")
            << H::Exited << 1 << false
            << QStringList { u"magic-trace must be run as root in order to trace the kernel"_s }
            << C::KernelTracingNeedsRoot << u"root"_s << u"root"_s << u"must be run as root"_s;
        QTest::newRow("trigger not found")
            << H::Exited << 1 << false << QStringList { u"Snapshot symbol not found: my_func"_s }
            << C::TriggerSymbolNotFound << u"\"my_func\""_s << u"mangled"_s << u"Snapshot symbol not found"_s;
        QTest::newRow("no symbol table v1.0.2")
            << H::Exited << 1 << false
            << QStringList { u"As far as magic-trace can tell, that executable doesn't have a symbol table. Was the "
                             "binary built without debug info?"_s }
            << C::NoSymbolTable << u"symbol table"_s << u"-g"_s << u"As far as"_s;
        QTest::newRow("no symbol table v1.2")
            << H::Exited << 1 << false
            << QStringList { u"Cannot select a snapshot symbol because magic-trace can't find that executable's "
                             "symbol table. Was it built without debug info, or with debug info magic-trace doesn't "
                             "understand?"_s,
                   u"See https://github.com/janestreet/magic-trace/wiki/"
                   "Compiling-code-for-maximum-compatibility-with-magic-trace for more info."_s }
            << C::NoSymbolTable << u"symbol table"_s << u"trigger"_s << u"Cannot select"_s;
        QTest::newRow("fzf for trigger")
            << H::Exited << 1 << false
            << QStringList { u"magic-trace could show you a fuzzy-finding selector here if \"fzf\" were in your PATH, "
                             "but it is not."_s }
            << C::FuzzyFinderMissing << u"fzf"_s << u"by name"_s << u"fuzzy-finding"_s;
        QTest::newRow("program not found")
            << H::Exited << 1 << false << monitor(u"(Failure \"Can't find executable for ./myprog\")"_s)
            << C::ProgramNotFound << u"./myprog"_s << u"PATH"_s << u"Can't find"_s;
        QTest::newRow("tmpdir read-only")
            << H::Exited << 1 << false
            << monitor(u"(Unix.Unix_error \"Read-only file system\" mkdir /tmp/magic_trace.tmp.a39446)"_s)
            << C::TempDirUnwritable << u"temporary"_s << u"TMPDIR"_s << u"Read-only"_s;
        QTest::newRow("perf 6 parse bug")
            << H::Exited << 1 << true
            << monitor(u"(\"BUG: exception raised while parsing perf output. Please report this to "
                       "https://github.com/janestreet/magic-trace/issues/\" (exn Not_found) (perf_output (\"... tr "
                       "strt jmp ...\")))"_s)
            << C::PerfOutputUnreadable << u"perf 6"_s << u"MAGIC_TRACE_PERF_PATH"_s << u"tr strt jmp"_s;
        QTest::newRow("string too long")
            << H::Exited << 1 << true
            << monitor(u"(Failure \"string too long for FTF trace: 805614 is over the limit of 32kb\")"_s)
            << C::StringTooLong << u"32 kB"_s << u"shorter"_s << u"805614"_s;
        QTest::newRow("sampling event")
            << H::Exited << 1 << true
            << monitor(u"(\"Unexpected event type when parsing perf output\" (event_name cpu-clock))"_s)
            << C::SamplingEventUnsupported << u"sampling"_s << u"Intel"_s << u"cpu-clock"_s;
        QTest::newRow("waitpid after attach")
            << H::Exited << 1 << true
            << (QStringList { u"[ Attached. Press Ctrl-C to stop recording. ]"_s, u"[ Got signal, detaching... ]"_s }
                   + monitor(u"(Unix.Unix_error \"No child process\" waitpid 1234)"_s))
            << C::PerfFailedWhileRecording << u"perf stopped"_s << u"again"_s << u"No child process"_s;
        QTest::newRow("perf exit after attach")
            << H::Exited << 1 << true
            << QStringList { u"[ Attached. Press Ctrl-C to stop recording. ]"_s, u"[ Got signal, detaching... ]"_s,
                   u"(Unix.Exit (Exit_non_zero 1))"_s }
            << C::PerfFailedWhileRecording << u"perf stopped"_s << u"again"_s << u"Exit_non_zero 1"_s;
        QTest::newRow("decode crash") << H::Exited << 1 << true
                                      << (QStringList { u"[ Decoding, this takes a while... ]"_s }
                                             + monitor(u"(\"BUG: assumptions violated\" (event ...))"_s))
                                      << C::DecodeCrashed << u"decoding"_s << u"report"_s << u"assumptions violated"_s;
        QTest::newRow("signal before attach")
            << H::KilledBySignal << SIGINT << false << QStringList {} << C::KilledBySignal << u"SIGINT before"_s
            << u"Trace again"_s << QString();
        QTest::newRow("sigterm while tracing")
            << H::KilledBySignal << SIGTERM << true
            << QStringList { u"[ Attached. Press Ctrl-C to stop recording. ]"_s } << C::KilledBySignal
            << u"SIGTERM while tracing"_s << u"Trace again"_s << u"[ Attached"_s;
        QTest::newRow("attach timeout") << H::AttachTimeout << 0 << false << QStringList { u"loading..."_s }
                                        << C::AttachTimeout << u"60 s"_s << u"longer"_s << u"loading..."_s;
        QTest::newRow("decode timeout") << H::DecodeTimeout << 0 << true
                                        << QStringList { u"[ Decoding, this takes a while... ]"_s } << C::DecodeTimeout
                                        << u"Decoding took longer"_s << u"more time"_s << u"[ Decoding"_s;
        QTest::newRow("aborted") << H::Aborted << 0 << true << QStringList {} << C::Aborted << u"aborted"_s << QString()
                                 << QString();
        QTest::newRow("unknown") << H::Exited << 3 << false << QStringList { u"something odd"_s, QString() }
                                 << C::Unknown << u"exit status 3"_s << u"log"_s << u"something odd"_s;
        QTest::newRow("success") << H::Exited << 0 << true
                                 << QStringList { u"Visit https://magic-trace.org/ and open t.fxt to view trace."_s }
                                 << C::None << QString() << QString() << QString();
        // Order matters: "Attaching to" is not an error, and a paranoid block wins over the Unix.Exit it ends with.
        QTest::newRow("trigger line is not an error")
            << H::Exited << 1 << false
            << QStringList { u"[ Attaching to f @ 0x00005581c0a4f1a9 ]"_s, u"Snapshot symbol not found: g"_s }
            << C::TriggerSymbolNotFound << u"\"g\""_s << u"symbol"_s << u"not found: g"_s;
    }
    void diagnose()
    {
        QFETCH(RunEnd::How, how);
        QFETCH(int, exitCode);
        QFETCH(bool, handshake);
        QFETCH(QStringList, stderrLines);
        QFETCH(Diagnosis::Case, expected);
        QFETCH(QString, inSentence);
        QFETCH(QString, inFix);
        QFETCH(QString, inEvidence);
        RunEnd end;
        end.how = how;
        end.exitCode = how == RunEnd::How::KilledBySignal ? 0 : exitCode;
        end.signal = how == RunEnd::How::KilledBySignal ? exitCode : 0;
        end.handshakeSeen = handshake;
        end.attachTimeoutMs = 60'000;
        const Diagnosis d = Diagnosis::diagnose(end, stderrLines);
        QCOMPARE(d.kind, expected);
        QCOMPARE(d.isFailure(), expected != Diagnosis::Case::None);
        if (expected == Diagnosis::Case::None)
            return;
        QVERIFY2(d.sentence.contains(inSentence), qPrintable(d.sentence));
        QVERIFY2(d.fix.contains(inFix), qPrintable(d.fix));
        if (!inEvidence.isEmpty())
            QVERIFY2(d.evidence.join(u'\n').contains(inEvidence), qPrintable(d.evidence.join(u'\n')));
        QVERIFY(d.evidence.size() <= 12);
        for (const QString& line : d.evidence)
            QVERIFY(!line.trimmed().isEmpty());
        QVERIFY(!Diagnosis::caseName(d.kind).isEmpty());
        QVERIFY(d.toText().contains(d.sentence));
    }

    void outputProblemOnSuccess()
    {
        RunEnd end;
        end.outputProblem = u"/x/t.fxt was not written."_s;
        const Diagnosis d = Diagnosis::diagnose(end, {});
        QCOMPARE(d.kind, Diagnosis::Case::OutputInvalid);
        QVERIFY(d.sentence.contains(end.outputProblem));
    }

    void evidenceIsTheLastLinesWhenNothingMatches()
    {
        QStringList lines;
        for (int i = 0; i < 100; ++i)
            lines << u"line %1"_s.arg(i);
        RunEnd end;
        end.exitCode = 2;
        const Diagnosis d = Diagnosis::diagnose(end, lines);
        QCOMPARE(d.kind, Diagnosis::Case::Unknown);
        QCOMPARE(d.evidence.size(), 12);
        QCOMPARE(d.evidence.last(), u"line 99"_s);
    }

    void caseNamesAreUnique()
    {
        QSet<QString> names;
        for (int i = int(Diagnosis::Case::None); i <= int(Diagnosis::Case::Unknown); ++i)
            names.insert(Diagnosis::caseName(Diagnosis::Case(i)));
        QCOMPARE(names.size(), int(Diagnosis::Case::Unknown) + 1);
    }
};

QTEST_GUILESS_MAIN(TestDiagnosis)
#include "tst_diagnosis.moc"
