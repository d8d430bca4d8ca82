// SPDX-License-Identifier: MIT
// "magic-trace-studio library ..." run as scripts run it: through the executable, with XDG_DATA_HOME pointing at a
// temporary folder, and no display.
#include "librarytestutil.h"

#include <KTar>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace LibraryTest;

class TestLibraryCommand : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_home;
    struct Result
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    Result run(const QStringList& arguments) const
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"DISPLAY"_s);
        env.remove(u"WAYLAND_DISPLAY"_s);
        env.remove(u"QT_QPA_PLATFORM"_s);
        env.insert(u"XDG_DATA_HOME"_s, m_home.filePath(u"data"_s));
        env.insert(u"XDG_CONFIG_HOME"_s, m_home.filePath(u"config"_s));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(MTS_APP_PATH), QStringList { u"library"_s } + arguments);
        if (!process.waitForFinished(60'000))
            return {};
        return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
            QString::fromLocal8Bit(process.readAllStandardOutput()),
            QString::fromLocal8Bit(process.readAllStandardError()) };
    }
    QJsonArray listJson() const
    {
        const Result result = run({ u"list"_s, u"--json"_s });
        return QJsonDocument::fromJson(result.out.toUtf8()).object().value(u"traces"_s).toArray();
    }
    QString file(const QString& name) const { return m_home.filePath(name); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_home.isValid()); }

    void emptyLibraryUnderXdgDataHome()
    {
        const Result result = run({ u"list"_s });
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains(m_home.filePath(u"data"_s)), qPrintable(result.out));
        const Result json = run({ u"list"_s, u"--json"_s });
        QCOMPARE(json.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QVERIFY(root.value(u"folder"_s).toString().startsWith(m_home.filePath(u"data"_s)));
        QCOMPARE(root.value(u"traces"_s).toArray().size(), 0);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expected");
        QTest::newRow("nothing") << QStringList() << u"missing command"_s;
        QTest::newRow("unknown") << QStringList { u"frobnicate"_s } << u"unknown library command"_s;
        QTest::newRow("export without -o") << QStringList { u"export"_s, u"x"_s } << u"usage"_s;
        QTest::newRow("bad format") << QStringList { u"compress"_s, u"x"_s, u"--format"_s, u"rar"_s }
                                    << u"unknown format"_s;
        QTest::newRow("misplaced option") << QStringList { u"rm"_s, u"x"_s, u"--json"_s } << u"does not belong"_s;
        QTest::newRow("unknown option") << QStringList { u"list"_s, u"--bogus"_s } << u"bogus"_s;
    }
    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        const Result result = run(arguments);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(expected), qPrintable(result.err));
    }

    void help()
    {
        const Result result = run({ u"--help"_s });
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains(u"compress ID --format"_s));
    }

    void fullCycle()
    {
        // import loose files (one bad), list, compress, export, rm, import the bundle back.
        QVERIFY(writeFile(file(u"first.fxt"_s), smallTrace("first [pid=1]")));
        QVERIFY(writeCompressed(file(u"second.fxt.gz"_s), smallTrace("second [pid=2]"), KCompressionDevice::GZip));
        QVERIFY(writeFile(file(u"junk.fxt"_s), "junk"));
        Result result = run({ u"import"_s, file(u"first.fxt"_s), file(u"junk.fxt"_s), file(u"second.fxt.gz"_s) });
        QCOMPARE(result.exitCode, 1); // one failed...
        QVERIFY(result.err.contains(u"junk.fxt"_s));
        QVERIFY(result.out.contains(u"as first"_s)); // ...the others went in
        QVERIFY(result.out.contains(u"as second"_s));
        QCOMPARE(listJson().size(), 2);

        result = run({ u"list"_s });
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains(u"first"_s));
        QVERIFY(result.out.contains(u"2 traces"_s));

        result = run({ u"compress"_s, u"first"_s, u"--format"_s, u"zstd"_s });
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(result.out.contains(u"first.fxt.zst"_s));
        result = run({ u"compress"_s, u"first"_s, u"--format"_s, u"zstd"_s });
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.err.contains(u"already"_s));
        result = run({ u"compress"_s, u"nope"_s, u"--format"_s, u"xz"_s });
        QCOMPARE(result.exitCode, 1);

        const QJsonArray traces = listJson();
        QJsonObject first;
        for (const QJsonValue& v : traces) {
            if (v.toObject().value(u"id"_s).toString() == u"first"_s)
                first = v.toObject();
        }
        QCOMPARE(first.value(u"format"_s).toString(), u"zstd"_s);
        QCOMPARE(first.value(u"processName"_s).toString(), u"first"_s);
        QCOMPARE(readDecompressed(first.value(u"tracePath"_s).toString()), smallTrace("first [pid=1]"));

        const QString bundle = file(u"first.zip"_s);
        result = run({ u"export"_s, u"first"_s, u"-o"_s, bundle });
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(QFileInfo::exists(bundle));
        result = run({ u"export"_s, u"first"_s, u"-o"_s, bundle });
        QCOMPARE(result.exitCode, 1); // never overwrites
        QVERIFY(result.err.contains(u"already exists"_s));

        result = run({ u"rm"_s, u"first"_s });
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(result.out.contains(u"Trash"_s));
        QCOMPARE(listJson().size(), 1);

        result = run({ u"import"_s, bundle });
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QCOMPARE(listJson().size(), 2);
    }

    void explicitFolder()
    {
        const QString folder = file(u"elsewhere"_s);
        QDir().mkpath(folder);
        QVERIFY(writeFile(folder + u"/dropped.fxt"_s, smallTrace("dropped [pid=5]")));
        const Result result = run({ u"--folder"_s, folder, u"list"_s, u"--json"_s });
        QCOMPARE(result.exitCode, 0);
        const QJsonArray traces = QJsonDocument::fromJson(result.out.toUtf8()).object().value(u"traces"_s).toArray();
        QCOMPARE(traces.size(), 1);
        QCOMPARE(traces.first().toObject().value(u"origin"_s).toString(), u"discovered"_s);
    }

    void hostileBundleIsRefused()
    {
        const QString bundle = file(u"evil.tar.gz"_s);
        {
            KTar tar(bundle, u"application/gzip"_s);
            QVERIFY(tar.open(QIODevice::WriteOnly));
            tar.writeFile(u"metadata.json"_s, "{}");
            tar.writeFile(u"../../escape.fxt"_s, smallTrace());
            tar.close();
        }
        const int before = listJson().size();
        const Result result = run({ u"import"_s, bundle });
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(u"outside the bundle"_s), qPrintable(result.err));
        QCOMPARE(listJson().size(), before);
        QVERIFY(!QFileInfo::exists(m_home.filePath(u"escape.fxt"_s)));
    }
};

QTEST_GUILESS_MAIN(TestLibraryCommand)
#include "tst_librarycommand.moc"
