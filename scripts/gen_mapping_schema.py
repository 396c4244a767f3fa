"""Write docs/mapping.schema.json from the mapping models; `--check` fails when it is stale."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wecom_contacts.sources import mapping_json_schema

TARGET = Path(__file__).resolve().parent.parent / "docs" / "mapping.schema.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when the file is stale")
    args = parser.parse_args()
    text = mapping_json_schema()
    if args.check:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is stale: run python scripts/gen_mapping_schema.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
