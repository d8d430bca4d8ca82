// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

// QSettings keys of the host area, shared by the settings dialog, the trace controller and `doctor`.
namespace HostSettings {

// The magic-trace binary chosen by the user; empty or absent: search PATH and the install directory.
inline QString magicTracePathKey()
{
    return QStringLiteral("magicTrace/path");
}
// The release to install, e.g. "v1.2.4"; absent: MagicTraceRelease::defaultVersion().
inline QString releaseVersionKey()
{
    return QStringLiteral("magicTrace/releaseVersion");
}
// The download URL with "{version}"; absent: MagicTraceRelease::defaultUrlPattern().
inline QString releaseUrlPatternKey()
{
    return QStringLiteral("magicTrace/releaseUrlPattern");
}
// The SHA-256 (hex) the download must have; absent or empty: not verified.
inline QString releaseSha256Key()
{
    return QStringLiteral("magicTrace/releaseSha256");
}

} // namespace HostSettings
