from __future__ import annotations

import json
from pathlib import Path

from framing.data.check import check_dataset, near_duplicates
from framing.taxonomy import Taxonomy


def _write(tmp_path: Path, rows: list[object], name: str = "d.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_clean_file_passes(tmp_path: Path, taxonomy: Taxonomy) -> None:
    path = _write(
        tmp_path,
        [
            {
                "text": "Rebels took the hill.",
                "frame": "rebel",
                "voice": "authorial",
                "split": "train",
            },
            {"text": "The minister flew to Paris.", "frame": "none", "voice": None, "split": "dev"},
        ],
    )
    report = check_dataset([path], taxonomy)
    assert report.ok, report.errors
    assert len(report.records) == 2


def test_each_bad_record_is_named(tmp_path: Path, taxonomy: Taxonomy) -> None:
    path = _write(
        tmp_path,
        [
            {"text": "Gunmen fired on a bus.", "frame": "terorist"},
            {"text": "   ", "frame": "none"},
            '{"text": "broken json", "frame": ',
            {"text": "The army advanced.", "frame": "none", "voice": "authorial"},
            {"text": "Fighters regrouped.", "frame": "neutral", "voice": "atributed"},
            {"text": "Insurgents fled.", "frame": "rebel", "tags": ["negaton"]},
            {"frame": "none"},
            {"text": "Militias met.", "frame": "neutral", "lable": "x"},
            {"text": "Militias met.", "frame": "neutral", "split": "validation"},
        ],
    )
    errors = check_dataset([path], taxonomy).errors
    expected = [
        f"{path}:1: unknown frame 'terorist'; did you mean 'terrorist'?",
        f"{path}:2: field 'text' is empty",
        f"{path}:3: not valid JSON",
        f"{path}:4: field 'voice' is 'authorial' but frame 'none' frames nobody",
        f"{path}:5: unknown voice 'atributed'; did you mean 'attributed'?",
        f"{path}:6: unknown tag 'negaton'; did you mean 'negation'?",
        f"{path}:7: field 'text' is required",
        f"{path}:8: unknown field 'lable'",
        f"{path}:9: unknown split 'validation'",
    ]
    for message in expected:
        assert any(e.startswith(message) for e in errors), (message, errors)
    assert len(errors) == len(expected)


def test_duplicates_and_leakage(tmp_path: Path, taxonomy: Taxonomy) -> None:
    base = "Rebels seized the strategic hill overlooking the main highway on Sunday morning"
    path = _write(
        tmp_path,
        [
            {"id": "a", "text": base + ".", "frame": "rebel", "split": "train"},
            {
                "id": "a",
                "text": "Fighters regrouped in the south.",
                "frame": "neutral",
                "split": "train",
            },
            {"id": "c", "text": base + "!", "frame": "rebel", "split": "train"},
            {"id": "d", "text": base + " again.", "frame": "rebel", "split": "test"},
        ],
    )
    report = check_dataset([path], taxonomy)
    assert any("id 'a' already used" in e for e in report.errors)
    assert any(":3: duplicate text of" in e for e in report.errors)
    assert any("leakage" in e and "train/test" in e for e in report.errors)


def test_near_duplicates_threshold() -> None:
    texts = [
        "one two three four five six seven eight nine ten",
        "one two three four five six seven eight nine ten eleven",
        "completely different words in this other sentence here",
    ]
    pairs = near_duplicates(texts)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert abs(pairs[0][2] - 8 / 9) < 1e-9


def test_balance_warning(tmp_path: Path, taxonomy: Taxonomy) -> None:
    rows = [
        {"text": f"Plain sentence number {w} about prices.", "frame": "none"}
        for w in ["one", "two", "three", "four", "five", "six", "seven", "eight"]
    ]
    report = check_dataset([_write(tmp_path, rows)], taxonomy)
    assert any("frame 'terrorist' is 0.0% of training records" in w for w in report.warnings)


def test_sealed_text_is_refused_even_from_an_unsealed_article(tmp_path: Path,
                                                              taxonomy: Taxonomy) -> None:
    """Wire copy: an unsealed article repeating a sealed one's sentence may not be labelled."""
    from typer.testing import CliRunner

    from framing.cli import app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    wire = "Rebels shelled the northern district of the city overnight killing four civilians."
    (corpus / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in [
        {"id": "s1", "title": "Shelling in the north", "text": wire},
        {"id": "u1", "title": "Other news", "text": wire},  # unsealed, same wire copy
    ]))
    sealed = corpus / "SEALED.txt"
    sealed.write_text("s1\n")
    rec = {"id": "c:u1:1", "corpus": "c", "doc_id": "u1", "sentence_idx": 1, "outlet": "A",
           "text": wire, "frame": "rebel", "voice": "authorial", "tags": [], "split": "train",
           "selection": "random"}
    # nine words of the sealed sentence in a row are allowed; ten are not
    nine = {**rec, "id": "c:u2:1", "doc_id": "u2",
            "text": "Yesterday rebels shelled the northern district of the city overnight again."}
    path = _write(tmp_path, [rec, nine])
    runner = CliRunner()
    result = runner.invoke(app, ["data", "check", str(path), "--sealed", str(sealed), "-q"])
    assert result.exit_code == 1
    assert f"{path}:1: text shares the words" in result.stderr and "'s1'" in result.stderr
    assert ":2:" not in result.stderr
    # without the corpus beside the list only ids are checked, as before
    bare = tmp_path / "SEALED.txt"
    bare.write_text("s1\n")
    assert runner.invoke(app, ["data", "check", str(path), "--sealed", str(bare), "-q"]
                         ).exit_code == 0
    # a missing list is exit 2 with the file named
    result = runner.invoke(app, ["data", "check", str(path), "--sealed", str(tmp_path / "no")])
    assert result.exit_code == 2 and "sealed-id file not found" in result.stderr
