#!/usr/bin/env bash
# One command for issue 9: Lathe's Java/libtorch LoRA training step side by side with PyTorch eager on the
# same Z-Image model, weights and inputs.
#
#   scripts/bench/run.sh [--sizes "tiny small medium"] [--checkpointing "off on"] [--threads N]
#                        [--steps N] [--warmup N] [--repeats N] [--out DIR] [--python-only] [--no-install]
#                        [--pytorch-malloc system|tcmalloc]
#
# It installs what is missing (python3-torch, libopenblas0-pthread, libtcmalloc-minimal4) with apt, reports the
# BLAS, malloc and thread setup of both sides, then per size: writes the weights and inputs (the Java exporter when Lathe has
# `bench`, else make_inputs.py), checks that both sides get the same loss at step 1 before timing anything,
# runs the timed steps on each side, and prints the table. Results land in OUT/results.jsonl and
# OUT/table.txt (OUT defaults to target/bench). No number is invented: a missing side is reported missing.
# Each side runs as it ships: Lathe through scripts/lathe, which preloads tcmalloc; PyTorch on glibc's malloc, as
# Debian's python3 starts. --pytorch-malloc tcmalloc preloads tcmalloc into the PyTorch side too (README,
# "Memory allocator", for how much of the ratio that moves).
#   PYTHON   the interpreter with Debian's torch (default /usr/bin/python3)
#   LATHE    the Lathe launcher (default scripts/lathe)
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
HERE="$ROOT/scripts/bench"
PYTHON="${PYTHON:-/usr/bin/python3}"
LATHE="${LATHE:-$ROOT/scripts/lathe}"

SIZES="tiny small medium"
CKPTS="off on"
THREADS="$(nproc)"
STEPS=""
WARMUP=""
REPEATS=1
OUT="$ROOT/target/bench"
PYTHON_ONLY=0
INSTALL=1
PY_MALLOC=system

die() { echo "bench: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="${2:?}"; shift 2 ;;
    --checkpointing) CKPTS="${2:?}"; shift 2 ;;
    --threads) THREADS="${2:?}"; shift 2 ;;
    --steps) STEPS="${2:?}"; shift 2 ;;
    --warmup) WARMUP="${2:?}"; shift 2 ;;
    --repeats) REPEATS="${2:?}"; shift 2 ;;
    --out) OUT="${2:?}"; shift 2 ;;
    --python-only) PYTHON_ONLY=1; shift ;;
    --no-install) INSTALL=0; shift ;;
    --pytorch-malloc) PY_MALLOC="${2:?}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "bench: unknown option $1" >&2; usage ;;
  esac
done
for s in $SIZES; do case "$s" in tiny|small|medium) ;; *) die "unknown size '$s' (tiny, small, medium)" ;; esac; done
for c in $CKPTS; do case "$c" in on|off) ;; *) die "--checkpointing takes 'off', 'on' or 'off on'" ;; esac; done
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || die "--threads must be a positive integer"
[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || die "--repeats must be a positive integer"
case "$PY_MALLOC" in system|tcmalloc) ;; *) die "--pytorch-malloc takes 'system' or 'tcmalloc'" ;; esac

# Steps per size: enough timed steps for a stable median without making medium take many minutes.
steps_for() { if [ -n "$STEPS" ]; then echo "$STEPS"; else case "$1" in tiny) echo 20 ;; small) echo 10 ;; *) echo 5 ;; esac; fi; }
warmup_for() { if [ -n "$WARMUP" ]; then echo "$WARMUP"; else case "$1" in tiny) echo 5 ;; *) echo 2 ;; esac; fi; }

