"""The one exception type for mistakes the user can fix (bad config, data, paths).

The CLI prints its message to stderr and exits 2; anything else is a bug and keeps its traceback.
"""


class FramingError(Exception):
    """A problem in the user's input, with a message that names where it is and how to fix it."""


def explain_validation(exc: object) -> str:
    """One indented line per pydantic error: `field.path: message (found: value)`."""
    lines = []
    for err in exc.errors():  # type: ignore[attr-defined]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        found = err.get("input")
        shown = "" if isinstance(found, dict) else f" (found: {found!r})"
        lines.append(f"  {where}: {err['msg']}{shown}")
    return "\n".join(lines)
