#!/usr/bin/env bash
# make restore FILE=var/backups/<stamp>.dump: pg_restore a `make backup` dump into DATABASE_URL.
#
# Refuses a target database that already has tables unless FORCE=1 (then the dump's objects
# replace the existing ones: --clean --if-exists). Runs in one transaction and stops at the
# first error, so a failed restore leaves the target as it was.
set -euo pipefail
cd "$(dirname "$0")/.."

file=${1:-${FILE:-}}
if [[ -z "$file" ]]; then echo "restore: say which dump: make restore FILE=var/backups/<stamp>.dump" >&2; exit 2; fi
if [[ ! -f "$file" ]]; then echo "restore: no such file: $file" >&2; exit 2; fi

database_url() {
    if [[ -n "${DATABASE_URL:-}" ]]; then
        printf '%s' "$DATABASE_URL"
    elif [[ -f .env ]]; then
        sed -n 's/^DATABASE_URL=//p' .env | tail -n 1 | sed -e 's/^"//' -e 's/"$//' -e "s/^'//" -e "s/'$//"
    fi
}

pg_tool() {
    local tool=$1 dir
    if [[ -n "${PG_BIN:-}" ]]; then printf '%s/%s' "$PG_BIN" "$tool"; return; fi
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n | tail -n 1 || true)
    if [[ -n "$dir" && -x "$dir/$tool" ]]; then printf '%s/%s' "$dir" "$tool"; else command -v "$tool"; fi
}

url=$(database_url)
case "$url" in
    postgres://*|postgresql://*) ;;
    "") echo "restore: DATABASE_URL is not set (environment or .env)." >&2; exit 2 ;;
    *) echo "restore: DATABASE_URL is not PostgreSQL." >&2; exit 2 ;;
esac

tables=$("$(pg_tool psql)" --dbname="$url" --no-psqlrc --tuples-only --no-align --quiet \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
clean=()
if [[ "$tables" != "0" ]]; then
    if [[ "${FORCE:-0}" != "1" ]]; then
        echo "restore: the target database already has $tables tables; refusing to overwrite it." >&2
        echo "restore: restore into an empty database, or run again with FORCE=1 to replace its contents." >&2
        exit 3
    fi
    clean=(--clean --if-exists)
    echo "restore: FORCE=1: replacing the $tables existing tables." >&2
fi
"$(pg_tool pg_restore)" --no-owner --no-privileges --exit-on-error --single-transaction \
    "${clean[@]}" --dbname="$url" "$file"
echo "restore: restored $file." >&2
echo "restore: identities decrypt only if SECRET_KEY and SALT_KEY are the ones the dump was made with." >&2
