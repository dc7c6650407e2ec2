"""The scenario fixture: the program's workspace after the start-up sweep (see `scenario_world`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from scenario_world import World, start_world, stop_world


@pytest.fixture
async def world(tmp_path) -> AsyncIterator[World]:
    """The program's workspace after the start-up sweep, with nothing wrong in it."""
    world, runner = await start_world(tmp_path)
    try:
        yield world
    finally:
        await stop_world(world, runner)


@pytest.fixture
async def started(tmp_path, request):
    """A world whose workspace the test prepares before the start-up sweep."""
    worlds = []

    async def start(prog=None, prepare=None, **settings):
        world, runner = await start_world(tmp_path, prog, sweep=False, **settings)
        worlds.append((world, runner))
        if prepare:
            prepare(world.slack)
        await world.app.sweep()
        await world.settle()
        return world

    yield start
    for world, runner in worlds:
        await stop_world(world, runner)
