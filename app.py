"""Data Operations Cockpit: navigation and the shared sidebar, nothing else."""

from __future__ import annotations

import streamlit as st

from ui.layout import sidebar

st.set_page_config(page_title="Data Operations Cockpit", page_icon=":material/flag:", layout="wide")

navigation = st.navigation(
    {
        "Company": [
            st.Page(
                "pages/overview.py",
                title="Overview",
                icon=":material/dashboard:",
                url_path="overview",
                default=True,
            ),
            st.Page(
                "pages/review_meeting.py",
                title="Review meeting",
                icon=":material/forum:",
                url_path="review",
            ),
        ],
        "Teams": [
            st.Page(
                "pages/team_review.py",
                title="Team review",
                icon=":material/groups:",
                url_path="team",
            ),
        ],
        "Data": [
            st.Page("pages/data.py", title="Data", icon=":material/database:", url_path="data"),
        ],
    }
)
if sidebar():
    navigation.run()
