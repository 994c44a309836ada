"""The words of text read in a photo, normalised as the history's word filter matches them."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_WORDS = 200  # distinct words indexed per analysis: a page of small print need not flood the index
MAX_LENGTH = 100  # longer "words" are OCR noise, and would make oversized index keys


def _is_punctuation(char: str) -> bool:
    """Whether a character is punctuation (Unicode categories P*)."""
    return unicodedata.category(char).startswith("P")


def word_key(word: str) -> str:
    """One word as it is indexed: NFC, casefolded, punctuation stripped at both ends."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", word).casefold())
    start, end = 0, len(folded)
    while start < end and _is_punctuation(folded[start]):
        start += 1
    while end > start and _is_punctuation(folded[end - 1]):
        end -= 1
    return folded[start:end]


def words_in(texts: Iterable[str]) -> list[str]:
    """The distinct indexable words of these texts, in reading order, at most MAX_WORDS of them."""
    found: dict[str, None] = {}
    for text in texts:
        for token in text.split():
            word = word_key(token)
            if 2 <= len(word) <= MAX_LENGTH:  # one letter or digit says too little to find a photo by
                found.setdefault(word)
                if len(found) == MAX_WORDS:
                    return list(found)
    return list(found)
