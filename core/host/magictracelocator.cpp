// SPDX-License-Identifier: MIT
#include "magictracelocator.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype maxOutputBytes = 64 * 1024;

QString firstLine(const QByteArray& bytes)
{
    const QString text = QString::fromUtf8(bytes).trimmed();
    const QString line = text.section(u'\n', 0, 0).trimmed();
    return line.size() > 200 ? line.left(200) + u"…"_s : line;
}

// Readable text: valid UTF-8 without control characters other than whitespace.
bool isReadableText(const QByteArray& bytes)
{
    const QString text = QString::fromUtf8(bytes);
    if (text.contains(QChar::ReplacementCharacter))
        return false;
    return std::all_of(text.begin(), text.end(), [](QChar c) { return c.isPrint() || c.isSpace(); });
}

} // namespace

QString MagicTraceCandidate::sourceName(Source source)
{
    switch (source) {
    case Source::Settings:
        return u"settings"_s;
    case Source::Path:
        return u"path"_s;
    case Source::AppInstall:
        return u"app-install"_s;
    }
    return {};
}

QString MagicTraceCandidate::statusName(Status status)
{
    switch (status) {
    case Status::Ok:
        return u"ok"_s;
    case Status::Missing:
        return u"missing"_s;
    case Status::NotExecutable:
        return u"not-executable"_s;
    case Status::NotMagicTrace:
        return u"not-magic-trace"_s;
    case Status::Garbage:
        return u"garbage"_s;
    case Status::Hung:
        return u"hung"_s;
    case Status::Crashed:
        return u"crashed"_s;
    }
    return {};
}

std::optional<MagicTraceCandidate> MagicTraceLocation::found() const
{
    for (const MagicTraceCandidate& candidate : candidates) {
        if (candidate.isUsable())
            return candidate;
    }
    return std::nullopt;
}

struct MagicTraceLocator::Private
{
    QString configuredPath;
    std::optional<QStringList> searchDirectories;
    std::optional<QString> installDirectory;
    int timeoutMs = 5000;

    QList<std::pair<QString, MagicTraceCandidate::Source>> queue;
    MagicTraceLocation result;
    QPointer<QProcess> process;
    QTimer timer;
    MagicTraceCandidate current;
    QByteArray out;
    QByteArray err;
    bool killedForTimeout = false;
    bool killedForFlood = false;
    bool running = false;
    bool canceled = false;

    void killProcess()
    {
        if (process && process->state() != QProcess::NotRunning) {
            // The child leads its own process group, so a hung shell wrapper goes together with its children.
            const qint64 pid = process->processId();
            if (pid > 0)
                ::kill(-static_cast<pid_t>(pid), SIGKILL);
            process->kill();
        }
    }
};

MagicTraceLocator::MagicTraceLocator(QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    qRegisterMetaType<MagicTraceCandidate>();
    qRegisterMetaType<MagicTraceLocation>();
    d->timer.setSingleShot(true);
    connect(&d->timer, &QTimer::timeout, this, [this] {
        d->killedForTimeout = true;
        d->killProcess();
    });
}

MagicTraceLocator::~MagicTraceLocator()
{
    if (d->process) {
        d->process->disconnect(this);
        d->killProcess();
        d->process->waitForFinished(1000);
        delete d->process;
    }
}

QString MagicTraceLocator::executableName()
{
    return u"magic-trace"_s;
}

QString MagicTraceLocator::defaultInstallDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + u"/bin"_s;
}

std::optional<MagicTraceVersion> MagicTraceLocator::parseVersionOutput(const QString& text)
{
    QString line = text.trimmed();
    if (line.contains(u'\n'))
        return std::nullopt;
    if (line.startsWith(u"magic-trace "_s))
        line = line.mid(12).trimmed();
    static const QRegularExpression tag(u"^v?\\d+\\.\\d+\\.\\d+(?:-\\d+-g[0-9a-f]{4,40})?(?:-dirty)?$"_s);
    if (tag.match(line).hasMatch())
        return MagicTraceVersion::parse(line);
    // Builds from a checkout without tags print only a commit hash.
    static const QRegularExpression hash(u"^g?[0-9a-f]{7,40}(?:-dirty)?$"_s);
    if (hash.match(line).hasMatch()) {
        MagicTraceVersion unknown;
        unknown.text = line;
        return unknown;
    }
    return std::nullopt;
}

