"""Insights: counting fans' visits, signups and clicks without identifying anyone.

classify.py tells a person from a bot and names the source, country and device of a request;
attribution.py carries a visit's channel, source and UTM through to its signup; visitors.py
keeps the daily salt; counting.py adds events to the rollups; report.py, charts.py and
channels.py serve the dashboard.
"""
