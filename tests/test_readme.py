"""The README tells a newcomer the truth: two set-up commands first, and the whole rule catalogue."""

from pathlib import Path

from bot.rules import CATALOGUE

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
CI = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()


def test_the_first_lines_give_the_run_and_test_commands():
    lines = [line for line in README.splitlines()[:5] if line.strip()]
    assert lines[1].startswith("Run it: `") and lines[2].startswith("Test it: `")


def test_ci_runs_the_readmes_test_command_word_for_word():
    test_line = next(line for line in README.splitlines() if line.startswith("Test it: `"))
    command = test_line.removeprefix("Test it: `").removesuffix("`")
    assert command in CI


def test_every_rule_is_in_the_readme():
    missing = [r.symbol for r in CATALOGUE if f"`{r.symbol}`" not in README]
    assert missing == []
