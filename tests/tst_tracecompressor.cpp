// SPDX-License-Identifier: MIT
// Compressing and decompressing in place: every container both ways, and every way it can go wrong leaves the
// original untouched and nothing at the target.
#include "librarytestutil.h"

#include "library/tracecompressor.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace LibraryTest;
using TraceProbe::Compression;

class TestTraceCompressor : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QByteArray m_trace;
    QString path(const QString& name) const { return m_dir.filePath(name); }
    QStringList hiddenLeftovers() const
    {
        return QDir(m_dir.path()).entryList({ u".*partial*"_s }, QDir::Hidden | QDir::Files);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_trace = smallTrace("app [pid=9]", 512 * 1024);
    }

    void convert_data()
    {
        QTest::addColumn<int>("from");
        QTest::addColumn<int>("to");
        const QList<Compression> all { Compression::None, Compression::GZip, Compression::Zstd, Compression::Xz };
        for (Compression from : all) {
            for (Compression to : all) {
                if (from != to)
                    QTest::addRow(
                        "%s to %s", qPrintable(TraceProbe::formatKey(from)), qPrintable(TraceProbe::formatKey(to)))
                        << int(from) << int(to);
            }
        }
    }
    void convert()
    {
        QFETCH(int, from);
        QFETCH(int, to);
        const QString source
            = path(u"src"_s + QString::number(from) + QString::number(to) + TraceProbe::fileSuffix(Compression(from)));
        switch (Compression(from)) {
        case Compression::None:
            QVERIFY(writeFile(source, m_trace));
            break;
        case Compression::GZip:
            QVERIFY(writeCompressed(source, m_trace, KCompressionDevice::GZip));
            break;
        case Compression::Zstd:
            QVERIFY(writeCompressed(source, m_trace, KCompressionDevice::Zstd));
            break;
        default:
            QVERIFY(writeCompressed(source, m_trace, KCompressionDevice::Xz));
        }
        const QByteArray sourceBytes = readFile(source);
        const QString target = source + u".out"_s + TraceProbe::fileSuffix(Compression(to));
        QList<std::pair<qint64, qint64>> progress;
        JobControl control;
        control.setProgressHandler([&](qint64 done, qint64 total) { progress.append({ done, total }); });
        QString error;
        QVERIFY2(TraceCompressor::recompress(source, Compression(to), target, &control, &error), qPrintable(error));
        QCOMPARE(readFile(source), sourceBytes); // the original is not touched here
        QFile output(target);
        QVERIFY(output.open(QIODevice::ReadOnly));
        QCOMPARE(TraceProbe::sniff(output.peek(8)), Compression(to));
        QCOMPARE(readDecompressed(target).size() > 0 || Compression(to) == Compression::None, true);
        QVERIFY(TraceCompressor::sameContent(source, target, nullptr, &error));
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().first, progress.last().second);
        QVERIFY(hiddenLeftovers().isEmpty());
    }

    void compressionActuallyShrinks()
    {
        const QString source = path(u"shrink.fxt"_s);
        QVERIFY(writeFile(source, m_trace));
        QString error;
        QVERIFY(TraceCompressor::recompress(source, Compression::Zstd, path(u"shrink.fxt.zst"_s), nullptr, &error));
        QVERIFY(QFileInfo(path(u"shrink.fxt.zst"_s)).size() * 3 < QFileInfo(source).size());
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QByteArray() << u"not an FXT trace"_s;
        QTest::newRow("not fxt") << QByteArray("hello, world, this is text") << u"not an FXT trace"_s;
        QByteArray truncatedGzip;
        {
            const QString tmp = path(u"tmp.gz"_s);
            writeCompressed(tmp, m_trace, KCompressionDevice::GZip);
            truncatedGzip = readFile(tmp).left(20000);
        }
        QTest::newRow("truncated gzip") << truncatedGzip << u"damaged"_s;
    }
    void refusals()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        const QString source
            = path(u"bad-"_s + QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-') + u".fxt"_s);
        QVERIFY(writeFile(source, content));
        const QString target = source + u".zst"_s;
        QString error;
        QVERIFY(!TraceCompressor::recompress(source, Compression::Zstd, target, nullptr, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY(!QFileInfo::exists(target));
        QCOMPARE(readFile(source), content);
        QVERIFY(hiddenLeftovers().isEmpty());
    }

    void existingTargetIsNeverReplaced()
    {
        const QString source = path(u"exists.fxt"_s);
        QVERIFY(writeFile(source, m_trace));
        QVERIFY(writeFile(source + u".gz"_s, "precious"));
        QString error;
        QVERIFY(!TraceCompressor::recompress(source, Compression::GZip, source + u".gz"_s, nullptr, &error));
        QCOMPARE(readFile(source + u".gz"_s), QByteArray("precious"));
    }

    void cancelMidway()
    {
        const QString source = path(u"cancel.fxt"_s);
        QByteArray big = smallTrace("x", 6 * 1024 * 1024);
        QVERIFY(writeFile(source, big));
        JobControl control;
        control.setProgressHandler([&](qint64 done, qint64) {
            if (done > 0)
                control.cancel();
        });
        QString error;
        QVERIFY(!TraceCompressor::recompress(source, Compression::Xz, source + u".xz"_s, &control, &error));
        QVERIFY(error.contains(u"cancel"_s));
        QVERIFY(!QFileInfo::exists(source + u".xz"_s));
        QCOMPARE(QFileInfo(source).size(), big.size());
        QVERIFY(hiddenLeftovers().isEmpty());
    }

    void sourceChangesOrVanishesMidway_data()
    {
        QTest::addColumn<bool>("remove");
        QTest::newRow("vanishes") << true;
        QTest::newRow("is truncated") << false;
    }
    void sourceChangesOrVanishesMidway()
    {
        QFETCH(bool, remove);
        const QString source = path(remove ? u"vanish.fxt"_s : u"shrinks.fxt"_s);
        QVERIFY(writeFile(source, smallTrace("x", 4 * 1024 * 1024)));
        JobControl control;
        bool done = false;
        control.setProgressHandler([&](qint64 position, qint64) {
            if (done || position == 0)
                return;
            done = true;
            if (remove)
                QFile::remove(source);
            else
                QFile(source).resize(1024 * 1024);
        });
        QString error;
        QVERIFY(!TraceCompressor::recompress(source, Compression::Zstd, source + u".zst"_s, &control, &error));
        QVERIFY2(error.contains(u"vanished"_s) || error.contains(u"cannot open"_s), qPrintable(error));
        QVERIFY(!QFileInfo::exists(source + u".zst"_s));
        QVERIFY(hiddenLeftovers().isEmpty());
    }

    void readOnlyFolder()
    {
        QTemporaryDir dir;
        const QString source = dir.filePath(u"ro.fxt"_s);
        QVERIFY(writeFile(source, m_trace));
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
        {
            PermissionChecksEnforced enforced;
            if (!enforced.effective())
                QSKIP("running as root without the capability to drop CAP_DAC_OVERRIDE");
            QString error;
            QVERIFY(!TraceCompressor::recompress(source, Compression::GZip, source + u".gz"_s, nullptr, &error));
            QVERIFY2(error.contains(u"cannot create"_s), qPrintable(error));
        }
        QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QCOMPARE(readFile(source), m_trace);
    }
};

QTEST_GUILESS_MAIN(TestTraceCompressor)
#include "tst_tracecompressor.moc"
