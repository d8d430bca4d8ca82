// SPDX-License-Identifier: MIT
#include "library/partialfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
constexpr QStringView partialMarker = u".partial-";

void syncFolder(const QString& folder)
{
    const int fd = ::open(QFile::encodeName(folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}
} // namespace

PartialFile::PartialFile(const QString& finalPath)
    : m_finalPath(finalPath)
{ }

PartialFile::~PartialFile()
{
    if (!m_committed)
        discard();
}

bool PartialFile::open(QString* error)
{
    const QFileInfo info(m_finalPath);
    for (int attempt = 0; attempt < 16; ++attempt) {
        const QString name
            = u'.' + info.fileName() + partialMarker + QString::number(QRandomGenerator::global()->generate(), 16);
        m_file.setFileName(info.dir().filePath(name));
        if (m_file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
            return true;
        if (m_file.error() != QFileDevice::OpenError || !QFileInfo::exists(m_file.fileName()))
            break;
    }
    if (error)
        *error = QCoreApplication::translate("PartialFile", "cannot create a file in %1: %2")
                     .arg(info.absolutePath(), m_file.errorString());
    m_file.setFileName(QString());
    return false;
}

bool PartialFile::commit(QString* error)
{
    auto fail = [&](const QString& message) {
        if (error)
            *error = message;
        discard();
        return false;
    };
    // Writers such as KZip close the device themselves; reopen it then, to flush it to disk all the same.
    if (!m_file.isOpen() && (m_file.error() != QFileDevice::NoError || !m_file.open(QIODevice::ReadOnly)))
        return fail(
            QCoreApplication::translate("PartialFile", "cannot write %1: %2").arg(m_finalPath, m_file.errorString()));
    if (!m_file.flush())
        return fail(
            QCoreApplication::translate("PartialFile", "cannot write %1: %2").arg(m_finalPath, m_file.errorString()));
    if (::fsync(m_file.handle()) != 0)
        return fail(QCoreApplication::translate("PartialFile", "cannot write %1 to disk: %2")
                        .arg(m_finalPath, QString::fromLocal8Bit(strerror(errno))));
    m_file.close();
    if (m_file.error() != QFileDevice::NoError)
        return fail(
            QCoreApplication::translate("PartialFile", "cannot write %1: %2").arg(m_finalPath, m_file.errorString()));
    if (QFileInfo::exists(m_finalPath))
        return fail(
            QCoreApplication::translate("PartialFile", "%1 already exists; it was left alone").arg(m_finalPath));
    // QFile::rename never replaces an existing file (renameat2 with RENAME_NOREPLACE where available).
    if (!QFile::rename(m_file.fileName(), m_finalPath))
        return fail(
            QCoreApplication::translate("PartialFile", "cannot rename %1 to %2").arg(m_file.fileName(), m_finalPath));
    m_committed = true;
    syncFolder(QFileInfo(m_finalPath).absolutePath());
    return true;
}

void PartialFile::discard()
{
    if (m_committed || m_file.fileName().isEmpty())
        return;
    m_file.close();
    QFile::remove(m_file.fileName());
    m_file.setFileName(QString());
}

bool PartialFile::isPartialName(QStringView fileName)
{
    return fileName.startsWith(u'.') && fileName.contains(partialMarker);
}