void MagicTraceLocator::setConfiguredPath(const QString& path)
{
    d->configuredPath = path;
}

void MagicTraceLocator::setSearchDirectories(const QStringList& directories)
{
    d->searchDirectories = directories;
}

void MagicTraceLocator::setInstallDirectory(const QString& directory)
{
    d->installDirectory = directory;
}

void MagicTraceLocator::setTimeout(int milliseconds)
{
    d->timeoutMs = milliseconds;
}

QList<std::pair<QString, MagicTraceCandidate::Source>> MagicTraceLocator::searchList() const
{
    QList<std::pair<QString, MagicTraceCandidate::Source>> list;
    QSet<QString> seen;
    auto add = [&](const QString& path, MagicTraceCandidate::Source source) {
        if (path.isEmpty())
            return;
        const QString absolute = QFileInfo(path).absoluteFilePath();
        const QString canonical = QFileInfo(absolute).canonicalFilePath();
        const QString key = canonical.isEmpty() ? absolute : canonical;
        if (seen.contains(key))
            return;
        seen.insert(key);
        list.append({ absolute, source });
    };
    add(d->configuredPath, MagicTraceCandidate::Source::Settings);
    const QStringList directories
        = d->searchDirectories ? *d->searchDirectories : qEnvironmentVariable("PATH").split(u':', Qt::SkipEmptyParts);
    for (const QString& directory : directories) {
        // A relative PATH entry would depend on our working directory; magic-trace lookups ignore it.
        if (QDir::isAbsolutePath(directory))
            add(directory + u'/' + executableName(), MagicTraceCandidate::Source::Path);
    }
    add(d->installDirectory.value_or(defaultInstallDirectory()) + u'/' + executableName(),
        MagicTraceCandidate::Source::AppInstall);
    return list;
}

bool MagicTraceLocator::isRunning() const
{
    return d->running;
}

void MagicTraceLocator::start()
{
    if (d->running)
        cancel();
    d->result = {};
    d->queue = searchList();
    d->running = true;
    d->canceled = false;
    // Always asynchronous, even when nothing is to be checked, so callers can connect after start().
    QMetaObject::invokeMethod(this, &MagicTraceLocator::checkNext, Qt::QueuedConnection);
}

void MagicTraceLocator::cancel()
{
    if (!d->running)
        return;
    d->canceled = true;
    d->queue.clear();
    if (d->process) {
        d->process->disconnect(this);
        d->killProcess();
        d->process->waitForFinished(1000);
        d->process->deleteLater();
        d->process = nullptr;
    }
    d->timer.stop();
    d->running = false;
    d->result.canceled = true;
    Q_EMIT finished(d->result);
}

