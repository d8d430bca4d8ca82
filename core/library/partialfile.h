// SPDX-License-Identifier: MIT
#pragma once

#include <QFile>
#include <QString>

// A new file written under a hidden temporary name next to its final name, and renamed into place only when
// complete and flushed to disk. Until commit() succeeds, destroying it removes what was written; an existing
// file at the final name is never replaced. Crash leftovers are recognisable by isPartialName().
class PartialFile
{
public:
    explicit PartialFile(const QString& finalPath);
    ~PartialFile();
    PartialFile(const PartialFile&) = delete;
    PartialFile& operator=(const PartialFile&) = delete;

    bool open(QString* error); // creates the temporary file (exclusively)
    QFile& file() { return m_file; }
    QString temporaryPath() const { return m_file.fileName(); }
    QString finalPath() const { return m_finalPath; }

    // Flushes, fsyncs, closes and renames to the final path (fails if that exists), then fsyncs the folder.
    bool commit(QString* error);
    void discard();

    static bool isPartialName(QStringView fileName);

private:
    QString m_finalPath;
    QFile m_file;
    bool m_committed = false;
};
