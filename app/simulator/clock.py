"""The simulator's clock for Dropday's other processes (see app/clock.py): the worker asks
here what time it is in the simulated world. Not a simulated platform API, so not logged."""

from flask import jsonify

from app.simulator.blueprint import bp, current_simulator


@bp.get("/clock/now")
def clock_now():
    sim = current_simulator()
    with sim.lock:
        return jsonify(now=sim.now().isoformat(), frozen=sim.frozen)
