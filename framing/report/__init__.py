"""Report: a comparison as one self-contained HTML page (`html`, with inline SVG from
`charts`) and PNG figures for papers (`figures`). Every piece of article text is escaped.
May import the shared modules, `text` and `comparison`.
"""
