"""`safe-contact rules`: the rule catalogue. Needs no database and no Slack."""

from __future__ import annotations

import json
import shutil
import textwrap

from bot.rules import CATALOGUE
from cli.output import EXIT_OK


def print_rules(output_format: str) -> int:
    """The catalogue as a readable table, or as JSON for other tools."""
    if output_format == "json":
        rows = [
            {"symbol": r.symbol, "severity": r.severity.label, "summary": r.summary, "clause": r.clause}
            for r in CATALOGUE
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max(80, min(shutil.get_terminal_size((100, 20)).columns, 120))
    symbol_width = max(len(r.symbol) for r in CATALOGUE) + 2
    indent = " " * (symbol_width + 10)
    print(f"{'SYMBOL':<{symbol_width}}{'SEVERITY':<10}SUMMARY / POLICY CLAUSE")
    for rule in CATALOGUE:
        print(f"{rule.symbol:<{symbol_width}}{rule.severity.label:<10}{rule.summary}")
        print(textwrap.fill(f"policy: {rule.clause}", width, initial_indent=indent, subsequent_indent=indent))
    print(f"\n{len(CATALOGUE)} rules.")
    return EXIT_OK
