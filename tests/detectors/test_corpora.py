"""The detectors on their corpora of realistic program messages (`tests/detectors/corpora/`): at
least 0.95 precision and recall each, corpora large enough and sorted by category, and the quality
script's table (`python -m benchmarks.detector_quality`) printed from the same numbers."""

import json

import pytest

from benchmarks.detector_quality import DETECTORS, load, main, score

#: How many cases each corpus holds at least (true and false together).
SIZES = {"contact details": 150, "hazardous activity": 120, "recordings": 60}
TARGET = 0.95


@pytest.mark.parametrize("detector", DETECTORS)
def test_each_detector_reaches_the_target_on_its_corpus(detector):
    total, _ = score(load(detector))
    wrong = [
        f"{'missed' if c.fires else 'false alarm'} ({c.category}, line {c.line}): {c.text[:80]!r}" for c in total.misses
    ]
    assert total.precision >= TARGET and total.recall >= TARGET, "\n".join(wrong)


@pytest.mark.parametrize("detector", DETECTORS)
def test_each_corpus_is_large_and_has_both_kinds_of_case_in_each_category(detector):
    cases = load(detector)
    assert len(cases) >= SIZES[detector]
    fires = [c for c in cases if c.fires]
    assert fires and len(fires) < len(cases), "true and false cases both"
    assert len({c.category for c in cases}) >= 5


def test_a_malformed_case_names_its_file_and_line(tmp_path):
    for pattern, _ in DETECTORS.values():
        (tmp_path / pattern.replace("*", "")).write_text(
            json.dumps({"category": "x", "text": "hi", "fires": False}) + "\n{bad\n"
        )
    with pytest.raises(ValueError, match=r"contact.jsonl:2: not a corpus case"):
        load("contact details", tmp_path)


def test_the_script_prints_a_row_per_detector(capsys):
    assert main(["--totals"]) == 0
    printed = capsys.readouterr().out
    for detector in DETECTORS:
        assert f"| {detector} | all |" in printed


def test_the_detector_quality_page_is_the_scripts_output():
    from pathlib import Path

    from benchmarks.detector_quality import table

    page = (Path(__file__).resolve().parents[2] / "docs" / "detector-quality.md").read_text()
    assert table() in page, "regenerate docs/detector-quality.md with python -m benchmarks.detector_quality"
