"""Errors a collector raises to its caller, the same for every provider.

Provider errors met while listing a unit are *not* raised: they are recorded in
the unit's result so that one denied region does not stop a whole run. Only
problems that make the whole account unusable are raised.
"""

from __future__ import annotations


class CollectorError(Exception):
    """Base of the errors collectors raise."""


class InvalidCredentialsError(CollectorError):
    """The provider refused the account's credentials (or the role behind them).

    ``reason`` is the provider's own explanation, safe to show to the user: it
    never contains the secret itself.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
