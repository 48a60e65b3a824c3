#!/usr/bin/env bash
# Runs a command with an X display: the current one if DISPLAY is set and
# answers, otherwise a private Xvfb (1920x1080, -noreset so captures survive
# clients disconnecting) that is stopped afterwards.
set -euo pipefail

if [ -n "${DISPLAY:-}" ] && xdpyinfo >/dev/null 2>&1; then
  exec "$@"
fi

for n in $(seq 90 130); do
  if [ ! -e "/tmp/.X${n}-lock" ] && [ ! -e "/tmp/.X11-unix/X${n}" ]; then
    disp=":${n}"
    break
  fi
done
: "${disp:?no free X display number}"

Xvfb "$disp" -screen 0 1920x1080x24 -noreset +extension XINERAMA -nolisten tcp >/tmp/tether-xvfb-${disp#:}.log 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; wait $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  DISPLAY="$disp" xdpyinfo >/dev/null 2>&1 && break
  sleep 0.1
done
DISPLAY="$disp" xdpyinfo >/dev/null 2>&1 || { echo "with-display: Xvfb did not start" >&2; exit 1; }
export DISPLAY="$disp"
"$@"
