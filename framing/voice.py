"""Voice by rule, until the model predicts it: is the framing attributed or the outlet's own?

The rule (documented in the README): a framed sentence is `attributed` when it contains a
direct quotation (straight or curly double quotes, or a quoted span of 3+ words in single
quotes), or an attribution cue: "according to", a reporting verb next to a source ("said",
"says", "told", "claimed", "accused", "described ... as", "called ... "), "designated", "what
X calls". Otherwise `authorial`. Unframed sentences (frame without a weight) get no voice.
"""

from __future__ import annotations

import re

from framing.taxonomy import Taxonomy

_QUOTE = re.compile(r"[\"“”«»]|(?:^|\s)[‘'](?:\S+\s+){2,}\S*[’'](?:\s|[.,;:]|$)")
_ATTRIBUTION = re.compile(
    r"\b(according to|said|says|say|told|tells|claimed|claims|accused|accuses|alleged|"
    r"described|describes|calls|called|labelled|labeled|branded|brands|designated|"
    r"designates|insisted|insists|stated|announced|quoted|dubbed|referred to)\b",
    re.IGNORECASE,
)


def rule_voice(text: str, frame: str, taxonomy: Taxonomy) -> str | None:
    """`attributed` / `authorial` for a framed sentence, None for an unframed one."""
    if taxonomy.weights.get(frame) is None:
        return None
    if _QUOTE.search(text) or _ATTRIBUTION.search(text):
        return "attributed"
    return "authorial"
