"""Words of text read in a photo, normalised for the history's word filter."""
from __future__ import annotations

import unicodedata

from webapp.words import MAX_WORDS, word_key, words_in


def test_a_word_is_casefolded_composed_and_stripped_of_end_punctuation():
    assert word_key("«Straße!»") == "strasse"
    assert word_key("CAFE\u0301,") == "caf\u00e9"  # e + combining acute is stored composed (NFC)
    assert word_key("(don't)") == "don't"  # inner punctuation stays
    assert word_key("...") == ""


def test_words_are_distinct_in_reading_order_without_one_letter_tokens():
    assert words_in(["HELLO WORLD", "hello, A 7 world!", "Café CAFE\u0301"]) == ["hello", "world", "café"]
    assert all(unicodedata.is_normalized("NFC", w) for w in words_in(["Cafe\u0301 Ñandu\u0303"]))


def test_an_analysis_indexes_at_most_max_words_and_skips_overlong_tokens():
    many = " ".join(f"w{i}" for i in range(MAX_WORDS + 50))
    assert words_in([many]) == [f"w{i}" for i in range(MAX_WORDS)]
    assert words_in(["x" * 101, "ok"]) == ["ok"]
