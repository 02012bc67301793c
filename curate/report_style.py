"""The CSS every self-contained HTML report of curate starts from (the audit report, the
validation report): inline in each page, so a report opens offline, where sensitive data
lives, with no stylesheet to fetch. Each report adds its own rules after these."""

BASE_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5em 2em; max-width: 1200px; color: #222; }
h1 { margin: 0 0 0.2em; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: start; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
"""
