// SPDX-License-Identifier: MIT
// LibraryIndex and FileStamp: the index file round-trips every sidecar field, refuses damage of any kind, and
// leaves out records whose stamp cannot be trusted yet; scanFolderFiles lists regular, visible files with stamps.
#include "librarytestutil.h"

#include "library/libraryindex.h"

#include <QDir>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <fcntl.h>
#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace {

TraceMetadata everyField(int n)
{
    TraceMetadata m;
    m.id = u"trace-%1"_s.arg(n);
    m.title = u"Ünïcode title №%1 ✓"_s.arg(n);
    m.targetPid = 4242 + n;
    m.processName = u"myserver"_s;
    m.commandLine = u"/usr/bin/myserver --port 80"_s;
    m.executable = u"/usr/bin/myserver"_s;
    m.user = u"jane"_s;
    m.startTime = QDateTime(QDate(2026, 11, 26), QTime(12, 34, 56, 789), QTimeZone::UTC);
    m.endTime = m.startTime.addMSecs(3210);
    m.durationMs = 3210;
    m.mode = u"attach"_s;
    m.options = QJsonObject { { u"full-execution"_s, false }, { u"trigger"_s, u"foo"_s }, { u"n"_s, 3 } };
    m.magicTraceArguments = { u"attach"_s, u"-p"_s, u"4242"_s };
    m.magicTraceVersion = u"v1.2.4"_s;
    m.perfVersion = u"6.1.0"_s;
    m.outcome = TraceOutcome::Recovered;
    m.exitCode = -3;
    m.exitSignal = 9;
    m.traceFile = m.id + u".fxt.zst"_s;
    m.logFile = m.id + u".log"_s;
    m.fileSize = 123456789012;
    m.format = u"zstd"_s;
    m.notes = u"line one\nline two"_s;
    m.tags = { u"prod"_s, u"latency"_s, QString() };
    m.origin = u"recorded"_s;
    m.traceProcesses = { u"myserver [pid=4242]"_s, u"Snapshot symbol hits"_s };
    m.traceBaseTime = m.startTime.addMSecs(-1);
    m.recorderPid = 77;
    m.unknownFields = QJsonObject { { u"futureField"_s, QJsonArray { 1, u"two"_s } } };
    return m;
}

// Where the first record's length sits: right after the header.
constexpr qsizetype headerLengthOffset = LibraryIndex::headerSize;

FileStamp settledStamp(int n)
{
    FileStamp stamp;
    stamp.inode = 1000 + quint64(n);
    stamp.size = 900 + n;
    stamp.modifiedNs = 1'700'000'000'000'000'000 + n;
    stamp.changedNs = stamp.modifiedNs + 5;
    stamp.seenNs = stamp.changedNs + 60'000'000'000;
    return stamp;
}

QList<LibraryIndex::Record> sampleRecords(int count)
{
    QList<LibraryIndex::Record> records;
    for (int n = 0; n < count; ++n)
        records.append({ settledStamp(n), everyField(n) });
    // Defaults everywhere (invalid dates, no exit code, empty lists and objects) must survive too.
    TraceMetadata sparse;
    sparse.id = u"sparse"_s;
    sparse.traceFile = u"sparse.fxt"_s;
    records.append({ settledStamp(count), sparse });
    return records;
}

// Feeds the index to a Decoder in pieces of `piece` bytes, as a file read through a small buffer would.
std::optional<QList<LibraryIndex::Record>> decodeInPieces(const QByteArray& bytes, qsizetype piece, QString* error)
{
    QList<LibraryIndex::Record> records;
    QList<quint32> counts;
    LibraryIndex::Decoder decoder(
        [&](LibraryIndex::Record& record, quint32 count) {
            records.append(std::move(record));
            counts.append(count);
        },
        bytes.size());
    for (qsizetype at = 0; at < bytes.size(); at += piece) {
        if (!decoder.feed(QByteArrayView(bytes).sliced(at, qMin(piece, bytes.size() - at))))
            break;
    }
    if (!decoder.finish(error))
        return std::nullopt;
    // Every record is handed over with the count the header announced.
    for (quint32 count : std::as_const(counts)) {
        if (count != quint32(records.size()))
            return std::nullopt;
    }
    return records;
}

void compareRecords(const QList<LibraryIndex::Record>& actual, const QList<LibraryIndex::Record>& expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QVERIFY(actual.at(i).sidecar.sameVersion(expected.at(i).sidecar));
        QCOMPARE(actual.at(i).sidecar.seenNs, expected.at(i).sidecar.seenNs);
        QCOMPARE(actual.at(i).logSize, expected.at(i).logSize);
        QCOMPARE(actual.at(i).metadata, expected.at(i).metadata);
    }
}

} // namespace

