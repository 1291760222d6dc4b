"""`python -m framing` runs the command line."""

from framing.cli import app

app(prog_name="framing")
