// SPDX-License-Identifier: MIT
#include "magictraceinstaller.h"

#include "buildinfo.h"
#include "magictracelocator.h"

#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QHostAddress>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QRegularExpression>
#include <QTemporaryFile>
#include <QTimer>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 defaultMaxBytes = 128ll * 1024 * 1024;

bool isLoopback(const QUrl& url)
{
    const QString host = url.host();
    if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

QString humanBytes(qint64 bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace

QString MagicTraceRelease::defaultVersion()
{
    return u"v1.2.4"_s;
}

QString MagicTraceRelease::defaultUrlPattern()
{
    return u"https://github.com/janestreet/magic-trace/releases/download/{version}/magic-trace"_s;
}

QUrl MagicTraceRelease::downloadUrl(const QString& version, const QString& pattern)
{
    QString text = pattern;
    text.replace(u"{version}"_s, version);
    const QUrl url(text, QUrl::StrictMode);
    return url.isValid() && !url.isRelative() && !url.host().isEmpty() ? url : QUrl();
}

QString InstallResult::failureName(Failure failure)
{
    switch (failure) {
    case Failure::None:
        return u"none"_s;
    case Failure::InvalidRequest:
        return u"invalid-request"_s;
    case Failure::UnsafeTarget:
        return u"unsafe-target"_s;
    case Failure::Busy:
        return u"busy"_s;
    case Failure::Network:
        return u"network"_s;
    case Failure::HttpStatus:
        return u"http-status"_s;
    case Failure::TooManyRedirects:
        return u"too-many-redirects"_s;
    case Failure::TooLarge:
        return u"too-large"_s;
    case Failure::Truncated:
        return u"truncated"_s;
    case Failure::Stalled:
        return u"stalled"_s;
    case Failure::NotAnExecutable:
        return u"not-an-executable"_s;
    case Failure::ChecksumMismatch:
        return u"checksum-mismatch"_s;
    case Failure::WriteFailed:
        return u"write-failed"_s;
    case Failure::Canceled:
        return u"canceled"_s;
    }
    return {};
}

struct MagicTraceInstaller::Private
{
    QUrl url = MagicTraceRelease::downloadUrl();
    QString targetDirectory = MagicTraceLocator::defaultInstallDirectory();
    QString expectedSha256;
    qint64 maxBytes = defaultMaxBytes;
    int stallTimeoutMs = 30'000;
    int maxRedirects = 5;

    QNetworkAccessManager* network = nullptr;
    QPointer<QNetworkReply> reply;
    std::unique_ptr<QTemporaryFile> file;
    QCryptographicHash hash { QCryptographicHash::Sha256 };
    QTimer stallTimer;
    qint64 received = 0;
    bool running = false;
    InstallResult result;

    void dropReply()
    {
        if (reply) {
            reply->disconnect();
            reply->abort();
            reply->deleteLater();
            reply = nullptr;
        }
    }
    // Removes the temporary file: a failed install never leaves a partial binary behind.
    void discardFile()
    {
        if (file) {
            file->close();
            file->remove();
            file.reset();
        }
    }
};

MagicTraceInstaller::MagicTraceInstaller(QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    qRegisterMetaType<InstallResult>();
    d->stallTimer.setSingleShot(true);
    connect(&d->stallTimer, &QTimer::timeout, this, [this] {
        fail(InstallResult::Failure::Stalled,
            tr("The download from %1 stalled: no data arrived for %2 s (%3 received so far).")
                .arg(d->url.toDisplayString())
                .arg(d->stallTimeoutMs / 1000.0, 0, 'g', 3)
                .arg(humanBytes(d->received)));
    });
}

MagicTraceInstaller::~MagicTraceInstaller()
{
    d->dropReply();
    d->discardFile();
}

void MagicTraceInstaller::setUrl(const QUrl& url)
{
    d->url = url;
}

void MagicTraceInstaller::setTargetDirectory(const QString& directory)
{
    d->targetDirectory = directory;
}

void MagicTraceInstaller::setExpectedSha256(const QString& hex)
{
    d->expectedSha256 = hex.trimmed().toLower();
}

void MagicTraceInstaller::setMaxBytes(qint64 bytes)
{
    d->maxBytes = bytes;
}

void MagicTraceInstaller::setStallTimeout(int milliseconds)
{
    d->stallTimeoutMs = milliseconds;
}

void MagicTraceInstaller::setMaxRedirects(int redirects)
{
    d->maxRedirects = redirects;
}

QUrl MagicTraceInstaller::url() const
{
    return d->url;
}

QString MagicTraceInstaller::targetDirectory() const
{
    return d->targetDirectory;
}

QString MagicTraceInstaller::targetPath() const
{
    return QDir(d->targetDirectory).filePath(MagicTraceLocator::executableName());
}

bool MagicTraceInstaller::isRunning() const
{
    return d->running;
}

bool MagicTraceInstaller::prepareTargetDirectory(const QString& directory, QString* error)
{
    auto setError = [error](const QString& text) {
        if (error)
            *error = text;
        return false;
    };
    if (directory.isEmpty() || !QDir::isAbsolutePath(directory))
        return setError(tr("The install directory must be an absolute path (got \"%1\").").arg(directory));
    QFileInfo info(directory);
    if (!info.exists()) {
        if (!QDir().mkpath(directory))
            return setError(tr("Could not create the install directory %1.").arg(directory));
        if (::chmod(QFile::encodeName(directory).constData(), 0700) != 0)
            return setError(tr("Could not restrict the install directory %1: %2.").arg(directory, errnoText(errno)));
    }
    struct stat st = {};
    if (::stat(QFile::encodeName(directory).constData(), &st) != 0)
        return setError(tr("Cannot use the install directory %1: %2.").arg(directory, errnoText(errno)));
    if (!S_ISDIR(st.st_mode))
        return setError(tr("The install path %1 exists but is not a directory.").arg(directory));
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        return setError(
            tr("Refusing to install into %1: other users can write to it (mode %2), so they could "
               "replace magic-trace with another program. Choose a private directory, or run: chmod go-w %1")
                .arg(directory)
                .arg(st.st_mode & 07777, 4, 8, QLatin1Char('0')));
    }
    if (st.st_uid != ::geteuid() && st.st_uid != 0) {
        return setError(
            tr("Refusing to install into %1: it belongs to another user (uid %2).").arg(directory).arg(st.st_uid));
    }
    if (::access(QFile::encodeName(directory).constData(), W_OK | X_OK) != 0)
        return setError(tr("Cannot write to the install directory %1: %2.").arg(directory, errnoText(errno)));
    return true;
}

void MagicTraceInstaller::start()
{
    if (d->running) {
        InstallResult busy;
        busy.failure = InstallResult::Failure::Busy;
        busy.error = tr("An installation is already running.");
        QMetaObject::invokeMethod(
            this, [this, busy] { Q_EMIT finished(busy); }, Qt::QueuedConnection);
        return;
    }
    d->running = true;
    d->result = {};
    d->received = 0;
    d->hash.reset();

    static const QRegularExpression sha256Hex(u"^[0-9a-f]{64}$"_s);
    const bool secure = d->url.scheme() == u"https"_s || (d->url.scheme() == u"http"_s && isLoopback(d->url));
    QString error;
    if (!d->url.isValid() || d->url.isRelative()) {
        fail(
            InstallResult::Failure::InvalidRequest, tr("The download URL \"%1\" is not valid.").arg(d->url.toString()));
        return;
    }
    if (!secure) {
        fail(InstallResult::Failure::InvalidRequest,
            tr("Refusing to download a program over an insecure connection (%1); use https.")
                .arg(d->url.toDisplayString()));
        return;
    }
    if (!d->expectedSha256.isEmpty() && !sha256Hex.match(d->expectedSha256).hasMatch()) {
        fail(InstallResult::Failure::InvalidRequest,
            tr("The expected SHA-256 \"%1\" is not 64 hexadecimal digits.").arg(d->expectedSha256));
        return;
    }
    if (!prepareTargetDirectory(d->targetDirectory, &error)) {
        fail(InstallResult::Failure::UnsafeTarget, error);
        return;
    }
    // A hidden, uniquely named file next to the target, so the final rename stays on one file system.
    d->file = std::make_unique<QTemporaryFile>(
        QDir(d->targetDirectory).filePath(u".%1.XXXXXX.part"_s.arg(MagicTraceLocator::executableName())));
    if (!d->file->open()) {
        const QString reason = d->file->errorString();
        d->file.reset();
        fail(InstallResult::Failure::WriteFailed,
            tr("Could not create a temporary file in %1: %2.").arg(d->targetDirectory, reason));
        return;
    }

    if (!d->network)
        d->network = new QNetworkAccessManager(this);
    QNetworkRequest request(d->url);
    // Follows https→https and http→http/https, never https→http.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setMaximumRedirectsAllowed(d->maxRedirects);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral(MTS_APPLICATION_NAME "/" MTS_VERSION_STRING));
    d->reply = d->network->get(request);
    connect(d->reply, &QNetworkReply::readyRead, this, &MagicTraceInstaller::onReadyRead);
    connect(d->reply, &QNetworkReply::finished, this, &MagicTraceInstaller::onFinished);
    connect(d->reply, &QNetworkReply::metaDataChanged, this, [this] {
        // Refuse an announced oversize body as soon as the headers arrive, before any of it is stored.
        const QVariant length = d->reply->header(QNetworkRequest::ContentLengthHeader);
        const int status = d->reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status < 300 && length.isValid() && length.toLongLong() > d->maxBytes) {
            fail(InstallResult::Failure::TooLarge,
                tr("The download is %1, more than the limit of %2.")
                    .arg(humanBytes(length.toLongLong()), humanBytes(d->maxBytes)));
        }
    });
    d->stallTimer.start(d->stallTimeoutMs);
}