# ---- 1. packages -------------------------------------------------------------------------------------------
if [ "$INSTALL" = 1 ]; then
  need=()
  for p in python3-torch libopenblas0-pthread libtcmalloc-minimal4; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || die "apt-get not found: this script installs Debian's python3-torch and \
libopenblas0-pthread; on another system install PyTorch and an optimised BLAS yourself, set PYTHON, and pass --no-install"
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
      command -v sudo >/dev/null || die "installing ${need[*]} needs root, and sudo is not available"
      SUDO=(sudo)
    fi
    echo "bench: installing ${need[*]} with apt (python3-torch pulls about 600 MB of dependencies) ..."
    "${SUDO[@]}" apt-get update -q || die "apt-get update failed (network or repository problem, see above)"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" \
      || die "apt-get install ${need[*]} failed (see the messages above)"
  fi
fi
[ -x "$PYTHON" ] || die "$PYTHON not found (set PYTHON to an interpreter that has torch)"
PY_PRELOAD=""
if [ "$PY_MALLOC" = tcmalloc ]; then
  PY_PRELOAD="$("$ROOT/scripts/tcmalloc-path")" || die "--pytorch-malloc tcmalloc: libtcmalloc_minimal.so.4 is not \
installed (Debian/Ubuntu: apt install libtcmalloc-minimal4)"
fi
"$PYTHON" -c 'import torch' 2>/dev/null || die "$PYTHON cannot import torch (install python3-torch or set PYTHON)"

# ---- 2. environment report ---------------------------------------------------------------------------------
MA="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("MULTIARCH") or "")')"
[ -n "$MA" ] || MA="$(uname -m)-linux-gnu"
echo "== machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== BLAS: libblas.so.3 -> $(readlink -f "/usr/lib/$MA/libblas.so.3" 2>/dev/null || echo 'not installed')"
if command -v update-alternatives >/dev/null; then
  update-alternatives --query "libblas.so.3-$MA" 2>/dev/null | grep -E '^(Status|Value):' | sed 's/^/   /' || true
