"""`simulator`: Dropday's platform simulator served over real HTTP, plus its Simulator object.

Clients built with `simulator.client(key)` talk to it through real sockets, with short
timeouts so "slow answer" faults take a second, not fifteen.
"""

from dataclasses import dataclass, field

import pytest
from flask import Flask

from app.platforms.clients import CLIENTS
from app.simulator import defaults
from app.simulator.state import Simulator

TIMEOUT = 0.5  # the clients' read timeout in these tests
SLOW = 1.5  # how long a "slow" fault sleeps: beyond TIMEOUT


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
def simulator(test_config, request):
    test_config.update(PLATFORM_TIMEOUT=TIMEOUT, SIMULATOR_SLOW_SECONDS=SLOW)
    server = request.getfixturevalue("live_server")
    defaults.point_at(server.app.config, server.url + "/simulator")
    served = SimulatorServer(server.app, server.url, server.app.extensions["simulator"])
    yield served
    for client in served.built:
        client.close()
