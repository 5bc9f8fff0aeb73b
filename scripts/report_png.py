"""Render the analytics report of demo-like data to docs/report.png (the README shows it).

    .venv/bin/python scripts/report_png.py [--out docs/report.png] [--html /tmp/report.html]

Seeds a week of synthetic lifecycles (the counters the event path would write; see benchmarks/report_scale.py)
into in-process moto, builds the report, writes its HTML and screenshots it with headless Chromium
(Debian: `apt-get install chromium`).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
import tests.conftest  # noqa: E402,F401 - the in-process environment

from moto import mock_aws  # noqa: E402

from benchmarks.report_scale import PERIOD_DAYS, PERIOD_START, seed  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO_ROOT / "docs" / "report.png"))
    parser.add_argument("--html", default="/tmp/interviews-report.html")
    parser.add_argument("--cancellations", type=int, default=240)
    args = parser.parse_args()
    from functions.analytics import nightly
    from local_runtime import resources

    with mock_aws():
        resources.create(prefix="test")
        days = [PERIOD_START + timedelta(days=i) for i in range(PERIOD_DAYS)]
        seed(random.Random(3), days, args.cancellations)
        _, files = nightly.produce(days[0], days[-1])
    Path(args.html).write_text(files["html"], encoding="utf-8")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print(f"HTML written to {args.html}; no chromium to screenshot it (apt-get install chromium)")
        return 1
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={args.out}", "--window-size=1100,3300", f"file://{args.html}"],
                   check=True, capture_output=True, timeout=120)
    print(f"{args.out} from {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
