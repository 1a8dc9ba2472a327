"""Keep credentials out of botocore's DEBUG logs.

At DEBUG, botocore logs request parameters (AssumeRole's ``ExternalId``),
response bodies (AssumeRole's temporary ``SecretAccessKey`` and
``SessionToken``) and signed headers (``X-Amz-Security-Token``). A filter on
its loggers replaces any such record with a notice, so turning on debug
logging to chase a discovery problem cannot leak an account's credentials.
"""

from __future__ import annotations

import logging

_MARKERS = ("secretaccesskey", "sessiontoken", "externalid", "security-token")
_PREFIXES = ("botocore", "aiobotocore")
REDACTED = "[message withheld: it carried AWS credentials]"


class CredentialRedactor(logging.Filter):
    """Withholds log records whose text mentions credential material."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage().lower()
        if any(marker in text for marker in _MARKERS):
            record.msg, record.args = REDACTED, ()
        return True


_REDACTOR = CredentialRedactor()


def guard_sdk_loggers() -> None:
    """Attach the redactor to every botocore/aiobotocore logger (idempotent).

    Logger filters apply only to records a logger creates itself, not to its
    children's, hence every module logger rather than the ``botocore`` parent.
    """
    names = [n for n in logging.Logger.manager.loggerDict if n.startswith(_PREFIXES)]
    for name in [*_PREFIXES, *names]:
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)
