"""The pure decision tables: what to do after a would-block, how TLS failures are classified."""

from __future__ import annotations

import ssl

import pytest

from flowno_net import (
    TLSCertificateError,
    TLSExpiredCertificateError,
    TLSHandshakeError,
    TLSHostnameMismatchError,
    TLSPlainTextPeerError,
    TLSUntrustedCertificateError,
)
from flowno_net._decide import Direction, Step, next_step
from flowno_net._errors import classify_tls_failure


@pytest.mark.parametrize(
    ("exc", "direction", "step"),
    [
        (BlockingIOError(), Direction.READ, Step.WAIT_READABLE),
        (BlockingIOError(), Direction.WRITE, Step.WAIT_WRITABLE),
        (ssl.SSLWantReadError(), Direction.WRITE, Step.WAIT_READABLE),
        (ssl.SSLWantWriteError(), Direction.READ, Step.WAIT_WRITABLE),
        (InterruptedError(), Direction.READ, Step.RETRY),
    ],
)
def test_next_step_table(exc: BaseException, direction: Direction, step: Step) -> None:
    assert next_step(exc, direction) is step


def test_next_step_refuses_real_errors() -> None:
    with pytest.raises(TypeError, match="ConnectionResetError is not a would-block"):
        next_step(ConnectionResetError(), Direction.READ)


def _verify_error(code: int) -> ssl.SSLCertVerificationError:
    exc = ssl.SSLCertVerificationError(1, "certificate verify failed")
    exc.verify_code = code
    exc.verify_message = f"code {code}"
    return exc


def _reason_error(reason: str) -> ssl.SSLError:
    exc = ssl.SSLError(1, f"[SSL: {reason}] {reason.lower()}")
    exc.reason = reason
    return exc


@pytest.mark.parametrize(
    ("exc", "kind", "detail"),
    [
        (_verify_error(10), TLSExpiredCertificateError, "certificate has expired"),
        (_verify_error(18), TLSUntrustedCertificateError, "self-signed certificate is not trusted"),
        (_verify_error(20), TLSUntrustedCertificateError, "issuer certificate is unknown"),
        (_verify_error(62), TLSHostnameMismatchError, "does not match the host name"),
        (_verify_error(999), TLSCertificateError, "certificate verification failed: code 999"),
        (_reason_error("WRONG_VERSION_NUMBER"), TLSPlainTextPeerError, "does not speak TLS"),
        (_reason_error("HTTP_REQUEST"), TLSPlainTextPeerError, "does not speak TLS"),
        (ssl.SSLEOFError(8, "EOF"), TLSHandshakeError, "peer closed the connection"),
        (ConnectionResetError(104, "reset"), TLSHandshakeError, "peer closed the connection"),
        (_reason_error("TLSV1_ALERT_UNKNOWN_CA"), TLSHandshakeError, "UNKNOWN_CA"),
    ],
)
def test_classify_tls_failure(exc: BaseException, kind: type[Exception], detail: str) -> None:
    err = classify_tls_failure(exc, "'peer'")
    assert type(err) is kind
    assert str(err).startswith("TLS handshake with 'peer' failed: ")
    assert detail in str(err)
    assert isinstance(err, ConnectionError)
