#!/usr/bin/env bash
# End-to-end check of the console as a new user meets it: tmux at 80x24, keys only, a fresh HOME. It starts the
# console (plain `scripts/lathe`), goes to New job, picks the demo and launches it, watches the Monitor's step counter
# rise, opens help, shrinks the window below 80x24 and back, detaches and reattaches a client while the job trains,
# quits the console leaving the job training, starts the console again (it attaches to the running job), stops the job
# with x and y, finds the LoRA (o on the Queue), and quits. Exit 0 when every check passed; on a failure it prints the
# pane, the console's stderr and the runner's log.
#   LATHE_CMD          how to start Lathe (default: scripts/lathe, which this check is about; change it only to debug)
#   LATHE_CLASSPATH    passed on to scripts/lathe: run from that class path without building (the JUnit test passes
#                      its own, as there is no target/lathe.jar during `mvn test`)
#   LATHE_DEMO_STEPS   steps of the demo job (default 2000: long enough to be stopped by hand on a fast box)
#   LATHE_E2E_KEEP=1   keep the temporary folder for a look afterwards
# Needs tmux and `script` (util-linux; Debian/Ubuntu package bsdutils) to attach a client for detach/reattach;
# .ci/run installs both. Either missing is a failure (exit 2), never a silent skip.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
CMD="${LATHE_CMD:-$ROOT/scripts/lathe}"
command -v tmux >/dev/null || { echo "tmux-e2e: tmux is not installed (Debian/Ubuntu: sudo apt install tmux)" >&2; exit 2; }
command -v script >/dev/null || { echo "tmux-e2e: 'script' is not installed; it attaches the client for the detach/reattach check (Debian/Ubuntu: sudo apt install bsdutils)" >&2; exit 2; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/lathe-e2e.XXXXXX")"
WORK="$TMP/work"
JOB="$WORK/output/demo"
mkdir -p "$TMP/home" "$TMP/cache" "$TMP/config" "$WORK"
# OMP_WAIT_POLICY is unset on purpose: scripts/lathe must set it (checked below)
ENVS="-u OMP_WAIT_POLICY HOME=$TMP/home XDG_CACHE_HOME=$TMP/cache XDG_CONFIG_HOME=$TMP/config LATHE_DEMO_STEPS=${LATHE_DEMO_STEPS:-2000} LANG=C.UTF-8 TERM=screen-256color"
if [ -n "${LATHE_CLASSPATH:-}" ]; then
  case "$LATHE_CLASSPATH" in *[[:space:]\'\"]*) echo "tmux-e2e: LATHE_CLASSPATH must not contain spaces or quotes" >&2; exit 2;; esac
  ENVS="$ENVS LATHE_CLASSPATH=$LATHE_CLASSPATH"
fi
SOCK="lathe-e2e-$$"
S=e2e
START=$SECONDS
T() { tmux -L "$SOCK" "$@"; }
cap() { T capture-pane -p -t "$S" 2>/dev/null || true; }
console() {   # (re)starts the console in the pane, in the work folder with the temporary HOME
  local run="cd '$WORK' && env $ENVS $CMD 2>>'$TMP/console.err'; echo EXIT=\$?; sleep 600"
  if [ "${1:-}" = again ]; then T respawn-pane -k -t "$S" "$run"; else T -f /dev/null new-session -d -s "$S" -x 80 -y 24 "$run"; fi
}
runner_pid() { awk '{print $1}' "$WORK/output/.runner-cpu.lock" 2>/dev/null || true; }
# A process's arguments and environment, read whole: with pipefail, 'tr ... | grep -q' fails at random when grep
# exits on its match before tr has written everything (tr dies of SIGPIPE), so every check below greps a string.
proc_args() { tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null || true; }
proc_env() { tr '\0' '\n' < "/proc/$1/environ" 2>/dev/null || true; }
cleanup() {
  T kill-server 2>/dev/null || true
  if [ -d "$JOB/control" ] && grep -q '"running"' "$JOB/state.json" 2>/dev/null; then touch "$JOB/control/stop"; sleep 3; fi
  local pid; pid="$(runner_pid)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q "$WORK/output" <<<"$(proc_args "$pid")"; then
    kill "$pid" 2>/dev/null || true                  # the runner this test started, by its pid
  fi
  if [ "${LATHE_E2E_KEEP:-}" = 1 ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
fail() {
  echo "FAIL after $((SECONDS - START))s: $*" >&2
  echo "----- pane -----" >&2; cap >&2
  echo "----- console stderr -----" >&2; tail -20 "$TMP/console.err" >&2 2>/dev/null || true
  echo "----- runner log -----" >&2; tail -20 "$WORK/output/.runner-cpu.log" >&2 2>/dev/null || true
  exit 1
}
wait_for() {   # regex, seconds
  local deadline=$((SECONDS + ${2:-20}))
  until grep -qE "$1" <<<"$(cap)"; do
    [ $SECONDS -lt $deadline ] || fail "no '$1' within ${2:-20}s"
    sleep 0.2
  done
}
wait_gone() {
  local deadline=$((SECONDS + ${2:-10}))
  while grep -qE "$1" <<<"$(cap)"; do
    [ $SECONDS -lt $deadline ] || fail "'$1' still shown after ${2:-10}s"
    sleep 0.2
  done
}
key() { T send-keys -t "$S" "$@"; sleep 0.4; }   # one key at a time: Esc then a letter must not read as Alt-letter
step() { local s; s="$(grep -m1 -oE 'RUNNING step [0-9]+/' <<<"$(cap)" || true)"; s="${s//[!0-9]/}"; echo "${s:--1}"; }
metrics() { wc -l < "$JOB/metrics.jsonl" 2>/dev/null || echo 0; }
wait_client() {
  local deadline=$((SECONDS + 10))
  until [ "$(T list-clients -t "$S" 2>/dev/null | wc -l)" -ge 1 ]; do
    [ $SECONDS -lt $deadline ] || fail "no client $1"
    sleep 0.1
  done
}
grows() {   # what, seconds: metrics.jsonl gets new lines
  local a b deadline=$((SECONDS + $2)); a=$(metrics)
  until b=$(metrics); [ "$b" -gt "$a" ]; do
    [ $SECONDS -lt $deadline ] || fail "the job did not go on $1 ($a metrics lines for ${2}s)"
    sleep 1
  done
}

console
T set-option -t "$S" window-size manual >/dev/null
T set-option -s escape-time 10 >/dev/null
wait_for 'New job \(key 4\): pick Demo' 90
echo "ok: the console opens on the Dashboard, which says how to start ($((SECONDS - START))s)"

key 4
wait_for 'Demo: tiny model, trains on the CPU in minutes' 20
key Enter
wait_for 'Preparing the demo' 15
echo "ok: New job, Demo, Enter: preparing"
wait_for 'RUNNING step [0-9]+/' 420
wait_for 'Loss [0-9]' 120
a=$(step)
deadline=$((SECONDS + 120))
until b=$(step); [ "$b" -gt "$a" ]; do
  [ $SECONDS -lt $deadline ] || fail "the step counter did not move from $a"
  sleep 0.5
done
echo "ok: the Monitor shows the demo training (step $a -> $b, $((SECONDS - START))s)"

# Both the console and the runner it started must have come through scripts/lathe: the launcher alone sets
# -Dlathe.home (DetachedRunner starts runners through $lathe.home/scripts/lathe) and OMP_WAIT_POLICY.
launched() {   # pid, what
  local cl; cl="$(proc_args "$1")"
  case "$cl" in *"-Dlathe.home=$ROOT "*dev.lathe.cli.Main*) ;; *) fail "$2 (pid $1) did not start through scripts/lathe: $cl";; esac
  grep -qx 'OMP_WAIT_POLICY=PASSIVE' <<<"$(proc_env "$1")" || fail "$2 (pid $1) runs without OMP_WAIT_POLICY=PASSIVE"
}
pane="$(T display-message -p -t "$S" '#{pane_pid}')"
cpid="$(pgrep -P "$pane" java | head -1 || true)"
[ -n "$cpid" ] || fail "no java process under the pane (pid $pane)"
launched "$cpid" "the console"
rpid="$(runner_pid)"
[ -n "$rpid" ] || fail "no runner lock in $WORK/output"
launched "$rpid" "the runner"
grep -q "queue run --device cpu -o $WORK/output" <<<"$(proc_args "$rpid")" || fail "the runner's arguments: $(proc_args "$rpid")"
echo "ok: the console (pid $cpid) and its runner (pid $rpid) both started through scripts/lathe"

key '?'
wait_for 'Keys · Monitor' 10
key Escape
wait_gone 'Keys · Monitor'
T resize-window -t "$S" -x 60 -y 20
wait_for 'terminal too small: 60.20, need 80.24' 10
T resize-window -t "$S" -x 80 -y 24
wait_for 'RUNNING step' 10
echo "ok: help opens and closes; below 80x24 the too-small page, then back"

script -qfc "tmux -L $SOCK attach -t $S" /dev/null >/dev/null 2>&1 &
wait_client "attached"
T detach-client -s "$S"
grows "while detached" 120
script -qfc "tmux -L $SOCK attach -t $S" /dev/null >/dev/null 2>&1 &
wait_client "reattached"
wait_for 'RUNNING step' 10
T detach-client -s "$S"
echo "ok: detached and reattached; the job went on meanwhile"

key q
wait_for 'Quit the console\?' 10
key q
wait_for 'EXIT=0' 20
grep -q 'keeps training in its runner' <<<"$(cap)" || fail "no word on the job left training"
grows "after the console quit" 120
echo "ok: q, q quit the console and left the job training in its runner (pid $(runner_pid))"

console again
wait_for 'demo · ● RUNNING step' 90
echo "ok: a console started again attaches to the running job"

key x
wait_for 'Stop demo\?' 10
key y
wait_for 'STOPPED' 180
grep -q '"status" : "stopped"' "$JOB/state.json" || fail "state.json does not say stopped: $(cat "$JOB/state.json")"
LORA="$(ls "$JOB"/checkpoints/demo_*.safetensors 2>/dev/null | grep -v '\.state\.' | tail -1)"
[ -n "$LORA" ] || fail "no checkpoint LoRA in $JOB/checkpoints"
echo "ok: x, y stopped the job; its LoRA is $LORA"

key 2
wait_for 'demo +stopped' 10
key o
wait_for 'Files · demo' 10
grep -q "$(basename "$LORA")" <<<"$(cap)" || fail "the Files overlay does not show $(basename "$LORA")"
echo "ok: o on the Queue shows where the LoRA is"
key Escape
wait_gone 'Files · demo'
key q
wait_for 'EXIT=0' 20
echo "ok: q quit (no job running)"

deadline=$((SECONDS + 60))
while pid="$(runner_pid)"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q 'queue run' <<<"$(proc_args "$pid")"; do
  [ $SECONDS -lt $deadline ] || fail "the runner (pid $pid) did not exit with the queue empty"
  sleep 1
done
echo "ok: the runner ended by itself with the queue empty"
echo "tmux end-to-end passed in $((SECONDS - START))s"
