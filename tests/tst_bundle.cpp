// SPDX-License-Identifier: MIT
// Bundles: round trips through every container, and hostile or broken bundles built here with KTar/KZip (or,
// for entry types KTar cannot write, a hand-made tar header) that must be refused before anything is written.
#include "librarytestutil.h"

#include "library/bundle.h"

#include <KTar>
#include <KZip>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace LibraryTest;

namespace {

// One ustar header + data, for entry types KTar does not write (devices, hard links, absolute names).
QByteArray rawTarEntry(const QByteArray& name, char type, const QByteArray& data = {}, const QByteArray& link = {})
{
    QByteArray header(512, '\0');
    std::memcpy(header.data(), name.constData(), qMin<qsizetype>(name.size(), 100));
    std::memcpy(header.data() + 100, "0000644", 7);
    std::memcpy(header.data() + 108, "0000000", 7);
    std::memcpy(header.data() + 116, "0000000", 7);
    const QByteArray size = QByteArray::number(data.size(), 8).rightJustified(11, '0');
    std::memcpy(header.data() + 124, size.constData(), 11);
    std::memcpy(header.data() + 136, "00000000000", 11);
    header[156] = type;
    std::memcpy(header.data() + 157, link.constData(), qMin<qsizetype>(link.size(), 100));
    std::memcpy(header.data() + 257, "ustar", 5);
    std::memcpy(header.data() + 263, "00", 2);
    std::memset(header.data() + 148, ' ', 8);
    int sum = 0;
    for (char c : header)
        sum += uchar(c);
    const QByteArray checksum = QByteArray::number(sum, 8).rightJustified(6, '0');
    std::memcpy(header.data() + 148, checksum.constData(), 6);
    header[154] = '\0';
    QByteArray out = header + data;
    out.append(QByteArray((512 - data.size() % 512) % 512, '\0'));
    return out;
}

QByteArray metadataJson()
{
    TraceMetadata m;
    m.id = u"20260101-120000-myserver"_s;
    m.title = u"a title"_s;
    m.processName = u"myserver"_s;
    m.outcome = TraceOutcome::Succeeded;
    m.tags = QStringList { u"prod"_s };
    return m.toJsonBytes();
}

} // namespace

