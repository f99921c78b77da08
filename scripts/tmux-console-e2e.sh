#!/usr/bin/env bash
# End-to-end check of the console in a real tmux pane, keys only: it starts the console on a synthetic run,
# watches the step counter move, opens help, resizes to 80x24 and below, detaches and reattaches a client,
# stops the run (answering the question) and quits. Exit 0 when every check passed; on failure the pane is printed.
#   LATHE_CMD   the command to start (default: scripts/lathe console --synthetic)
# Needs tmux; `script` (util-linux) for the attach/detach part, which is skipped without it.
set -euo pipefail
cd "$(dirname "$0")/.."

CMD="${LATHE_CMD:-scripts/lathe console --synthetic}"
SOCK="lathe-e2e-$$"
S=e2e
ERR="$(mktemp)"
T() { tmux -L "$SOCK" "$@"; }
cap() { T capture-pane -p -t "$S"; }
fail() {
  echo "FAIL: $*" >&2
  echo "----- pane -----" >&2; cap >&2 || true
  echo "----- stderr -----" >&2; cat "$ERR" >&2 || true
  T kill-server 2>/dev/null || true
  exit 1
}
wait_for() {   # regex, seconds
  local i=0 n=$(( ${2:-20} * 10 ))
  until cap | grep -qE "$1"; do
    sleep 0.1; i=$((i + 1))
    if [ $i -ge $n ]; then fail "no '$1' within ${2:-20}s"; fi
  done
}
wait_gone() {
  local i=0
  while cap | grep -qE "$1"; do
    sleep 0.1; i=$((i + 1))
    if [ $i -ge 100 ]; then fail "'$1' still shown"; fi
  done
}
wait_client() {
  local i=0
  until [ "$(T list-clients -t "$S" 2>/dev/null | wc -l)" -ge 1 ]; do
    sleep 0.1; i=$((i + 1))
    if [ $i -ge 100 ]; then fail "client $1"; fi
  done
}
step() { cap | grep -oE 'step [0-9]+/' | head -1 | grep -oE '[0-9]+'; }
trap 'T kill-server 2>/dev/null || true; rm -f "$ERR"' EXIT

command -v tmux >/dev/null || { echo "tmux-console-e2e: tmux is not installed" >&2; exit 2; }
T -f /dev/null new-session -d -s "$S" -x 100 -y 30 "LANG=C.UTF-8 $CMD 2>$ERR; echo EXIT=\$?; sleep 30"
T set-option -t "$S" window-size manual >/dev/null
T set-option -s escape-time 10 >/dev/null

wait_for 'RUNNING step [0-9]+/' 90
wait_for 'Loss [0-9]' 20
a=$(step); sleep 2; b=$(step)
[ "$b" -gt "$a" ] || fail "step counter did not move ($a -> $b)"
echo "ok: monitor shows progress (step $a -> $b)"

T send-keys -t "$S" '?'
wait_for 'Keys · Monitor' 10
T send-keys -t "$S" Escape
wait_gone 'Keys · Monitor'
echo "ok: help opens and closes"

T resize-window -t "$S" -x 80 -y 24
wait_for '^LR [0-9]' 10
wait_for 'q quit' 10
T resize-window -t "$S" -x 60 -y 20
wait_for 'terminal too small: 60.20, need 80.24' 10
T resize-window -t "$S" -x 100 -y 30
wait_for 'RUNNING step' 10
echo "ok: 80x24 stacked layout, too-small page, back"

if command -v script >/dev/null; then
  script -qfc "tmux -L $SOCK attach -t $S" /dev/null >/dev/null 2>&1 &
  wait_client "did not attach"
  T detach-client -s "$S"
  c=$(step); sleep 1.5; d=$(step)
  [ "$d" -gt "$c" ] || fail "training did not go on while detached ($c -> $d)"
  script -qfc "tmux -L $SOCK attach -t $S" /dev/null >/dev/null 2>&1 &
  wait_client "did not reattach"
  wait_for 'RUNNING step' 10
  T detach-client -s "$S"
  echo "ok: detached and reattached; the run went on ($c -> $d)"
else
  echo "skip: detach/reattach ('script' from util-linux is not installed)"
fi

T send-keys -t "$S" x
wait_for 'Stop synthetic-demo\?' 10
T send-keys -t "$S" y
wait_for 'STOPPED' 15
T send-keys -t "$S" q
wait_for 'EXIT=0' 15
echo "ok: stopped with x, y; quit with q; exit 0"
