"""Sentence splitting: sentencex plus our fixes, with exact offsets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from framing.text.segment import split_sentences

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _texts(text: str) -> list[str]:
    sentences = split_sentences(text)
    assert all(text[s.start : s.end] == s.text for s in sentences)
    return [s.text for s in sentences]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The troops returned to the U.S. The Pentagon said nothing.",
         ["The troops returned to the U.S.", "The Pentagon said nothing."]),
        ("U.S. officials met. The U.N. Security Council voted.",
         ["U.S. officials met.", "The U.N. Security Council voted."]),
        ("Forces loyal to Gen. Haftar advanced. Gen. Haftar said so.",
         ["Forces loyal to Gen. Haftar advanced.", "Gen. Haftar said so."]),
        ("See No. 5 and Vol. 3 of the report. It was late.",
         ["See No. 5 and Vol. 3 of the report.", "It was late."]),
        ('He said "they are terrorists." The army denied it.',
         ['He said "they are terrorists."', "The army denied it."]),
        ("It began at 5 a.m. The rebels fled.", ["It began at 5 a.m.", "The rebels fled."]),
    ],
)
def test_abbreviations_and_quotes(text: str, expected: list[str]) -> None:
    assert _texts(text) == expected


def test_headlines_and_boilerplate_lines_stand_alone() -> None:
    text = (
        "READ MORE\nPOPULAR\nTurkey sends convoy to Idlib (Video)\n\n"
        "On Monday the army said it had moved. It gave no details.\n"
        "- Source: Example Wire -\n"
        "The militants were\nseen near the border."
    )
    assert _texts(text) == [
        "READ MORE",
        "POPULAR",
        "Turkey sends convoy to Idlib (Video)",
        "On Monday the army said it had moved.",
        "It gave no details.",
        "- Source: Example Wire -",
        "The militants were\nseen near the border.",
    ]


def test_nothing_dropped_and_no_overlap() -> None:
    text = "  • \nArmed Conflicts\nUpdated at:\n\nGunmen struck. Vol. 2 was out.\n***\nEnd"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Armed Conflicts", "Updated at:", "Gunmen struck.", "Vol. 2 was out.", "End",
    ]
    assert all(a.end <= b.start for a, b in zip(sentences, sentences[1:], strict=False))
    assert _words(" ".join(s.text for s in sentences)) == _words(text)


def test_empty_and_whitespace() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present")
def test_seed_articles_every_word_in_exactly_one_sentence() -> None:
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) == 5
    for file in files:
        text = file.read_text(encoding="utf-8")
        sentences = split_sentences(text)
        assert all(text[s.start : s.end] == s.text for s in sentences)
        assert _words(" ".join(s.text for s in sentences)) == _words(text), file.name
        assert all("\n\n" not in s.text for s in sentences)
        assert len(sentences) >= 10


def test_over_long_sentences_are_cut_at_line_breaks_then_spaces_then_the_cap() -> None:
    from framing.text.segment import MAX_SEGMENT_CHARS as CAP

    wrapped = "\n".join(["rebels held the town near the border"] * 120)  # hard-wrapped, lower
    giant = "x" * (2 * CAP + 10)  # one "word" longer than the cap
    spaced = " ".join(["fighters"] * 700)
    for text in (wrapped, giant, spaced, f"{spaced}\n{giant}"):
        sentences = split_sentences(text)
        assert all(len(s.text) <= CAP and text[s.start : s.end] == s.text for s in sentences)
        assert "".join("".join(s.text.split()) for s in sentences) == "".join(text.split())
        assert [s.segment for s in sentences] == list(range(len(sentences)))
    assert all(s.text.endswith("border") for s in split_sentences(wrapped))  # at line breaks
    assert [len(s.text) for s in split_sentences(giant)] == [CAP, CAP, 10]
    assert all(s.text.endswith("fighters") for s in split_sentences(spaced))
    assert split_sentences("Rebels took the town. " * 200)[0].segment is None
