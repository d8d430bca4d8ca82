// SPDX-License-Identifier: MIT
#include "host/magictraceversion.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

QString MagicTraceVersion::toString() const
{
    QString result = QString::number(major) + u'.' + QString::number(minor) + u'.' + QString::number(patch);
    if (commitsAfterTag > 0)
        result += u'+' + QString::number(commitsAfterTag);
    return result;
}

MagicTraceVersion MagicTraceVersion::fromNumbers(int major, int minor, int patch)
{
    MagicTraceVersion v;
    v.major = major;
    v.minor = minor;
    v.patch = patch;
    v.text = u"v"_s + v.toString();
    return v;
}

std::optional<MagicTraceVersion> MagicTraceVersion::parse(QStringView output, QString* error)
{
    // The first token that looks like [v]MAJOR.MINOR.PATCH[-N-gHASH][-dirty]. Anchored at a word start so that
    // "perf version 6.1.0" style noise inside a longer text is not mistaken for ours only if it comes first.
    static const QRegularExpression pattern(
        uR"((?:^|[\s(])v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})(?:-(\d{1,6})-g[0-9a-fA-F]{4,40})?(?:-dirty)?(?=$|[\s)]))"_s);
    const QString text = output.toString().trimmed();
    if (text.isEmpty()) {
        if (error)
            *error = QCoreApplication::translate("MagicTraceVersion", "magic-trace printed no version.");
        return std::nullopt;
    }
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch()) {
        if (error)
            *error = QCoreApplication::translate("MagicTraceVersion", "Cannot read a version number in \"%1\".")
                         .arg(text.left(200));
        return std::nullopt;
    }
    MagicTraceVersion v;
    v.major = match.captured(1).toInt();
    v.minor = match.captured(2).toInt();
    v.patch = match.captured(3).toInt();
    v.commitsAfterTag = match.captured(4).isEmpty() ? 0 : match.captured(4).toInt();
    v.text = match.captured(0).trimmed();
    if (v.text.startsWith(u'('))
        v.text.remove(0, 1);
    if (!v.isValid()) {
        if (error)
            *error = QCoreApplication::translate("MagicTraceVersion", "\"%1\" is not a valid version.").arg(v.text);
        return std::nullopt;
    }
    return v;
}

std::optional<MagicTraceVersion> MagicTraceVersion::query(const QString& program, int timeoutMs, QString* error)
{
    QProcess process;
    process.setStandardInputFile(QProcess::nullDevice());
    process.start(program, { u"-version"_s }, QIODevice::ReadOnly);
    if (!process.waitForStarted(timeoutMs)) {
        if (error)
            *error = QCoreApplication::translate("MagicTraceVersion", "Cannot run %1: %2")
                         .arg(program, process.errorString());
        return std::nullopt;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(1000);
        if (error)
            *error = QCoreApplication::translate("MagicTraceVersion", "%1 -version did not answer within %2 s.")
                         .arg(program)
                         .arg(timeoutMs / 1000.0);
        return std::nullopt;
    }
    const QString output = QString::fromUtf8(process.readAllStandardOutput());
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        if (error)
            *error = QCoreApplication::translate("MagicTraceVersion", "%1 -version failed: %2")
                         .arg(program, QString::fromUtf8(process.readAllStandardError()).trimmed().left(300));
        return std::nullopt;
    }
    return parse(output, error);
}

MagicTraceVersion MagicTraceCapabilities::introducedIn(MagicTraceFeature feature)
{
    switch (feature) {
    case MagicTraceFeature::SexpOutput:
        return MagicTraceVersion::fromNumbers(1, 1, 0);
    case MagicTraceFeature::SamplingFallback:
    case MagicTraceFeature::Sampling:
    case MagicTraceFeature::CallgraphMode:
    case MagicTraceFeature::Filter:
    case MagicTraceFeature::MultiplePids:
    case MagicTraceFeature::Events:
    case MagicTraceFeature::SampleTimerResolution:
    case MagicTraceFeature::BinioOutput:
        return MagicTraceVersion::fromNumbers(1, 2, 0);
    case MagicTraceFeature::SecondSigintKillsDecoding:
        return MagicTraceVersion::fromNumbers(1, 2, 1);
    case MagicTraceFeature::PerfPathEnvironment:
        return MagicTraceVersion::fromNumbers(1, 2, 3);
    case MagicTraceFeature::CompressedOutput:
        return MagicTraceVersion::fromNumbers(1, 2, 4);
    }
    return MagicTraceVersion::fromNumbers(1, 0, 0);
}

