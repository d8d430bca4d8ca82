// SPDX-License-Identifier: MIT
// MagicTraceLocator against small shell scripts standing in for good and bad "magic-trace" executables.
#include "host/magictracelocator.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Status = MagicTraceCandidate::Status;
using Source = MagicTraceCandidate::Source;

namespace {

bool writeExecutable(const QString& path, const QByteArray& content, bool executable = true)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        return false;
    file.close();
    QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    if (executable)
        permissions |= QFileDevice::ExeOwner;
    return file.setPermissions(permissions);
}

QByteArray script(const QByteArray& body)
{
    return "#!/bin/sh\n" + body + "\n";
}

} // namespace

class TestMagicTraceLocator : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseVersionOutput_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("version"); // MagicTraceVersion::toString(); empty: invalid
        QTest::newRow("tag") << u"v1.2.4\n"_s << true << u"1.2.4"_s;
        QTest::newRow("old tag") << u"v1.0.2"_s << true << u"1.0.2"_s;
        QTest::newRow("no v") << u"1.2.3"_s << true << u"1.2.3"_s;
        QTest::newRow("named") << u"magic-trace v1.2.4"_s << true << u"1.2.4"_s;
        QTest::newRow("describe") << u"v1.2.4-12-gd31ceba"_s << true << u"1.2.4+12"_s;
        QTest::newRow("dirty") << u"v1.2.4-12-gd31ceba-dirty"_s << true << u"1.2.4+12"_s;
        QTest::newRow("hash only") << u"d31ceba"_s << true << QString();
        QTest::newRow("two components") << u"1.2"_s << false << QString();
        QTest::newRow("empty") << QString() << false << QString();
        QTest::newRow("words") << u"hello world"_s << false << QString();
        QTest::newRow("two lines") << u"v1.2.4\nv1.2.5"_s << false << QString();
        QTest::newRow("perf") << u"perf version 6.1.0"_s << false << QString();
        QTest::newRow("other tool") << u"GNU coreutils 9.1.0"_s << false << QString();
        QTest::newRow("help text") << u"Usage: foo [-version]"_s << false << QString();
    }
    void parseVersionOutput()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(QString, version);
        const auto parsed = MagicTraceLocator::parseVersionOutput(text);
        QCOMPARE(parsed.has_value(), valid);
        if (valid)
            QCOMPARE(parsed->isValid() ? parsed->toString() : QString(), version);
    }

    void classifiesCandidate_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<bool>("executable");
        QTest::addColumn<Status>("status");
        QTest::addColumn<QString>("versionText");
        QTest::addColumn<QString>("problemMentions");
        QTest::newRow("real") << script("echo v1.2.4") << true << Status::Ok << u"v1.2.4"_s << QString();
        QTest::newRow("describe") << script("echo v1.2.4-3-gabcdef1") << true << Status::Ok << u"v1.2.4-3-gabcdef1"_s
                                  << QString();
        QTest::newRow("non-zero exit") << script("echo 'unknown flag -version' >&2; exit 2") << true
                                       << Status::NotMagicTrace << QString() << u"status 2"_s;
        QTest::newRow("other text") << script("echo 'GNU something 8.32'") << true << Status::NotMagicTrace << QString()
                                    << u"GNU something 8.32"_s;
        QTest::newRow("silent") << script("exit 0") << true << Status::Garbage << QString() << u"nothing"_s;
        QTest::newRow("binary") << script("printf '\\001\\002\\377\\376'") << true << Status::Garbage << QString()
                                << u"binary"_s;
        QTest::newRow("flood") << script("while :; do echo 0123456789abcdef0123456789abcdef; done") << true
                               << Status::Garbage << QString() << u"KiB"_s;
        QTest::newRow("crash") << script("kill -SEGV $$") << true << Status::Crashed << QString() << u"crash"_s;
        QTest::newRow("no x bit") << script("echo v1.2.4") << false << Status::NotExecutable << QString()
                                  << u"chmod +x"_s;
        QTest::newRow("wrong format") << QByteArray("\x01\x02\x03 not a program") << true << Status::NotExecutable
                                      << QString() << u"could not be started"_s;
    }
    void classifiesCandidate()
    {
        QFETCH(QByteArray, content);
        QFETCH(bool, executable);
        QFETCH(Status, status);
        QFETCH(QString, versionText);
        QFETCH(QString, problemMentions);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"magic-trace"_s);
        QVERIFY(writeExecutable(path, content, executable));

        MagicTraceLocator locator;
        locator.setConfiguredPath(path);
        locator.setSearchDirectories({});
        locator.setInstallDirectory(dir.filePath(u"nothing-here"_s));
        locator.setTimeout(10'000);
        const MagicTraceLocation location = locator.locateAndWait();
        QCOMPARE(location.candidates.size(), 1);
        const MagicTraceCandidate& candidate = location.candidates.first();
        QCOMPARE(candidate.path, path);
        QCOMPARE(candidate.source, Source::Settings);
        QCOMPARE(candidate.status, status);
        QCOMPARE(candidate.versionText, versionText);
        QCOMPARE(location.isFound(), status == Status::Ok);
        if (status == Status::Ok) {
            QVERIFY(candidate.problem.isEmpty());
            QCOMPARE(candidate.version.toString().left(5), u"1.2.4"_s);
            QCOMPARE(candidate.version.commitsAfterTag, versionText.contains(u"-3-g"_s) ? 3 : 0);
            QVERIFY(candidate.capabilities().compressedOutput);
        } else {
            QVERIFY2(candidate.problem.contains(problemMentions, Qt::CaseInsensitive), qPrintable(candidate.problem));
        }
    }

    void hangingCandidateIsKilledWithItsChildren()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"magic-trace"_s);
        const QString marker = dir.filePath(u"child-pid"_s);
        // The shell waits for a background sleep: killing only the shell would leave the sleep behind.
        QVERIFY(writeExecutable(path, script("sleep 120 & echo $! > '" + marker.toUtf8() + "'; wait")));

        MagicTraceLocator locator;
        locator.setConfiguredPath(path);
        locator.setSearchDirectories({});
        locator.setInstallDirectory(dir.filePath(u"none"_s));
        locator.setTimeout(1500);
        QElapsedTimer elapsed;
        elapsed.start();
        const MagicTraceLocation location = locator.locateAndWait();
        QVERIFY(elapsed.elapsed() < 20'000);
        QCOMPARE(location.candidates.size(), 1);
        QCOMPARE(location.candidates.first().status, Status::Hung);
        QVERIFY(location.candidates.first().problem.contains(u"did not finish"_s));

        QFile pidFile(marker);
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const QByteArray childPid = pidFile.readAll().trimmed();
        QVERIFY(!childPid.isEmpty());
        // The sleep must be gone (a zombie is reaped by init; allow for it with a retry).
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(u"/proc/"_s + QString::fromLatin1(childPid) + u"/cmdline"_s)
                || QFile(u"/proc/"_s + QString::fromLatin1(childPid) + u"/cmdline"_s).size() == 0,
            10'000);
    }

    void searchOrderAndFallback()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir(dir.path()).mkpath(u"configured"_s));
        QVERIFY(QDir(dir.path()).mkpath(u"path1"_s));
        QVERIFY(QDir(dir.path()).mkpath(u"path2"_s));
        QVERIFY(QDir(dir.path()).mkpath(u"install"_s));
        const QString configured = dir.filePath(u"configured/magic-trace"_s);
        QVERIFY(writeExecutable(configured, script("echo 'not me' ; exit 3")));
        // path1 has no magic-trace at all; path2 has a working one; the install dir too (must not be chosen).
        QVERIFY(writeExecutable(dir.filePath(u"path2/magic-trace"_s), script("echo v1.2.3")));
        QVERIFY(writeExecutable(dir.filePath(u"install/magic-trace"_s), script("echo v1.2.4")));

        MagicTraceLocator locator;
        locator.setConfiguredPath(configured);
        locator.setSearchDirectories({ dir.filePath(u"path1"_s), u"relative/dir"_s, dir.filePath(u"path2"_s) });
        locator.setInstallDirectory(dir.filePath(u"install"_s));

        const auto list = locator.searchList();
        QCOMPARE(list.size(), 4);
        QCOMPARE(list[0].second, Source::Settings);
        QCOMPARE(list[1].first, dir.filePath(u"path1/magic-trace"_s));
        QCOMPARE(list[2].first, dir.filePath(u"path2/magic-trace"_s));
        QCOMPARE(list[3].second, Source::AppInstall);

        QSignalSpy checked(&locator, &MagicTraceLocator::candidateChecked);
        const MagicTraceLocation location = locator.locateAndWait();
        // The broken configured one is reported, the absent path1 one is not, and the search stops at path2.
        QCOMPARE(location.candidates.size(), 2);
        QCOMPARE(checked.size(), 2);
        QCOMPARE(location.candidates[0].status, Status::NotMagicTrace);
        QCOMPARE(location.candidates[1].path, dir.filePath(u"path2/magic-trace"_s));
        QCOMPARE(location.found()->versionText, u"v1.2.3"_s);
        QCOMPARE(location.found()->source, Source::Path);
    }

    void installDirectoryIsTheLastResort()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(writeExecutable(dir.filePath(u"magic-trace"_s), script("echo v1.2.4")));
        MagicTraceLocator locator;
        locator.setSearchDirectories({ dir.filePath(u"empty"_s) });
        locator.setInstallDirectory(dir.path());
        const MagicTraceLocation location = locator.locateAndWait();
        QVERIFY(location.isFound());
        QCOMPARE(location.found()->source, Source::AppInstall);
    }

    void duplicatesAreCheckedOnce()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(writeExecutable(dir.filePath(u"magic-trace"_s), script("echo v1.2.4")));
        QVERIFY(QFile::link(dir.path(), dir.filePath(u"alias"_s)));
        MagicTraceLocator locator;
        locator.setConfiguredPath(dir.filePath(u"magic-trace"_s));
        locator.setSearchDirectories({ dir.path(), dir.filePath(u"alias"_s), dir.path() });
        locator.setInstallDirectory(dir.path());
        QCOMPARE(locator.searchList().size(), 1);
    }

    void missingConfiguredPathIsReportedAndNothingFound()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MagicTraceLocator locator;
        locator.setConfiguredPath(dir.filePath(u"gone/magic-trace"_s));
        locator.setSearchDirectories({ dir.path() });
        locator.setInstallDirectory(dir.filePath(u"install"_s));
        QSignalSpy finished(&locator, &MagicTraceLocator::finished);
        locator.start();
        QCOMPARE(finished.size(), 0); // never synchronously
        QVERIFY(finished.wait(10'000));
        const auto location = finished.first().first().value<MagicTraceLocation>();
        QVERIFY(!location.isFound());
        QCOMPARE(location.candidates.size(), 1);
        QCOMPARE(location.candidates.first().status, Status::Missing);
        QVERIFY(!locator.isRunning());
    }

    void cancelStopsAHangingCheck()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(writeExecutable(dir.filePath(u"magic-trace"_s), script("exec sleep 120")));
        MagicTraceLocator locator;
        locator.setConfiguredPath(dir.filePath(u"magic-trace"_s));
        locator.setSearchDirectories({});
        locator.setTimeout(60'000);
        QSignalSpy checked(&locator, &MagicTraceLocator::candidateChecked);
        QSignalSpy finished(&locator, &MagicTraceLocator::finished);
        locator.start();
        QTest::qWait(300);
        QVERIFY(locator.isRunning());
        locator.cancel();
        QCOMPARE(finished.size(), 1);
        QVERIFY(finished.first().first().value<MagicTraceLocation>().canceled);
        QVERIFY(!locator.isRunning());
        QTest::qWait(200);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(checked.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestMagicTraceLocator)
#include "tst_magictracelocator.moc"
