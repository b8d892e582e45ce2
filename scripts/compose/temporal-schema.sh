#!/bin/sh
# One-shot (docker-compose `temporal-schema`, image temporalio/admin-tools): creates Temporal's two
# PostgreSQL databases when missing, stamps a fresh one (setup-schema -v 0.0 leaves a stamped one
# alone) and applies every newer versioned schema. Safe to run on every `docker compose up`: an
# image upgrade is a schema upgrade. temporal-sql-tool reads the password from SQL_PASSWORD.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
schemas=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" "$@"
}

setup() {
  database=$1
  versioned=$2
  # `create` refuses an existing database; that, and only that, is fine.
  if ! output=$(sql_tool --db "$database" create 2>&1); then
    case "$output" in
      *"already exists"*) ;;
      *) printf '%s\n' "$output" >&2; exit 1 ;;
    esac
  fi
  sql_tool --db "$database" setup-schema -v 0.0
  sql_tool --db "$database" update-schema -d "$schemas/$versioned/versioned"
}

setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
echo "Temporal schema is current"
