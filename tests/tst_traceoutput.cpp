// SPDX-License-Identifier: MIT
#include "trace/traceoutput.h"

#include "fxt/tracegenerator.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestTraceOutput : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString& name, const QByteArray& bytes)
    {
        QFile f(m_dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(bytes);
        return f.fileName();
    }

private Q_SLOTS:
    void checkOutput_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("format"); // empty: must be refused
        QTest::newRow("fxt") << u"a.fxt"_s << u"fxt"_s;
        QTest::newRow("gzip") << u"a.fxt.gz"_s << u"gzip"_s;
        QTest::newRow("zstd") << u"a.fxt.zst"_s << u"zstd"_s;
    }
    void checkOutput()
    {
        QFETCH(QString, name);
        QFETCH(QString, format);
        TraceGeneratorOptions options;
        options.targetBytes = 4096;
        QString error;
        const QString path = m_dir.filePath(name);
        QVERIFY2(TraceGenerator::generateFile(path, options, nullptr, &error), qPrintable(error));
        QString found;
        QString problem;
        QVERIFY2(TraceOutput::checkOutput(path, &found, &problem), qPrintable(problem));
        QCOMPARE(found, format);
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes"); // "-" : no file at all
        QTest::newRow("missing") << u"m.fxt"_s << QByteArray("-");
        QTest::newRow("empty") << u"e.fxt"_s << QByteArray();
        QTest::newRow("text") << u"t.fxt"_s << QByteArray("hello world\n");
        QTest::newRow("truncated magic") << u"p.fxt"_s << QByteArray("\x10\x00\x04", 3);
        QTest::newRow("gzip of junk") << u"g.fxt.gz"_s << QByteArray("\x1f\x8b\x08\x00garbage", 11);
        QTest::newRow("sexp not a sexp") << u"s.sexp"_s << QByteArray("nope");
    }
    void refusals()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        const QString path = bytes == "-" ? m_dir.filePath(name) : write(name, bytes);
        QString problem;
        QVERIFY(!TraceOutput::checkOutput(path, nullptr, &problem));
        QVERIFY(!problem.isEmpty());
    }

    void sexpAccepted()
    {
        QString format;
        QVERIFY(TraceOutput::checkOutput(write(u"x.sexp"_s, "((events ()))\n"), &format, nullptr));
        QCOMPARE(format, u"sexp"_s);
    }

    void uniquePaths()
    {
        const auto v124 = MagicTraceCapabilities::forVersion(MagicTraceVersion::fromNumbers(1, 2, 4));
        const auto v102 = MagicTraceCapabilities::forVersion(MagicTraceVersion::fromNumbers(1, 0, 2));
        const QString first = TraceOutput::uniqueOutputPath(m_dir.path(), v124, u"myprog"_s);
        QVERIFY(first.endsWith(u".fxt.gz"_s));
        QVERIFY(QFileInfo(first).fileName().startsWith(u"myprog-"_s));
        QVERIFY(QFileInfo(first).isAbsolute());
        write(QFileInfo(first).fileName(), "x");
        const QString second = TraceOutput::uniqueOutputPath(m_dir.path(), v124, u"myprog"_s);
        QVERIFY(second != first);
        QVERIFY(TraceOutput::uniqueOutputPath(m_dir.path(), v102).endsWith(u".fxt"_s));
        QCOMPARE(TraceOutput::logPathFor(u"/a/b.fxt"_s), u"/a/b.fxt.log"_s);
    }
};

QTEST_GUILESS_MAIN(TestTraceOutput)
#include "tst_traceoutput.moc"
