"""`simulator`: Dropday's platform simulator served over real HTTP, plus its Simulator object.

Clients built with `simulator.client(key)` talk to it through real sockets, with short
timeouts so "slow answer" faults take a second, not fifteen.
"""

from dataclasses import dataclass, field

import pytest
from flask import Flask

from app.platforms.clients import CLIENTS
from app.simulator.state import Simulator
from tests.conftest import empty_tables, flush_redis


@dataclass
class SimulatorServer:
    app: Flask
    root: str  # http://127.0.0.1:PORT
    sim: Simulator

    @property
    def url(self) -> str:
        return self.root + "/simulator"

    built: list = field(default_factory=list)

    def client(self, key: str, **config):
        """A fresh client for `key`, configured like the app, with `config` overriding;
        closed after the test, so no pooled connection outlives it."""
        client = CLIENTS[key].from_config({**self.app.config, **config})
        self.built.append(client)
        return client


@pytest.fixture
def simulator(simulator_server, redis_url):
    """The session's simulator, as new: its state reset, and after the test the app's
    settings restored, its platform clients dropped and whatever it committed wiped."""
    app = simulator_server.app
    sim = app.extensions["simulator"]
    sim.reset()
    settings = dict(app.config)
    served = SimulatorServer(app, simulator_server.url, sim)
    yield served
    for client in served.built:
        client.close()
    app.config.clear()
    app.config.update(settings)
    app.extensions.pop("platform_clients", None)
    empty_tables(app)
    flush_redis(redis_url)
