#!/usr/bin/env python3
"""Split untranslated strings into JSON chunks for translators, and merge their answers back.

    python scripts/translation_chunks.py export OUTDIR N   # OUTDIR/chunk_K.json (K = 1..N)
    python scripts/translation_chunks.py import OUTDIR     # reads OUTDIR/chunk_K.out.json

A chunk is a list of {"id": msgid, "plural": msgid_plural or null, "context": ..., "where":
[file:line, ...]}. An answer file maps msgid -> {"hi": text | [forms], "bn": text | [forms]}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("hi", "bn")


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _missing(message) -> bool:  # type: ignore[no-untyped-def]
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(message.id) and (message.fuzzy or not all(strings))


def export(outdir: Path, parts: int) -> None:
    catalogs = {language: _catalog(language) for language in LANGUAGES}
    wanted: dict[str, dict[str, object]] = {}
    for catalog in catalogs.values():
        for message in catalog:
            if _missing(message):
                key = message.id if isinstance(message.id, str) else message.id[0]
                wanted[key] = {
                    "id": key,
                    "plural": None if isinstance(message.id, str) else message.id[1],
                    "context": message.context,
                    "where": [f"{f}:{n}" for f, n in message.locations][:3],
                }
    items = list(wanted.values())
    size = -(-len(items) // parts)
    outdir.mkdir(parents=True, exist_ok=True)
    for k in range(parts):
        chunk = items[k * size : (k + 1) * size]
        (outdir / f"chunk_{k + 1}.json").write_text(json.dumps(chunk, ensure_ascii=False, indent=1))
    print(f"{len(items)} strings in {parts} chunks of up to {size}")


def merge(outdir: Path) -> None:
    answers: dict[str, dict[str, object]] = {}
    for path in sorted(outdir.glob("chunk_*.out.json")):
        answers.update(json.loads(path.read_text()))
    for language in LANGUAGES:
        catalog = _catalog(language)
        filled = 0
        for message in catalog:
            key = message.id if isinstance(message.id, str) else message.id[0] if message.id else ""
            if not _missing(message) or key not in answers:
                continue
            text = answers[key].get(language)
            if not text:
                continue
            if isinstance(message.id, str):
                message.string = text if isinstance(text, str) else text[0]
            else:
                forms = text if isinstance(text, list) else [text, text]
                message.string = tuple(forms[:2]) if len(forms) >= 2 else (forms[0], forms[0])
            message.flags.discard("fuzzy")
            filled += 1
        with (LOCALE / language / "LC_MESSAGES" / "django.po").open("wb") as handle:
            write_po(handle, catalog, width=100)
        print(f"{language}: filled {filled}")


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    export(folder, int(sys.argv[3])) if command == "export" else merge(folder)
