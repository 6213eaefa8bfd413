"""Streaming platforms: the seed's matrix (registry) and one client per platform."""
