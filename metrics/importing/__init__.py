"""Validated CSV import of teams, metrics, observations and initiatives.

    problems = validate_files(con, [(ImportKind.OBSERVATIONS, "obs.csv", data)])
    report = import_files(con, files, replace=False)   # raises ValidationFailed, or writes all
    parsed = parse_files(files)      # no store needed: parse first, then open the store and
    report = import_files(con, parsed)  # check and write, so no lock is held while parsing

The pipeline, one module a step: size and shape limits (`metrics.store.input_limits`),
`decoding` (bytes to UTF-8 text), `parsing` (records and their field counts), `columns` (header
to named, trimmed cells), the `*_format` modules (each format's typed columns and rules, as
`checks.Check` data run vectorised), `context` (ids the store has or the import declares),
`writing` (one transaction) and `validation` (the orchestration).
May import `metrics.store` only.
"""

from metrics.importing.kinds import ImportKind

# The rest is imported on first use (PEP 562): it pulls in Polars and NumPy, and
# `dataops import --help` needs only ImportKind.
_VALIDATION = (
    "CheckedImport",
    "ImportReport",
    "ParsedFiles",
    "check_frames",
    "import_files",
    "parse_files",
    "validate_files",
)

__all__ = ["ImportKind", *_VALIDATION]


def __getattr__(name: str):
    if name in _VALIDATION:
        from metrics.importing import validation

        return getattr(validation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
