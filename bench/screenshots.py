"""Refresh the screenshots in docs/screenshots/: python bench/screenshots.py [--presenter-only]

Runs the real-browser tests (tests/app/test_browser.py and tests/app/test_lesson.py: `streamlit run app.py` on the
shipped models and the corpora in data/, driven by /usr/bin/chromium through Playwright) with their screenshots sent
to a temporary folder, and copies the page screenshots (N_page.png), the feature screenshots (explain_*.png: units
ranking, search, saliency, before/after, confusion click) and every page in presenter mode at 1280x720
(N_page_presenter.png, from test_lesson.py's overlap and clipping check) into docs/screenshots/ only when the tests
passed. --presenter-only runs and copies the presenter screenshots alone. The test runs alone never touch docs/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS_SHOTS = ROOT / "docs" / "screenshots"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presenter-only", action="store_true", help="run test_lesson.py's presenter check alone, copy its shots")
    args = ap.parse_args()
    if not Path("/usr/bin/chromium").exists():
        print("error: /usr/bin/chromium is missing (apt-get install chromium fonts-noto-color-emoji)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="seqcore-shots-") as tmp:
        env = {**os.environ, "SEQCORE_SCREENSHOTS_DIR": tmp}
        tests = ["tests/app/test_lesson.py::test_presenter_mode_on_a_projector"]
        if not args.presenter_only:
            tests = ["tests/app/test_browser.py", "tests/app/test_lesson.py"]
        test = [sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider"]
        if subprocess.run(test, cwd=ROOT, env=env).returncode != 0:
            print("error: the browser test failed; docs/screenshots/ was left as it was", file=sys.stderr)
            return 1
        shots = sorted(Path(tmp).glob("[0-9]*_*.png")) + sorted(Path(tmp).glob("explain_*.png"))
        shots += sorted(Path(tmp, "presenter").glob("[0-9]*_presenter.png"))  # last: the 1280x720 ones win a name clash
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, DOCS_SHOTS / shot.name)
            print(f"{DOCS_SHOTS.relative_to(ROOT) / shot.name}: {shot.stat().st_size / 1024:.0f} KB")
    print(f"refreshed {len(shots)} screenshots in {DOCS_SHOTS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