class TestBundle : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString path(const QString& name) const { return m_dir.filePath(name); }

    // Builds a tar.gz with KTar from (name, data) pairs.
    QString makeTar(const QString& name, const QList<std::pair<QString, QByteArray>>& files,
        const std::function<void(KTar&)>& extra = {})
    {
        const QString file = path(name);
        QFile::remove(file);
        KTar tar(file, u"application/gzip"_s);
        if (!tar.open(QIODevice::WriteOnly))
            return {};
        for (const auto& [entryName, data] : files)
            tar.writeFile(entryName, data);
        if (extra)
            extra(tar);
        tar.close();
        return file;
    }
    QString makeZip(const QString& name, const QList<std::pair<QString, QByteArray>>& files,
        const std::function<void(KZip&)>& extra = {})
    {
        const QString file = path(name);
        QFile::remove(file);
        KZip zip(file);
        if (!zip.open(QIODevice::WriteOnly))
            return {};
        for (const auto& [entryName, data] : files)
            zip.writeFile(entryName, data);
        if (extra)
            extra(zip);
        zip.close();
        return file;
    }

    // Refused, with the expected words in the message, and the chooser never asked.
    void expectRefused(const QString& bundle, const QString& expected, const Bundle::Limits& limits = {})
    {
        QVERIFY(!bundle.isEmpty());
        QString error;
        QVERIFY(!Bundle::inspect(bundle, limits, nullptr, &error));
        QVERIFY2(error.contains(expected, Qt::CaseInsensitive), qPrintable(error));
        bool asked = false;
        const QString target = path(u"out"_s);
        QDir().mkpath(target);
        const auto result = Bundle::extract(
            bundle, limits,
            [&](const Bundle::Inspection&, QString* trace, QString* log, QString*) {
                asked = true;
                *trace = target + u"/t.fxt"_s;
                *log = target + u"/t.log"_s;
                return true;
            },
            nullptr, &error);
        QVERIFY(!result);
        QVERIFY(!asked);
        QVERIFY(QDir(target).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void kindFromName_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("kind");
        QTest::newRow("tar.zst") << u"a.tar.zst"_s << int(Bundle::Kind::TarZstd);
        QTest::newRow("tgz") << u"a.TGZ"_s << int(Bundle::Kind::TarGzip);
        QTest::newRow("tar.xz") << u"x/y.tar.xz"_s << int(Bundle::Kind::TarXz);
        QTest::newRow("zip") << u"a.zip"_s << int(Bundle::Kind::Zip);
        QTest::newRow("other") << u"a.tar"_s << -1;
    }
    void kindFromName()
    {
        QFETCH(QString, name);
        QFETCH(int, kind);
        const auto found = Bundle::kindForFileName(name);
        QCOMPARE(found ? int(*found) : -1, kind);
    }

    void roundTrip_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("traceCompression"); // KCompressionDevice type, or -1 for raw
        QTest::addColumn<bool>("withLog");
        QTest::newRow("tar.zst, raw trace, log") << int(Bundle::Kind::TarZstd) << u"a.tar.zst"_s << -1 << true;
        QTest::newRow("tar.gz, gzip trace")
            << int(Bundle::Kind::TarGzip) << u"b.tar.gz"_s << int(KCompressionDevice::GZip) << false;
        QTest::newRow("tar.xz, zstd trace, log")
            << int(Bundle::Kind::TarXz) << u"c.tar.xz"_s << int(KCompressionDevice::Zstd) << true;
        QTest::newRow("zip, raw trace, log") << int(Bundle::Kind::Zip) << u"d.zip"_s << -1 << true;
        QTest::newRow("zip, gzip trace") << int(Bundle::Kind::Zip) << u"e.zip"_s << int(KCompressionDevice::GZip)
                                         << false;
    }
    void roundTrip()
    {
        QFETCH(int, kind);
        QFETCH(QString, name);
        QFETCH(int, traceCompression);
        QFETCH(bool, withLog);
        const QByteArray fxt = smallTrace("server [pid=77]", 300 * 1024);
        const QString tracePath = path(name + u".trace"_s);
        if (traceCompression < 0)
            QVERIFY(writeFile(tracePath, fxt));
        else
            QVERIFY(writeCompressed(tracePath, fxt, KCompressionDevice::CompressionType(traceCompression)));
        const QByteArray traceBytes = readFile(tracePath);
        const QString logPath = path(name + u".log"_s);
        QVERIFY(writeFile(logPath, "[ Attaching... ]\n[ Got signal, detaching... ]\n"));
        TraceMetadata metadata = *TraceMetadata::fromJsonBytes(metadataJson(), nullptr);

        const QString bundlePath = path(name);
        QString error;
        QVERIFY2(Bundle::write(bundlePath, Bundle::Kind(kind), { tracePath, metadata, withLog ? logPath : QString() },
                     nullptr, &error),
            qPrintable(error));
        // Never over an existing file.
        QVERIFY(!Bundle::write(bundlePath, Bundle::Kind(kind), { tracePath, metadata, QString() }, nullptr, &error));

        const auto inspection = Bundle::inspect(bundlePath, {}, nullptr, &error);
        QVERIFY2(inspection, qPrintable(error));
        QCOMPARE(inspection->metadata, metadata);
        QCOMPARE(inspection->hasLog, withLog);
        QCOMPARE(inspection->traceSize, traceBytes.size());
        QVERIFY(inspection->traceSummary.isFxt);
        QCOMPARE(inspection->traceSummary.processNames, QStringList { u"server [pid=77]"_s });

        const QString target = path(name + u".out"_s);
        QVERIFY(QDir().mkpath(target));
        const auto extracted = Bundle::extract(
            bundlePath, {},
            [&](const Bundle::Inspection&, QString* trace, QString* log, QString*) {
                *trace = target + u"/trace"_s;
                *log = target + u"/log"_s;
                return true;
            },
            nullptr, &error);
        QVERIFY2(extracted, qPrintable(error));
        QCOMPARE(readFile(target + u"/trace"_s), traceBytes);
        QCOMPARE(QFileInfo::exists(target + u"/log"_s), withLog);
        if (withLog)
            QCOMPARE(readFile(target + u"/log"_s), readFile(logPath));
        // Extracting again never overwrites.
        QVERIFY(!Bundle::extract(
            bundlePath, {},
            [&](const Bundle::Inspection&, QString* trace, QString* log, QString*) {
                *trace = target + u"/trace"_s;
                *log = target + u"/log2"_s;
                return true;
            },
            nullptr, &error));
        QCOMPARE(readFile(target + u"/trace"_s), traceBytes);
    }

    void exportCancelledLeavesNothing()
    {
        const QString tracePath = path(u"cancel.fxt"_s);
        QVERIFY(writeFile(tracePath, smallTrace("x", 4 * 1024 * 1024)));
        JobControl control;
        control.cancel();
        QString error;
        QVERIFY(
            !Bundle::write(path(u"cancel.tar.zst"_s), Bundle::Kind::TarZstd, { tracePath, {}, {} }, &control, &error));
        QVERIFY(error.contains(u"cancel"_s));
        QVERIFY(!QFileInfo::exists(path(u"cancel.tar.zst"_s)));
        const QStringList leftovers
            = QDir(m_dir.path()).entryList({ u".cancel.tar.zst*"_s }, QDir::Hidden | QDir::Files);
        QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(u' ')));
    }

    void exportOfVanishedTraceFails()
    {
        QString error;
        QVERIFY(!Bundle::write(
            path(u"gone.zip"_s), Bundle::Kind::Zip, { path(u"no-such.fxt"_s), {}, {} }, nullptr, &error));
        QVERIFY(!QFileInfo::exists(path(u"gone.zip"_s)));
    }

    void hostileTar_data()
    {
        QTest::addColumn<QString>("bundle");
        QTest::addColumn<QString>("expected");
        const QByteArray fxt = smallTrace();
        const QByteArray meta = metadataJson();
        QTest::newRow("traversal") << makeTar(
            u"trav.tar.gz"_s, { { u"metadata.json"_s, meta }, { u"../trace.fxt"_s, fxt } })
                                   << u".."_s;
        QTest::newRow("nested traversal")
            << makeTar(u"trav2.tar.gz"_s, { { u"metadata.json"_s, meta }, { u"a/../../x"_s, fxt } }) << u".."_s;
        QTest::newRow("symlink") << makeTar(u"link.tar.gz"_s, { { u"metadata.json"_s, meta } }, [](KTar& tar) {
            tar.writeSymLink(u"trace.fxt"_s, u"/etc/passwd"_s);
        }) << u"symbolic link"_s;
        QTest::newRow("folder") << makeTar(
            u"dir.tar.gz"_s, { { u"metadata.json"_s, meta }, { u"sub/trace.fxt"_s, fxt } })
                                << u"folder"_s;
        QTest::newRow("unexpected name") << makeTar(
            u"name.tar.gz"_s, { { u"metadata.json"_s, meta }, { u"trace.fxt"_s, fxt }, { u"run.sh"_s, "rm -rf ~" } })
                                         << u"unexpected entry"_s;
        QTest::newRow("two traces") << makeTar(
            u"two.tar.gz"_s, { { u"metadata.json"_s, meta }, { u"trace.fxt"_s, fxt }, { u"trace.fxt.gz"_s, fxt } })
                                    << u"more than one trace"_s;
        QTest::newRow("no metadata") << makeTar(u"nometa.tar.gz"_s, { { u"trace.fxt"_s, fxt } }) << u"metadata.json"_s;
        QTest::newRow("no trace") << makeTar(u"notrace.tar.gz"_s, { { u"metadata.json"_s, meta } }) << u"no trace"_s;
        QTest::newRow("bad metadata") << makeTar(
            u"badmeta.tar.gz"_s, { { u"metadata.json"_s, "{\"tags\": 5}" }, { u"trace.fxt"_s, fxt } })
                                      << u"invalid"_s;
        QTest::newRow("not fxt") << makeTar(
            u"notfxt.tar.gz"_s, { { u"metadata.json"_s, meta }, { u"trace.fxt"_s, "hello" } })
                                 << u"not an FXT trace"_s;
        QTest::newRow("name lies about compression")
            << makeTar(u"lies.tar.gz"_s, { { u"metadata.json"_s, meta }, { u"trace.fxt.gz"_s, fxt } })
            << u"format its name"_s;

        // Entry types KTar cannot write: a hand-made tar, gzip-compressed with KCompressionDevice.
        auto rawTar = [&](const QString& name, const QByteArray& entries) {
            const QString file = path(name);
            writeCompressed(file, entries + QByteArray(1024, '\0'), KCompressionDevice::GZip);
            return file;
        };
        QTest::newRow("absolute path") << rawTar(
            u"abs.tar.gz"_s, rawTarEntry("metadata.json", '0', meta) + rawTarEntry("/tmp/trace.fxt", '0', fxt))
                                       << u"absolute path"_s;
        QTest::newRow("device") << rawTar(
            u"dev.tar.gz"_s, rawTarEntry("metadata.json", '0', meta) + rawTarEntry("trace.fxt", '3'))
                                << u"device"_s;
        QTest::newRow("fifo") << rawTar(
            u"fifo.tar.gz"_s, rawTarEntry("metadata.json", '0', meta) + rawTarEntry("log.txt", '6'))
                              << u"pipe"_s;
        QTest::newRow("hard link") << rawTar(u"hard.tar.gz"_s,
            rawTarEntry("metadata.json", '0', meta) + rawTarEntry("trace.fxt", '1', {}, "/etc/shadow"))
                                   << u"hard link"_s;
        QTest::newRow("duplicate") << rawTar(u"dup.tar.gz"_s,
            rawTarEntry("metadata.json", '0', meta) + rawTarEntry("metadata.json", '0', meta)
                + rawTarEntry("trace.fxt", '0', fxt))
                                   << u"more than once"_s;
        QByteArray badChecksum = rawTarEntry("metadata.json", '0', meta);
        badChecksum[10] = 'X';
        QTest::newRow("bad checksum") << rawTar(u"sum.tar.gz"_s, badChecksum) << u"damaged"_s;

        // Broken containers.
        QTest::newRow("random bytes") << [&] {
            writeFile(path(u"random.tar.zst"_s), QByteArray(4096, 'z'));
            return path(u"random.tar.zst"_s);
        }() << u"not a bundle"_s;
        QTest::newRow("corrupt zstd") << [&] {
            writeFile(path(u"corrupt.tar.zst"_s), QByteArray("\x28\xb5\x2f\xfd", 4) + QByteArray(4096, '\x55'));
            return path(u"corrupt.tar.zst"_s);
        }() << u"damaged"_s;
        QTest::newRow("truncated") << [&] {
            const QString good = makeTar(u"full.tar.gz"_s, { { u"metadata.json"_s, meta }, { u"trace.fxt"_s, fxt } });
            const QByteArray bytes = readFile(good);
            writeFile(path(u"cut.tar.gz"_s), bytes.left(bytes.size() / 2));
            return path(u"cut.tar.gz"_s);
        }() << u"damaged"_s;
    }
    void hostileTar()
    {
        QFETCH(QString, bundle);
        QFETCH(QString, expected);
        expectRefused(bundle, expected);
    }

    void hostileZip_data()
    {
        QTest::addColumn<QString>("bundle");
        QTest::addColumn<QString>("expected");
        const QByteArray fxt = smallTrace();
        const QByteArray meta = metadataJson();
        QTest::newRow("traversal") << makeZip(
            u"trav.zip"_s, { { u"metadata.json"_s, meta }, { u"../trace.fxt"_s, fxt } })
                                   << u".."_s;
        QTest::newRow("symlink") << makeZip(u"link.zip"_s, { { u"metadata.json"_s, meta } }, [](KZip& zip) {
            zip.writeSymLink(u"trace.fxt"_s, u"/etc/passwd"_s);
        }) << u"symbolic link"_s;
        QTest::newRow("device") << makeZip(u"dev.zip"_s, { { u"metadata.json"_s, meta } }, [&](KZip& zip) {
            zip.writeFile(u"trace.fxt"_s, fxt, S_IFCHR | 0644);
        }) << u"device"_s;
        QTest::newRow("folder") << makeZip(u"dir.zip"_s, { { u"metadata.json"_s, meta }, { u"x/trace.fxt"_s, fxt } })
                                << u"folder"_s;
        QTest::newRow("unexpected") << makeZip(
            u"name.zip"_s, { { u"metadata.json"_s, meta }, { u"trace.fxt"_s, fxt }, { u"evil.desktop"_s, "x" } })
                                    << u"unexpected entry"_s;
        QTest::newRow("not a zip") << [&] {
            writeFile(path(u"fake.zip"_s), "PK\x03\x04garbagegarbage");
            return path(u"fake.zip"_s);
        }() << u"zip"_s;
    }
    void hostileZip()
    {
        QFETCH(QString, bundle);
        QFETCH(QString, expected);
        expectRefused(bundle, expected);
    }

    void bombs()
    {
        // A valid trace followed by 48 MiB of zeros: compresses ~1000×. Default limits catch it.
        QByteArray fxt = smallTrace();
        fxt.append(QByteArray(48 * 1024 * 1024, '\0'));
        const QByteArray meta = metadataJson();
        expectRefused(makeTar(u"bomb.tar.gz"_s, { { u"metadata.json"_s, meta }, { u"trace.fxt"_s, fxt } }), u"bomb"_s);
        expectRefused(makeZip(u"bomb.zip"_s, { { u"metadata.json"_s, meta }, { u"trace.fxt"_s, fxt } }), u"bomb"_s);
        // Size limits.
        Bundle::Limits small;
        small.maxTraceBytes = 1024;
        const QString normal
            = makeTar(u"normal.tar.gz"_s, { { u"metadata.json"_s, meta }, { u"trace.fxt"_s, smallTrace() } });
        expectRefused(normal, u"too large"_s, small);
        Bundle::Limits smallTotal;
        smallTotal.maxTraceBytes = 1024;
        smallTotal.maxLogBytes = 0;
        smallTotal.maxMetadataBytes = 4096;
        expectRefused(normal, u"too large"_s, smallTotal);
        // And the same bundle passes with the defaults.
        QString error;
        QVERIFY2(Bundle::inspect(normal, {}, nullptr, &error), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestBundle)
#include "tst_bundle.moc"
