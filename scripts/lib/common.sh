# SPDX-License-Identifier: MIT
# Shared by scripts/run, scripts/test and scripts/screenshots: decide between native packages and the
# Debian 13 build root, set either up when something is missing, and run commands in the chosen environment.
# Sourced, never executed. Everything it prints goes to stderr so that a command's stdout stays clean.

set -euo pipefail

MTS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
MTS_PACKAGE_LIST="$MTS_REPO/scripts/buildroot-packages.txt"
MTS_SUITE=trixie

mts_say() { printf 'magic-trace-studio: %s\n' "$*" >&2; }
mts_die() { mts_say "error: $*"; exit 1; }

# Runs a command as root: directly when we are root, otherwise through sudo after saying why.
mts_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        command -v sudo >/dev/null || mts_die "root rights are needed ($MTS_ROOT_REASON) and sudo is not installed"
        mts_say "asking for root rights with sudo: $MTS_ROOT_REASON"
        sudo "$@"
    fi
}
MTS_ROOT_REASON="setting up build dependencies"

# --- native detection -------------------------------------------------------------------------------------

# True when Qt >= 6.5 and KF6 Archive are installed as CMake packages on this host.
mts_native_ready() {
    local qtcfg kfcfg ver
    qtcfg=$(ls /usr/lib*/cmake/Qt6Core/Qt6CoreConfigVersionImpl.cmake /usr/lib/*/cmake/Qt6Core/Qt6CoreConfigVersionImpl.cmake \
        /usr/lib*/cmake/Qt6Core/Qt6CoreConfigVersion.cmake /usr/lib/*/cmake/Qt6Core/Qt6CoreConfigVersion.cmake 2>/dev/null | head -n1)
    kfcfg=$(ls /usr/lib*/cmake/KF6Archive/KF6ArchiveConfig.cmake /usr/lib/*/cmake/KF6Archive/KF6ArchiveConfig.cmake 2>/dev/null | head -n1)
    [ -n "$qtcfg" ] && [ -n "$kfcfg" ] || return 1
    ver=$(sed -n 's/^set(PACKAGE_VERSION "\([0-9.]*\)").*/\1/p' "$qtcfg" | head -n1)
    [ -n "$ver" ] || return 1
    [ "$(printf '%s\n6.5.0\n' "$ver" | sort -V | head -n1)" = "6.5.0" ] && command -v cmake >/dev/null && command -v ninja >/dev/null
}

# Prints the native package manager's install command for distributions known to ship Qt >= 6.5 and KF6 Archive.
mts_native_install_command() {
    [ -r /etc/os-release ] || return 1
    # shellcheck disable=SC1091
    . /etc/os-release
    case "${ID:-}:${VERSION_ID:-}" in
        debian:1[3-9]* | debian:2* | ubuntu:25.* | ubuntu:2[6-9].*)
            echo "apt-get install -y --no-install-recommends g++ cmake ninja-build qt6-base-dev qt6-base-dev-tools qt6-svg-dev qt6-svg-plugins libkf6archive-dev libgl-dev clang-format xvfb xauth zstd" ;;
        fedora:4[0-9]* | fedora:[5-9]*)
            echo "dnf install -y gcc-c++ cmake ninja-build qt6-qtbase-devel qt6-qtsvg-devel kf6-karchive-devel clang-tools-extra xorg-x11-server-Xvfb zstd" ;;
        arch:* | archarm:*)
            echo "pacman -S --needed --noconfirm gcc cmake ninja qt6-base qt6-svg karchive clang xorg-server-xvfb zstd" ;;
        *) return 1 ;;
    esac
}

# --- build root ---------------------------------------------------------------------------------------------

mts_cache_dir() {
    if [ -n "${MTS_BUILDROOT_CACHE:-}" ]; then echo "$MTS_BUILDROOT_CACHE"; else echo /var/cache/magic-trace-studio; fi
}

mts_root_path() {
    local hash
    hash=$( { cat "$MTS_PACKAGE_LIST"; echo "suite=$MTS_SUITE"; } | sha256sum | cut -c1-16)
    echo "$(mts_cache_dir)/root-$MTS_SUITE-$hash"
}

# The Debian mirror that the host's own apt sources use (never a hard-coded host); MTS_DEBIAN_MIRROR overrides it.
mts_debian_mirror() {
    if [ -n "${MTS_DEBIAN_MIRROR:-}" ]; then echo "$MTS_DEBIAN_MIRROR"; return; fi
    local uri
    uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*//p' | tr ' ' '\n' \
        | grep -v -e security -e '^$' | grep -i debian | head -n1 || true)
    if [ -z "$uri" ]; then
        uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
            | sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' \
            | grep -v security | grep -i debian | head -n1 || true)
    fi
    [ -n "$uri" ] || mts_die "no Debian mirror found in /etc/apt/sources.list*; set MTS_DEBIAN_MIRROR=http://your-mirror/debian"
    echo "$uri"
}

