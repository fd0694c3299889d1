"""A `Digest` written out: plain text (the e-mail's text part), HTML (its HTML part) and
Markdown (for a wiki or chat). Each says the same things in the same order; free text from
check-ins is escaped for the format it lands in."""

from __future__ import annotations

from html import escape

from metrics.contribution.wording import md_cell
from metrics.digest.content import Digest, TeamLine


def subject(digest: Digest) -> str:
    scope = f" — team {digest.team}" if digest.team else ""
    return f"Digest: {digest.goal_name} ({digest.goal}){scope}, as of {digest.as_of}"


def _intro(digest: Digest) -> str:
    return f"Goal {digest.goal} on {digest.metric_name}, {digest.period}, as of {digest.as_of}."


def _team_facts(t: TeamLine) -> list[str]:
    facts = [
        f"uplift {t.uplift} (80% interval {t.interval}), {t.share_of_gap} of the gap",
        f"reported in check-in: {t.reported}",
    ]
    if t.flags:
        facts.append(f"flags: {t.flags}")
    facts.append("since the last digest: " + "; ".join(t.changes))
    return facts


def as_text(digest: Digest) -> str:
    lines = [digest.title, "", _intro(digest), "", "Goal and pace"]
    lines += [f"  {label}: {value}" + (f" ({note})" if note else "")
              for label, value, note in digest.headline]  # fmt: skip
    lines += [f"  {digest.landing_note}", "", "Teams, biggest uplift first"]
    for t in digest.teams:
        lines.append(f"  {t.team} ({t.department}): {t.status}, pace {t.pace}")
        lines += [f"    {fact}" for fact in _team_facts(t)]
        lines += [f"    {t.link}", ""]
    lines += ["Cooperation flags"]
    lines += [f"  - {flag}" for flag in digest.flags] or ["  None raised."]
    lines += ["", "Late data"]
    lines += [f"  - {late}" for late in digest.late] or ["  None: every series is up to date."]
    return "\n".join(lines) + "\n"


def as_markdown(digest: Digest) -> str:
    lines = [f"# {md_cell(digest.title)}", "", md_cell(_intro(digest)), "", "## Goal and pace", ""]
    lines += ["| | Value | Note |", "|---|---|---|"]
    lines += [f"| {label} | {value} | {md_cell(note)} |"
              for label, value, note in digest.headline]  # fmt: skip
    lines += ["", md_cell(digest.landing_note), "", "## Teams, biggest uplift first", ""]
    for t in digest.teams:
        lines.append(f"### [{md_cell(t.team)}]({t.link}) ({md_cell(t.department)}): {t.status}, "
                     f"pace {t.pace}")  # fmt: skip
        lines += [""] + [f"- {md_cell(fact)}" for fact in _team_facts(t)] + [""]
    lines += ["## Cooperation flags", ""]
    lines += [f"- {md_cell(flag)}" for flag in digest.flags] or ["None raised."]
    lines += ["", "## Late data", ""]
    lines += [f"- {md_cell(late)}" for late in digest.late] or ["None: every series is up to date."]
    return "\n".join(lines) + "\n"


def as_html(digest: Digest) -> str:
    e = escape
    head = "".join(
        f"<tr><th align='left'>{e(label)}</th><td>{e(value)}</td><td>{e(note)}</td></tr>"
        for label, value, note in digest.headline
    )
    teams = "".join(
        f"<tr><td><a href='{e(t.link)}'>{e(t.team)}</a></td><td>{e(t.department)}</td>"
        f"<td>{e(t.status)}</td><td>{e(t.pace)}</td><td>{e(t.uplift)}</td>"
        f"<td>{e(t.interval)}</td><td>{e(t.share_of_gap)}</td><td>{e(t.reported)}</td>"
        f"<td>{e(t.flags)}</td><td>{'<br>'.join(e(c) for c in t.changes)}</td></tr>"
        for t in digest.teams
    )
    header = "".join(f"<th align='left'>{h}</th>" for h in (
        "Team", "Department", "Status", "Pace", "Uplift", "80% interval", "Share of gap",
        "Reported in check-in", "Flags", "Since the last digest"))  # fmt: skip
    flags = _html_list(digest.flags, "None raised.")
    late = _html_list(digest.late, "None: every series is up to date.")
    return (
        "<!doctype html><html><body style='font-family:sans-serif'>"
        f"<h1>{e(digest.title)}</h1><p>{e(_intro(digest))}</p>"
        f"<h2>Goal and pace</h2><table cellpadding='4'>{head}</table>"
        f"<p>{e(digest.landing_note)}</p>"
        f"<h2>Teams, biggest uplift first</h2><table cellpadding='4' border='1' "
        f"style='border-collapse:collapse'><tr>{header}</tr>{teams}</table>"
        f"<h2>Cooperation flags</h2>{flags}<h2>Late data</h2>{late}</body></html>\n"
    )


def _html_list(items: tuple[str, ...], empty: str) -> str:
    if not items:
        return f"<p>{escape(empty)}</p>"
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"
