"""Write docs/case-file.schema.json, the JSON Schema of the case-file format.

`--check` exits 1 when the committed file differs from what the models generate.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from loaders.case_model import CaseFile

TARGET = Path(__file__).resolve().parents[1] / "docs" / "case-file.schema.json"


def render() -> str:
    schema = CaseFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://w3id.org/casegraph/case-file.schema.json"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is stale: run `uv run python scripts/gen_case_schema.py`")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
