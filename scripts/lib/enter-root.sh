# SPDX-License-Identifier: MIT
# Runs inside a private mount namespace made by mts_in_root (as root):
#   enter-root.sh ROOT REPO UID:GID CWD HOME NENV ENV... COMMAND...
# Bind-mounts what a command needs and runs COMMAND inside ROOT as UID:GID with the given environment.
set -euo pipefail
root=$1 repo=$2 user=$3 cwd=$4 home=$5 nenv=$6
shift 6
envs=("${@:1:nenv}")
shift "$nenv"

bind() { # bind SOURCE: mount SOURCE at the same path inside the root
    local path
    # A symbolic link is followed first: the link itself may sit in a folder already mounted (such as /tmp) and
    # would point nowhere inside the root, so its target is what gets mounted, at the target's own path.
    path=$(readlink -f -- "$1") && [ -e "$path" ] || return 0
    if [ -d "$path" ]; then mkdir -p "$root$path"; else mkdir -p "$(dirname "$root$path")"; touch "$root$path"; fi
    mount --rbind "$path" "$root$path"
}
mount --make-rslave / 2>/dev/null || true
mount -t proc proc "$root/proc"
for d in /sys /dev /run /tmp "$repo"; do bind "$d"; done
# The shared reference folder beside the checkout (samples used by the tests).
bind "$(dirname "$repo")/shared"
# The user's home and XDG folders, so that settings, caches and traces land where a native build puts them.
[ "$home" != / ] && bind "$home"
for kv in "${envs[@]}"; do
    case "$kv" in
        XDG_*_HOME=* | XDG_RUNTIME_DIR=*) d=${kv#*=}; [ -d "$d" ] && ! mountpoint -q "$root$d" 2>/dev/null && bind "$d" ;;
    esac
done
# Folders named by MTS_EXTRA_BINDS (colon-separated) are mounted too, e.g. samples outside the repository.
for kv in "${envs[@]}"; do
    case "$kv" in
        MTS_EXTRA_BINDS=*) IFS=: read -r -a extra <<<"${kv#*=}"; for d in "${extra[@]}"; do [ -n "$d" ] && bind "$d"; done ;;
    esac
done
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

exec chroot --userspec="$user" "$root" /usr/bin/env -i "${envs[@]}" \
    PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin MTS_IN_BUILDROOT=1 \
    /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$cwd" "$@"
