// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QUrl>
#include <memory>

// Where magic-trace releases are downloaded from. The one place that knows the URL form and the default version;
// both can be overridden (settings, tests).
struct MagicTraceRelease
{
    static QString defaultVersion(); // "v1.2.4", the newest tag
    // "https://github.com/janestreet/magic-trace/releases/download/{version}/magic-trace"
    static QString defaultUrlPattern();
    // The pattern with "{version}" replaced; an invalid QUrl if the result is not an absolute URL.
    static QUrl downloadUrl(const QString& version = defaultVersion(), const QString& pattern = defaultUrlPattern());
};

struct InstallResult
{
    enum class Failure {
        None,
        InvalidRequest, // bad URL, insecure scheme, malformed expected hash
        UnsafeTarget, // the target directory cannot be created, or others could write to it
        Busy, // start() while running
        Network, // name resolution, connection refused, TLS, ...
        HttpStatus, // the server answered with an error status (404, 500, ...)
        TooManyRedirects, // a redirect loop, or more redirects than allowed
        TooLarge, // more bytes than the size limit
        Truncated, // the connection ended before the announced size, or the body was empty
        Stalled, // no data for longer than the stall timeout
        NotAnExecutable, // the body is not a Linux (ELF) program, e.g. an HTML error page
        ChecksumMismatch, // SHA-256 differs from the expected value
        WriteFailed, // disk full, file too large, rename failed, ...
        Canceled,
    };

    Failure failure = Failure::None;
    QString error; // what happened, for the user (empty on success)
    QString path; // the installed binary (on success)
    QString sha256; // lowercase hex of what was downloaded (also on a checksum mismatch)
    bool verified = false; // true only when an expected hash was configured and matched
    qint64 bytes = 0;

    bool ok() const { return failure == Failure::None; }
    static QString failureName(Failure failure); // "network", "http-status", ... (for JSON and tests)
};

// Downloads a magic-trace release binary and installs it as <target directory>/magic-trace, safely: the body goes to
// a private temporary file in the target directory and replaces the old binary with one atomic rename only after it
// arrived complete, within the size limit, looks like an ELF program and (when configured) matches its SHA-256. On
// every failure the temporary file is removed and an existing binary is left untouched. Two installers writing the
// same target cannot corrupt it: each has its own temporary file and the last rename wins with a complete binary.
class MagicTraceInstaller : public QObject
{
    Q_OBJECT
public:
    explicit MagicTraceInstaller(QObject* parent = nullptr);
    ~MagicTraceInstaller() override;

    void setUrl(const QUrl& url); // default: MagicTraceRelease::downloadUrl()
    void setTargetDirectory(const QString& directory); // default: MagicTraceLocator::defaultInstallDirectory()
    void setExpectedSha256(const QString& hex); // empty: not verified (the computed hash is still reported)
    void setMaxBytes(qint64 bytes); // default 128 MiB (the v1.2.4 binary is about 30 MiB)
    void setStallTimeout(int milliseconds); // default 30 s without a single byte
    void setMaxRedirects(int redirects); // default 5 (GitHub uses one)

    QUrl url() const;
    QString targetDirectory() const;
    QString targetPath() const; // <target directory>/magic-trace

    // Creates the directory (mode 0700) when missing. Refuses one that is not a directory, is writable by group or
    // others, or belongs to another user (other than root): someone else could swap the binary we later run.
    static bool prepareTargetDirectory(const QString& directory, QString* error);

    void start(); // finished() follows exactly once, always asynchronously
    void cancel();
    bool isRunning() const;

    // Starts and waits in a local event loop. For the command line and tests; never call this on the UI thread.
    InstallResult installAndWait();

Q_SIGNALS:
    void progress(qint64 receivedBytes, qint64 totalBytes); // totalBytes is -1 while unknown
    void finished(const InstallResult& result);

private:
    struct Private;
    std::unique_ptr<Private> d;
    void fail(InstallResult::Failure failure, const QString& error);
    void onReadyRead();
    void onFinished();
    void complete();
};

Q_DECLARE_METATYPE(InstallResult)
