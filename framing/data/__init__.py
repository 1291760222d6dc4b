"""Labelled data: the one reader and validator of labelled-sentence JSONL, and dataset checks.

Owns the record format of `labels/*.jsonl` and `labels/real/*.jsonl` (`records`), the sealed
articles no label may come from (`sealed`) and the whole-dataset checks of `framing data check`
(`check`). Imports only the shared modules
(`framing.errors`, `framing.taxonomy`, `framing.provenance`); training, labelling and comparison
read labelled files through it.
"""
