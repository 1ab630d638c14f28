"""Name matching across scripts for the exclusion register.

A name written in Devanagari (राजू पांडे), Bengali (রাজু পাণ্ডে) or Latin letters (Raju Pandey) is
reduced to a rough *phonetic key* in Latin letters: transliterated with indic_transliteration
(IAST), diacritics stripped, and the spelling differences that carry no meaning in Indian names
removed (aspiration, sh/s, v/b, y/j, doubled letters, the inherent final "a" that
transliteration writes but nobody says). Keys are then compared with rapidfuzz's
token_sort_ratio, so word order ("Sheikh Rahim" / "Rahim Sheikh") does not matter either.

Matching is a screening aid: a hit is shown to the deciding officer, who decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from indic_transliteration import sanscript
from rapidfuzz import fuzz, process

_SCRIPT_RUNS = (
    (re.compile(r"[\u0900-\u097F]+"), sanscript.DEVANAGARI),
    (re.compile(r"[\u0980-\u09FF]+"), sanscript.BENGALI),
)
# Titles and abbreviations that are written or left out at will.
_DROP_WORDS = frozenset(
    {"sri", "shri", "shree", "smt", "srimati", "shrimati", "mr", "mrs", "ms", "dr", "late", "km"}
)
_EXPAND_WORDS = {"md": "mohammad", "mohd": "mohammad", "sk": "sheikh"}
# Ordered rewrites applied to a lower-case ASCII word.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"e[yi]$"), "e"),  # Pandey / Pande
    (re.compile(r"y$"), "i"),  # Chowdhury / Choudhuri
    (re.compile(r"ow"), "o"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"([bcdgjkpt])h"), r"\1"),  # aspirates: kh -> k, bh -> b, ...
    (re.compile(r"sh"), "s"),
    (re.compile(r"ee"), "i"),
    (re.compile(r"oo"), "u"),
    (re.compile(r"(au|ou)"), "o"),
    (re.compile(r"(ai|ei)"), "e"),
    (re.compile(r"[vw]"), "b"),
    (re.compile(r"[yz]"), "j"),
    (re.compile(r"q"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters
)
# Every word of the shorter name must be at least this like some word of the other, so that
# "Raju Pandey" and "Ramu Pandey" (one letter apart, two people) do not match.
TOKEN_FLOOR = 80.0
SHORT_KEY = 6


def _transliterate(text: str) -> str:
    """The text with every Devanagari and Bengali run written in IAST."""
    for pattern, script in _SCRIPT_RUNS:
        text = pattern.sub(_to_iast(script), text)
    return text


def _to_iast(script: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return str(sanscript.transliterate(match.group(0), script, "iast"))

    return replace


def _ascii(text: str) -> str:
    """Lower-case ASCII letters and spaces only (anusvara becomes n, diacritics go)."""
    text = text.replace("ṃ", "n").replace("ṁ", "n").replace("m̐", "n")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z]+", " ", plain)


# The inherent vowel that transliteration writes and nobody says (রহিম -> rahima), or that
# Bengali spellings write as "o" (Subroto): dropped after a consonant at the end of a word.
_FINAL_VOWEL = re.compile(r"(?<=[^aeiou])[ao]$")


def _word_key(word: str) -> str:
    word = _EXPAND_WORDS.get(word, word)
    if len(word) > 3:
        word = _FINAL_VOWEL.sub("", word)
    for pattern, replacement in _REWRITES:
        word = pattern.sub(replacement, word)
    return word


def name_key(name: str) -> str:
    """The phonetic key of a name in any of our scripts ('' when nothing is left)."""
    words = _ascii(_transliterate(name)).split()
    return " ".join(_word_key(w) for w in words if w not in _DROP_WORDS)


def name_score(a: str, b: str) -> float:
    """How alike two names are, 0-100, whatever script each is written in."""
    return _score(name_key(a), name_key(b))


def _score(key_a: str, key_b: str) -> float:
    """Score two keys: word order ignored, a missing middle name tolerated."""
    if not key_a or not key_b:
        return 0.0
    if min(len(key_a), len(key_b)) < SHORT_KEY:
        return 100.0 if key_a == key_b else 0.0  # short keys: fuzzy hits would be noise
    short, long = sorted((key_a.split(), key_b.split()), key=len)
    for word in short:
        if max(fuzz.ratio(word, other) for other in long) < TOKEN_FLOOR:
            return 0.0
    score = fuzz.token_sort_ratio(key_a, key_b)
    if len(short) >= 2:  # "Sanjay Yadav" inside "Sanjay Kumar Yadav"
        score = max(score, fuzz.token_set_ratio(key_a, key_b))
    return float(score)


@dataclass(frozen=True)
class NameHit:
    """One register name (by its id) that looks like the searched name."""

    ref: int
    score: float


def best_name_hits(
    name: str, keys: Iterable[tuple[int, str]], *, threshold: float
) -> list[NameHit]:
    """Register names (id, key) scoring at least `threshold` against `name`, best first."""
    key = name_key(name)
    if not key:
        return []
    choices = {ref: k for ref, k in keys if k}
    if len(key) < SHORT_KEY:
        return [NameHit(ref, 100.0) for ref, k in choices.items() if k == key]
    found = process.extract(
        key, choices, scorer=_rapidfuzz_score, score_cutoff=threshold, limit=None
    )
    return [NameHit(int(ref), float(score)) for _, score, ref in found]


def _rapidfuzz_score(a: str, b: str, **_: object) -> float:
    return _score(a, b)
