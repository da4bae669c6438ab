#!/usr/bin/env bash
# Runs one libFuzzer target (CTest label fuzz; see README.md).
#   run-fuzz.sh <fuzzer> <scratch corpus dir> <seed corpus dir> <artifact dir>
#
# By default the run is deterministic, so that one commit always gives one result: a fixed seed
# (SEEDANCE_FUZZ_SEED, default 1), a fixed number of inputs (SEEDANCE_FUZZ_RUNS, default 20000) and an empty
# scratch corpus, starting from the committed seeds only. With SEEDANCE_FUZZ_SECONDS set it fuzzes for that long
# instead, from a random seed, and keeps what it finds in the scratch corpus for the next long run.
#
# New inputs go to the scratch corpus, the first directory libFuzzer is given; the seed corpus in the repository is
# only read. A crash, leak, timeout, out-of-memory or sanitizer report stops the run, leaves the input in
# <artifact dir>/<fuzzer>-crash-… (or leak-, timeout-, oom-) and fails.
set -euo pipefail
fuzzer=$1 scratch=$2 seeds=$3 artifacts=$4
name=$(basename "$fuzzer")
mkdir -p "$artifacts"

norandom=()
args=(
  -timeout=10 # an input that takes 10 s is a hang: a finding
  -rss_limit_mb=2048
  -max_len=65536
  -print_final_stats=1
  -artifact_prefix="$artifacts/$name-"
)
if [[ -n "${SEEDANCE_FUZZ_SECONDS:-}" ]]; then
  args+=(-max_total_time="$SEEDANCE_FUZZ_SECONDS")
  echo "$name: random fuzzing for $SEEDANCE_FUZZ_SECONDS s, corpus kept in $scratch"
else
  # What earlier runs found must not change this run: start from the committed seeds alone.
  scratch="$scratch.deterministic"
  rm -rf "$scratch"
  # Measured: with libFuzzer's comparison hooks (-use_cmp) or its leak checks between inputs (-detect_leaks), two
  # runs with the same seed end with different corpora (the hooks and the malloc counts also see libc's and the
  # sanitizer runtime's own work, which varies from run to run). Without them, runs repeat; the dictionaries give
  # the parsers their tokens, and the unit and integration tests under ASan still fail on any leak.
  args+=(-seed="${SEEDANCE_FUZZ_SEED:-1}" -runs="${SEEDANCE_FUZZ_RUNS:-20000}" -use_cmp=0 -detect_leaks=0)
  # No RSS-watching thread (libFuzzer starts one for -rss_limit_mb) and no rereading of the scratch corpus every
  # second (-reload): when either runs depends on the machine's load, and what it allocates moves the heap. A single
  # allocation over the limit is still caught (-malloc_limit_mb).
  args+=(-rss_limit_mb=0 -malloc_limit_mb=2048 -reload=0)
  echo "$name: deterministic run, seed ${SEEDANCE_FUZZ_SEED:-1}, ${SEEDANCE_FUZZ_RUNS:-20000} inputs"
  # Coverage also depends on where the heap lies: inlined library code compares addresses (libstdc++'s string
  # replace asks whether the source lies before or after its buffer, and each answer is a different edge). With
  # address randomisation, fuzz-journal ended with one of three corpora over five runs under load; without it, five
  # runs of five gave one. A container that forbids personality(ADDR_NO_RANDOMIZE) runs without, and says so.
  if setarch "$(uname -m)" -R true 2>/dev/null; then
    norandom=(setarch "$(uname -m)" -R)
  else
    echo "$name: address randomisation cannot be turned off here; the corpus may differ slightly between runs"
  fi
fi
mkdir -p "$scratch"
# The JSON parsers get much further with the grammar's tokens and the keys they look for.
case "$name" in
  fuzz-task-response | fuzz-upload-response | fuzz-models-response | fuzz-catalog | fuzz-journal)
    args+=(-dict="$(dirname "$0")/json.dict")
    ;;
esac
exec "${norandom[@]}" "$fuzzer" "${args[@]}" "$scratch" "$seeds"
