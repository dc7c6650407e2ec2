"""The benchmark command keeps working (a small run; its numbers are not checked here: speed is
measured by the benchmarks themselves, never by tests on a shared machine)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_command_runs_and_prints_its_table():
    small = ["--events", "60", "--rounds", "1", "--incidents", "3", "--users", "120", "--channels", "12"]
    small += ["--export-channels", "2", "--calls", "5", "--call-minutes", "2"]
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", *small], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    table = result.stdout
    measures = ("throughput", "violation -> alert", "Web API calls for benign messages", "sweep calls", "export")
    for measure in (*measures, "call joined -> alert, beyond the grace", "Web API calls a live call costs per minute"):
        assert measure in table
    [call_latency] = [line for line in table.splitlines() if "call joined -> alert" in line]
    assert "(5 DM calls, grace 1 s)" in call_latency  # every call was alerted
    [call_costs] = [line for line in table.splitlines() if "a live call costs per minute" in line]
    assert "; DM 0.0 (2 min" in call_costs  # a DM huddle that breaks no rule costs no Web API call
    [hot_path] = [line for line in table.splitlines() if "Web API calls for benign messages" in line]
    assert hot_path.split("|")[2].strip() == "0"  # the hot path makes no Web API call
