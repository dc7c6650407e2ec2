"""Precision and recall of the content detectors on their corpora, per detector and per category:
`python -m benchmarks.detector_quality` prints the table the README shows.

A corpus is one or more JSON Lines files in `tests/detectors/corpora/` (per detector: `contact*.jsonl`,
`hazard*.jsonl`, `recording*.jsonl`). Each line is one realistic program message:
`{"category": "phone/unicode", "text": "...", "fires": true}`, with, for recordings, `"files"` (a list of
`{"name", "mimetype", "filetype", "subtype"}`) and, where a case needs them, `"domains"` (institution
domains), `"allowed"` (allowed contacts) and `"regions"` (phone regions). A case "fires" when the
detector finds anything in it. The categories are what the detectors are built for, not examples."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.detectors import find_contact_details, find_hazardous_activity, find_recordings
from bot.model import SharedFile

CORPORA = Path(__file__).resolve().parent.parent / "tests" / "detectors" / "corpora"
#: The program a case is judged for unless it says otherwise: the example program's.
DEFAULT_DOMAINS = ("mit.edu",)
DEFAULT_ALLOWED = ("+16172531000", "youth-programs@mit.edu", "environment@mit.edu")
DEFAULT_REGIONS = ("US",)


@dataclass(frozen=True, slots=True)
class Case:
    detector: str
    category: str
    text: str
    fires: bool
    files: tuple[SharedFile, ...] = ()
    domains: tuple[str, ...] = DEFAULT_DOMAINS
    allowed: tuple[str, ...] = DEFAULT_ALLOWED
    regions: tuple[str, ...] = DEFAULT_REGIONS
    line: int = 0


def _contact(case: Case) -> bool:
    return bool(find_contact_details(case.text, case.domains, allowed=case.allowed, regions=case.regions))


def _hazard(case: Case) -> bool:
    return bool(find_hazardous_activity(case.text))


def _recording(case: Case) -> bool:
    return bool(find_recordings(case.text, case.files))


#: Each detector: the names of its corpus files and how a case is judged.
DETECTORS: dict[str, tuple[str, Callable[[Case], bool]]] = {
    "contact details": ("contact*.jsonl", _contact),
    "hazardous activity": ("hazard*.jsonl", _hazard),
    "recordings": ("recording*.jsonl", _recording),
}


def load(detector: str, directory: Path = CORPORA) -> list[Case]:
    """A detector's corpus, from every file of its; a malformed line raises ValueError naming the
    file and line."""
    pattern, _ = DETECTORS[detector]
    cases: list[Case] = []
    for path in sorted(directory.glob(pattern)):
        cases.extend(_read(detector, path))
    return cases


def _read(detector: str, path: Path) -> list[Case]:
    cases = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
            cases.append(
                Case(
                    detector=detector,
                    category=str(entry["category"]),
                    text=str(entry.get("text", "")),
                    fires=bool(entry["fires"]),
                    files=tuple(SharedFile(**f) for f in entry.get("files", ())),
                    domains=tuple(entry.get("domains", DEFAULT_DOMAINS)),
                    allowed=tuple(entry.get("allowed", DEFAULT_ALLOWED)),
                    regions=tuple(entry.get("regions", DEFAULT_REGIONS)),
                    line=number,
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a corpus case ({error})") from None
    return cases


@dataclass
class Score:
    """Counts of one detector (or one of its categories) over cases."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    misses: list[Case] = field(default_factory=list)

    def add(self, case: Case, found: bool) -> None:
        if found and case.fires:
            self.true_positives += 1
        elif found:
            self.false_positives += 1
            self.misses.append(case)
        elif case.fires:
            self.false_negatives += 1
            self.misses.append(case)
        else:
            self.true_negatives += 1

    @property
    def cases(self) -> int:
        return self.true_positives + self.false_positives + self.false_negatives + self.true_negatives

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0


def score(cases: Iterable[Case]) -> tuple[Score, dict[str, Score]]:
    """The detector's score over `cases`, and each category's."""
    total, by_category = Score(), dict[str, Score]()
    for case in cases:
        _, judge = DETECTORS[case.detector]
        found = judge(case)
        total.add(case, found)
        by_category.setdefault(case.category, Score()).add(case, found)
    return total, by_category


def table(directory: Path = CORPORA, *, categories: bool = True) -> str:
    """The Markdown table of every detector (and, with `categories`, each of its categories)."""
    lines = ["| detector | category | cases | precision | recall |", "|---|---|---|---|---|"]
    for detector in DETECTORS:
        total, by_category = score(load(detector, directory))
        lines.append(f"| {detector} | all | {total.cases} | {total.precision:.2f} | {total.recall:.2f} |")
        if categories:
            for category, counts in sorted(by_category.items()):
                lines.append(f"| | {category} | {counts.cases} | {counts.precision:.2f} | {counts.recall:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=CORPORA, help="the folder of corpus files")
    parser.add_argument("--totals", action="store_true", help="one row per detector, no categories")
    parser.add_argument("--misses", action="store_true", help="also list every case judged wrongly")
    args = parser.parse_args(argv)
    print(table(args.corpora, categories=not args.totals))
    if args.misses:
        for detector in DETECTORS:
            total, _ = score(load(detector, args.corpora))
            for case in total.misses:
                said = "missed" if case.fires else "false alarm"
                print(f"{detector}: {said} ({case.category}, line {case.line}): {case.text[:100]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
