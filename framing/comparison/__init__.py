"""Comparison: outlet profiles with honest uncertainty, from a scoring run's sentence table.

Owns the comparison (`compare`), per-outlet feature arrays (`profiles`), article bootstrap,
permutation tests and p-value adjustment (`stats`), filters (`inputs`), corrections for
classifier error (`correct`: ACC/PACC from confusion matrices; `quantify`: EMQ and KDEy;
`heldout`: the model's held-out rows they are fitted on; `corrected`: fitting and bootstrap),
a labelled random sample (`gold`) and the shares it gives (`ppi`: prediction-powered inference
clustered by article; `labelled`: the per-outlet table and flags; `plan`: sample sizes), the
side-by-side tables (`shares`) and the files it writes (`tables`). Reads score files (through
`scoring.results`) and a model folder's metrics.json / heldout.parquet, never the model itself:
may import the shared modules, `data`, `text` and `scoring`.
"""