void MagicTraceInstaller::cancel()
{
    if (d->running)
        fail(InstallResult::Failure::Canceled, tr("The installation was canceled."));
}

void MagicTraceInstaller::onReadyRead()
{
    if (!d->reply)
        return;
    const int status = d->reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 300) // the error body of a 404 and the like is not the program; onFinished() reports it
        return;
    d->stallTimer.start(d->stallTimeoutMs);
    const QByteArray chunk = d->reply->readAll();
    if (d->received + chunk.size() > d->maxBytes) {
        fail(InstallResult::Failure::TooLarge,
            tr("The download exceeded the size limit of %1 and was stopped.").arg(humanBytes(d->maxBytes)));
        return;
    }
    d->received += chunk.size();
    d->hash.addData(chunk);
    // Unbuffered writes so that a full disk is noticed (and reported with its real cause) at once.
    const char* data = chunk.constData();
    qsizetype left = chunk.size();
    while (left > 0) {
        const ssize_t written = ::write(d->file->handle(), data, size_t(left));
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0) {
            fail(InstallResult::Failure::WriteFailed,
                tr("Could not write the download to %1: %2.")
                    .arg(d->targetDirectory, errnoText(written < 0 ? errno : ENOSPC)));
            return;
        }
        data += written;
        left -= written;
    }
    // Emitted here rather than forwarded from QNetworkReply::downloadProgress, which Qt throttles and may hold
    // back until more data arrives.
    const QVariant announced = d->reply->header(QNetworkRequest::ContentLengthHeader);
    Q_EMIT progress(d->received, announced.isValid() ? announced.toLongLong() : -1);
}

