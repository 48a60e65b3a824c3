#!/usr/bin/env bash
# make demo: a working service desk on this machine. Builds the broker and
# both apps, starts the broker on SQLite in ./demo-data (seeding a demo
# owner, technician, group and channel the first time), creates a fresh
# support link, and starts the technician app signed in and the end user's
# agent joined through that link — then says what to click.
#
# With no display (no DISPLAY, or one that does not answer) everything runs
# on a private Xvfb screen instead; the script clicks through the first
# steps itself and saves a screenshot of each in demo-data/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
BINDIR=${BIN:-bin}
BROKER=$BINDIR/tether-broker
TECHAPP=$BINDIR/tether
AGENT=$BINDIR/tether-sos
DATA=${DATA:-demo-data}
ADDR=${ADDR:-127.0.0.1:8080}
URL="http://${ADDR}"
OWNER=demo@tether.local
OWNER_PW=tether-demo-password
TECH=tech@tether.local
TECH_PW=tether-tech-password

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
if ! command -v curl >/dev/null 2>&1; then
  echo "== installing curl (the demo creates its support link over the API)"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends curl ca-certificates
fi

echo "== building (the first build of the apps compiles Fyne's C code: a few minutes)"
CGO_ENABLED=0 $GO build -trimpath -o "$BROKER" ./broker
$GO build -o "$TECHAPP" ./app
$GO build -o "$AGENT" ./agent

if [ ! -f "$DATA/tether.db" ]; then
  echo "== seeding $DATA"
  printf '%s\n' "$OWNER_PW" | "$BROKER" owner create --data "$DATA" --email "$OWNER" --name "Demo Owner" --password-stdin
  "$BROKER" group add --data "$DATA" --name "Tier 1" --description "First line"
  printf '%s\n' "$TECH_PW" | "$BROKER" technician add --data "$DATA" --email "$TECH" --name "Tess Tech" --groups "Tier 1" --password-stdin
  "$BROKER" channel add --data "$DATA" --name "Help Desk" --description "Everything else" --groups "Tier 1" --sos
