"""Watchfloor entry point: page config, login gate, role-aware navigation, shared sidebar."""

import streamlit as st

from components import freshness_banner, login, navigation, plain, shell, sidebar_filters, times
from watchfloor.config import ConfigError, load_settings


def main() -> None:
    # An emoji icon is drawn in the page itself; a material icon's would be fetched from Google's servers.
    st.set_page_config(page_title="Watchfloor", page_icon="🛡️", layout="wide")
    shell.page_style()

    try:
        settings = load_settings()
    except ConfigError as exc:
        st.error(f"Watchfloor is misconfigured: {plain.md(exc)}")
        st.stop()

    login.remember_entry()
    user = login.login_gate(settings)
    pages = navigation.pages_by_group(user.role)
    current_page = st.navigation(pages, position="sidebar", expanded=True)
    login.restore_entry(pages, current_page)

    with st.sidebar:
        st.caption(f"Signed in as **{plain.md(user.name)}** · {login.role_label(user.role)}")
        login.logout_button()
        times.chooser(user.username)
        login.cookie_writer()

    if not shell.warehouse_ready():
        st.stop()

    as_of = shell.as_of()
    options = sidebar_filters.filter_options()
    sidebar_filters.initialise_from_url(options, as_of.date(), login.entry_query())
    chosen = sidebar_filters.draw_sidebar(options, as_of.date(), navigation.page_key_of(current_page))
    sidebar_filters.write_to_url(chosen)
    freshness_banner.freshness_banner(settings, as_of)

    current_page.run()


# Streamlit runs this file as __main__. A process that multiprocessing spawns (the forecast's fitting
# process) reads the parent's main file again, as __mp_main__: there is no session to draw for.
if __name__ == "__main__":
    main()
