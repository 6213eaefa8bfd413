"""Local runs only: the demo artist and campaigns (seed.py), the release-day rehearsal
(rehearsal.py) and the `flask dev` supervisor that starts every part of Dropday (supervisor.py)."""
