"""Benchmarks: accuracy, speed, labelled data, independence tests; each writes report.md and results.json."""
from __future__ import annotations

import json
from pathlib import Path


def write_report(out_dir, report: str, results: dict) -> None:
    """Write a benchmark's Markdown report and its results (JSON) into ``out_dir`` (created)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(report + "\n")
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
