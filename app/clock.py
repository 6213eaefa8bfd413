"""The one source of "now" for every scheduling decision.

Everything that decides *when* (release checks thinning out, leases, backoff, alerts, the
moment a signup happened) asks `clock.now()`, never `datetime.now()`. In production that is
the system clock. An app may install another source in `app.extensions["dropday.clock"]`.

In simulator mode the platform simulator's clock drives Dropday's, so tests and the
simulator console move the whole schedule by hours instead of waiting. The simulator's state
lives in the memory of the process that serves it (the web process), so:
- that process reads the simulator object directly (`follow_simulator`);
- any other process (the worker) asks the simulator over HTTP for its clock
  (`SimulatorClock`, GET <SIMULATOR_URL>/clock/now) and keeps the answer for a second. Not
  Redis or a file: the simulator is the one owner of its time, and emptying Redis must not
  move it. If the simulator cannot be asked, `now()` raises rather than silently falling
  back to the system clock, which would fire hours of schedule at once.
"""

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import requests
from flask import current_app, has_app_context

EXTENSION = "dropday.clock"


class ClockUnavailable(RuntimeError):
    """The simulator that drives the clock cannot be asked (not started yet, or gone)."""


def now() -> datetime:
    """The current moment, aware and in UTC."""
    source: Callable[[], datetime] | None = None
    if has_app_context():
        source = current_app.extensions.get(EXTENSION)
    return source().astimezone(UTC) if source else datetime.now(UTC)


def install(app, source: Callable[[], datetime] | None) -> None:
    """Let `source` (a callable returning an aware datetime) drive `now()` for `app`."""
    if source is None:
        app.extensions.pop(EXTENSION, None)
    else:
        app.extensions[EXTENSION] = source


def job_starting(app) -> None:
    """Called before each job: a job must not start from a clock reading older than itself."""
    forget = getattr(app.extensions.get(EXTENSION), "forget", None)
    if forget:
        forget()


def follow_simulator(app) -> None:
    """Simulator mode: Dropday's clock is the simulator's.

    The web process serves the simulator and reads it in memory; a process whose simulator
    is elsewhere (worker.py sets SIMULATOR_CLOCK="remote") asks it over HTTP.
    """
    if app.config.get("SIMULATOR_CLOCK") == "remote":
        install(app, SimulatorClock(app))
    else:
        install(app, app.extensions["simulator"].now)


class SimulatorClock:
    """The simulator's clock, read over HTTP and cached for `ttl` seconds.

    The simulator answers its current moment and whether it is frozen; between reads a
    running clock is extrapolated from the local monotonic clock.
    """

    def __init__(self, app, ttl: float = 1.0):
        self.app = app
        self.ttl = ttl
        self._lock = threading.Lock()
        self._session = requests.Session()
        self._read: tuple[float, datetime, bool] | None = None  # (monotonic, moment, frozen)

    def forget(self) -> None:
        """Read the simulator afresh next time (a job starts: the clock may have moved)."""
        with self._lock:
            self._read = None

    def _url(self) -> str:
        config = self.app.config
        base = config.get("SIMULATOR_URL") or config["PUBLIC_URL"] + "/simulator"
        return base.rstrip("/") + "/clock/now"

    def __call__(self) -> datetime:
        with self._lock:
            mono = time.monotonic()
            if self._read is None or mono - self._read[0] > self.ttl:
                try:
                    response = self._session.get(self._url(), timeout=(2, 5))
                    response.raise_for_status()
                    body = response.json()
                except (requests.RequestException, ValueError) as error:
                    if self._read is None or mono - self._read[0] > 60:
                        raise ClockUnavailable(
                            f"The simulator's clock cannot be read at {self._url()}: {error}"
                        ) from error
                else:
                    moment = datetime.fromisoformat(body["now"])
                    self._read = (mono, moment, bool(body["frozen"]))
            read_at, moment, frozen = self._read
            return moment if frozen else moment + timedelta(seconds=mono - read_at)
