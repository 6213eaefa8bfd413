"""Streaming platforms: the seed's matrix as data (registry.py), the interface (base.py), one
client per platform and the table of them (clients.py). Importing the package loads none of
the clients: ask for `app.platforms.clients` where a client is needed.
"""
