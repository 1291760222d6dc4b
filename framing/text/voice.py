"""Voice by rule, until the model predicts it: is the framing attributed or the outlet's own?

The rule (documented in the README), for a framed sentence (a frame with a weight; unframed
sentences get no voice):

1. Find the winning frame's cue words (`cues` in the taxonomy) in the sentence.
2. If a cue sits inside a quotation of 3+ words (straight or curly double quotes, guillemets,
   or single quotes around 3+ words) -> `attributed`. A cue alone in quotes of 1-2 words is a
   scare quote: the outlet's own distancing, so it does not count as a quotation.
3. If a cue comes after an attribution cue in the sentence ("according to", "said", "told",
   "claimed", "accused", "described", "called", "branded", "designated", "added", "confirmed",
   "stressed", "noted", ...) -> `attributed`: the words belong to the source.
4. If an attribution cue comes after the frame cue and closes the sentence ("Rebels shelled X,
   the army said" / "... a monitor said Friday", within its last TRAILING_WORDS words), or is
   "according to" anywhere after it -> `attributed`: the sentence's claim, frame word included,
   is the source's (GUIDELINES.md section 4). Real news often drops the comma, hence the count
   of words rather than a comma.
5. If no cue word is found (framing carried without the usual words), fall back to the
   sentence as a whole: any 3+-word quotation or any attribution cue -> `attributed`.
6. Otherwise `authorial`.

Accuracy (`scripts/voice_accuracy.py`) is in docs/method.md; the trailing rule (4) and the
verbs "added" to "quoting" were chosen on the dev splits (before the sealed wire copy left
labels/real: real dev 152 -> 171 of 211 correct;
written dev: 214 -> 211 of 247).

`measure_voice_rule` reports the rule's accuracy on labelled JSONL (records with `text`,
`frame`, `voice`), by default only on records with `"split": "test"`. The rule needs the
taxonomy to define the voices `attributed` and `authorial`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from framing.data.records import load_labelled
from framing.errors import FramingError
from framing.taxonomy import Taxonomy
from framing.text.cues import cue_spans

ATTRIBUTED, AUTHORIAL = "attributed", "authorial"

_QUOTED = re.compile(
    r"\"([^\"]+)\"|“([^”]+)”|«([^»]+)»|(?:^|(?<=\s))[‘']([^’']+(?:\s[^’']+){2,})[’'](?=\W|$)"
)
_ATTRIBUTION = re.compile(
    r"(?<!-)\b(according to|said|says|say|saying|told|tells|claimed|claims|claiming|"
    r"accused|accuses|"
    r"alleged|alleges|described|describes|calls|called|calling|labelled|labeled|branded|brands|"
    r"designated|designates|insisted|insists|stated|announced|quoted|dubbed|referred to|"
    r"blamed|blames|praised|praises|hailed|hails|condemned|denounced|warned|vowed|urged|"
    r"reported|reports|attributed|insist|accuse|describe|claim|"
    r"added|adds|adding|confirmed|confirms|stressed|stresses|stressing|noted|notes|noting|"
    r"explained|affirmed|asserted|indicated|revealed|pointed out|quoting)\b",
    re.IGNORECASE,
)


TRAILING_WORDS = 8  # an attribution cue this close to the sentence's end closes it
# Part of a scoring run's identity: a run resumed under another version of the rule would mix
# two rules in one `voice` column. 2: closing attributions count (step 4).
VOICE_RULE_VERSION = "2"


def _quotations(text: str) -> list[tuple[int, int]]:
    """Spans of quotations of 3+ words (shorter quoted spans are scare quotes)."""
    spans = []
    for m in _QUOTED.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        if len(inner.split()) >= 3:
            spans.append(m.span())
    return spans


def rule_voice(text: str, frame: str, taxonomy: Taxonomy) -> str | None:
    """`attributed` / `authorial` for a framed sentence, None for an unframed one."""
    if taxonomy.weights.get(frame) is None:
        return None
    quotes = _quotations(text)
    attribution = list(_ATTRIBUTION.finditer(text))
    cues = cue_spans(text, frame, taxonomy)
    if not cues:
        return ATTRIBUTED if quotes or attribution else AUTHORIAL
    closing = [m.start() for m in attribution
               if m.group(0).lower() == "according to"
               or len(text[m.start():].split()) <= TRAILING_WORDS]
    for start, end in cues:
        if any(qs <= start and end <= qe for qs, qe in quotes):
            return ATTRIBUTED
        if any(m.start() < start for m in attribution) or any(a > end for a in closing):
            return ATTRIBUTED
    return AUTHORIAL


def check_voices(taxonomy: Taxonomy) -> None:
    """Refuse a taxonomy whose voices the rule cannot produce."""
    missing = [v for v in (ATTRIBUTED, AUTHORIAL) if v not in taxonomy.voice_names]
    if missing:
        raise FramingError(
            f"taxonomy {taxonomy.name}: the voice rule needs voices {[ATTRIBUTED, AUTHORIAL]}, "
            f"the taxonomy lists {taxonomy.voice_names}; add the missing {missing}"
        )


@dataclass
class VoiceAccuracy:
    """How often the rule agrees with hand labels, on framed records with a voice label."""

    path: str
    split: str | None
    n: int
    correct: int
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)  # true -> predicted
    skipped_unframed: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else float("nan")

    def per_voice(self) -> dict[str, dict[str, float]]:
        """Precision and recall of each voice."""
        out = {}
        for v in self.confusion:
            tp = self.confusion.get(v, {}).get(v, 0)
            predicted = sum(row.get(v, 0) for row in self.confusion.values())
            actual = sum(self.confusion.get(v, {}).values())
            out[v] = {"precision": tp / predicted if predicted else float("nan"),
                      "recall": tp / actual if actual else float("nan"), "support": actual}
        return out

    def summary(self) -> str:
        where = f"{self.path}" + (f" (split={self.split})" if self.split else " (all records)")
        lines = [f"voice rule on {where}: {self.correct}/{self.n} correct, "
                 f"accuracy {self.accuracy:.3f}"]
        for v, s in self.per_voice().items():
            lines.append(f"  {v}: precision {s['precision']:.3f} recall {s['recall']:.3f} "
                         f"(support {s['support']})")
        return "\n".join(lines)


def measure_voice_rule(
    paths: list[Path], taxonomy: Taxonomy, split: str | None = "test"
) -> VoiceAccuracy:
    """The rule's accuracy on labelled JSONL files, on records of `split` (None = all).

    Records whose frame has no weight are skipped (no voice to predict); a bad record, or a
    framed record without a voice, is an error naming file and line.
    """
    check_voices(taxonomy)
    voices = sorted(taxonomy.voice_names)
    confusion: Counter[tuple[str, str]] = Counter()
    skipped = 0
    for record in load_labelled(paths, taxonomy):
        if split is not None and record.split != split:
            continue
        if taxonomy.weights[record.frame] is None:
            skipped += 1
            continue
        if record.voice is None:
            raise FramingError(f"{record.where}: field 'voice' is missing, expected one of "
                               f"{voices} for a framed sentence; fix the record")
        predicted = rule_voice(record.text, record.frame, taxonomy)
        assert predicted is not None
        confusion[(record.voice, predicted)] += 1
    matrix = {v: {p: confusion[(v, p)] for p in voices} for v in voices}
    n = sum(confusion.values())
    correct = sum(confusion[(v, v)] for v in voices)
    return VoiceAccuracy(", ".join(str(p) for p in paths), split, n, correct, matrix, skipped)
