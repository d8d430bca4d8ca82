// SPDX-License-Identifier: MIT
// Runs the built executable the way users and scripts do.
#include "buildinfo.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

class TestCommandLine : public QObject
{
    Q_OBJECT
private:
    struct Result
    {
        int exitCode;
        QByteArray out;
        QByteArray err;
    };
    static Result run(const QStringList& arguments, bool withDisplay = false)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (!withDisplay) {
            env.remove(QStringLiteral("DISPLAY"));
            env.remove(QStringLiteral("WAYLAND_DISPLAY"));
            env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        }
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(MTS_APP_PATH), arguments);
        if (!process.waitForFinished(30'000))
            return { -1, {}, "did not finish" };
        return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
            process.readAllStandardOutput(), process.readAllStandardError() };
    }

private Q_SLOTS:
    void versionWithoutDisplay_data()
    {
        QTest::addColumn<QString>("flag");
        QTest::newRow("long") << QStringLiteral("--version");
        QTest::newRow("short") << QStringLiteral("-v");
    }
    void versionWithoutDisplay()
    {
        QFETCH(QString, flag);
        const Result result = run({ flag });
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.out, QByteArray("magic-trace-studio " MTS_VERSION_STRING "\n"));
    }

    void helpListsOptions()
    {
        const Result result = run({ QStringLiteral("--help") });
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains("--version"));
        QVERIFY(result.out.contains("--attach"));
        QVERIFY(result.out.startsWith("Usage:"));
    }

    void guiWithoutDisplayFailsClearly()
    {
        const Result result = run({});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains("no display"), result.err.constData());
    }

    void unknownOptionIsRefused()
    {
        const Result result = run({ QStringLiteral("--no-such-option") });
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.err.contains("no-such-option"));
    }

    void unknownCommandIsRefused()
    {
        const Result result = run({ QStringLiteral("frobnicate") });
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.err.contains("unknown command"));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
