// SPDX-License-Identifier: MIT
#include "fxt/fxtformat.h"
#include "fxt/fxtwriter.h"
#include "fxt/tracegenerator.h"

#include <KCompressionDevice>
#include <QBuffer>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace Qt::StringLiterals;

namespace {

std::vector<quint64> words(const QByteArray& bytes)
{
    std::vector<quint64> result(size_t(bytes.size() / 8));
    for (size_t i = 0; i < result.size(); ++i)
        result[i] = qFromLittleEndian<quint64>(bytes.constData() + i * 8);
    return result;
}

QByteArray written(const std::function<void(FxtWriter&)>& write)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    FxtWriter writer(&buffer);
    write(writer);
    QString error;
    if (!writer.finish(&error))
        qWarning() << error;
    return buffer.data();
}

} // namespace

class TestFxtWriter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void magicAndPrologue()
    {
        const QByteArray bytes = written([](FxtWriter& w) { w.writeJaneStreetPrologue(1); });
        QCOMPARE(bytes.left(8), QByteArray(FxtFormat::kMagic, 8));
        const auto w = words(bytes);
        // magic, provider info (3 words: "jane_tracing" is 12 bytes), section, string 1 "process" (2), init (4)
        QCOMPARE(w.size(), size_t(1 + 3 + 1 + 2 + 4));
        QCOMPARE(w[1], quint64(0x00c0000000010030ULL)); // type 0, 3 words, metadata 1, provider 0, 12 bytes
        QCOMPARE(w[4], quint64((1ULL << 4) | (2ULL << 16))); // provider section, 1 word
        QCOMPARE(w[5], quint64(2 | (2 << 4) | (1 << 16) | (7ULL << 32))); // string 1, 7 bytes
        QCOMPARE(QByteArray(bytes.constData() + 48, 7), "process"_ba);
        QCOMPARE(w[7], quint64(1 | (4 << 4)));
        QCOMPARE(w[8], quint64(1'000'000'000));
        QCOMPARE(w[10], quint64(1));

        // Byte-identical to the prologue of Jane Street's own demo trace (base time 1 ns).
        QFile sample(QStringLiteral(MTS_SAMPLES_DIR "/janestreet_tracing_demo_v0.17.fxt"));
        QVERIFY(sample.open(QIODevice::ReadOnly));
        QCOMPARE(bytes, sample.read(bytes.size()));
    }

    void eventLayout()
    {
        const QByteArray bytes = written([](FxtWriter& w) {
            const FxtWriter::Argument args[] = {
                FxtWriter::Argument::int32(FxtWriter::StringRef::indexed(3), -1),
                FxtWriter::Argument::string(FxtWriter::StringRef::inlined("ab"), FxtWriter::StringRef::indexed(4)),
            };
            w.durationComplete(FxtWriter::ThreadRef::inlined(7, 8), FxtWriter::StringRef::indexed(5),
                FxtWriter::StringRef::inlined("name"), 100, 250, args);
        });
        const auto w = words(bytes);
        // header, ts, pid, tid, name stream, arg1, arg2 + name stream, end
        QCOMPARE(w.size(), size_t(9));
        QCOMPARE(w[0] & 0xf, quint64(4));
        QCOMPARE((w[0] >> 4) & 0xfff, quint64(9));
        QCOMPARE((w[0] >> 16) & 0xf, quint64(4)); // complete
        QCOMPARE((w[0] >> 20) & 0xf, quint64(2)); // two arguments
        QCOMPARE((w[0] >> 24) & 0xff, quint64(0)); // inline thread
        QCOMPARE((w[0] >> 32) & 0xffff, quint64(5));
        QCOMPARE((w[0] >> 48) & 0xffff, quint64(0x8004));
        QCOMPARE(w[1], quint64(100));
        QCOMPARE(w[2], quint64(7));
        QCOMPARE(w[3], quint64(8));
        QCOMPARE(QByteArray(bytes.constData() + 32, 8), QByteArray("name\0\0\0\0", 8));
        QCOMPARE(w[5], quint64(1 | (1 << 4) | (3 << 16) | (0xffffffffULL << 32)));
        QCOMPARE(w[6], quint64(6 | (2 << 4) | (0x8002ULL << 16) | (4ULL << 32)));
        QCOMPARE(w[8], quint64(250));
    }

    void compressed_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<int>("format");
        QTest::newRow("plain") << u".fxt"_s << int(FxtFormat::Format::Fxt);
        QTest::newRow("gzip") << u".fxt.gz"_s << int(FxtFormat::Format::Gzip);
        QTest::newRow("zstd") << u".fxt.zst"_s << int(FxtFormat::Format::Zstd);
        QTest::newRow("xz") << u".fxt.xz"_s << int(FxtFormat::Format::Xz);
    }
    void compressed()
    {
        QFETCH(QString, suffix);
        QFETCH(int, format);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"t"_s + suffix);
        TraceGeneratorOptions options;
        options.targetBytes = 200'000;
        TraceGeneratorResult result;
        QString error;
        QVERIFY2(TraceGenerator::generateFile(path, options, &result, &error), qPrintable(error));
        FxtFormat::Format sniffed;
        QVERIFY(FxtFormat::sniffFile(path, &sniffed, &error));
        QCOMPARE(int(sniffed), format);
        QVERIFY2(FxtFormat::looksLikeTrace(path, &error), qPrintable(error));

        // The decompressed bytes are exactly what the generator writes uncompressed.
        QBuffer plain;
        plain.open(QIODevice::WriteOnly);
        FxtWriter writer(&plain);
        TraceGenerator::generate(writer, options);
        QVERIFY(writer.finish());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray decoded;
        if (sniffed == FxtFormat::Format::Fxt) {
            decoded = file.readAll();
        } else {
            KCompressionDevice device(&file, false,
                sniffed == FxtFormat::Format::Gzip       ? KCompressionDevice::GZip
                    : sniffed == FxtFormat::Format::Zstd ? KCompressionDevice::Zstd
                                                         : KCompressionDevice::Xz);
            QVERIFY(device.open(QIODevice::ReadOnly));
            decoded = device.readAll();
        }
        QCOMPARE(decoded.size(), plain.data().size());
        QVERIFY(decoded == plain.data());
        QCOMPARE(quint64(decoded.size()), result.bytes);
    }

    void generatorShape()
    {
        TraceGeneratorOptions options;
        options.targetBytes = 2'000'000;
        QBuffer a;
        a.open(QIODevice::WriteOnly);
        FxtWriter wa(&a);
        const TraceGeneratorResult ra = TraceGenerator::generate(wa, options);
        QVERIFY(wa.finish());
        // Size close to the target, ~57 bytes per call, deterministic.
        QVERIFY(ra.bytes <= options.targetBytes + 4096);
        QVERIFY(ra.bytes >= options.targetBytes * 9 / 10);
        const double perCall = double(ra.bytes) / double(ra.calls);
        QVERIFY2(perCall > 54 && perCall < 62, qPrintable(QString::number(perCall)));
        QBuffer b;
        b.open(QIODevice::WriteOnly);
        FxtWriter wb(&b);
        TraceGenerator::generate(wb, options);
        QVERIFY(wb.finish());
        QVERIFY(a.data() == b.data());
        options.seed = 2;
        QBuffer c;
        c.open(QIODevice::WriteOnly);
        FxtWriter wc(&c);
        TraceGenerator::generate(wc, options);
        QVERIFY(wc.finish());
        QVERIFY(a.data() != c.data());
    }

    void internedTablesRecycle()
    {
        QByteArray bytes = written([](FxtWriter& w) {
            for (int i = 0; i < 300; ++i)
                w.internThread(1, quint64(i + 2));
            QCOMPARE(w.internThread(1, 299 + 2), quint8(45)); // 300th thread went to slot 300 - 255
            QCOMPARE(w.internString("a"), quint16(1));
            QCOMPARE(w.internString("a"), quint16(1));
            QCOMPARE(w.internString("b"), quint16(2));
        });
        QCOMPARE(bytes.size(), 300 * 24 + 2 * 16);
    }

    void notATrace()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath(u"x.txt"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("hello world, not a trace");
        file.close();
        QString error;
        QVERIFY(!FxtFormat::looksLikeTrace(file.fileName(), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!FxtFormat::looksLikeTrace(dir.filePath(u"missing"_s), &error));
        QCOMPARE(FxtFormat::forFileName(u"a.fxt.ZST"_s), FxtFormat::Format::Zstd);
        QCOMPARE(FxtFormat::name(FxtFormat::Format::Xz), u"xz"_s);
    }
};

QTEST_GUILESS_MAIN(TestFxtWriter)
#include "tst_fxtwriter.moc"
