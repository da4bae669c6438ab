#!/usr/bin/env bash
# build-flavour.sh <preset> [asan build dir]: configures and builds a CMake preset (warnings as errors in the CI
# presets). With an ASan build dir, first builds the plugin alone there with AddressSanitizer and registers the
# e2e test that quits OBS under it while clips play (e2e-asan-exit). Used by build-aux/test on the host and inside
# the OBS 30 and 32 tiers' root filesystems.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$SEEDANCE_ROOT"
preset=$1 asan=${2:-}
extra=()
if [[ -n "$asan" ]]; then
  log "building the plugin with AddressSanitizer ($preset, $asan)"
  cmake --preset "$preset" -B "$asan" -DSEEDANCE_SANITIZE=address -DENABLE_TESTS=OFF -DENABLE_CLI=OFF >/dev/null
  cmake --build "$asan" --target obs-seedance --parallel "$(nproc)" >/dev/null
  extra+=(-DSEEDANCE_ASAN_RUNDIR="$SEEDANCE_ROOT/$asan/rundir/obs-seedance")
fi
configure_and_build "$preset" "${extra[@]}"
