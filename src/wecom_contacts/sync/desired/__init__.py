"""Stage 1, the desired state: YAML / JSON / CSV files parsed into a DesiredDirectory.

`sources` reads the files (with file / line / field in every error), `schema` checks the
document, `csvfiles` and `jsonpos` are the CSV and JSON-position helpers, `model` holds the
Desired* records, and `document` writes a live directory back out as a desired document.
"""
