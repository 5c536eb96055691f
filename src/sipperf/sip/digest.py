"""HTTP Digest authentication as SIPp computes it (RFC 2617 / RFC 7616, MD5 and SHA-256).

`response` is the digest of one set of credentials (qop none, `auth` or `auth-int`);
`verify_authorization` is SIPp's `verifyAuthHeader`: recompute the response of a received
`Authorization` value with the given user and password and compare it with the one received.
`auth_param` reads one parameter of a challenge or credentials the way SIPp does.
"""

from __future__ import annotations

import hashlib

# The algorithms SIPp recognises, by the prefix of `algorithm=` it compares (case-insensitively),
# and their hashlib names.
_HASHES = {"md5": "md5", "sha-256": "sha256"}
_C_SPACE = " \t\n\v\f\r"


class DigestError(ValueError):
    """The credentials cannot be checked (not Digest, unknown algorithm); the text is SIPp's warning."""


def auth_param(name: str, header: str) -> str:
    """The value of parameter `name` in a Digest header, "" when absent (SIPp's getAuthParameter).

    The name is found case-insensitively where a comma or white space precedes it (so `nonce` is not
    found inside `cnonce`) and `=` follows it; the value is the quoted text, or the bare text up to a
    space, comma, quote or line end."""
    lower_header, lower_name = header.lower(), name.lower()
    start = lower_header.find(lower_name)
    while start >= 0:
        after = start + len(name)
        if start > 0 and header[start - 1] in "," + _C_SPACE and header[after : after + 1] == "=":
            return _param_value(header, after + 1)
        start = lower_header.find(lower_name, start + 1)
    return ""


def _param_value(header: str, start: int) -> str:
    if header[start : start + 1] == '"':
        end = header.find('"', start + 1)
        return header[start + 1 : end if end >= 0 else len(header)]
    end = start
    while end < len(header) and header[end] not in ' ,"\r\n':
        end += 1
    return header[start:end]


def response(algorithm: str, user: str, password: str, method: str, uri: str, realm: str, nonce: str,
             qop: str = "", cnonce: str = "", nc: str = "", body: str = "") -> str:  # fmt: skip
    """The hex digest response (RFC 2617 3.2.2, RFC 7616 3.4.1). `algorithm` is `MD5` or
    `SHA-256`; `qop` containing `auth-int` hashes the body into A2; without a `cnonce` the response
    is H(HA1:nonce:HA2), as SIPp computes it. Strings are latin-1 text standing for bytes."""
    hash_name = _hash_name(algorithm)

    def hex_of(text: str) -> str:
        return hashlib.new(hash_name, text.encode("latin-1")).hexdigest()

    ha1 = hex_of(f"{user}:{realm}:{password}")
    a2 = f"{method}:{uri}"
    if "auth-int" in qop.lower():
        a2 += ":" + hex_of(body)
    ha2 = hex_of(a2)
    if cnonce:
        return hex_of(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return hex_of(f"{ha1}:{nonce}:{ha2}")


def verify_authorization(user: str, password: str, method: str, authorization: str, body: str) -> bool:
    """SIPp's verifyAuthHeader: does the `Authorization` value carry the response of `user` and
    `password` for `method` (and, for qop `auth-int`, `body`)? The uri, realm, nonce, cnonce, nc
    and qop are those of the header. Raises DigestError (with SIPp's warning text) when the header is
    not Digest or names another algorithm than MD5 or SHA-256."""
    if "digest" not in authorization.lower():
        raise DigestError(f"verifyAuthHeader: authentication must be digest is {authorization}")
    algorithm = auth_param("algorithm", authorization) or "MD5"
    expected = response(
        algorithm,
        user,
        password,
        method,
        auth_param("uri", authorization),
        auth_param("realm", authorization),
        auth_param("nonce", authorization),
        auth_param("qop", authorization),
        auth_param("cnonce", authorization),
        auth_param("nc", authorization),
        body,
    )
    return expected == auth_param("response", authorization)


def _hash_name(algorithm: str) -> str:
    lower = algorithm.lower()
    for prefix, name in _HASHES.items():
        if lower.startswith(prefix):
            return name
    raise DigestError(f"verifyAuthHeader: authentication must use MD5 or SHA-256, value is '{algorithm}'")
