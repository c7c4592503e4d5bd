"""SLA alert e-mail over SMTP (standard library only).

Subjects and bodies are UTF-8 (Japanese included): the subject as RFC 2047 encoded words,
the body as base64 or quoted-printable, so any relay takes it, 8BITMIME or not. The
``Message-ID`` is derived from the caller's key, so a retried notification carries the
same id and receivers or MTAs that de-duplicate on it show it once.

Failures raise ``DeliveryError``: retryable for network trouble and 4xx (transient) SMTP
replies, final for 5xx (permanent) refusals and for set-up errors (no STARTTLS, a
certificate that does not verify, bad credentials).
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from collections.abc import Sequence
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from services.sla_monitor.application.delivery import DeliveryError

FALLBACK_DOMAIN = "madoguchi.invalid"
# 7bit: non-ASCII bodies get base64 / quoted-printable rather than raw 8-bit bytes.
_POLICY = policy.SMTP.clone(cte_type="7bit")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class RecipientsRefused(DeliveryError):
    """Some or all recipients were refused; ``refused`` maps address → (code, reply).

    When ``partial`` the others got the message: retry only the refused addresses.
    """

    def __init__(self, refused: dict[str, tuple[int, str]], *, partial: bool) -> None:
        retryable = any(not _permanent(code) for code, _ in refused.values())
        listed = ", ".join(f"{address} ({code})" for address, (code, _) in refused.items())
        super().__init__(f"recipients refused: {listed}", retryable=retryable)
        self.refused = refused
        self.partial = partial


def message_id(key: str, sender: str) -> str:
    """``<madoguchi.<hash of key>@<sender's domain>>``: the same key gives the same id."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return f"<madoguchi.{digest}@{_domain(sender)}>"


class EmailSender:
    """Sends plain-text alert mail through one SMTP relay (one connection per message)."""

    def __init__(self, host: str, port: int, sender: str, *, username: str = "",
                 password: str = "", starttls: bool = False, timeout: float = 10.0) -> None:
        if not host:
            raise ValueError("host is required")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError("port must be from 1 to 65535")
        if not _address(sender):
            raise ValueError(f"sender is not an e-mail address: {sender!r}")
        if password and not username:
            raise ValueError("a password needs a username")
        if not timeout > 0:
            raise ValueError("timeout must be > 0 seconds")
        self.host, self.port, self.sender = host, port, sender
        self._username, self._password = username, password
        self._starttls = starttls
        self._timeout = timeout

    def build(self, to: Sequence[str], subject: str, body: str,
              message_id_key: str) -> EmailMessage:
        """The message ``send`` would send (for previews and tests)."""
        if isinstance(to, str) or not to:
            raise DeliveryError("to must be a non-empty list of addresses", retryable=False)
        for address in to:
            if not _address(address):
                raise DeliveryError(f"not an e-mail address: {address!r}", retryable=False)
        if not message_id_key:
            raise DeliveryError("message_id_key is required", retryable=False)
        message = EmailMessage(policy=_POLICY)
        message["From"] = self.sender
        message["To"] = ", ".join(dict.fromkeys(to))
        message["Subject"] = _one_line(subject)   # a line break would end the header
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = message_id(message_id_key, self.sender)
        message["Auto-Submitted"] = "auto-generated"     # RFC 3834: no auto-replies, please
        message.set_content(body, charset="utf-8")
        return message

    def send(self, to: Sequence[str], subject: str, body: str, message_id_key: str) -> None:
        """Hand the message to the relay, or raise ``DeliveryError``."""
        message = self.build(to, subject, body, message_id_key)
        recipients = list(dict.fromkeys(_address(a) for a in to))
        try:
            refused = self._transmit(message, recipients)
        except smtplib.SMTPRecipientsRefused as error:
            raise RecipientsRefused(_replies(error.recipients), partial=False) from error
        except smtplib.SMTPResponseException as error:
            reply = error.smtp_error
            text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
            raise DeliveryError(f"SMTP {self.host}:{self.port} replied {error.smtp_code} {text}",
                                retryable=not _permanent(error.smtp_code),
                                status=error.smtp_code) from error
        except smtplib.SMTPServerDisconnected as error:
            raise self._unreachable(error, retryable=True) from error
        except smtplib.SMTPException as error:   # no STARTTLS / AUTH / SMTPUTF8 offered
            raise self._unreachable(error, retryable=False) from error
        except ssl.SSLCertVerificationError as error:
            raise self._unreachable(error, retryable=False) from error
        except OSError as error:   # refused, reset, timed out, name not found
            raise self._unreachable(error, retryable=True) from error
        if refused:
            raise RecipientsRefused(_replies(refused), partial=True)

    def _transmit(self, message: EmailMessage,
                  recipients: list[str]) -> dict[str, tuple[int, bytes]]:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self._timeout)
        try:
            if self._starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self._username:
                smtp.login(self._username, self._password)
            return smtp.send_message(message, from_addr=_address(self.sender),
                                     to_addrs=recipients)
        finally:
            _close(smtp)

    def _unreachable(self, error: Exception, *, retryable: bool) -> DeliveryError:
        return DeliveryError(f"SMTP {self.host}:{self.port}: {error}", retryable=retryable)


def _close(smtp: smtplib.SMTP) -> None:
    """QUIT politely; a failure after the message was accepted must not look like a failure."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _permanent(code: int) -> bool:
    return 500 <= code < 600


def _replies(refused: dict[str, tuple[int, bytes]]) -> dict[str, tuple[int, str]]:
    return {address: (code, reply.decode("utf-8", "replace") if isinstance(reply, bytes)
                      else str(reply)) for address, (code, reply) in refused.items()}


def _address(value: object) -> str:
    """The bare address of ``a@b`` or ``Name <a@b>``; "" if it is not one."""
    if not isinstance(value, str) or "\r" in value or "\n" in value:
        return ""
    address = parseaddr(value)[1]
    local, at, domain = address.rpartition("@")
    return address if at and local and domain and " " not in address else ""


def _one_line(text: str) -> str:
    return re.sub(" {2,}", " ", _CONTROL.sub(" ", text)).strip()


def _domain(sender: str) -> str:
    domain = _address(sender).rpartition("@")[2]
    try:
        return domain.encode("idna").decode("ascii") if domain else FALLBACK_DOMAIN
    except UnicodeError:
        return FALLBACK_DOMAIN
