// SPDX-License-Identifier: MIT
// LibraryJob: work on a worker thread, progress and result back on the owner thread, cancel, commit step.
#include "library/libraryjob.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;

class TestLibraryJob : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void runsOffThreadAndCommitsOnOwnerThread()
    {
        LibraryJob job(u"test"_s);
        QThread* workerThread = nullptr;
        QThread* commitThread = nullptr;
        QList<qint64> seen;
        connect(&job, &LibraryJob::progress, this, [&](qint64 done, qint64) { seen.append(done); });
        QSignalSpy finished(&job, &LibraryJob::finished);
        job.start(
            [&](JobControl& control) -> LibraryJob::Result {
                workerThread = QThread::currentThread();
                for (int i = 0; i <= 10; ++i)
                    control.report(i, 10);
                return { true, {}, u"value"_s };
            },
            [&](const LibraryJob::Result& result) {
                commitThread = QThread::currentThread();
                return result;
            });
        QVERIFY(job.isRunning());
        QVERIFY(finished.wait(20'000));
        QVERIFY(!job.isRunning());
        QCOMPARE(finished.first().first().toBool(), true);
        QCOMPARE(job.result().value, u"value"_s);
        QVERIFY(workerThread != QThread::currentThread());
        QCOMPARE(commitThread, QThread::currentThread());
        QTRY_VERIFY(!seen.isEmpty());
        QCOMPARE(seen.last(), 10); // the final report is never throttled away
    }

    void cancelReachesTheWorker()
    {
        LibraryJob job(u"test"_s);
        QSignalSpy finished(&job, &LibraryJob::finished);
        job.start([](JobControl& control) -> LibraryJob::Result {
            while (!control.isCancelled())
                QThread::msleep(5);
            return { false, u"cancelled"_s, {} };
        });
        job.cancel();
        QVERIFY(finished.wait(20'000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QCOMPARE(finished.first().at(1).toString(), u"cancelled"_s);
        QVERIFY(job.isCancelled());
    }

    void commitCanFail()
    {
        LibraryJob job(u"test"_s);
        QSignalSpy finished(&job, &LibraryJob::finished);
        job.start(
            [](JobControl&) -> LibraryJob::Result {
                return { true, {}, {} };
            },
            [](const LibraryJob::Result&) -> LibraryJob::Result {
                return { false, u"commit failed"_s, {} };
            });
        QVERIFY(finished.wait(20'000));
        QCOMPARE(finished.first().at(1).toString(), u"commit failed"_s);
    }

    void destroyingARunningJobWaitsForIt()
    {
        std::atomic<bool> ended { false };
        {
            LibraryJob job(u"test"_s);
            job.start([&](JobControl& control) -> LibraryJob::Result {
                while (!control.isCancelled())
                    QThread::msleep(5);
                ended = true;
                return {};
            });
        }
        QVERIFY(ended);
    }
};

QTEST_GUILESS_MAIN(TestLibraryJob)
#include "tst_libraryjob.moc"
