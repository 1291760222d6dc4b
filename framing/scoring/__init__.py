"""Scoring: articles in, one row per sentence / document / outlet out, resumable.

Owns reading the inputs (`sources`: files, folders, gzip, zip; `decoding`: bytes -> text;
`readers` and `json_records`: one reader per format; `accounting`: where every record ends up),
records -> documents (`ingest`), the options (`options`), the output folder (`folder`), chunked
scoring (`chunks`), parts and the final merge (`outputs`), the run itself (`score`), its summary
(`summary`), reading a finished run back (`results`), and the Ray engine that spreads the chunks
over a cluster (`engine_ray` on the driver, `ray_actor` on the workers, `ray_runtime` to
connect). May import the shared modules, `text` and `inference`.
"""
