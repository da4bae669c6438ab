# The OBS 30 and OBS 32 test tiers: a Debian root filesystem for each, made from Debian's own packages with
# mmdebstrap, in which the Qt6 flavour is built against that OBS's libobs and Qt and its tests run under Xvfb.
#   trixie (Debian 13): obs-studio 30.2.x, Qt 6.8, Catch2 3
#   sid (Debian unstable): obs-studio 32.x, Qt 6.10+
# A root filesystem that is already there (and was made from the same package list) is reused. The checkout is
# bind-mounted at its own path inside, so build trees and test artifacts land in the checkout as for the host tiers.
# shellcheck shell=bash

SEEDANCE_ROOTFS_DIR=${SEEDANCE_ROOTFS_DIR:-/var/cache/obs-seedance/rootfs}
SEEDANCE_ROOTFS_MIRROR=${SEEDANCE_ROOTFS_MIRROR:-http://deb.debian.org/debian}

# What a tier builds and tests with. No npm inside: the e2e tests' Node packages are installed once on the host
# (tests/e2e/node_modules, pure JavaScript) and seen through the bind mount.
SEEDANCE_ROOTFS_PACKAGES=(
  cmake make g++ pkg-config ca-certificates
  obs-studio libobs-dev qt6-base-dev
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev catch2 libjpeg-dev
  python3 ffmpeg nodejs curl procps
  xvfb xauth x11-utils xdotool imagemagick libgl1-mesa-dri fonts-wqy-microhei
)

# tier_suite <tier>: the Debian suite of a tier (obs30, obs32).
tier_suite() {
  case "$1" in
    obs30) echo trixie ;;
    obs32) echo sid ;;
    *) die "unknown tier $1 (obs30, obs32)" ;;
  esac
}

rootfs_path() { echo "$SEEDANCE_ROOTFS_DIR/$1"; }

# ensure_rootfs <suite>: makes the root filesystem unless a complete one made from the same package list exists.
ensure_rootfs() {
  local suite=$1 dir stamp want
  dir=$(rootfs_path "$suite")
  stamp="$dir/.obs-seedance-rootfs"
  want="$suite ${SEEDANCE_ROOTFS_PACKAGES[*]}"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "reusing the $suite root filesystem in $dir"
    return
  fi
  command -v mmdebstrap >/dev/null 2>&1 || install_packages mmdebstrap
  log "making the $suite root filesystem in $dir (mmdebstrap, about 3-5 minutes)"
  as_root mkdir -p "$SEEDANCE_ROOTFS_DIR"
  as_root rm -rf "$dir.new" "$dir"
  local includes
  includes=$(IFS=,; echo "${SEEDANCE_ROOTFS_PACKAGES[*]}")
  # sid's Release file may be past its Valid-Until on the package source; the check is off for these tiers alone.
  as_root mmdebstrap --variant=apt --quiet --include="$includes" \
    --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Retries "3"' \
    "$suite" "$dir.new" "$SEEDANCE_ROOTFS_MIRROR" >&2
  printf '%s' "$want" | as_root tee "$dir.new/.obs-seedance-rootfs" >/dev/null
  as_root mv "$dir.new" "$dir"
}

# in_chroot <dir> <workdir> <command...>: runs a command inside the root filesystem <dir>, in <workdir>, as root, in
# a private mount namespace (every mount goes away with the command, whatever happens to it). The checkout is
# bind-mounted at its own path. The host's CA bundle is used inside, so https works behind a proxy the host trusts.
# SEEDANCE_TEST_RUN passes through for the leftover check.
in_chroot() {
  local dir=$1 workdir=$2
  shift 2
  local inner
  inner=$(printf '%q ' "$@")
  as_root unshare --mount --propagation private bash -euo pipefail -c '
    dir=$1 src=$2 workdir=$3 inner=$4
    # The root filesystem becomes a mount point of its own, so that inside it "/" is one: a tier run from within
    # a chroot (build-aux/try-bare) can then make its own private mount namespace (unshare --propagation).
    mount --bind "$dir" "$dir"
    mount -t proc proc "$dir/proc"
    mount --rbind /sys "$dir/sys"
    mount --rbind /dev "$dir/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$dir/tmp"
    mkdir -p "$dir$src"
    mount --bind "$src" "$dir$src"
    if [[ -f /etc/ssl/certs/ca-certificates.crt && -f "$dir/etc/ssl/certs/ca-certificates.crt" ]]; then
      mount --bind /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
    fi
    cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
    exec chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" SEEDANCE_TEST_RUN="${SEEDANCE_TEST_RUN:-}" \
      NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
      bash -euo pipefail -c "cd $workdir && $inner"
  ' seedance-chroot "$dir" "$SEEDANCE_ROOT" "$workdir" "$inner"
}

# in_rootfs <suite> <command...>: runs a command in the checkout inside a tier's root filesystem.
in_rootfs() {
  local suite=$1
  shift
  in_chroot "$(rootfs_path "$suite")" "$SEEDANCE_ROOT" "$@"
}

# The OBS version inside a root filesystem, e.g. 32.0.2.
rootfs_obs_version() {
  in_rootfs "$1" dpkg-query -W -f='${Version}' obs-studio | sed -E 's/^[0-9]+://; s/[-+~].*//'
}
