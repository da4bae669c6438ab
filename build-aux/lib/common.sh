# Shared by build-aux/run and build-aux/test: dependency installation and the two Linux builds.
# shellcheck shell=bash

SEEDANCE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export DEBIAN_FRONTEND=noninteractive

log() { printf '\033[1m[obs-seedance]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[obs-seedance] error:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to install packages: run as root or install sudo"
  fi
}

# Debian 12 / Ubuntu 22.04+ packages (and Debian 13, sid). Build: compilers, libobs (with obs-frontend-api), libcurl,
# nlohmann-json, Catch2, libjpeg(-turbo), and the Qt the distribution's OBS links (qt_packages). Run and test: OBS
# itself, Xvfb and xdotool (real OBS under a virtual display), ImageMagick (screenshots), ffmpeg (the emulator's
# clips), Python 3 (the emulator), Node.js (e2e client).
SEEDANCE_BUILD_PACKAGES=(
  cmake make g++ pkg-config git ca-certificates
  obs-studio libobs-dev
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev catch2 libjpeg-dev
)
SEEDANCE_RUNTIME_PACKAGES=(python3 ffmpeg)
# The offline demo on a bare system: a virtual display when there is none, a font for its picture, curl for the
# emulator's scenario, Mesa for OBS's OpenGL.
SEEDANCE_DEMO_PACKAGES=(xvfb xauth xdotool imagemagick fonts-dejavu-core curl libgl1-mesa-dri)
SEEDANCE_TEST_PACKAGES=(
  qtbase5-dev qt6-base-dev
  xvfb xauth x11-utils xdotool imagemagick libgl1-mesa-dri
  clang clang-format libclang-rt-dev valgrind mmdebstrap
  fonts-wqy-microhei
  curl  # the benchmarks' reference transfer (bench-perf-smoke)
  mount # the OBS 30 and 32 tiers' root filesystems (build-aux/lib/rootfs.sh); not in a minimal Debian
)

# The Qt development package for the Qt major the distribution's OBS links (Debian 12's OBS 29: Qt5; 30+: Qt6).
qt_packages() {
  if [[ $(obs_qt_major) == 5 ]]; then echo qtbase5-dev; else echo qt6-base-dev; fi
}

missing_packages() {
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      printf '%s\n' "$pkg"
    fi
  done
}

# install_packages <pkg>...: apt-get update once, then install whatever is missing.
install_packages() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script supports Debian and Ubuntu (see README for other systems)"
  local missing
  mapfile -t missing < <(missing_packages "$@")
  # Node.js: keep an existing installation (e.g. NodeSource); otherwise Debian's nodejs (+ npm where Debian has it).
  if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
  if [[ ${SEEDANCE_NEED_NPM:-1} == 1 ]] && ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "all packages already installed"
    return
  fi
  log "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# configure_and_build <preset> [extra cmake args...]
configure_and_build() {
  local preset=$1
  shift
  log "configuring ($preset)"
  cmake -S "$SEEDANCE_ROOT" --preset "$preset" "$@" >/dev/null
  log "building ($preset)"
  cmake --build --preset "$preset" --parallel "$(nproc)"
}

# The Qt major that the installed OBS links (5 for Debian 12's OBS 29, 6 for OBS 30+).
obs_qt_major() {
  local obs
  obs=$(command -v obs || true)
  if [[ -n "$obs" ]] && ldd "$obs" 2>/dev/null | grep -q 'libQt5'; then echo 5; else echo 6; fi
}
