// SPDX-License-Identifier: MIT
// `magic-trace-studio doctor [--json]`: every finding about this machine, and exit status 0 only when a trace can be
// taken. Optionally installs magic-trace first (--install).
#include "commandregistry.h"

#include "host/hostcheck.h"
#include "host/hostsettings.h"
#include "host/magictraceinstaller.h"
#include "host/magictracelocator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>
#include <QTextStream>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("DoctorCommand", text);
}

void print(FILE* stream, const QString& text)
{
    const QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}

// Word-wraps `text` to `width` columns; every line after the first starts with `indent` spaces.
QString wrap(const QString& text, int indent, int width = 100)
{
    QString result;
    int column = indent;
    const QStringList words = text.split(u' ', Qt::SkipEmptyParts);
    for (const QString& word : words) {
        if (column > indent && column + 1 + word.size() > width) {
            result += u'\n' + QString(indent, u' ');
            column = indent;
        } else if (column > indent) {
            result += u' ';
            ++column;
        }
        result += word;
        column += int(word.size());
    }
    return result;
}

QString label(Finding::Severity severity)
{
    switch (severity) {
    case Finding::Severity::Ok:
        return u"ok"_s;
    case Finding::Severity::Info:
        return u"info"_s;
    case Finding::Severity::Warning:
        return u"WARNING"_s;
    case Finding::Severity::Blocker:
        return u"BLOCKER"_s;
    }
    return {};
}

QString formatText(const HostReport& report)
{
    constexpr int indent = 10;
    QString out = tr("Magic Trace Studio doctor: can this machine take a magic-trace trace?") + u"\n\n"_s;
    int blockers = 0;
    int warnings = 0;
    for (const Finding& finding : report.findings) {
        blockers += finding.severity == Finding::Severity::Blocker;
        warnings += finding.severity == Finding::Severity::Warning;
        out += label(finding.severity).leftJustified(indent) + wrap(finding.message, indent) + u'\n';
        if (!finding.fix.isEmpty()) {
            out += QString(indent, u' ') + tr("Fix:") + u'\n';
            for (const QString& line : finding.fix.split(u'\n'))
                out += QString(indent + 2, u' ') + line + u'\n';
        }
        if (!finding.security.isEmpty()) {
            out += QString(indent, u' ') + wrap(tr("What the fix means for security: ") + finding.security, indent)
                + u'\n';
        }
    }
    out += u'\n';
    if (report.canTrace()) {
        out += warnings == 0 ? tr("Verdict: a trace can be taken on this machine.")
            : warnings == 1
            ? tr("Verdict: a trace can be taken on this machine; read the warning above.")
            : tr("Verdict: a trace can be taken on this machine; read the %1 warnings above.").arg(warnings);
    } else {
        out += blockers == 1
            ? tr("Verdict: NO trace can be taken on this machine until the problem marked BLOCKER is fixed.")
            : tr("Verdict: NO trace can be taken on this machine until the %1 problems marked BLOCKER are fixed.")
                  .arg(blockers);
    }
    return out + u'\n';
}

QJsonObject locationJson(const MagicTraceLocation& location)
{
    QJsonArray candidates;
    for (const MagicTraceCandidate& candidate : location.candidates) {
        QJsonObject object { { u"path"_s, candidate.path },
            { u"source"_s, MagicTraceCandidate::sourceName(candidate.source) },
            { u"status"_s, MagicTraceCandidate::statusName(candidate.status) } };
        if (candidate.isUsable())
            object.insert(u"version"_s, candidate.versionText);
        else
            object.insert(u"problem"_s, candidate.problem);
        candidates.append(object);
    }
    QJsonObject object { { u"found"_s, location.isFound() }, { u"candidates"_s, candidates } };
    if (const auto found = location.found()) {
        object.insert(u"path"_s, found->path);
        object.insert(u"version"_s, found->versionText);
    }
    return object;
}

