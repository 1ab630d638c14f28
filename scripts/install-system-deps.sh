#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when missing and when we may (root or sudo).
#   scripts/install-system-deps.sh test   -> postgresql, redis-server, chromium, gettext, fonts,
#                                            wrk (make bench)
#   scripts/install-system-deps.sh run    -> gettext (optional: translations compile without it)
set -euo pipefail
mode=${1:-test}
missing=()
have_pg() { compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || command -v pg_ctl >/dev/null; }
if [ "$mode" = test ]; then
  have_pg || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v msgfmt >/dev/null || missing+=(gettext)
  [ -d /usr/share/fonts/truetype/noto ] || missing+=(fonts-noto-core)
  # HTTP load generator for bench/dashboard_http.py (`make bench` installs through this mode).
  command -v wrk >/dev/null || missing+=(wrk)
  # Review report PDF export (weasyprint): Pango, Noto Sans Devanagari/Bengali, and pdftotext
  # for the test that reads the PDF's text layer.
  ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
  [ -f /usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf ] || missing+=(fonts-noto-core)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Missing Debian packages: ${missing[*]}. Install them (apt-get install ${missing[*]}) and retry." >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
# Keep package scripts from starting system services: the tests start their own servers.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod +x "$policy"
  created_policy=1
fi
trap '[ $created_policy -eq 1 ] && "${sudo[@]}" rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
