"""`safe-contact serve` as its own process against the fake Slack, with what it logged kept in a file
and, when asked, a file-descriptor limit of its own: for the scenarios of the HTTP edge, which are
about the process (its listening socket, its connections, its log lines), not the app inside it."""

from __future__ import annotations

import asyncio
import resource
import sys
from pathlib import Path

import pytest
from builders import program
from scenario_world import BOT_USER, SIGNING_SECRET, TEAM, free_port, populate, serve_environment, until_healthy

import storage
from fakeslack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]


def prepared_database(slack: FakeSlack, tmp_path: Path) -> Path:
    """The program's workspace in the fake, and a migrated SQLite database holding the program."""
    prog = program()
    populate(slack, prog)
    database = tmp_path / "served.db"
    engine = storage.create_engine_from_url(f"sqlite:///{database}")
    storage.migrate(engine)
    with storage.session_scope(engine) as session:
        storage.save_program(prog, session=session)
    engine.dispose()
    return database


class ServedApp:
    """The app in its own process on a free port (`HOST` 127.0.0.1 unless `env` says otherwise);
    `open_files` limits its file descriptors; what it logs goes to `log_path`."""

    def __init__(self, slack: FakeSlack, database: Path, *, env: dict[str, str] | None = None, open_files: int = 0):
        self.slack, self.database, self.port = slack, database, free_port()
        self.env, self.open_files = env or {}, open_files
        self.log_path = database.parent / "served.log"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _limit_open_files(self) -> None:  # runs in the child, before the app starts
        if self.open_files:
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))

    async def start(self) -> None:
        env = serve_environment(
            self.slack, self.database, self.port, **{"HOST": "127.0.0.1", "LOG_LEVEL": "INFO", **self.env}
        )
        with open(self.log_path, "ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, str(ROOT / "app.py"), "serve", env=env, cwd=self.database.parent,
                stdout=log, stderr=log, preexec_fn=self._limit_open_files,
            )  # fmt: skip
        self.slack.events_url = f"{self.base_url}/slack/events"
        if not await until_healthy(self.base_url, self.process):
            raise AssertionError(f"the app did not start:\n{self.logged()[-3000:]}")

    def logged(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), timeout=15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@pytest.fixture
async def served(tmp_path):
    """The fake Slack, and `serve(**options)` to start `ServedApp`s on one prepared database (its
    path is `serve.database`); all are stopped at the end."""
    processes: list[ServedApp] = []
    async with FakeSlack(signing_secret=SIGNING_SECRET, team_id=TEAM, bot_user_id=BOT_USER) as slack:
        database = prepared_database(slack, tmp_path)

        async def serve(**options) -> ServedApp:
            app = ServedApp(slack, database, **options)
            processes.append(app)
            await app.start()
            return app

        serve.database = database  # type: ignore[attr-defined]
        try:
            yield slack, serve
        finally:
            for app in processes:
                await app.stop()
