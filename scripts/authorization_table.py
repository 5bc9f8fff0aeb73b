"""Write docs/authorization.md from the table in tests/e2e/test_authorization_matrix.py (`--check`: only compare).

    .venv/bin/python scripts/authorization_table.py          # rewrite the document
    .venv/bin/python scripts/authorization_table.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.test_authorization_matrix import DOC, render_markdown  # noqa: E402


def main(argv: list[str]) -> int:
    text = render_markdown()
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
