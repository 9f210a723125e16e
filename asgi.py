"""The dashboard's web server (what `watchfloor serve` runs): Streamlit serving Home.py, with the
session-cookie route and the guard of components/web.py."""

import pandas  # noqa: F401  imported once here: plotly imports it lazily, and two sessions doing that
#                 at the same moment have been seen to find it half initialised
import streamlit as st
from starlette.middleware import Middleware
from starlette.routing import Route

from components import web

app = st.App(
    "Home.py",
    routes=[Route(web.SESSION_PATH, web.session_cookie, methods=["POST"])],
    middleware=[Middleware(web.Guard)],
)
