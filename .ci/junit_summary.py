"""Sum the JUnit reports of the nox `tests` sessions into one closing line.

Usage: python .ci/junit_summary.py REPORT_DIR
Prints one line per report and then `N passed, N failed, N skipped`; exits 1 when a report
counts failures or errors, or when there is no report or no test at all.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def counts(report: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) of one pytest JUnit XML report (errors count as failed)."""
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def main(argv: list[str]) -> int:
    reports = sorted(Path(argv[1]).glob("*.xml")) if len(argv) == 2 else []
    passed = failed = skipped = 0
    for report in reports:
        p, f, s = counts(report)
        print(f"  {report.stem}: {p} passed, {f} failed, {s} skipped")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if reports and passed and not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