void MagicTraceInstaller::onFinished()
{
    if (!d->reply || !d->running)
        return;
    onReadyRead();
    if (!d->running)
        return;
    QNetworkReply* reply = d->reply;
    const QString where = d->url.toDisplayString();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    const QNetworkReply::NetworkError error = reply->error();
    const QVariant announced = reply->header(QNetworkRequest::ContentLengthHeader);

    if (error == QNetworkReply::TooManyRedirectsError) {
        fail(InstallResult::Failure::TooManyRedirects,
            tr("The server at %1 redirected more than %2 times (a redirect loop?); nothing was installed.")
                .arg(where)
                .arg(d->maxRedirects));
        return;
    }
    if (error == QNetworkReply::InsecureRedirectError) {
        fail(InstallResult::Failure::Network,
            tr("The server at %1 redirected to an insecure (http) address; nothing was installed.").arg(where));
        return;
    }
    if (status >= 400 || (status >= 300 && error != QNetworkReply::NoError)) {
        fail(InstallResult::Failure::HttpStatus,
            tr("The server answered \"%1 %2\" for %3; nothing was installed.")
                .arg(status)
                .arg(reason, reply->url().toDisplayString()));
        return;
    }
    if (error == QNetworkReply::RemoteHostClosedError && d->received > 0) {
        fail(InstallResult::Failure::Truncated,
            tr("The connection closed after %1 of the download from %2; nothing was installed.")
                .arg(humanBytes(d->received), where));
        return;
    }
    if (error != QNetworkReply::NoError) {
        fail(InstallResult::Failure::Network, tr("Could not download %1: %2.").arg(where, reply->errorString()));
        return;
    }
    if (announced.isValid() && announced.toLongLong() != d->received) {
        fail(InstallResult::Failure::Truncated,
            tr("The download from %1 ended after %2 of the announced %3; nothing was installed.")
                .arg(where, humanBytes(d->received), humanBytes(announced.toLongLong())));
        return;
    }
    if (d->received == 0) {
        fail(InstallResult::Failure::Truncated, tr("The server sent an empty file for %1.").arg(where));
        return;
    }
    complete();
}

