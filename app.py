"""Safe Contact's entry point. `python app.py COMMAND` and the console script `safe-contact COMMAND`
(`app:main`) are the same; the parser, the dispatch and one module per command are in cli/."""

import sys

from cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