InstallResult install(const QCommandLineParser& parser, const QSettings& settings, bool quiet)
{
    MagicTraceInstaller installer;
    const QString version = parser.value(u"release"_s).isEmpty()
        ? settings.value(HostSettings::releaseVersionKey(), MagicTraceRelease::defaultVersion()).toString()
        : parser.value(u"release"_s);
    const QString pattern
        = settings.value(HostSettings::releaseUrlPatternKey(), MagicTraceRelease::defaultUrlPattern()).toString();
    const QUrl url = parser.value(u"url"_s).isEmpty() ? MagicTraceRelease::downloadUrl(version, pattern)
                                                      : QUrl(parser.value(u"url"_s));
    installer.setUrl(url);
    installer.setExpectedSha256(parser.value(u"sha256"_s).isEmpty()
            ? settings.value(HostSettings::releaseSha256Key()).toString()
            : parser.value(u"sha256"_s));
    if (!quiet) {
        print(stderr, tr("Downloading %1\n  into %2\n").arg(url.toDisplayString(), installer.targetPath()));
        int lastTenth = -1;
        QObject::connect(&installer, &MagicTraceInstaller::progress, [&lastTenth](qint64 received, qint64 total) {
            const int tenth = total > 0 ? int(received * 10 / total) : int(received >> 22); // or every 4 MiB
            if (tenth != lastTenth) {
                lastTenth = tenth;
                print(stderr,
                    total > 0 ? tr("  %1 %\n").arg(tenth * 10) : tr("  %1 MiB\n").arg(received / (1024 * 1024)));
            }
        });
    }
    const InstallResult result = installer.installAndWait();
    if (!quiet) {
        if (!result.ok())
            print(stderr, tr("Installation failed: %1\n\n").arg(result.error));
        else if (result.verified)
            print(stderr, tr("Installed %1 (SHA-256 %2, verified).\n\n").arg(result.path, result.sha256));
        else
            print(stderr,
                tr("Installed %1.\n  SHA-256 %2 — NOT verified: compare it with the published checksum, or pass "
                   "--sha256 next time.\n\n")
                    .arg(result.path, result.sha256));
    }
    return result;
}

int runDoctor(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("Checks whether this machine and user can take a magic-trace trace, and says what to fix.\n"
           "Exit status: 0 when a trace can be taken, 1 when not, 2 for a usage error."));
    const QCommandLineOption help({ u"h"_s, u"help"_s }, tr("Show this help and exit."));
    const QCommandLineOption json(u"json"_s, tr("Print the findings as JSON instead of text."));
    const QCommandLineOption pid(
        u"pid"_s, tr("Also check whether process PID can be traced (may be repeated)."), tr("PID"));
    const QCommandLineOption magicTrace(
        u"magic-trace"_s, tr("Use this magic-trace binary instead of the configured one."), tr("PATH"));
    const QCommandLineOption installOption(u"install"_s,
        tr("First download and install magic-trace into %1.").arg(MagicTraceLocator::defaultInstallDirectory()));
    const QCommandLineOption release(
        u"release"_s, tr("The release to install (default %1).").arg(MagicTraceRelease::defaultVersion()), tr("TAG"));
    const QCommandLineOption url(u"url"_s, tr("Download from this URL instead of the GitHub release."), tr("URL"));
    const QCommandLineOption sha256(
        u"sha256"_s, tr("Refuse the download unless its SHA-256 is HASH (64 hex digits)."), tr("HASH"));
    parser.addOptions({ help, json, pid, magicTrace, installOption, release, url, sha256 });
    if (!parser.parse(QStringList { u"magic-trace-studio doctor"_s } + arguments)) {
        print(stderr,
            u"magic-trace-studio doctor: %1\nTry 'magic-trace-studio doctor --help'.\n"_s.arg(parser.errorText()));
        return 2;
    }
    if (parser.isSet(help)) {
        print(stdout, parser.helpText());
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        print(stderr,
            u"magic-trace-studio doctor: unexpected argument \"%1\".\n"_s.arg(parser.positionalArguments().first()));
        return 2;
    }
    HostCheckOptions options = HostCheckOptions::fromEnvironment();
    for (const QString& value : parser.values(pid)) {
        bool ok = false;
        const qint64 number = value.toLongLong(&ok);
        if (!ok || number <= 0) {
            print(stderr, u"magic-trace-studio doctor: \"%1\" is not a process id.\n"_s.arg(value));
            return 2;
        }
        options.targetPids.append(number);
    }

    const QSettings settings;
    std::optional<InstallResult> installed;
    if (parser.isSet(installOption))
        installed = install(parser, settings, parser.isSet(json));

    MagicTraceLocator locator;
    locator.setConfiguredPath(parser.isSet(magicTrace) ? parser.value(magicTrace)
                                                       : settings.value(HostSettings::magicTracePathKey()).toString());
    options.magicTrace = locator.locateAndWait();
    const HostReport report = HostCheck::run(options);

    if (parser.isSet(json)) {
        QJsonObject object = report.toJson();
        object.insert(u"magicTrace"_s, locationJson(*options.magicTrace));
        if (installed) {
            QJsonObject result { { u"ok"_s, installed->ok() },
                { u"failure"_s, InstallResult::failureName(installed->failure) } };
            if (installed->ok()) {
                result.insert(u"path"_s, installed->path);
                result.insert(u"verified"_s, installed->verified);
            } else {
                result.insert(u"error"_s, installed->error);
            }
            if (!installed->sha256.isEmpty())
                result.insert(u"sha256"_s, installed->sha256);
            object.insert(u"install"_s, result);
        }
        print(stdout, QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)));
    } else {
        print(stdout, formatText(report));
    }
    return report.canTrace() ? 0 : 1;
}

const CommandRegistration registration("doctor",
    "Check whether this machine can take a magic-trace trace, and what to fix (exit 0: yes, 1: no)", runDoctor);

} // namespace
