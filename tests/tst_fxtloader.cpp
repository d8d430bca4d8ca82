// SPDX-License-Identifier: MIT
#include "fxt/fxtloader.h"
#include "fxt/tracegenerator.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

using namespace Qt::StringLiterals;

class TestFxtLoader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void loadsOffTheCallingThread()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"t.fxt.zst"_s);
        TraceGeneratorOptions options;
        options.targetBytes = 1'000'000;
        TraceGeneratorResult written;
        QVERIFY(TraceGenerator::generateFile(path, options, &written));
        FxtLoader loader;
        QSignalSpy finished(&loader, &FxtLoader::finished);
        QSignalSpy failed(&loader, &FxtLoader::failed);
        QSignalSpy progress(&loader, &FxtLoader::progress);
        loader.start(path);
        QVERIFY(loader.isRunning());
        QVERIFY(finished.wait(60'000));
        QCOMPARE(failed.count(), 0);
        QVERIFY(!loader.isRunning());
        const auto data = finished.at(0).at(0).value<std::shared_ptr<const TraceData>>();
        QVERIFY(data);
        QCOMPARE(data->sliceCount(), written.calls);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(1).toLongLong(), QFileInfo(path).size());
    }

    void unreadableFails()
    {
        FxtLoader loader;
        QSignalSpy failed(&loader, &FxtLoader::failed);
        loader.start(u"/nonexistent/x.fxt"_s);
        QVERIFY(failed.wait(30'000));
        QVERIFY(!failed.at(0).at(0).toString().isEmpty());
    }

    void cancelAndRestart()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"t.fxt"_s);
        TraceGeneratorOptions options;
        options.targetBytes = 300'000;
        QVERIFY(TraceGenerator::generateFile(path, options));
        FxtLoader loader;
        QSignalSpy finished(&loader, &FxtLoader::finished);
        QSignalSpy failed(&loader, &FxtLoader::failed);
        loader.start(path);
        loader.cancel();
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), u"cancelled"_s);
        loader.start(path); // the second load's result is delivered, the first one's never
        QVERIFY(finished.wait(60'000));
        QTest::qWait(200);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(failed.count(), 1);
    }

    void destroyedWhileLoading()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"t.fxt.gz"_s);
        TraceGeneratorOptions options;
        options.targetBytes = 2'000'000;
        QVERIFY(TraceGenerator::generateFile(path, options));
        {
            FxtLoader loader;
            loader.start(path);
        }
        QThreadPool::globalInstance()->waitForDone(60'000); // no crash, nothing delivered to a dead object
    }
};

QTEST_GUILESS_MAIN(TestFxtLoader)
#include "tst_fxtloader.moc"
