"""Data Operations Cockpit: navigation and the shared sidebar, nothing else."""

from __future__ import annotations

import streamlit as st

import ui
from ui.access_view import gate
from ui.layout import run_page, sidebar

st.set_page_config(page_title="Data Operations Cockpit", page_icon=":material/flag:", layout="wide")
admitted = gate()  # sign-in, no access, or local mode asked to serve other hosts: nothing else

navigation = st.navigation(
    {
        "Company": [
            st.Page(
                "app_pages/overview.py",
                title="Overview",
                icon=":material/dashboard:",
                url_path="overview",
                default=True,
            ),
            st.Page(
                "app_pages/review_meeting.py",
                title="Review meeting",
                icon=":material/forum:",
                url_path="review",
            ),
        ],
        "Plan": [
            st.Page("app_pages/goals.py", title="Goals", icon=":material/flag:", url_path="goals"),
            st.Page(
                "app_pages/phases.py",
                title="Phases",
                icon=":material/timeline:",
                url_path="phases",
            ),
            st.Page(
                "app_pages/forecasts.py",
                title="Forecasts",
                icon=":material/insights:",
                url_path="forecasts",
            ),
        ],
        "Teams": [
            st.Page(
                "app_pages/team_review.py",
                title="Team review",
                icon=":material/groups:",
                url_path="team",
            ),
        ],
        "Data": [
            st.Page("app_pages/data.py", title="Data", icon=":material/database:", url_path="data"),
        ],
    },
    position="sidebar" if admitted else "hidden",
)
show_server_details = ui.viewer_is_owner()
if admitted and sidebar(show_server_details=show_server_details):
    run_page(navigation, show_server_details=show_server_details)