fi
case "$(readlink -f "/usr/lib/$MA/libblas.so.3" 2>/dev/null)" in
  */blas/*) [ "${BENCH_ALLOW_REFERENCE_BLAS:-0}" = 1 ] || die "libblas.so.3 is the unoptimised reference BLAS \
(about 5 GFLOP/s): a comparison would measure the BLAS, not Lathe. Install libopenblas0-pthread or run \
'update-alternatives --config libblas.so.3-$MA' (BENCH_ALLOW_REFERENCE_BLAS=1 to go on anyway)" ;;
esac

export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" OMP_WAIT_POLICY=PASSIVE
echo "== threads: $THREADS on both sides (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS; OMP_WAIT_POLICY=PASSIVE)"
echo "== PyTorch ($PYTHON):"
"$PYTHON" - <<'EOF' | sed 's/^/   /'
import torch
print("torch", torch.__version__)
for line in torch.__config__.show().splitlines():
    if any(k in line for k in ("CPU capability", "BLAS_INFO", "OpenMP", "MKL")):
        print(line.strip()[:160])
print(torch.__config__.parallel_info().strip().replace("\n", "\n"))
EOF
"$PYTHON" "$HERE/zimage_ref.py" --matmul-peak --threads "$THREADS" | sed 's/^/   /'

# ---- 3. is there a Java side? ------------------------------------------------------------------------------
JAVA=0
JAVA_WHY=""
if [ "$PYTHON_ONLY" = 1 ]; then
  JAVA_WHY="--python-only given"
elif [ ! -x "$LATHE" ]; then
  JAVA_WHY="$LATHE not found"
elif ! help_text="$("$LATHE" --help 2>&1)"; then
  JAVA_WHY="'$LATHE --help' failed (does Lathe build? run it by hand to see): $(tail -n 1 <<<"$help_text")"
elif grep -qE '^[[:space:]]+bench([[:space:]]|$)' <<<"$help_text"; then
  JAVA=1
else
  JAVA_WHY="Lathe has no 'bench' command yet (not in '$LATHE --help')"
fi
if [ "$JAVA" = 1 ]; then
  echo "== Lathe: $("$LATHE" --version 2>/dev/null | head -1 || echo 'version unknown')"
else
  echo "== JAVA SIDE MISSING: $JAVA_WHY. Running the PyTorch side alone; the Java columns stay empty."
fi

mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"

run_py() {   # size ckpt steps warmup outfile [extra args]
  local size="$1" ck="$2" steps="$3" warm="$4" dst="$5"; shift 5
  LD_PRELOAD="$PY_PRELOAD${LD_PRELOAD:+${PY_PRELOAD:+:}$LD_PRELOAD}" \
  "$PYTHON" "$HERE/zimage_ref.py" --weights "$OUT/$size/weights.safetensors" --inputs "$OUT/$size/inputs.safetensors" \
    --checkpointing "$ck" --steps "$steps" --warmup "$warm" --threads "$THREADS" --json "$@" > "$dst" \
    || die "PyTorch reference failed on $size (checkpointing $ck)"
}
run_java() { # size ckpt steps warmup outfile
  local size="$1" ck="$2" steps="$3" warm="$4" dst="$5"
  "$LATHE" bench train --weights "$OUT/$size/weights.safetensors" --inputs "$OUT/$size/inputs.safetensors" \
    --checkpointing "$ck" --steps "$steps" --warmup "$warm" --threads "$THREADS" --json > "$dst" \
    || die "lathe bench train failed on $size (checkpointing $ck)"
}

# ---- 4. per size: files, loss check, timed runs ------------------------------------------------------------
for size in $SIZES; do
  echo
  echo "== $size"
  if [ "$JAVA" = 1 ]; then
    "$LATHE" bench export --size "$size" --out "$OUT/$size" || die "lathe bench export failed for $size"
  else
    "$PYTHON" "$HERE/make_inputs.py" --size "$size" --out "$OUT/$size"
  fi

  # The loss at step 1 (before any update) must agree before anything is timed.
  run_py "$size" off 1 0 "$OUT/$size/probe.pytorch.json" --no-peak
  echo "   PyTorch loss at step 1: $("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["loss_step1"])' \
    "$OUT/$size/probe.pytorch.json")"
  if [ "$JAVA" = 1 ]; then
    run_java "$size" off 1 0 "$OUT/$size/probe.lathe.json"
    "$PYTHON" "$HERE/compare.py" loss "$OUT/$size/probe.lathe.json" "$OUT/$size/probe.pytorch.json" \
      || die "stopping: the two sides disagree on $size"
  fi

  for ck in $CKPTS; do
    st="$(steps_for "$size")"; wu="$(warmup_for "$size")"
    echo "   checkpointing $ck: $wu warm-up + $st timed steps per side, $REPEATS run(s) each, alternating"
    for ((rep = 1; rep <= REPEATS; rep++)); do   # alternate the sides so that load drifts hit both alike
      if [ "$JAVA" = 1 ]; then
        run_java "$size" "$ck" "$st" "$wu" "$OUT/$size/lathe.$ck.$rep.json"
        tail -n 1 "$OUT/$size/lathe.$ck.$rep.json" >> "$RESULTS"
      fi
      run_py "$size" "$ck" "$st" "$wu" "$OUT/$size/pytorch.$ck.$rep.json"
      tail -n 1 "$OUT/$size/pytorch.$ck.$rep.json" >> "$RESULTS"
    done
  done
done

# ---- 5. the table ------------------------------------------------------------------------------------------
echo
{
  echo "Z-Image LoRA training step (rank 16 on every Linear of layers.*, AdamW, fp32, CPU, $THREADS threads)"
  echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo); $(date -u '+%Y-%m-%d %H:%M UTC')"
  [ "$JAVA" = 1 ] || echo "JAVA SIDE MISSING: $JAVA_WHY. Only PyTorch figures below."
  echo
  "$PYTHON" "$HERE/compare.py" table "$RESULTS"
} | tee "$OUT/table.txt"
echo
echo "bench: raw results in $RESULTS, table in $OUT/table.txt"
