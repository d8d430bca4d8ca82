// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringView>
#include <compare>
#include <optional>

// The version of a magic-trace binary, as printed by `magic-trace -version` (the `git describe` of its build:
// "v1.2.4", or "v1.2.4-12-gd31ceba" for an unreleased build of master).
struct MagicTraceVersion
{
    int major = 0;
    int minor = 0;
    int patch = 0;
    int commitsAfterTag = 0; // > 0 for builds of master after the tag
    QString text; // the version exactly as printed, trimmed

    bool isValid() const { return major > 0 || minor > 0 || patch > 0; }
    // "1.2.4", or "1.2.4+12" for a build past the tag.
    QString toString() const;

    // Parses the output of `magic-trace -version`. Tolerates a leading "magic-trace", a missing "v", a
    // git-describe suffix ("-12-gd31ceba", "-dirty") and trailing whitespace. Returns nullopt with *error set
    // when no version can be found.
    static std::optional<MagicTraceVersion> parse(QStringView output, QString* error = nullptr);
    static MagicTraceVersion fromNumbers(int major, int minor, int patch);
    // Runs `PROGRAM -version` and parses what it prints. Blocks up to timeoutMs: never call it on the UI thread.
    static std::optional<MagicTraceVersion> query(
        const QString& program, int timeoutMs = 10'000, QString* error = nullptr);

    friend bool operator==(const MagicTraceVersion& a, const MagicTraceVersion& b)
    {
        return a.major == b.major && a.minor == b.minor && a.patch == b.patch && a.commitsAfterTag == b.commitsAfterTag;
    }
    friend std::strong_ordering operator<=>(const MagicTraceVersion& a, const MagicTraceVersion& b)
    {
        if (auto c = a.major <=> b.major; c != 0)
            return c;
        if (auto c = a.minor <=> b.minor; c != 0)
            return c;
        if (auto c = a.patch <=> b.patch; c != 0)
            return c;
        return a.commitsAfterTag <=> b.commitsAfterTag;
    }
};

// Features that appeared in a given magic-trace release (see the protocol notes, "Versions that matter").
enum class MagicTraceFeature {
    SexpOutput, // -o *.sexp (v1.1.0)
    SamplingFallback, // sampling instead of failing when Intel PT is missing (v1.2.0)
    Sampling, // -sampling (v1.2.0)
    CallgraphMode, // -callgraph-mode (v1.2.0)
    Filter, // -filter (v1.2.0)
    MultiplePids, // -pid A,B (v1.2.0)
    Events, // -events, with MAGIC_TRACE_EXPERIMENTAL (v1.2.0)
    SampleTimerResolution, // -timer-resolution "Sample ((freq N))" (v1.2.0)
    BinioOutput, // -o *.binio (v1.2.0)
    SecondSigintKillsDecoding, // a second SIGINT kills decoding (v1.2.1)
    PerfPathEnvironment, // MAGIC_TRACE_PERF_PATH (v1.2.3)
    CompressedOutput, // -o *.gz / *.zst are honoured, default trace.fxt.gz (v1.2.4)
};

// What one magic-trace version can do. A plain value: the host checks and the trace controller use it to decide
// which flags to pass and which requests to refuse.
struct MagicTraceCapabilities
{
    MagicTraceVersion version;

    bool multiplePids = false;
    bool sampling = false; // -sampling flag
    bool samplingFallback = false; // no Intel PT → sampling instead of an error
    bool callgraphMode = false;
    bool filter = false;
    bool events = false;
    bool sampleTimerResolution = false;
    bool sexpOutput = false;
    bool binioOutput = false;
    bool compressedOutput = false; // .gz (gzip) and .zst (zstd) suffixes honoured
    bool perfPathEnvironment = false; // MAGIC_TRACE_PERF_PATH
    bool secondSigintKillsDecoding = false; // otherwise a second SIGINT is ignored
    bool requiresIntelPt = true; // v1.0.x/v1.1.x exit 1 without Intel PT
    QString defaultOutputName; // "trace.fxt" or "trace.fxt.gz"

    static MagicTraceCapabilities forVersion(const MagicTraceVersion& version);
    bool has(MagicTraceFeature feature) const;

    // The first release with the feature, e.g. 1.2.0 for Sampling.
    static MagicTraceVersion introducedIn(MagicTraceFeature feature);
    // A short user-facing name of the feature, e.g. "-sampling" or "gzip/zstd output".
    static QString featureName(MagicTraceFeature feature);
    // "-sampling needs magic-trace 1.2.0 or newer; this is 1.0.2." — or an empty string when supported.
    QString refusal(MagicTraceFeature feature) const;
};
