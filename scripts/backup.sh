#!/usr/bin/env bash
# make backup: dump the PostgreSQL database named by DATABASE_URL (pg_dump custom format) into
# ${BACKUP_DIR:-var/backups}/<UTC timestamp>.dump and print the file's path on the last line.
#
# The dump holds victims' identity fields ENCRYPTED: they decrypt only with the same SECRET_KEY
# and SALT_KEY (and phone look-ups need COMPLAINTS_LOOKUP_KEY). Keep those keys in the secrets
# store, NOT next to the dump: a dump without them is useless for identities; a dump WITH them
# is the victims' identities in clear. See docs/operations.md ("Backups").
set -euo pipefail
cd "$(dirname "$0")/.."

database_url() {
    if [[ -n "${DATABASE_URL:-}" ]]; then
        printf '%s' "$DATABASE_URL"
    elif [[ -f .env ]]; then
        sed -n 's/^DATABASE_URL=//p' .env | tail -n 1 | sed -e 's/^"//' -e 's/"$//' -e "s/^'//" -e "s/'$//"
    fi
}

pg_tool() {  # the newest installed PostgreSQL client tool (pg_dump must not be older than the server)
    local tool=$1 dir
    if [[ -n "${PG_BIN:-}" ]]; then printf '%s/%s' "$PG_BIN" "$tool"; return; fi
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n | tail -n 1 || true)
    if [[ -n "$dir" && -x "$dir/$tool" ]]; then printf '%s/%s' "$dir" "$tool"; else command -v "$tool"; fi
}

url=$(database_url)
case "$url" in
    postgres://*|postgresql://*) ;;
    "") echo "backup: DATABASE_URL is not set (environment or .env)." >&2; exit 2 ;;
    *) echo "backup: DATABASE_URL is not PostgreSQL; only a PostgreSQL database can be backed up." >&2; exit 2 ;;
esac

dir=${BACKUP_DIR:-var/backups}
mkdir -p "$dir"
chmod 700 "$dir"
target="$dir/$(date -u +%Y%m%dT%H%M%SZ).dump"
umask 077
"$(pg_tool pg_dump)" --format=custom --no-owner --no-privileges --dbname="$url" --file="$target.partial"
mv "$target.partial" "$target"
cat >&2 <<MSG
backup: wrote $target ($(du -h "$target" | cut -f1)).
backup: identity fields in it are encrypted; restoring them needs the same SECRET_KEY and SALT_KEY
backup: (and COMPLAINTS_LOOKUP_KEY). Store those keys separately from this file.
backup: private media (PRIVATE_MEDIA_ROOT) is not in the dump: back that folder up too.
MSG
echo "$target"