QString MagicTraceCapabilities::featureName(MagicTraceFeature feature)
{
    switch (feature) {
    case MagicTraceFeature::SexpOutput:
        return u".sexp output"_s;
    case MagicTraceFeature::SamplingFallback:
        return QCoreApplication::translate("MagicTraceCapabilities", "the sampling fallback without Intel PT");
    case MagicTraceFeature::Sampling:
        return u"-sampling"_s;
    case MagicTraceFeature::CallgraphMode:
        return u"-callgraph-mode"_s;
    case MagicTraceFeature::Filter:
        return u"-filter"_s;
    case MagicTraceFeature::MultiplePids:
        return QCoreApplication::translate("MagicTraceCapabilities", "tracing several PIDs at once");
    case MagicTraceFeature::Events:
        return u"-events"_s;
    case MagicTraceFeature::SampleTimerResolution:
        return QCoreApplication::translate("MagicTraceCapabilities", "the Sample timer resolution");
    case MagicTraceFeature::BinioOutput:
        return u".binio output"_s;
    case MagicTraceFeature::SecondSigintKillsDecoding:
        return QCoreApplication::translate("MagicTraceCapabilities", "interrupting decoding");
    case MagicTraceFeature::PerfPathEnvironment:
        return QCoreApplication::translate(
            "MagicTraceCapabilities", "choosing the perf binary (MAGIC_TRACE_PERF_PATH)");
    case MagicTraceFeature::CompressedOutput:
        return QCoreApplication::translate("MagicTraceCapabilities", "gzip/zstd output (.gz, .zst)");
    }
    return {};
}

bool MagicTraceCapabilities::has(MagicTraceFeature feature) const
{
    return version >= introducedIn(feature);
}

MagicTraceCapabilities MagicTraceCapabilities::forVersion(const MagicTraceVersion& version)
{
    MagicTraceCapabilities c;
    c.version = version;
    c.multiplePids = c.has(MagicTraceFeature::MultiplePids);
    c.sampling = c.has(MagicTraceFeature::Sampling);
    c.samplingFallback = c.has(MagicTraceFeature::SamplingFallback);
    c.callgraphMode = c.has(MagicTraceFeature::CallgraphMode);
    c.filter = c.has(MagicTraceFeature::Filter);
    c.events = c.has(MagicTraceFeature::Events);
    c.sampleTimerResolution = c.has(MagicTraceFeature::SampleTimerResolution);
    c.sexpOutput = c.has(MagicTraceFeature::SexpOutput);
    c.binioOutput = c.has(MagicTraceFeature::BinioOutput);
    c.compressedOutput = c.has(MagicTraceFeature::CompressedOutput);
    c.perfPathEnvironment = c.has(MagicTraceFeature::PerfPathEnvironment);
    c.secondSigintKillsDecoding = c.has(MagicTraceFeature::SecondSigintKillsDecoding);
    c.requiresIntelPt = !c.samplingFallback;
    c.defaultOutputName = c.compressedOutput ? u"trace.fxt.gz"_s : u"trace.fxt"_s;
    return c;
}

QString MagicTraceCapabilities::refusal(MagicTraceFeature feature) const
{
    if (has(feature))
        return {};
    return QCoreApplication::translate(
        "MagicTraceCapabilities", "%1 needs magic-trace %2 or newer; the magic-trace in use is %3.")
        .arg(featureName(feature), introducedIn(feature).toString(),
            version.isValid() ? version.toString()
                              : QCoreApplication::translate("MagicTraceCapabilities", "of an unknown version"));
}
