#!/bin/sh
# Connect a new Metabase to the warehouse's marts through the read-only role.
#
# Runs once (the `metabase-setup` service): waits for Metabase, creates its
# admin user, then adds the nianbao database as user nianbao_reader, limited
# to the marts schema. A Metabase that is already set up is left alone.
# Needs only sh, curl and sed (the curlimages/curl image).
set -eu

MB_URL="${MB_URL:-http://metabase:3000}"
: "${MB_ADMIN_EMAIL:?}" "${MB_ADMIN_PASSWORD:?}" "${NIANBAO_READER_PASSWORD:?}"
DB_HOST="${NIANBAO_DB_HOST:-db}"
DB_PORT="${NIANBAO_DB_PORT:-5432}"
DB_NAME="${NIANBAO_DB_NAME:-nianbao}"
WAIT_SECONDS="${MB_WAIT_SECONDS:-600}"

# The value of a string field in a JSON document (good enough for Metabase's flat answers).
json_string() {
    sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p" | head -n 1
}

waited=0
until curl -fsS "$MB_URL/api/health" >/dev/null 2>&1; do
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
        echo "metabase-setup: Metabase did not answer at $MB_URL within ${WAIT_SECONDS}s" >&2
        exit 1
    fi
    sleep 5
    waited=$((waited + 5))
done

token=$(curl -fsS "$MB_URL/api/session/properties" | json_string setup-token)
if [ -z "$token" ]; then
    echo "metabase-setup: Metabase is already set up; nothing to do"
    exit 0
fi

session=$(curl -fsS -X POST "$MB_URL/api/setup" -H 'Content-Type: application/json' -d @- <<JSON | json_string id
{"token": "$token",
 "user": {"email": "$MB_ADMIN_EMAIL", "password": "$MB_ADMIN_PASSWORD",
          "first_name": "nianbao", "last_name": "admin", "site_name": "nianbao"},
 "prefs": {"site_name": "nianbao", "site_locale": "zh", "allow_tracking": false}}
JSON
)
if [ -z "$session" ]; then
    echo "metabase-setup: Metabase refused the setup" >&2
    exit 1
fi

curl -fsS -X POST "$MB_URL/api/database" -H 'Content-Type: application/json' \
    -H "X-Metabase-Session: $session" -d @- >/dev/null <<JSON
{"engine": "postgres",
 "name": "nianbao (marts)",
 "details": {"host": "$DB_HOST", "port": $DB_PORT, "dbname": "$DB_NAME",
             "user": "nianbao_reader", "password": "$NIANBAO_READER_PASSWORD",
             "ssl": false,
             "schema-filters-type": "inclusion", "schema-filters-patterns": "marts"}}
JSON
echo "metabase-setup: Metabase at $MB_URL reads $DB_NAME's marts as nianbao_reader"
