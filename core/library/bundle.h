// SPDX-License-Identifier: MIT
#pragma once

#include "library/jobcontrol.h"
#include "library/tracemetadata.h"
#include "library/traceprobe.h"

#include <QString>
#include <functional>
#include <optional>

// Shareable bundles of one trace: "metadata.json", the trace as "trace.fxt[.gz|.zst|.xz]" (stored in the
// container it has in the library) and, when there is one, the magic-trace log as "log.txt". Written with
// KTar over KCompressionDevice (.tar.zst, .tar.gz, .tar.xz) or KZip (.zip). Reading validates everything
// before anything is written: names, entry types, sizes and compression ratio.
namespace Bundle {

enum class Kind { TarZstd, TarGzip, TarXz, Zip };

// From the file name: .tar.zst/.tzst, .tar.gz/.tgz, .tar.xz/.txz, .zip.
std::optional<Kind> kindForFileName(QStringView fileName);

inline constexpr QLatin1StringView metadataName { "metadata.json" };
inline constexpr QLatin1StringView logName { "log.txt" };
QString traceNameFor(TraceProbe::Compression compression); // "trace" + TraceProbe::fileSuffix()

struct Contents
{
    QString tracePath;
    TraceMetadata metadata;
    QString logPath; // empty: no log
};

// Writes a new bundle at bundlePath (which must not exist); nothing is left there on failure or cancel.
bool write(const QString& bundlePath, Kind kind, const Contents& contents, JobControl* control, QString* error);

struct Limits
{
    qint64 maxTraceBytes = qint64(64) << 30; // 64 GiB
    qint64 maxLogBytes = qint64(256) << 20;
    qint64 maxMetadataBytes = qint64(1) << 20;
    double maxCompressionRatio = 100; // FXT compresses ~6×; zeros compress 1000×
    qint64 ratioCheckFloor = qint64(32) << 20; // below this many expanded bytes the ratio is not checked
};

struct Inspection
{
    QString containerMimeType; // "application/zstd", ..., "application/zip"; "application/x-tar" for plain tar
    QString traceEntry; // "trace.fxt.gz", ...
    qint64 traceSize = 0;
    TraceProbe::Compression traceCompression = TraceProbe::Compression::Unknown;
    bool hasLog = false;
    qint64 logSize = 0;
    TraceMetadata metadata;
    TraceProbe::Summary traceSummary;
};

// Validates a bundle completely without writing anything outside the temporary folder (KTar unpacks a
// compressed tar there, after the size and ratio checks). The message names the offending entry.
std::optional<Inspection> inspect(const QString& bundlePath, const Limits& limits, JobControl* control, QString* error);

// Validates like inspect(), then asks chooseTargets where the trace and the log go (paths that must not
// exist; the log target is ignored when there is no log) and writes them. All or nothing: on failure,
// cancel or refusal no file is left behind. Returns the inspection of what was imported.
using TargetChooser = std::function<bool(const Inspection&, QString* traceTarget, QString* logTarget, QString* error)>;
std::optional<Inspection> extract(const QString& bundlePath, const Limits& limits, const TargetChooser& chooseTargets,
    JobControl* control, QString* error);

} // namespace Bundle
