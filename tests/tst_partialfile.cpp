// SPDX-License-Identifier: MIT
// PartialFile: nothing appears under the final name until commit, and an existing file is never replaced.
#include "library/partialfile.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestPartialFile : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QStringList everything() const
    {
        return QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void commitRenamesIntoPlace()
    {
        const QString target = m_dir.filePath(u"a.bin"_s);
        PartialFile file(target);
        QString error;
        QVERIFY(file.open(&error));
        QVERIFY(PartialFile::isPartialName(QFileInfo(file.temporaryPath()).fileName()));
        file.file().write("hello");
        QVERIFY(!QFileInfo::exists(target));
        QVERIFY(file.commit(&error));
        QFile check(target);
        QVERIFY(check.open(QIODevice::ReadOnly));
        QCOMPARE(check.readAll(), QByteArray("hello"));
        QCOMPARE(everything(), QStringList { u"a.bin"_s });
    }

    void destroyedWithoutCommitLeavesNothing()
    {
        {
            PartialFile file(m_dir.filePath(u"b.bin"_s));
            QString error;
            QVERIFY(file.open(&error));
            file.file().write("partial");
        }
        QVERIFY(!everything().contains(u"b.bin"_s));
        for (const QString& name : everything())
            QVERIFY2(!PartialFile::isPartialName(name), qPrintable(name));
    }

    void neverReplacesAnExistingFile()
    {
        const QString target = m_dir.filePath(u"c.bin"_s);
        {
            QFile existing(target);
            QVERIFY(existing.open(QIODevice::WriteOnly));
            existing.write("precious");
        }
        PartialFile file(target);
        QString error;
        QVERIFY(file.open(&error));
        file.file().write("new");
        QVERIFY(!file.commit(&error));
        QVERIFY(error.contains(u"already exists"_s));
        QFile check(target);
        QVERIFY(check.open(QIODevice::ReadOnly));
        QCOMPARE(check.readAll(), QByteArray("precious"));
        for (const QString& name : everything())
            QVERIFY2(!PartialFile::isPartialName(name), qPrintable(name));
    }

    void missingFolder()
    {
        PartialFile file(m_dir.filePath(u"no/such/folder/d.bin"_s));
        QString error;
        QVERIFY(!file.open(&error));
        QVERIFY(error.contains(u"cannot create"_s));
    }
};

QTEST_GUILESS_MAIN(TestPartialFile)
#include "tst_partialfile.moc"
