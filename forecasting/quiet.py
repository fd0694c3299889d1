"""Keep Prophet's and cmdstanpy's chatter out of the user's terminal.

cmdstanpy logs every optimisation at INFO and Prophet logs its seasonality guesses; a user
fitting 40 series would see hundreds of lines. Warnings that matter still reach our own report:
a fit that fails raises, and the runner records the reason.
"""

from __future__ import annotations

import logging
import warnings

_NOISY_LOGGERS = ("cmdstanpy", "prophet", "prophet.plot")


def silence_fitting_logs() -> None:
    """Raise the noisy loggers above CRITICAL and drop their handlers (idempotent, per process)."""
    for name in _NOISY_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.addHandler(logging.NullHandler())
    # pandas/numpy warnings from inside Prophet say nothing a user can act on.
    warnings.filterwarnings("ignore", module="prophet")
    warnings.filterwarnings("ignore", module="cmdstanpy")
