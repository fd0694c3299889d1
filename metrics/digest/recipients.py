"""Who receives which digest, from the access grants: team leads their teams', leadership and
owners the company's (which has every team in it, so they get no team digests besides)."""

from __future__ import annotations

import polars as pl

COMPANY_ROLES = ("owner", "leadership")
RECIPIENT_SCHEMA = {"email": pl.String, "team": pl.String}


def digest_recipients(grants: pl.DataFrame) -> pl.DataFrame:
    """`grants`: email, role, team (one row per grant, as `metrics.access.list_grants`).
    Returns email, team (null: the company's digest), one row per message a person gets,
    addresses trimmed and lower-cased, sorted. Viewers and leads without a team get nothing."""
    people = grants.select(
        email=pl.col("email").str.strip_chars().str.to_lowercase(),
        role=pl.col("role").str.strip_chars().str.to_lowercase(),
        team="team",
    ).filter(pl.col("email") != "")
    company = people.filter(pl.col("role").is_in(COMPANY_ROLES)).select(
        "email", team=pl.lit(None, pl.String)
    )
    leads = people.filter(
        (pl.col("role") == "team_lead")
        & pl.col("team").is_not_null()
        & ~pl.col("email").is_in(company["email"].implode())
    ).select("email", "team")
    both = pl.concat([company, leads]).cast(RECIPIENT_SCHEMA).unique()
    return both.sort("team", "email", nulls_last=False)


def messages(recipients: pl.DataFrame) -> list[tuple[str | None, list[str]]]:
    """One message per scope: (team or None for the company, its recipients), company first."""
    grouped = recipients.group_by("team").agg(pl.col("email").sort())
    return sorted(
        ((team, emails) for team, emails in grouped.iter_rows()),
        key=lambda pair: (pair[0] is not None, pair[0] or ""),
    )
