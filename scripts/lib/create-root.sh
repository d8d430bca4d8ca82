# SPDX-License-Identifier: MIT
# Creates the Debian 13 build root. Run as root, under the lock taken by mts_ensure_root, with MTS_ROOT,
# MTS_MIRROR, MTS_SUITE and MTS_PACKAGES set. Builds into ROOT.partial and renames it when complete, so an
# interrupted run leaves only a partial folder, which the next run removes and redoes.
set -euo pipefail
say() { printf 'magic-trace-studio: %s\n' "$*" >&2; }

root=$MTS_ROOT
[ -f "$root/.mts-complete" ] && exit 0 # another run finished it while we waited for the lock
partial="$root.partial"
start=$(date +%s)

if [ -e "$partial" ] || [ -e "$root" ]; then
    say "removing a half-made build root left by an interrupted run"
    rm -rf --one-file-system "$partial" "$root"
fi

if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap on the host"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
fi

say "creating the Debian 13 build root from $MTS_MIRROR (about a minute; once per package list)"
# In a private mount namespace: the /proc and /sys that debootstrap mounts inside the root vanish with it, even
# when it is interrupted, so a half-made root never holds mounts and can simply be removed.
unshare --mount --propagation private -- \
    debootstrap --variant=minbase --include=ca-certificates "$MTS_SUITE" "$partial" "$MTS_MIRROR" >&2 \
    || { say "error: debootstrap failed; see above"; exit 1; }
cp /etc/resolv.conf "$partial/etc/resolv.conf" 2>/dev/null || true
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$partial/etc/apt/apt.conf.d/99mts"

say "installing build packages into the root"
# shellcheck disable=SC2086
unshare --mount --propagation private -- bash -c '
    set -e
    mount -t proc proc "$1/proc"
    mount --rbind /dev "$1/dev"
    chroot "$1" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin apt-get update -qq
    chroot "$1" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        apt-get install -y -qq --no-install-recommends $2
    chroot "$1" apt-get clean
' _ "$partial" "$MTS_PACKAGES" >&2 || { say "error: installing packages into the root failed; see above"; exit 1; }

date -u +%FT%TZ > "$partial/.mts-complete"
mv "$partial" "$root"
say "build root ready in $(($(date +%s) - start)) s: $root"
