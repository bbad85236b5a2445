"""The one tokenizer under the job list's and the fleet's `/` filters."""

from __future__ import annotations

from backuptui.core.filter_words import FilterWord, filter_words

FIELDS = {"status", "name"}


def test_words_quotes_signs_and_fields_are_read_as_typed() -> None:
    words = list(filter_words('eu "No Space" -status:fail !name:"a b"', FIELDS))
    assert words == [
        FilterWord(None, "eu"),
        FilterWord(None, "No Space"),
        FilterWord("status", "fail", negated=True),
        FilterWord("name", "a b", negated=True),
    ]


def test_a_known_field_without_value_is_left_out_and_an_unknown_one_is_text() -> None:
    assert list(filter_words("status: -tar:", FIELDS)) == [FilterWord(None, "tar:", negated=True)]


def test_an_unknown_field_with_a_value_is_yielded_for_the_filter_to_report() -> None:
    assert list(filter_words("colour:red", FIELDS)) == [FilterWord("colour", "red")]


def test_a_url_is_text_not_a_field() -> None:
    assert list(filter_words("sftp://host/path", FIELDS)) == [FilterWord(None, "sftp://host/path")]
