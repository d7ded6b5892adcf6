"""Keys that make contractors findable without accents and sortable the Polish way,
the same on SQLite and PostgreSQL, and backed by ordinary indexes.

Neither engine does this by itself the same way: SQLite compares bytes (Łódź after
Wrocław) and lowercases ASCII only; PostgreSQL sorts by the database's locale and
needs an extension to ignore accents. So the keys are computed here, in Python, and
stored beside the name (`Contractor.search_key`, `name_key`, `city_key`).

- `search_text`: lowercase, accents stripped (ł → l too), spaces collapsed. Searching
  for ``zazolc`` in the search key of ``Zażółć`` is then a plain substring match.
- `polish_sort_key`: the order of the Polish alphabet (a ą b c ć d e ę … l ł m n ń o ó
  … s ś … z ź ż), case and foreign accents ignored (é sorts as e), spaces before
  punctuation before digits before letters, as in the Polish collation of Unicode's
  CLDR. Each character becomes a two-symbol code of ``0-9a-z`` whose order is the
  alphabet's; characters of other scripts become ``y`` and five symbols of their code
  point, after every Latin letter. The code is prefix-free, so comparing two keys
  symbol by symbol compares the names letter by letter; and since the keys hold only
  lowercase ASCII letters and digits, every collation a database may use (bytes,
  C, en_US, pl_PL, ICU) orders them the same way.
"""

from __future__ import annotations

import re
import unicodedata

POLISH_ALPHABET = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
SYMBOLS = "0123456789abcdefghijklmnopqrstuvwxyz"
SORT_KEY_LENGTH = 255
# Letters that do not decompose into a base letter and accents.
_FOLDED = {"ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
_SPACES = re.compile(r"\s+")


def _code(index: int) -> str:
    return SYMBOLS[index // len(SYMBOLS)] + SYMBOLS[index % len(SYMBOLS)]


_SPACE, _PUNCTUATION, _FIRST_DIGIT, _FIRST_LETTER = 0, 1, 2, 12
_LETTER_CODES = {letter: _code(_FIRST_LETTER + i) for i, letter in enumerate(POLISH_ALPHABET)}
_DIGIT_CODES = {str(d): _code(_FIRST_DIGIT + d) for d in range(10)}


def _fold(char: str) -> str:
    """A lowercase character without its accents: é → e, ł → l, ß → ss."""
    if char in _FOLDED:
        return _FOLDED[char]
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))


# The Latin script's characters, folded and coded ahead: most names need no more than
# one `str.translate` each (a million contractors' keys are computed at migration).
_LATIN = range(0x250)
_FOLD_TABLE = {code: _fold(chr(code)) for code in _LATIN}


def search_text(value: str) -> str:
    """The text as the search compares it: ``"  Zażółć  Gęślą "`` → ``"zazolc gesla"``."""
    folded = value.lower().translate(_FOLD_TABLE)
    if not folded.isascii():
        folded = "".join(_fold(char) for char in folded)
    return _SPACES.sub(" ", folded).strip()


def _sort_code(char: str) -> str:
    if char in _LETTER_CODES:
        return _LETTER_CODES[char]
    if char in _DIGIT_CODES:
        return _DIGIT_CODES[char]
    if char.isspace():
        return _code(_SPACE)
    folded = _fold(char)
    if folded and folded != char:
        return "".join(_sort_code(c) for c in folded)
    if char.isdigit():
        return _DIGIT_CODES.get(str(unicodedata.digit(char, 0)), _code(_FIRST_DIGIT))
    if char.isalpha():
        return "y" + _base36(ord(char)).rjust(5, "0")
    return _code(_PUNCTUATION)


def _base36(number: int) -> str:
    text = ""
    while number:
        number, rest = divmod(number, len(SYMBOLS))
        text = SYMBOLS[rest] + text
    return text or "0"


_SORT_TABLE = {code: _sort_code(chr(code)) for code in _LATIN}


def polish_sort_key(value: str) -> str:
    """A key whose plain order is the Polish alphabetical order of ``value``."""
    text = _SPACES.sub(" ", value.lower()).strip()
    key = text.translate(_SORT_TABLE)
    if not key.isascii():  # a character beyond the table: code each one
        key = "".join(_sort_code(char) for char in text)
    return key[:SORT_KEY_LENGTH]
