"""Runs an RQ worker (with its scheduler) for Dropday's queues: `python worker.py`.

SIGTERM (what a PaaS sends on deploy) stops it warmly: the current job finishes, then it exits.
Anything a killed worker leaves unfinished is found again in the database by the next tick.
"""

import logging

from app import create_app
from app.jobs import make_worker


def main() -> None:
    app = create_app()
    logging.basicConfig(level=logging.INFO)
    make_worker(app).work(with_scheduler=True)


if __name__ == "__main__":
    main()
