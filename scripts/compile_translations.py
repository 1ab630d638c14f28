#!/usr/bin/env python3
"""Compile locale/*/LC_MESSAGES/*.po into .mo files with Babel (no GNU gettext needed).

python scripts/compile_translations.py          # compile what changed
python scripts/compile_translations.py --check  # also fail if any string is untranslated
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def untranslated(catalog) -> list[str]:  # type: ignore[no-untyped-def]
    """msgids with an empty or fuzzy translation (the header entry excluded)."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(check: bool) -> int:
    problems = 0
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with mo_path.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
        if check:
            missing = untranslated(catalog)
            for msgid in missing:
                print(f"{po_path.relative_to(LOCALE_DIR)}: untranslated: {msgid!r}")
            problems += len(missing)
    if problems:
        print(f"{problems} untranslated string(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv[1:]))
