"""Refresh the screenshots in docs/screenshots/: python bench/screenshots.py

Runs the real-browser test (tests/app/test_browser.py: `streamlit run app.py` on the shipped models
and the corpora in data/, driven by /usr/bin/chromium through Playwright) with its screenshots sent to
a temporary folder, and copies the page screenshots (N_page.png) and the feature screenshots
(explain_*.png: units ranking, search, saliency, before/after, confusion click) into docs/screenshots/
only when the test passed. The test run alone never touches docs/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS_SHOTS = ROOT / "docs" / "screenshots"


def main() -> int:
    if not Path("/usr/bin/chromium").exists():
        print("error: /usr/bin/chromium is missing (apt-get install chromium fonts-noto-color-emoji)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="seqcore-shots-") as tmp:
        env = {**os.environ, "SEQCORE_SCREENSHOTS_DIR": tmp}
        test = [sys.executable, "-m", "pytest", "tests/app/test_browser.py", "-q", "-p", "no:cacheprovider"]
        if subprocess.run(test, cwd=ROOT, env=env).returncode != 0:
            print("error: the browser test failed; docs/screenshots/ was left as it was", file=sys.stderr)
            return 1
        shots = sorted(Path(tmp).glob("[0-9]*_*.png")) + sorted(Path(tmp).glob("explain_*.png"))
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, DOCS_SHOTS / shot.name)
            print(f"{DOCS_SHOTS.relative_to(ROOT) / shot.name}: {shot.stat().st_size / 1024:.0f} KB")
    print(f"refreshed {len(shots)} screenshots in {DOCS_SHOTS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
