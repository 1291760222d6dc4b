"""The voice rule on hand-made sentences, and its accuracy measure on a hand-made file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from framing.errors import FramingError
from framing.taxonomy import Taxonomy
from framing.text.voice import measure_voice_rule, rule_voice

REPO = Path(__file__).resolve().parent.parent

CASES = [
    # (text, frame, expected voice)
    ("Terrorists shelled the town overnight.", "terrorist", "authorial"),
    ('"These terrorists will be crushed," the minister said.', "terrorist", "attributed"),
    ("The ministry said terrorist groups had used the truce to rearm.", "terrorist", "attributed"),
    ("According to the army, militants fled north.", "militant", "attributed"),
    # an attribution closing the sentence takes the claim, frame word included (GUIDELINES 4)
    ("Rebels fired rockets at the airport, the army said.", "rebel", "attributed"),
    ("ISIL terrorists executed 24 civilians in the village a monitor said Friday.", "terrorist",
     "attributed"),  # real news drops the comma
    ("Terrorists fired shells on the camp, leaving a child dead, according to a police source "
     "in the province who spoke on condition of anonymity.", "terrorist", "attributed"),
    # an attribution that opens a clause of its own after the frame word: the outlet's word
    ("Rebels shelled the market on Monday and the ministry said later that evening that the "
     "death toll had risen to twelve.", "rebel", "authorial"),
    # scare quotes: the outlet distances itself, in its own voice ("so-called" is no source)
    ('The so-called "freedom fighters" burned the village.', "militant", "authorial"),
    ('Some "resistance" groups exist only on Telegram.', "resistance", "authorial"),
    ("The convoy was hit near the border.", "none", None),
]


@pytest.mark.parametrize(("text", "frame", "expected"), CASES)
def test_rule(taxonomy: Taxonomy, text: str, frame: str, expected: str | None) -> None:
    assert rule_voice(text, frame, taxonomy) == expected


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_measure_counts_only_the_split(taxonomy: Taxonomy, tmp_path: Path) -> None:
    records = [
        {"text": t, "frame": f, "voice": v, "split": "test"} for t, f, v in CASES
    ] + [
        # a wrong prediction: the rule says attributed ("said" precedes the cue)
        {"text": "He said nothing as terrorists stormed the hall.", "frame": "terrorist",
         "voice": "authorial", "split": "test"},
        # another split: ignored
        {"text": "Terrorists struck.", "frame": "terrorist", "voice": "attributed",
         "split": "train"},
    ]
    result = measure_voice_rule([_write(tmp_path / "l.jsonl", records)], taxonomy)
    assert (result.n, result.correct, result.skipped_unframed) == (11, 10, 1)
    assert result.accuracy == pytest.approx(10 / 11)
    assert result.confusion["authorial"] == {"attributed": 1, "authorial": 4}
    per = result.per_voice()
    assert per["attributed"]["precision"] == pytest.approx(6 / 7)
    assert per["authorial"]["recall"] == pytest.approx(4 / 5)
    everything = measure_voice_rule([tmp_path / "l.jsonl"], taxonomy, split=None)
    assert everything.n == 12


def test_measure_names_bad_records(taxonomy: Taxonomy, tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.jsonl", [
        {"text": "Militants fled.", "frame": "militant", "voice": "authorial", "split": "test"},
        {"text": "Militants fled.", "frame": "militant", "voice": "quoted", "split": "test"},
    ])
    with pytest.raises(FramingError, match=r"bad.jsonl:2: unknown voice 'quoted'"):
        measure_voice_rule([path], taxonomy)


def test_script_runs(tmp_path: Path) -> None:
    path = _write(tmp_path / "l.jsonl", [
        {"text": t, "frame": f, "voice": v, "split": "test"} for t, f, v in CASES
    ])
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "voice_accuracy.py"), str(path)],
                         capture_output=True, text=True, check=True).stdout
    assert "10/10 correct, accuracy 1.000" in out
