// SPDX-License-Identifier: MIT
// TraceMetadata: the sidecar format round-trips every field, keeps fields from newer versions, refuses bad types.
#include "library/tracemetadata.h"

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;

class TestTraceMetadata : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTripsEveryField()
    {
        TraceMetadata m;
        m.id = u"20260101-120000-app"_s;
        m.title = u"Ünïcode title"_s;
        m.targetPid = 1234567;
        m.processName = u"app"_s;
        m.commandLine = u"/bin/app --flag \"quoted\""_s;
        m.executable = u"/bin/app"_s;
        m.user = u"jane"_s;
        m.startTime = QDateTime(QDate(2026, 1, 1), QTime(12, 0, 0, 125), QTimeZone::UTC);
        m.endTime = m.startTime.addMSecs(2500);
        m.durationMs = 2500;
        m.mode = u"run"_s;
        m.options = QJsonObject { { u"trigger"_s, u"main"_s }, { u"multi-thread"_s, true } };
        m.magicTraceArguments = { u"run"_s, u"-trigger"_s, u"main"_s };
        m.magicTraceVersion = u"v1.2.4"_s;
        m.perfVersion = u"6.1"_s;
        m.outcome = TraceOutcome::Cancelled;
        m.exitCode = 130;
        m.exitSignal = 2;
        m.traceFile = u"x.fxt.gz"_s;
        m.logFile = u"x.log"_s;
        m.fileSize = 5'000'000'000;
        m.format = u"gzip"_s;
        m.notes = u"line\nline"_s;
        m.tags = { u"a"_s, u"b"_s };
        m.origin = u"recorded"_s;
        m.traceProcesses = { u"app [pid=1]"_s };
        m.traceBaseTime = m.startTime;
        m.recorderPid = 99;
        QString error;
        const auto back = TraceMetadata::fromJsonBytes(m.toJsonBytes(), &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(*back, m);
    }

    void defaultsAndMissingExitCode()
    {
        QString error;
        const auto m = TraceMetadata::fromJsonBytes("{\"id\": \"x\", \"exitCode\": null}", &error);
        QVERIFY(m);
        QVERIFY(!m->exitCode);
        QCOMPARE(m->outcome, TraceOutcome::External);
        QCOMPARE(m->fileSize, -1);
        QVERIFY(!m->startTime.isValid());
    }

    void keepsUnknownFields()
    {
        QString error;
        auto m = TraceMetadata::fromJsonBytes("{\"id\": \"x\", \"futureField\": {\"a\": 1}}", &error);
        QVERIFY(m);
        m->title = u"changed"_s;
        const QJsonObject written = m->toJson();
        QCOMPARE(written.value(u"futureField"_s).toObject().value(u"a"_s).toInt(), 1);
        QCOMPARE(written.value(u"title"_s).toString(), u"changed"_s);
    }

    void refusesBadInput_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{ nope") << u"not valid JSON"_s;
        QTest::newRow("array") << QByteArray("[1, 2]") << u"not a JSON object"_s;
        QTest::newRow("tags not a list") << QByteArray("{\"tags\": \"a\"}") << u"tags"_s;
        QTest::newRow("tag not a string") << QByteArray("{\"tags\": [1]}") << u"tags"_s;
        QTest::newRow("pid a string") << QByteArray("{\"targetPid\": \"12\"}") << u"targetPid"_s;
        QTest::newRow("bad date") << QByteArray("{\"startTime\": \"yesterday\"}") << u"startTime"_s;
        QTest::newRow("unknown outcome") << QByteArray("{\"outcome\": \"exploded\"}") << u"outcome"_s;
        QTest::newRow("exit code a string") << QByteArray("{\"exitCode\": \"0\"}") << u"exitCode"_s;
        QTest::newRow("huge exit signal") << QByteArray("{\"exitSignal\": 1e12}") << u"exitSignal"_s;
        QTest::newRow("options not an object") << QByteArray("{\"options\": []}") << u"options"_s;
    }
    void refusesBadInput()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        QString error;
        QVERIFY(!TraceMetadata::fromJsonBytes(json, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void outcomeKeys()
    {
        for (TraceOutcome outcome : TraceOutcomes::all()) {
            QCOMPARE(TraceOutcomes::fromKey(TraceOutcomes::key(outcome)), outcome);
            QVERIFY(!TraceOutcomes::displayName(outcome).isEmpty());
        }
        QVERIFY(!TraceOutcomes::fromKey(u"nope"));
    }

    // Random mutations of a valid sidecar never crash the reader.
    void fuzz()
    {
        TraceMetadata m;
        m.id = u"x"_s;
        m.tags = { u"t"_s };
        const QByteArray valid = m.toJsonBytes();
        QRandomGenerator random(7);
        for (int i = 0; i < 3000; ++i) {
            QByteArray bytes = valid;
            const int edits = 1 + random.bounded(4);
            for (int e = 0; e < edits; ++e)
                bytes[random.bounded(int(bytes.size()))] = char(random.bounded(256));
            QString error;
            const auto parsed = TraceMetadata::fromJsonBytes(bytes, &error);
            QVERIFY(parsed || !error.isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(TestTraceMetadata)
#include "tst_tracemetadata.moc"
