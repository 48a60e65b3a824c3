#!/usr/bin/env bash
# make demo: starts the broker on SQLite in ./demo-data with a ready demo
# owner, technician, group and channel, and prints how to drive it.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-bin}/tether-broker
DATA=${DATA:-demo-data}
ADDR=${ADDR:-127.0.0.1:8080}
URL="http://${ADDR}"
OWNER=demo@tether.local
OWNER_PW=tether-demo-password
TECH=tech@tether.local
TECH_PW=tether-tech-password

if [ ! -f "$DATA/tether.db" ]; then
  echo "== seeding $DATA"
  printf '%s\n' "$OWNER_PW" | "$BIN" owner create --data "$DATA" --email "$OWNER" --name "Demo Owner" --password-stdin
  "$BIN" group add --data "$DATA" --name "Tier 1" --description "First line"
  printf '%s\n' "$TECH_PW" | "$BIN" technician add --data "$DATA" --email "$TECH" --name "Tess Tech" --groups "Tier 1" --password-stdin
  "$BIN" channel add --data "$DATA" --name "Help Desk" --description "Everything else" --groups "Tier 1" --sos
fi

cat <<TXT

== Tether broker demo
Broker:      $URL   (data in ./$DATA; delete it to start over)
API file:    $URL/api/v1/openapi.yaml
Accounts:    $OWNER / $OWNER_PW   (owner)
             $TECH / $TECH_PW   (technician in "Tier 1", routed to channel "Help Desk")

Try it with curl in another terminal (see README.md, "Driving the API with curl"):
  TOKEN=\$(curl -s $URL/api/v1/login -H 'Content-Type: application/json' -d '{"email":"$TECH","password":"$TECH_PW"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  curl -s -H "Authorization: Bearer \$TOKEN" $URL/api/v1/channels
  curl -s -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' $URL/api/v1/sessions -d '{"channel_id":1,"end_user_name":"Aaron"}'

Stop with Ctrl+C.
TXT
exec "$BIN" serve --insecure-http --addr "$ADDR" --data "$DATA" --public-url "$URL" --org-name "Tether Demo"