fi
LOGS=$DATA/logs
SHOTS=$DATA/screenshots
rel() { case $1 in /*) echo "$1" ;; *) echo "./$1" ;; esac; }
mkdir -p "$LOGS" "$DATA/downloads" "$DATA/config"

pids=()
cleanup() {
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A display: the desktop's, or a private Xvfb.
headless=0
if [ -z "${DISPLAY:-}" ] || ! xdpyinfo >/dev/null 2>&1; then
  headless=1
  for n in $(seq 90 130); do
    if [ ! -e "/tmp/.X${n}-lock" ] && [ ! -e "/tmp/.X11-unix/X${n}" ]; then disp=":${n}"; break; fi
  done
  : "${disp:?no free X display number}"
  Xvfb "$disp" -screen 0 2560x1600x24 -noreset -nolisten tcp +extension XINERAMA +extension XFIXES +extension DAMAGE >"$LOGS/xvfb.log" 2>&1 &
  pids+=($!)
  export DISPLAY="$disp"
  for _ in $(seq 1 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
  xdpyinfo >/dev/null 2>&1 || { echo "demo: Xvfb did not start (see $LOGS/xvfb.log)" >&2; exit 1; }
  echo "== no display: running the apps on Xvfb $DISPLAY"
fi

echo "== starting the broker at $URL (log: $LOGS/broker.log)"
"$BROKER" serve --insecure-http --addr "$ADDR" --data "$DATA" --public-url "$URL" --org-name "Tether Demo" >"$LOGS/broker.log" 2>&1 &
broker_pid=$!
pids+=($broker_pid)
for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$URL/healthz" >/dev/null || { echo "demo: the broker did not start (is $ADDR in use?); see $LOGS/broker.log" >&2; exit 1; }

# A fresh support link, created as the demo technician.
J='Content-Type: application/json'
TOKEN=$(curl -s "$URL/api/v1/login" -H "$J" -d "{\"email\":\"$TECH\",\"password\":\"$TECH_PW\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "demo: cannot log in as $TECH (delete $DATA to start over)" >&2; exit 1; }
AUTH="Authorization: Bearer $TOKEN"
CHANNEL=$(curl -s "$URL/api/v1/channels" -H "$AUTH" | sed -n 's/^\[{"id":\([0-9]*\).*/\1/p')
LINKJSON=$(curl -s "$URL/api/v1/sessions" -H "$AUTH" -H "$J" -d "{\"channel_id\":${CHANNEL:-1},\"end_user_name\":\"Aaron (demo)\",\"problem\":\"The printer is offline\"}")
LINK=$(printf '%s' "$LINKJSON" | sed -n 's/.*"link_url":"\([^"]*\)".*/\1/p')
SID=$(printf '%s' "$LINKJSON" | sed -n 's/.*"session":{"id":\([0-9]*\).*/\1/p')
[ -n "$LINK" ] || { echo "demo: could not create a support link: $LINKJSON" >&2; exit 1; }

# The apps keep their preferences under demo-data, not in your profile.
XDG_CONFIG_HOME=$(cd "$DATA/config" && pwd)
export XDG_CONFIG_HOME
PWFILE=$DATA/config/tech-password
(umask 077 && printf '%s\n' "$TECH_PW" >"$PWFILE")
echo "== starting the technician app, signed in as $TECH (log: $LOGS/tether.log)"
"$TECHAPP" --broker "$URL" --email "$TECH" --password-file "$PWFILE" >"$LOGS/tether.log" 2>&1 &
pids+=($!)
echo "== starting Tether SOS with the support link $LINK (log: $LOGS/tether-sos.log)"
"$AGENT" --link "$LINK" --downloads "$DATA/downloads" >"$LOGS/tether-sos.log" 2>&1 &
pids+=($!)

# session_state prints the demo session's state as the broker has it.
session_state() { curl -s "$URL/api/v1/sessions/$SID" -H "$AUTH" | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p'; }

if [ "$headless" = 1 ]; then
  # Click through the first steps like a person would and keep a
  # screenshot of each. The click targets are those of e2e/e2e_test.go
  # (same window sizes), which fails first when a layout changes.
  rm -rf "$SHOTS" && mkdir -p "$SHOTS"
  win() { # waits for a visible window whose title matches $1, prints its id
    local id
    for _ in $(seq 1 240); do
      id=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -1 || true)
      [ -n "$id" ] && { echo "$id"; return 0; }
      sleep 0.25
    done
    echo "demo: no window \"$1\" appeared" >&2
    return 1
  }
  place() { xdotool windowsize "$1" "$4" "$5" windowmove "$1" "$2" "$3" windowraise "$1"; sleep 0.7; }
  click() { xdotool windowraise "$1" windowfocus --sync "$1" mousemove --window "$1" "$2" "$3"; sleep 0.2; xdotool click 1; sleep 0.4; }
  pixel() { import -window "$1" -crop "1x1+$2+$3" -format '%[pixel:p{0,0}]' info: 2>/dev/null; }
  shot() { import -window "$2" "$SHOTS/$1.png" 2>/dev/null && echo "   screenshot: $SHOTS/$1.png"; }
  waitfor() { # waitfor SECONDS COMMAND...: polls COMMAND until it succeeds
    local n=$(($1 * 4)); shift
    for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.25; done
    return 1
  }
  blue() { [ "$(pixel "$1" "$2" "$3")" = "srgb(41,111,246)" ]; }
  active() { [ "$(session_state)" = active ]; }

  echo "== clicking through the first steps on $DISPLAY"
  main=$(win '^Tether$') && place "$main" 0 0 1280 800
  waitfor 30 blue "$main" 952 14 || echo "   (the technician app did not sign in; see $LOGS/tether.log)"
  sos=$(win '^Tether SOS') && place "$sos" 1300 0 440 600
  waitfor 30 active || echo "   (the agent did not join; see $LOGS/tether-sos.log)"
  sleep 1
  shot 01-technician-home "$main"
  shot 02-agent-joined "$sos"
  click "$main" 45 75   # Home
  click "$main" 150 190 # the Aaron (demo) row
  detail=$(win "^Session #$SID") && place "$detail" 1300 640 1040 720
  waitfor 15 blue "$detail" 100 134 || true
  shot 03-session-window "$detail"
  click "$detail" 100 148 # Start remote session
  waitfor 10 blue "$detail" 600 424 || true
  click "$detail" 600 434 # Ask the end user
  viewer=$(win "^Remote session #$SID ") && place "$viewer" 0 820 1200 760
  sleep 2
  shot 04-agent-consent "$sos"
  click "$sos" 220 383 # Allow control
  sleep 5
  shot 05-remote-viewer "$viewer"
  shot 06-agent-shared "$sos"
  echo "   screenshots of each step are in $SHOTS/"
fi

cat <<TXT

== Tether demo is running
Broker:      $URL   (data in $(rel "$DATA"); delete it to start over; logs in $(rel "$LOGS"))
Accounts:    $TECH / $TECH_PW   (technician in "Tier 1", routed to channel "Help Desk")
             $OWNER / $OWNER_PW   (owner: dashboard, channels, technicians, audit log)
Support link: $LINK   (session #$SID, end user "Aaron (demo)")

TXT
if [ "$headless" = 1 ]; then
  cat <<TXT
No display was available, so the apps run on Xvfb $DISPLAY and the first steps
were clicked for you: screenshots in $(rel "$SHOTS")/. To use the apps yourself, watch
that screen with a VNC server, e.g.  x11vnc -display $DISPLAY -localhost  and a
VNC viewer, or run make demo again on a desktop.
TXT
else
  cat <<TXT
What to click:
  1. Tether (the technician's window) signs in as Tess Tech. On Home, the row
     "Aaron (demo)" turns Active once Tether SOS has joined: click it.
  2. In the session window: Start remote session, then Ask the end user.
  3. In Tether SOS (the end user's window): Allow control. The remote viewer
     shows this screen; choose Control in its toolbar to use the mouse and
     keyboard. (On one machine the viewer films itself: that is expected.)
  4. Chat from the session window or the viewer's Chat; the end user answers
     in Tether SOS. Close the session; Tether SOS asks for a rating.
  5. The other ways in: start "$AGENT --broker $URL" and choose
     Get a session code (then Connect by code in Tether) or Request help
     (SOS Call; Tether: Queues, click the row, Assign to me).
  6. The lead's view: Log out, sign in as $OWNER, open Dashboard.
TXT
fi
cat <<TXT

The API by hand: see README.md, "Driving the API with curl".
Stop with Ctrl+C.
TXT
wait "$broker_pid"
