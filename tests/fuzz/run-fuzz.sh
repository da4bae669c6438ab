#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time (CTest label fuzz; see README.md).
#   run-fuzz.sh <fuzzer> <scratch corpus dir> <seed corpus dir> <artifact dir>
# New inputs go to the scratch corpus, the first directory libFuzzer is given; the seed corpus in the repository is
# only read. SEEDANCE_FUZZ_SECONDS sets the time (default 20). A crash, leak, timeout, out-of-memory or sanitizer
# report stops the run, leaves the input in <artifact dir>/<fuzzer>-crash-… (or leak-, timeout-, oom-) and fails.
set -euo pipefail
fuzzer=$1 scratch=$2 seeds=$3 artifacts=$4
seconds=${SEEDANCE_FUZZ_SECONDS:-20}
name=$(basename "$fuzzer")
mkdir -p "$scratch" "$artifacts"

args=(
  -max_total_time="$seconds"
  -timeout=10 # an input that takes 10 s is a hang: a finding
  -rss_limit_mb=2048
  -max_len=65536
  -print_final_stats=1
  -artifact_prefix="$artifacts/$name-"
)
# The JSON parsers get much further with the grammar's tokens and the keys they look for.
case "$name" in
  fuzz-task-response | fuzz-upload-response | fuzz-models-response | fuzz-catalog | fuzz-journal)
    args+=(-dict="$(dirname "$0")/json.dict")
    ;;
esac
exec "$fuzzer" "${args[@]}" "$scratch" "$seeds"
