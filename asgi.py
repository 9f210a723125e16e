"""The dashboard's web server (what `watchfloor serve` runs): Streamlit serving Home.py, with the
session-cookie route and the guard of components/web.py; while it runs, each interval's data is
fetched ahead of the pages (queries/prefetch.py) and today's demand forecast is prepared in the
background (queries/daily_forecast.py)."""

from contextlib import asynccontextmanager

import pandas  # noqa: F401  imported once here: plotly imports it lazily, and two sessions doing that

#                 at the same moment have been seen to find it half initialised
import streamlit as st
from starlette.middleware import Middleware
from starlette.routing import Route

from components import web
from queries import daily_forecast, demand_forecasts, prefetch


@asynccontextmanager
async def lifespan(_app):
    # The Capacity page's forecast is fitted when the server starts and after each midnight UTC,
    # never while a user waits for the page.
    preparer = daily_forecast.DailyForecast().start()
    # Each refresh interval's data is fetched ahead of the pages that were open in the last ones.
    refresher = prefetch.Refresher().start()
    try:
        yield
    finally:
        # Their threads may be waiting for a query or a fit: they are daemons, not waited for long.
        refresher.stop(timeout=1.0)
        preparer.stop(timeout=1.0)
        demand_forecasts.stop_fitter()


app = st.App(
    "Home.py",
    routes=[Route(web.SESSION_PATH, web.session_cookie, methods=["POST"])],
    middleware=[Middleware(web.Guard)],
    lifespan=lifespan,
)
