"""Numbers with units, the same way on every page (and in the e-mail digest).

The formatters live in `metrics.contribution.wording`, so the digest, which may not import `ui`,
says numbers exactly as the pages do; pages keep importing them from here.
"""

from metrics.contribution.wording import format_share, format_value

__all__ = ["format_share", "format_value"]
