"""CLI conventions: --version, python -m framing, -v, exit codes, choices and defaults in --help,
and the device choice (`--device`) on this CPU-only machine."""

from __future__ import annotations

import json
import subprocess
import sys
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, get_args, get_type_hints

import pytest
import torch
import typer
from typer.testing import CliRunner

from framing import __version__
from framing.cli import app
from framing.errors import FramingError
from framing.inference.device import Device, resolve_device
from framing.inference.predict import Classifier

RUNNER = CliRunner()
REPO = Path(__file__).resolve().parent.parent
COMMAND = typer.main.get_command(app)


def _commands() -> list[tuple[str, Any]]:
    """(words, command) for every command, sub-commands of groups included."""
    out: list[tuple[str, Any]] = []
    for name, cmd in COMMAND.commands.items():  # type: ignore[attr-defined]
        if hasattr(cmd, "commands"):
            out += [(f"{name} {sub}", c) for sub, c in cmd.commands.items()]
        else:
            out.append((name, cmd))
    return out


def _help(words: str) -> str:
    result = RUNNER.invoke(app, [*words.split(), "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_version_flag() -> None:
    result = RUNNER.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"framing {__version__}"


def test_python_dash_m_framing_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "framing", "--version"], capture_output=True,
                          text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == f"framing {__version__}"
    done = subprocess.run([sys.executable, "-m", "framing", "--help"], capture_output=True,
                          text=True, cwd=REPO, check=True)
    assert "Usage: framing " in done.stdout and "score" in done.stdout


def test_exit_codes_are_documented_in_the_top_level_help() -> None:
    text = " ".join(_help("").split())
    assert "Exit codes: 0 ok, 1 a check failed, 2 a mistake in your input" in text


@pytest.mark.parametrize(("words", "option", "choices"), [
    ("score", "--format", ["parquet", "jsonl", "csv"]),
    ("score", "--input-format", ["jsonl", "csv", "tsv", "parquet", "txt"]),
    ("score", "--device", ["auto", "cpu", "cuda", "mps"]),
    ("score", "--engine", ["local", "ray"]),
    ("train", "--device", ["auto", "cpu", "cuda", "mps"]),
    ("evaluate", "--device", ["auto", "cpu", "cuda", "mps"]),
    ("compare", "--p-adjust", ["holm", "bh"]),
    ("compare", "--adjust", ["acc", "pacc", "emq", "kdey"]),
    ("compare", "--weight", ["sentence", "article"]),
    ("label suggest", "--strategy", ["random", "uncertain", "disagree", "mixed"]),
])
def test_choice_options_are_enums_listed_in_help(words: str, option: str,
                                                 choices: list[str]) -> None:
    cmd = dict(_commands())[words]
    name = next(p.name for p in cmd.params if option in p.opts)
    hint = get_type_hints(cmd.callback)[name]
    candidates = [hint, *get_args(hint)]
    candidates += [inner for t in candidates for inner in get_args(t)]  # list[Enum] | None
    enum = next(t for t in candidates if isinstance(t, type) and issubclass(t, Enum))
    assert issubclass(enum, StrEnum) and [e.value for e in enum] == choices
    shown = " ".join(_help(words).split())
    listed = "|".join(choices)
    assert f"{option} <{listed}>" in shown or f"{option} <list[{listed}]>" in shown


def test_every_option_with_a_default_shows_it() -> None:
    missing = []
    for words, cmd in _commands():
        text = " ".join(_help(words).split())
        for p in cmd.params:
            if p.opts[0].startswith("--") and p.default is not None and not p.hidden \
                    and p.name != "help" and not getattr(p, "is_eager", False) \
                    and not (p.default is False and not p.secondary_opts):  # a plain on-flag
                shown = p.default.value if hasattr(p.default, "value") else p.default
                if isinstance(shown, bool):
                    shown = p.opts[0].removeprefix("--") if shown else \
                        (p.secondary_opts or ["no-" + p.opts[0].removeprefix("--")])[0] \
                        .removeprefix("--")
                if f"[default: {shown}]" not in text and f"default: {shown}]" not in text:
                    missing.append(f"{words} {p.opts[0]} (default {shown!r})")
    assert not missing, f"defaults not shown in --help: {missing}"


def test_bracketed_and_parenthesised_defaults_survive_in_help() -> None:
    text = " ".join(_help("score").split())
    assert "Input field with the id (default: id)." in text
    assert "[default: 64]" in text and "[default: parquet]" in text
    lines = _help("score").splitlines()  # a continued example is kept as written, not rewrapped
    assert any(line.strip().startswith("--id-field unit_id --title-field") for line in lines)


def test_verbose_turns_on_info_logging(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"text": "Gunmen fired.", "frame": "militant"}) + "\n")
    code = "import logging, sys\nfrom framing.cli import app\napp(prog_name='framing')\n"
    for flags, level in (([], "WARNING"), (["-v"], "INFO"), (["-vv"], "DEBUG")):
        probe = (code.replace("app(prog_name='framing')",
                              "try:\n    app(prog_name='framing')\nexcept SystemExit:\n"
                              "    print('LEVEL', logging.getLevelName("
                              "logging.getLogger().level))"))
        done = subprocess.run([sys.executable, "-c", probe, *flags, "data", "check", str(data)],
                              capture_output=True, text=True, cwd=REPO)
        assert f"LEVEL {level}" in done.stdout, (flags, done.stdout, done.stderr)


# --- devices ---------------------------------------------------------------------------------


def test_auto_is_the_cpu_here() -> None:
    assert not torch.cuda.is_available()
    assert resolve_device(Device.auto) == torch.device("cpu")
    assert resolve_device("cpu") == torch.device("cpu")


@pytest.mark.parametrize("wanted", ["cuda", "mps"])
def test_a_missing_device_is_a_clear_error(wanted: str) -> None:
    with pytest.raises(FramingError, match=f"--device {wanted}: .*use --device cpu"):
        resolve_device(wanted)


def test_an_unknown_device_is_refused_by_the_cli(tmp_path: Path, tiny_model_dir: Path) -> None:
    result = RUNNER.invoke(app, ["score", "x.jsonl", "--model", str(tiny_model_dir), "--out",
                                 str(tmp_path / "o"), "--device", "tpu"])
    assert result.exit_code == 2 and "'tpu' is not one of" in result.output


def test_score_with_cuda_here_exits_2_naming_the_fix(tmp_path: Path,
                                                     tiny_model_dir: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Rebels took the town."}) + "\n")
    result = RUNNER.invoke(app, ["score", str(src), "--model", str(tiny_model_dir), "--out",
                                 str(tmp_path / "o"), "--device", "cuda", "--no-progress"])
    assert result.exit_code == 2
    assert "--device cuda: torch sees no CUDA GPU" in result.stderr


def test_classifier_lands_on_the_resolved_device(tiny_model_dir: Path) -> None:
    clf = Classifier.from_folder(tiny_model_dir, device="auto")
    assert clf.model.device == torch.device("cpu")


def test_score_provenance_records_the_device(tmp_path: Path, tiny_model_dir: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Rebels took the town."}) + "\n")
    out = tmp_path / "o"
    result = RUNNER.invoke(app, ["score", str(src), "--model", str(tiny_model_dir), "--out",
                                 str(out), "--device", "cpu", "--no-progress", "--threads", "1"])
    assert result.exit_code == 0, result.output
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["model"]["device"] == "cpu" and prov["arguments"]["device"] == "cpu"
