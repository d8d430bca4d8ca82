// SPDX-License-Identifier: MIT
#pragma once

#include "magictraceversion.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

// One place where magic-trace was looked for, and what running `<path> -version` there showed.
struct MagicTraceCandidate
{
    enum class Source {
        Settings, // the path the user configured
        Path, // a directory of $PATH
        AppInstall, // the directory MagicTraceInstaller installs into
    };
    enum class Status {
        Ok, // printed a magic-trace version and exited 0
        Missing, // nothing there (only reported for the configured path)
        NotExecutable, // exists but cannot be run (no x bit, a directory, wrong format)
        NotMagicTrace, // ran, but exited non-zero or printed something that is not a version
        Garbage, // ran, but printed nothing readable (binary data, nothing at all, or far too much)
        Hung, // did not finish within the timeout; it was killed
        Crashed, // died from a signal
    };

    QString path;
    Source source = Source::Path;
    Status status = Status::Missing;
    QString versionText; // what -version printed, trimmed, e.g. "v1.2.4" (only when status is Ok)
    // Parsed from versionText. Not valid (isValid() false) for a development build that prints only a commit hash:
    // such a build is newer than any release, but its exact features are unknown.
    MagicTraceVersion version;
    QString problem; // a sentence saying what is wrong (empty when status is Ok)

    bool isUsable() const { return status == Status::Ok; }
    MagicTraceCapabilities capabilities() const { return MagicTraceCapabilities::forVersion(version); }
    static QString sourceName(Source source); // "settings", "path", "app-install" (for JSON)
    static QString statusName(Status status); // "ok", "missing", ... (for JSON)
};

// The result of a search: every candidate looked at, in search order. The first usable one is the answer.
struct MagicTraceLocation
{
    QList<MagicTraceCandidate> candidates;
    bool canceled = false;

    bool isFound() const { return found().has_value(); }
    std::optional<MagicTraceCandidate> found() const;
};

// Finds a working magic-trace without blocking: looks at the configured path, then every directory of $PATH, then
// the application's own install directory, and runs `-version` on each existing file (one at a time, each with a
// timeout) until one answers like magic-trace. Candidates that exist but do not work are kept in the result so the
// user can be told why they were skipped.
class MagicTraceLocator : public QObject
{
    Q_OBJECT
public:
    explicit MagicTraceLocator(QObject* parent = nullptr);
    ~MagicTraceLocator() override;

    static QString executableName(); // "magic-trace"
    // <AppLocalDataLocation>/bin: per user, never a shared directory such as /tmp.
    static QString defaultInstallDirectory();
    // Decides whether what `X -version` printed is a magic-trace version: exactly one line holding a git-describe
    // version ("v1.2.4", "v1.2.4-12-gd31ceba", "1.2.4", optionally after "magic-trace") or only a commit hash (a
    // build from an untagged checkout; gives an invalid MagicTraceVersion). Stricter than MagicTraceVersion::parse(),
    // which finds a version inside any text: here other programs' output must be told apart. nullopt: not a version.
    static std::optional<MagicTraceVersion> parseVersionOutput(const QString& text);

    void setConfiguredPath(const QString& path); // empty: none configured
    void setSearchDirectories(const QStringList& directories); // default: the directories of $PATH
    void setInstallDirectory(const QString& directory); // default: defaultInstallDirectory()
    void setTimeout(int milliseconds); // per candidate; default 5000

    // The files that will be looked at, in order, without duplicates.
    QList<std::pair<QString, MagicTraceCandidate::Source>> searchList() const;

    void start(); // emits finished() exactly once per start(), always asynchronously
    void cancel(); // stops the running check; finished() follows with canceled = true
    bool isRunning() const;

    // Starts and waits in a local event loop. For the command line and tests; never call this on the UI thread.
    MagicTraceLocation locateAndWait();

Q_SIGNALS:
    void candidateChecked(const MagicTraceCandidate& candidate);
    void finished(const MagicTraceLocation& location);

private:
    struct Private;
    std::unique_ptr<Private> d;
    void checkNext();
    void finishCandidate(MagicTraceCandidate candidate);
};

Q_DECLARE_METATYPE(MagicTraceCandidate)
Q_DECLARE_METATYPE(MagicTraceLocation)
