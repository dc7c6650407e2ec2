"""`python -m storage COMMAND ...`: Alembic's command line on the project's migrations and `DATABASE_URL`
(e.g. `upgrade head`, `current`, `check`, `revision --autogenerate -m "add a column"`)."""

import sys

from storage.migrate import main

main(sys.argv[1:])
