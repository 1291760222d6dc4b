"""Comparison: outlet profiles with honest uncertainty, from a scoring run's sentence table.

Owns the comparison (`compare`), per-outlet feature arrays (`profiles`), article bootstrap,
permutation tests and p-value adjustment (`stats`), corrections for classifier error
(`correct`), filters (`inputs`) and the tables it writes (`tables`). Reads score files (through
`scoring.results`), never the model: may import the shared modules, `data`, `text` and
`scoring`.
"""
