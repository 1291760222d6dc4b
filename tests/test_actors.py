"""The gazetteer: tricky aliases, overlaps, case rules, and broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from framing.errors import FramingError
from framing.text.actors import ActorMatcher, load_gazetteer


@pytest.fixture(scope="module")
def matcher() -> ActorMatcher:
    return ActorMatcher(load_gazetteer())


def test_gazetteer_covers_the_issue_list_and_more() -> None:
    gaz = load_gazetteer()
    ids = {a.id for a in gaz.actors}
    wanted = {"hts", "isis", "fsa_sna", "ypg", "sdf", "pkk", "hezbollah", "hamas", "houthis",
              "taliban", "al_shabaab", "boko_haram"}
    assert wanted <= ids
    assert len(ids - wanted) >= 15


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hay'at Tahrir al-Sham seized the town", ["hts"]),
        ("Hayat Tahrir al-Sham seized the town", ["hts"]),  # apostrophe stripped by a scraper
        ("Hayat Tahrir al Sham seized the town", ["hts"]),  # hyphen stripped too
        ("Jabhat Fateh al-Sham, formerly al-Nusra Front, said", ["hts"]),
        ("Daesh terrorists attacked Deir Ezzor", ["isis"]),
        ("ISIL and the Taliban", ["isis", "taliban"]),
        ("IS fighters were pushed out of Raqqa", ["isis"]),
        ("IS-held areas east of the river", ["isis"]),
        ("the fight against IS.", ["isis"]),
        ("Houthis fired two missiles", ["houthis"]),
        ("Ansar Allah, as the Houthi movement calls itself", ["houthis"]),
        ("Hamas's armed wing", ["hamas"]),
        ("Hezbollahs fighters", ["hezbollah"]),  # possessive with the apostrophe stripped
        ("the Kurdistan Workers' Party (PKK)", ["pkk"]),
        ("the YPG-led SDF", ["ypg", "sdf"]),
        ("al-Shabaab and al-Shabab gunmen", ["al_shabaab"]),
        ("Boko Haram abducted pupils", ["boko_haram"]),
        ("the Free Syrian Army and the SNA", ["fsa_sna"]),
        # the MUC-3/4 corpus is all capitals
        ("FARABUNDO MARTI NATIONAL LIBERATION FRONT [FMLN] URBAN COMMANDOS", ["fmln"]),
        ("THE M-19 AND THE EPL SIGNED", ["m19", "epl"]),
        ("SENDERO LUMINOSO (SHINING PATH) AND THE MRTA", ["shining_path", "mrta"]),
        ("THE EXTRADITABLES OF THE MEDELLIN CARTEL", ["medellin_cartel"]),
        ("THE NICARAGUAN RESISTANCE [CONTRAS]", ["contras"]),
    ],
)
def test_aliases(matcher: ActorMatcher, text: str, expected: list[str]) -> None:
    assert matcher.actors_in(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "This is what the minister said.",  # the verb "is"
        "Is it over? It is.",
        "THE WAR IS OVER SAYS MINISTER",  # shouting headline: no exact-case matching
        "Some clerics want an Islamic state in the region.",  # the idea, not the group
        "The Afghan National Army retook the district.",  # a state army, not the SNA
        "Crisis talks resumed in Geneva.",  # 'isis' inside a word
        "The Islamist parties won the election.",
    ],
)
def test_no_false_mentions(matcher: ActorMatcher, text: str) -> None:
    assert matcher.actors_in(text) == []


def test_longest_match_wins(matcher: ActorMatcher) -> None:
    assert matcher.actors_in("Kataib Hezbollah fired rockets") == ["kataib_hezbollah"]
    assert matcher.actors_in("Tehrik-i-Taliban Pakistan claimed it") == ["ttp"]
    assert matcher.actors_in("ISIS-K claimed the bombing") == ["iskp"]
    assert matcher.actors_in("Islamic State West Africa Province fighters") == ["iswap"]


def test_offsets_point_into_original_text(matcher: ActorMatcher) -> None:
    text = "Yesterday Hay'at Tahrir al-Sham's men left"
    (mention,) = matcher.mentions(text)
    assert text[mention.start : mention.end] == "Hay'at Tahrir al-Sham's"


def test_duplicate_alias_refused(tmp_path: Path) -> None:
    path = tmp_path / "actors.yaml"
    path.write_text(
        "version: '1'\nactors:\n"
        "  - {id: a, name: A, aliases: [Nusra]}\n"
        "  - {id: b, name: B, aliases: [nusra]}\n"
    )
    with pytest.raises(FramingError, match=r"(?s)actors.yaml.*'nusra' of actor b is also .* of a"):
        load_gazetteer(path)


def test_unknown_field_refused(tmp_path: Path) -> None:
    path = tmp_path / "actors.yaml"
    path.write_text("version: '1'\nactors:\n  - {id: a, name: A, alias: [X]}\n")
    with pytest.raises(FramingError, match=r"actors.yaml: invalid gazetteer"):
        load_gazetteer(path)
