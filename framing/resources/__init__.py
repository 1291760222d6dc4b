"""Files framing ships inside the package, so an installed wheel works outside the checkout.

`labels/taxonomy.yaml` and `labels/actors.yaml` in the repository are links to these files: one
copy of each, wherever it is read from.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
TAXONOMY = HERE / "taxonomy.yaml"
ACTORS = HERE / "actors.yaml"
EXAMPLES = HERE / "examples" / "articles.jsonl"
