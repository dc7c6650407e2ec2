"""The benchmark command keeps working (a small run; its numbers are not checked here: speed is
measured by the benchmarks themselves, never by tests on a shared machine)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_command_runs_and_prints_its_table():
    small = ["--events", "60", "--rounds", "1", "--incidents", "3", "--users", "120", "--channels", "12"]
    small += ["--export-channels", "2"]
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", *small], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    table = result.stdout
    for measure in ("throughput", "violation -> alert", "Web API calls for benign messages", "sweep calls", "export"):
        assert measure in table
    [hot_path] = [line for line in table.splitlines() if "Web API calls for benign messages" in line]
    assert hot_path.split("|")[2].strip() == "0"  # the hot path makes no Web API call
