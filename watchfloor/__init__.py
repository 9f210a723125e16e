"""Watchfloor core: configuration, warehouse access, simulator, metrics, auth and CLI.

Nothing in this package imports Streamlit, so every piece can be tested and
benchmarked without a browser or a running app.
"""

__version__ = "0.1.0"
