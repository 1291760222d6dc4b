"""Text: what framing reads in a sentence, with no model involved.

Owns sentence splitting (`segment`), the taxonomy's cue words as one matcher (`cues`: the
keyword baseline, the voice rule and the report's highlighting all use it), the voice rule
(`voice`) and the actor gazetteer (`actors`). May import only the shared modules and `data`.
"""