# Creates the root when it is missing or was left half-made by an interrupted run. Holds a lock so that two
# scripts started at once do not build it twice.
mts_ensure_root() {
    local root cache lock
    root=$(mts_root_path)
    [ -f "$root/.mts-complete" ] && return 0
    cache=$(mts_cache_dir)
    lock="$root.lock"
    MTS_ROOT_REASON="creating the Debian 13 build root in $cache (Qt >= 6.5 and KF6 Archive are not packaged for this host)"
    mts_as_root mkdir -p "$cache"
    mts_as_root env MTS_ROOT="$root" MTS_MIRROR="$(mts_debian_mirror)" MTS_SUITE="$MTS_SUITE" \
        MTS_PACKAGES="$(grep -v -e '^#' -e '^[[:space:]]*$' "$MTS_PACKAGE_LIST" | tr '\n' ' ')" \
        flock "$lock" bash "$MTS_REPO/scripts/lib/create-root.sh"
}

# Runs "$@" inside the root as the calling user, in a private mount namespace: every mount made for the command
# disappears with it, whatever way it exits, so nothing is ever left mounted.
mts_in_root() {
    local root uid gid envs=() kv name
    root=$(mts_root_path)
    uid=$(id -u); gid=$(id -g)
    while IFS= read -r -d '' kv; do
        name=${kv%%=*}
        case "$name" in
            PATH | LD_PRELOAD | LD_LIBRARY_PATH | SUDO_* | OLDPWD | PWD | SHLVL | _ | BASH_FUNC_*) ;;
            *) envs+=("$kv") ;;
        esac
    done < <(env -0)
    MTS_ROOT_REASON="entering the build root (chroot and bind mounts need root)"
    mts_as_root unshare --mount --propagation private -- \
        bash "$MTS_REPO/scripts/lib/enter-root.sh" "$root" "$MTS_REPO" "$uid:$gid" "$PWD" "${HOME:-/}" \
        "${#envs[@]}" "${envs[@]}" "$@"
}

# --- the chosen environment ---------------------------------------------------------------------------------

# Sets MTS_MODE to native or buildroot, installing what is missing. MTS_MODE=native|buildroot forces a choice.
mts_setup() {
    if [ "${MTS_MODE:-}" = native ] || { [ -z "${MTS_MODE:-}" ] && mts_native_ready; }; then
        MTS_MODE=native
        mts_native_ready && return 0
        local cmd
        cmd=$(mts_native_install_command) || mts_die "Qt >= 6.5 and KF6 Archive are missing and this distribution is not known; install them or use MTS_MODE=buildroot"
        MTS_ROOT_REASON="installing Qt 6 and KF6 Archive packages"
        # shellcheck disable=SC2086
        mts_as_root $cmd
        return 0
    fi
    if [ -z "${MTS_MODE:-}" ] && cmd=$(mts_native_install_command 2>/dev/null); then
        MTS_ROOT_REASON="installing Qt 6 and KF6 Archive packages"
        # shellcheck disable=SC2086
        mts_as_root $cmd && mts_native_ready && { MTS_MODE=native; return 0; }
    fi
    MTS_MODE=buildroot
    mts_ensure_root
}

# Configures and builds preset $1 (optionally only target $2) in the chosen environment.
mts_build() {
    local preset=$1 dir="$MTS_REPO/build/$1" info stamp
    mts_exec cmake --preset "$preset" >/dev/null || return 1
    # Ninja re-runs AUTOMOC only when a header it already knew changed; a newly added QObject header (new files
    # are picked up by the source globs) would otherwise get no moc file. Re-run it whenever CMake rewrote the
    # target's autogen information after the last moc run.
    for info in "$dir"/*/CMakeFiles/*_autogen.dir/AutogenInfo.json "$dir"/*/*/CMakeFiles/*_autogen.dir/AutogenInfo.json; do
        [ -e "$info" ] || continue
        stamp="$(dirname "$(dirname "$(dirname "$info")")")/$(basename "$(dirname "$info")" .dir)/timestamp"
        [ -e "$stamp" ] && [ "$info" -nt "$stamp" ] && rm -f "$stamp"
    done
    mts_exec cmake --build --preset "$preset" ${2:+--target "$2"}
}

# Runs "$@" in the chosen environment, from the current directory.
mts_exec() {
    if [ "$MTS_MODE" = native ]; then "$@"; else mts_in_root "$@"; fi
}