void MagicTraceLocator::checkNext()
{
    if (!d->running || d->canceled)
        return;
    if (d->queue.isEmpty() || d->result.isFound()) {
        d->running = false;
        Q_EMIT finished(d->result);
        return;
    }
    const auto [path, source] = d->queue.takeFirst();
    MagicTraceCandidate candidate;
    candidate.path = path;
    candidate.source = source;

    const QFileInfo info(path);
    if (!info.exists()) {
        // Absent files in PATH are the normal case; only a configured path that is gone is worth reporting.
        if (source == MagicTraceCandidate::Source::Settings) {
            candidate.status = MagicTraceCandidate::Status::Missing;
            candidate.problem = tr("The configured magic-trace path %1 does not exist.").arg(path);
            finishCandidate(candidate);
        } else {
            QMetaObject::invokeMethod(this, &MagicTraceLocator::checkNext, Qt::QueuedConnection);
        }
        return;
    }
    if (info.isDir() || !info.isExecutable()) {
        candidate.status = MagicTraceCandidate::Status::NotExecutable;
        candidate.problem = info.isDir() ? tr("%1 is a directory, not a program.").arg(path)
                                         : tr("%1 is not executable (fix: chmod +x %1).").arg(path);
        finishCandidate(candidate);
        return;
    }

    d->current = candidate;
    d->out.clear();
    d->err.clear();
    d->killedForTimeout = false;
    d->killedForFlood = false;
    auto* process = new QProcess(this);
    d->process = process;
    process->setStandardInputFile(QProcess::nullDevice());
    process->setChildProcessModifier([] { ::setpgid(0, 0); });
    connect(process, &QProcess::readyReadStandardOutput, this, [this, process] {
        d->out += process->readAllStandardOutput();
        if (d->out.size() > maxOutputBytes) {
            d->killedForFlood = true;
            d->killProcess();
        }
    });
    connect(process, &QProcess::readyReadStandardError, this, [this, process] {
        const QByteArray chunk = process->readAllStandardError();
        if (d->err.size() < maxOutputBytes)
            d->err += chunk;
    });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return; // finished() follows and says more
        MagicTraceCandidate candidate = d->current;
        candidate.status = MagicTraceCandidate::Status::NotExecutable;
        candidate.problem = tr("%1 could not be started: %2.").arg(candidate.path, process->errorString());
        d->timer.stop();
        process->disconnect(this);
        process->deleteLater();
        d->process = nullptr;
        finishCandidate(candidate);
    });
    connect(process, &QProcess::finished, this, [this, process](int exitCode, QProcess::ExitStatus exitStatus) {
        d->timer.stop();
        d->out += process->readAllStandardOutput();
        d->err += process->readAllStandardError();
        process->disconnect(this);
        process->deleteLater();
        d->process = nullptr;

        MagicTraceCandidate candidate = d->current;
        const QString command = candidate.path + u" -version"_s;
        if (d->killedForTimeout) {
            candidate.status = MagicTraceCandidate::Status::Hung;
            candidate.problem
                = tr("%1 did not finish within %2 s and was stopped; magic-trace prints its version at once.")
                      .arg(command)
                      .arg(d->timeoutMs / 1000.0, 0, 'g', 3);
        } else if (d->killedForFlood) {
            candidate.status = MagicTraceCandidate::Status::Garbage;
            candidate.problem = tr("%1 printed more than %2 KiB and was stopped; magic-trace prints one short line.")
                                    .arg(command)
                                    .arg(maxOutputBytes / 1024);
        } else if (exitStatus == QProcess::CrashExit) {
            candidate.status = MagicTraceCandidate::Status::Crashed;
            candidate.problem = tr("%1 crashed (%2).").arg(command, process->errorString());
        } else if (exitCode != 0) {
            candidate.status = MagicTraceCandidate::Status::NotMagicTrace;
            const QString said = firstLine(d->err.isEmpty() ? d->out : d->err);
            candidate.problem = said.isEmpty()
                ? tr("%1 exited with status %2; magic-trace prints its version and exits with 0.")
                      .arg(command)
                      .arg(exitCode)
                : tr("%1 exited with status %2 (\"%3\"); magic-trace prints its version and exits with 0.")
                      .arg(command)
                      .arg(exitCode)
                      .arg(said);
        } else if (d->out.trimmed().isEmpty() || !isReadableText(d->out)) {
            candidate.status = MagicTraceCandidate::Status::Garbage;
            candidate.problem = d->out.trimmed().isEmpty()
                ? tr("%1 printed nothing; magic-trace prints its version, e.g. v1.2.4.").arg(command)
                : tr("%1 printed unreadable binary data instead of a version.").arg(command);
        } else if (const auto version = parseVersionOutput(QString::fromUtf8(d->out))) {
            candidate.status = MagicTraceCandidate::Status::Ok;
            candidate.versionText = QString::fromUtf8(d->out).trimmed();
            candidate.version = *version;
        } else {
            candidate.status = MagicTraceCandidate::Status::NotMagicTrace;
            candidate.problem = tr("%1 printed \"%2\", which is not a magic-trace version such as v1.2.4.")
                                    .arg(command, firstLine(d->out));
        }
        finishCandidate(candidate);
    });
    d->timer.start(d->timeoutMs);
    process->start(path, { u"-version"_s });
}

void MagicTraceLocator::finishCandidate(MagicTraceCandidate candidate)
{
    d->result.candidates.append(candidate);
    Q_EMIT candidateChecked(candidate);
    QMetaObject::invokeMethod(this, &MagicTraceLocator::checkNext, Qt::QueuedConnection);
}

MagicTraceLocation MagicTraceLocator::locateAndWait()
{
    MagicTraceLocation location;
    QEventLoop loop;
    const auto connection = connect(this, &MagicTraceLocator::finished, &loop, [&](const MagicTraceLocation& result) {
        location = result;
        loop.quit();
    });
    start();
    loop.exec();
    disconnect(connection);
    return location;
}
