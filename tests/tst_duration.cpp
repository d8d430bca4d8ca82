// SPDX-License-Identifier: MIT
#include "util/duration.h"

#include <QTest>

class TestDuration : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expected"); // -1: must be refused
        QTest::newRow("nanoseconds") << QStringLiteral("12ns") << qint64(12);
        QTest::newRow("microseconds") << QStringLiteral("40us") << qint64(40'000);
        QTest::newRow("micro sign") << QStringLiteral("40\u00b5s") << qint64(40'000);
        QTest::newRow("milliseconds") << QStringLiteral("250ms") << qint64(250'000'000);
        QTest::newRow("fractional seconds") << QStringLiteral("1.5s") << qint64(1'500'000'000);
        QTest::newRow("minutes") << QStringLiteral("2min") << qint64(120'000'000'000);
        QTest::newRow("spaces around") << QStringLiteral("  3 ms ") << qint64(3'000'000);
        QTest::newRow("no unit is seconds") << QStringLiteral("3") << qint64(3'000'000'000);
        QTest::newRow("zero") << QStringLiteral("0") << qint64(0);
        QTest::newRow("upper case unit") << QStringLiteral("5MS") << qint64(5'000'000);
        QTest::newRow("negative") << QStringLiteral("-1s") << qint64(-1);
        QTest::newRow("empty") << QString() << qint64(-1);
        QTest::newRow("unit only") << QStringLiteral("ms") << qint64(-1);
        QTest::newRow("garbage") << QStringLiteral("soon") << qint64(-1);
        QTest::newRow("infinite") << QStringLiteral("inf") << qint64(-1);
        QTest::newRow("overflow") << QStringLiteral("1e30s") << qint64(-1);
    }
    void parse()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expected);
        QString error;
        const auto result = Duration::parse(text, Duration::Unit::Seconds, &error);
        if (expected < 0) {
            QVERIFY(!result);
            QVERIFY(!error.isEmpty());
        } else {
            QVERIFY2(result, qPrintable(error));
            QCOMPARE(*result, expected);
        }
    }

    void format_data()
    {
        QTest::addColumn<qint64>("ns");
        QTest::addColumn<QString>("expected");
        QTest::newRow("ns") << qint64(812) << QStringLiteral("812 ns");
        QTest::newRow("us") << qint64(1'250) << QStringLiteral("1.25 \u00b5s");
        QTest::newRow("ms") << qint64(12'340'000) << QStringLiteral("12.3 ms");
        QTest::newRow("carry into next unit") << qint64(999'960) << QStringLiteral("1.00 ms");
        QTest::newRow("s") << qint64(3'400'000'000) << QStringLiteral("3.40 s");
        QTest::newRow("minutes") << qint64(125'000'000'000) << QStringLiteral("2 min 5 s");
        QTest::newRow("hours") << qint64(3'725'000'000'000) << QStringLiteral("1 h 2 min 5 s");
        QTest::newRow("negative") << qint64(-5) << QStringLiteral("-5 ns");
    }
    void format()
    {
        QFETCH(qint64, ns);
        QFETCH(QString, expected);
        QCOMPARE(Duration::format(ns), expected);
    }
};

QTEST_GUILESS_MAIN(TestDuration)
#include "tst_duration.moc"