void MagicTraceInstaller::complete()
{
    d->stallTimer.stop();
    d->dropReply();
    d->result.sha256 = QString::fromLatin1(d->hash.result().toHex());
    d->result.bytes = d->received;

    QTemporaryFile& file = *d->file;
    char magic[4] = {};
    if (::pread(file.handle(), magic, sizeof magic, 0) != sizeof magic
        || std::memcmp(magic,
               "\x7f"
               "ELF",
               4)
            != 0) {
        fail(InstallResult::Failure::NotAnExecutable,
            tr("What %1 sent is not a Linux program (it does not start with the ELF signature); perhaps an error "
               "page. Nothing was installed.")
                .arg(d->url.toDisplayString()));
        return;
    }
    if (!d->expectedSha256.isEmpty() && d->result.sha256 != d->expectedSha256) {
        fail(InstallResult::Failure::ChecksumMismatch,
            tr("The SHA-256 of the download is %1, but %2 was expected; the file was discarded.")
                .arg(d->result.sha256, d->expectedSha256));
        return;
    }
    // Data on disk before the rename makes it visible, so a crash cannot leave a truncated binary in place.
    if (::fsync(file.handle()) != 0) {
        fail(InstallResult::Failure::WriteFailed,
            tr("Could not write the download to %1: %2.").arg(d->targetDirectory, errnoText(errno)));
        return;
    }
    if (::fchmod(file.handle(), 0755) != 0) {
        fail(InstallResult::Failure::WriteFailed,
            tr("Could not make the download executable: %1.").arg(errnoText(errno)));
        return;
    }
    const QString temporaryPath = file.fileName();
    const QString finalPath = targetPath();
    if (::rename(QFile::encodeName(temporaryPath).constData(), QFile::encodeName(finalPath).constData()) != 0) {
        fail(InstallResult::Failure::WriteFailed,
            tr("Could not move the download into place as %1: %2.").arg(finalPath, errnoText(errno)));
        return;
    }
    file.setAutoRemove(false);
    file.close();
    d->file.reset();
    const int directoryFd = ::open(QFile::encodeName(d->targetDirectory).constData(), O_RDONLY | O_DIRECTORY);
    if (directoryFd >= 0) {
        ::fsync(directoryFd);
        ::close(directoryFd);
    }

    d->result.path = finalPath;
    d->result.verified = !d->expectedSha256.isEmpty();
    d->running = false;
    const InstallResult result = d->result;
    Q_EMIT finished(result);
}

void MagicTraceInstaller::fail(InstallResult::Failure failure, const QString& error)
{
    d->stallTimer.stop();
    d->dropReply();
    d->discardFile();
    InstallResult result = d->result;
    result.failure = failure;
    result.error = error;
    result.path.clear();
    result.verified = false;
    result.bytes = d->received;
    d->running = false;
    // Always asynchronous, also for failures found inside start().
    QMetaObject::invokeMethod(
        this, [this, result] { Q_EMIT finished(result); }, Qt::QueuedConnection);
}

InstallResult MagicTraceInstaller::installAndWait()
{
    InstallResult result;
    QEventLoop loop;
    const auto connection = connect(this, &MagicTraceInstaller::finished, &loop, [&](const InstallResult& r) {
        result = r;
        loop.quit();
    });
    start();
    loop.exec();
    disconnect(connection);
    return result;
}