class TestLibraryIndex : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The decoder shares a field's string with the previous record's when the bytes are the same: records whose
    // fields repeat, alternate, come back and vary in list length must still decode to exactly what was written.
    void repeatedFieldsDecodeExactly()
    {
        QList<LibraryIndex::Record> records;
        const QStringList words { u"alpha"_s, u"beta"_s, QString(), u"gämma"_s };
        for (int n = 0; n < 1200; ++n) { // more than one decoding block
            TraceMetadata m = everyField(n);
            m.processName = words.at(n % 4);
            m.user = words.at((n / 3) % 4);
            m.title = n % 5 == 0 ? u"same"_s : u"title %1"_s.arg(n % 7);
            m.magicTraceArguments = words.mid(0, n % 4);
            m.tags = n % 2 ? QStringList { words.at(n % 3), words.at((n + 1) % 3) } : QStringList { words.at(n % 3) };
            m.traceProcesses = n % 3 ? m.tags : QStringList();
            m.options = n % 2 ? QJsonObject { { u"a"_s, n % 3 } } : QJsonObject();
            m.unknownFields = n % 4 ? QJsonObject() : QJsonObject { { u"x"_s, u"y"_s } };
            m.notes = n % 6 < 3 ? words.at(n % 4) : QString();
            LibraryIndex::Record record { settledStamp(n), m, n % 3 ? qint64(n) : 0 };
            records.append(record);
        }
        QString error;
        const auto decoded = LibraryIndex::decode(LibraryIndex::encode(records), &error);
        QVERIFY2(decoded, qPrintable(error));
        QCOMPARE(decoded->size(), records.size());
        for (qsizetype i = 0; i < records.size(); ++i) {
            QCOMPARE(decoded->at(i).metadata, records.at(i).metadata);
            QCOMPARE(decoded->at(i).logSize, records.at(i).logSize);
        }
    }

    void roundTripKeepsEveryField()
    {
        const QList<LibraryIndex::Record> records = sampleRecords(3);
        QString error;
        const auto decoded = LibraryIndex::decode(LibraryIndex::encode(records), &error);
        QVERIFY2(decoded, qPrintable(error));
        QCOMPARE(decoded->size(), records.size());
        for (qsizetype i = 0; i < records.size(); ++i) {
            QVERIFY(decoded->at(i).sidecar.sameVersion(records.at(i).sidecar));
            QCOMPARE(decoded->at(i).sidecar.seenNs, records.at(i).sidecar.seenNs);
            QCOMPARE(decoded->at(i).metadata, records.at(i).metadata);
        }
        // Field for field equal to what the sidecar itself would give back.
        const auto viaJson = TraceMetadata::fromJsonBytes(records.first().metadata.toJsonBytes(), &error);
        QVERIFY(viaJson);
        QCOMPARE(decoded->first().metadata, *viaJson);
        const auto empty = LibraryIndex::decode(LibraryIndex::encode({}), &error);
        QVERIFY(empty && empty->isEmpty());
    }

    // The index is read through a small buffer: however the bytes are cut into pieces (inside the header, inside a
    // length, inside a record, at a record boundary, a record larger than the piece), the records come out whole,
    // every field as written, in order.
    void decodesInPiecesOfAnySize_data()
    {
        QTest::addColumn<qsizetype>("piece");
        for (qsizetype piece : { 1, 3, 4, 7, 8, 31, 32, 33, 100, 1000, 4096, 1 << 20 })
            QTest::addRow("%lld bytes", qlonglong(piece)) << piece;
    }
    void decodesInPiecesOfAnySize()
    {
        QFETCH(qsizetype, piece);
        QList<LibraryIndex::Record> records = sampleRecords(40);
        records[7].metadata.notes = QString(5000, u'n'); // a record larger than most pieces
        for (qsizetype i = 0; i < records.size(); ++i)
            records[i].logSize = 17 * i;
        const QByteArray bytes = LibraryIndex::encode(records);
        QString error;
        const auto decoded = decodeInPieces(bytes, piece, &error);
        QVERIFY2(decoded, qPrintable(error));
        compareRecords(*decoded, records);
    }

    void damageIsRefused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<qsizetype>("piece"); // 0: all at once through decode()
        const QByteArray good = LibraryIndex::encode(sampleRecords(4));
        const QByteArray bad = LibraryIndex::encode({ { settledStamp(1), TraceMetadata() } }); // no id
        QByteArray flipped = good;
        flipped[flipped.size() / 2] = char(flipped.at(flipped.size() / 2) ^ 0x20);
        QByteArray version = good;
        version[8] = char(version.at(8) + 1);
        QByteArray count = good;
        count[12] = char(0xff);
        count[13] = char(0xff);
        QByteArray fewer = good; // one record fewer claimed than held, header otherwise consistent
        fewer[12] = char(fewer.at(12) - 1);
        QByteArray sum = good; // every record intact, only the checksum disagrees
        sum[24] = char(sum.at(24) ^ 0x01);
        QByteArray length = good; // the first record's length reaches past the end
        length[headerLengthOffset] = char(0xff);
        length[headerLengthOffset + 1] = char(0xff);
        length[headerLengthOffset + 2] = char(0xff);
        for (qsizetype piece : { qsizetype(0), qsizetype(5), qsizetype(64) }) {
            QTest::addRow("empty file, pieces %lld", qlonglong(piece)) << QByteArray() << piece;
            QTest::addRow("not an index, pieces %lld", qlonglong(piece)) << QByteArray("{\"id\": \"x\"}") << piece;
            QTest::addRow("header only, pieces %lld", qlonglong(piece)) << good.left(20) << piece;
            QTest::addRow("truncated, pieces %lld", qlonglong(piece)) << good.left(good.size() - 7) << piece;
            QTest::addRow("longer, pieces %lld", qlonglong(piece)) << good + QByteArray("more") << piece;
            QTest::addRow("one bit flipped, pieces %lld", qlonglong(piece)) << flipped << piece;
            QTest::addRow("other format version, pieces %lld", qlonglong(piece)) << version << piece;
            QTest::addRow("count too large, pieces %lld", qlonglong(piece)) << count << piece;
            QTest::addRow("count too small, pieces %lld", qlonglong(piece)) << fewer << piece;
            QTest::addRow("checksum only, pieces %lld", qlonglong(piece)) << sum << piece;
            QTest::addRow("record length too large, pieces %lld", qlonglong(piece)) << length << piece;
            QTest::addRow("record without id, pieces %lld", qlonglong(piece)) << bad << piece;
        }
    }
    void damageIsRefused()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(qsizetype, piece);
        QString error;
        if (piece == 0)
            QVERIFY(!LibraryIndex::decode(bytes, &error));
        else
            QVERIFY(!decodeInPieces(bytes, piece, &error));
        QVERIFY(!error.isEmpty());
    }

    // Through the file: an index several times the read buffer, with a record larger than the buffer, reads back
    // exactly; the same file damaged near its end (after many records were decoded) is refused as a whole.
    void readsLargeIndexThroughSmallBuffer()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QList<LibraryIndex::Record> records;
        for (int n = 0; n < 1500; ++n) {
            TraceMetadata m = everyField(n);
            m.title = u"title %1 "_s.arg(n).repeated(1 + n % 40);
            records.append({ settledStamp(n), m, n });
        }
        records[700].metadata.notes = QString(400'000, u'x'); // larger than the read buffer
        QString error;
        QVERIFY2(LibraryIndex::write(dir.path(), records, &error), qPrintable(error));
        const QString path = dir.filePath(LibraryIndex::fileName());
        QVERIFY(QFileInfo(path).size() > 4 * 256 * 1024);
        const auto read = LibraryIndex::read(dir.path(), &error);
        QVERIFY2(read, qPrintable(error));
        compareRecords(*read, records);

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek(file.size() - 10));
        const char last = file.peek(1).at(0);
        QVERIFY(file.putChar(char(last ^ 0x10)));
        file.close();
        qsizetype handedOver = 0;
        QVERIFY(!LibraryIndex::readEach(
            dir.path(), [&](LibraryIndex::Record&, quint32) { ++handedOver; }, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(handedOver > 0); // decoded as it came: the caller is the one who must drop them
        QVERIFY(!LibraryIndex::read(dir.path(), &error));
    }

    // Random damage: never a crash, never an out-of-bounds read (run under ASan), and whatever decodes has sane
    // ids and file names.
    void fuzz()
    {
        const QByteArray good = LibraryIndex::encode(sampleRecords(3));
        QRandomGenerator random(7);
        for (int round = 0; round < 3000; ++round) {
            QByteArray bytes = good;
            const int flips = 1 + int(random.bounded(8));
            for (int i = 0; i < flips; ++i)
                bytes[int(random.bounded(bytes.size()))] = char(random.bounded(256));
            if (round % 3 == 0)
                bytes.truncate(int(random.bounded(bytes.size())));
            QString error;
            const bool decoded = LibraryIndex::decode(bytes, &error).has_value();
            QVERIFY(!decoded || bytes == good);
        }
        // The same damage behind the header and checksum, so that the field readers themselves are exercised.
        const QByteArray payload = good.mid(LibraryIndex::headerSize);
        for (int round = 0; round < 3000; ++round) {
            QByteArray bytes = payload;
            const int flips = 1 + int(random.bounded(8));
            for (int i = 0; i < flips; ++i)
                bytes[int(random.bounded(bytes.size()))] = char(random.bounded(256));
            if (round % 3 == 0)
                bytes.truncate(int(random.bounded(bytes.size())));
            QString error;
            if (const auto records = LibraryIndex::decodePayload(bytes, 4, &error)) {
                for (const LibraryIndex::Record& record : *records) {
                    QVERIFY(!record.metadata.id.isEmpty());
                    QVERIFY(!record.metadata.id.contains(u'/'));
                    QVERIFY(!record.metadata.traceFile.isEmpty());
                    QVERIFY(!record.metadata.traceFile.contains(u'/'));
                }
            } else {
                QVERIFY(!error.isEmpty());
            }
        }
    }

    void unsettledRecordsAreNotWritten()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QList<LibraryIndex::Record> records = sampleRecords(2);
        // Changed 1 s before it was looked at: a rewrite in the same clock tick would go unnoticed.
        records[1].sidecar.seenNs = records[1].sidecar.changedNs + 1'000'000'000;
        QVERIFY(!records[1].sidecar.isSettled());
        QString error;
        QVERIFY2(LibraryIndex::write(dir.path(), records, &error), qPrintable(error));
        QVERIFY(QFileInfo::exists(dir.filePath(LibraryIndex::fileName())));
        const auto read = LibraryIndex::read(dir.path(), &error);
        QVERIFY2(read, qPrintable(error));
        QCOMPARE(read->size(), records.size() - 1);
        for (const LibraryIndex::Record& record : *read)
            QVERIFY(record.metadata.id != records[1].metadata.id);
        // No temporary files are left beside it.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void missingIndexIsEmptyAndUnreadableIsAnError()
    {
        QTemporaryDir dir;
        QString error;
        const auto none = LibraryIndex::read(dir.path(), &error);
        QVERIFY(none && none->isEmpty());
        QVERIFY(LibraryTest::writeFile(dir.filePath(LibraryIndex::fileName()), "garbage"));
        QVERIFY(!LibraryIndex::read(dir.path(), &error));
        QVERIFY(!error.isEmpty());
    }

    void stamps()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"a.json"_s);
        QVERIFY(!FileStamp::of(path).exists());
        QVERIFY(LibraryTest::writeFile(path, "12345"));
        const FileStamp first = FileStamp::of(path);
        QVERIFY(first.exists());
        QCOMPARE(first.size, 5);
        QVERIFY(!first.isSettled()); // just written
        QVERIFY(first.sameVersion(FileStamp::of(path)));
        // Rewritten in place with the same size and the old modification time put back: ctime still moves.
        QTest::qWait(20);
        QVERIFY(LibraryTest::writeFile(path, "54321"));
        struct timespec times[2]
            = { { 0, UTIME_OMIT }, { first.modifiedNs / 1'000'000'000, first.modifiedNs % 1'000'000'000 } };
        QCOMPARE(::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, 0), 0);
        const FileStamp second = FileStamp::of(path);
        QCOMPARE(second.modifiedNs, first.modifiedNs);
        QVERIFY(!second.sameVersion(first));
        // A directory is not a file.
        QVERIFY(!FileStamp::of(dir.path()).exists());
    }

    void scanFolderFilesListsVisibleRegularFiles()
    {
        QTemporaryDir dir;
        QVERIFY(LibraryTest::writeFile(dir.filePath(u"a.json"_s), "{}"));
        QVERIFY(LibraryTest::writeFile(dir.filePath(u"b.fxt"_s), "12345678"));
        QVERIFY(LibraryTest::writeFile(dir.filePath(u".hidden.partial"_s), "x"));
        QVERIFY(QDir(dir.path()).mkdir(u"sub.fxt"_s));
        QVERIFY(QFile::link(dir.filePath(u"b.fxt"_s), dir.filePath(u"link.fxt"_s)));
        QVERIFY(QFile::link(dir.filePath(u"nowhere"_s), dir.filePath(u"dangling.fxt"_s)));
        QString error;
        const auto files = scanFolderFiles(dir.path(), &error);
        QVERIFY2(files, qPrintable(error));
        QStringList names = files->keys();
        names.sort();
        QCOMPARE(names, QStringList({ u"a.json"_s, u"b.fxt"_s, u"link.fxt"_s }));
        QCOMPARE(files->value(u"b.fxt"_s).size, 8);
        QVERIFY(files->value(u"a.json"_s).sameVersion(FileStamp::of(dir.filePath(u"a.json"_s))));
        QVERIFY(!scanFolderFiles(dir.filePath(u"missing"_s), &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLibraryIndex)
#include "tst_libraryindex.moc"
