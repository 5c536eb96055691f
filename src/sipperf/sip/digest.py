"""HTTP Digest authentication as SIPp computes it (RFC 2617 / RFC 7616, MD5 and SHA-256).

`response` is the digest of one set of credentials (qop none, `auth` or `auth-int`);
`verify_authorization` is SIPp's `verifyAuthHeader`: recompute the response of a received
`Authorization` value with the given user and password and compare it with the one received.
`credentials` is SIPp's `createAuthHeader`, the client side: the `Digest ...` answer to a challenge
kept in a `Challenge`. `auth_param` reads one parameter of a challenge or credentials the way SIPp
does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# The algorithms SIPp recognises, by the prefix of `algorithm=` it compares (case-insensitively),
# and their hashlib names.
_HASHES = {"md5": "md5", "sha-256": "sha256"}
_C_SPACE = " \t\n\v\f\r"
# The challenge values SIPp keeps are cut to its buffers: qop to 15 characters, opaque to 63.
_QOP_MAX = 15
_OPAQUE_MAX = 63


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
    return header[start : _token_end(header, start)]


def _token_end(header: str, start: int) -> int:
    """Where a bare value starting at `start` ends: at a space, comma, quote or line end."""
    end = start
    while end < len(header) and header[end] not in ' ,"\r\n':
        end += 1
    return end


def response(algorithm: str, user: str, password: str, method: str, uri: str, realm: str, nonce: str,
             qop: str = "", cnonce: str = "", nc: str = "", body: str = "") -> str:  # fmt: skip
    """The hex digest response (RFC 2617 3.2.2, RFC 7616 3.4.1). `algorithm` is `MD5` or
    `SHA-256`; `qop` containing `auth-int` hashes the body into A2; without a `cnonce` the response
    is H(HA1:nonce:HA2), as SIPp computes it. Strings are latin-1 text standing for bytes."""
    import hashlib  # here: OpenSSL's hashes cost 3 ms of every run's start-up to load

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


@dataclass(slots=True)
class Challenge:
    """A 401/407 challenge a call keeps (`<recv ... auth="true">`), answered by `[authentication]`.

    `header` is the Proxy-Authenticate value(s), else the WWW-Authenticate one(s), joined by ", ";
    `nonce_count` counts the credentials computed for it (SIPp's nonce count, restarted by each
    new challenge)."""

    code: int
    header: str
    nonce_count: int = 0

    @property
    def header_name(self) -> str:
        """Authorization answers a 401 (a registrar or UAS), Proxy-Authorization a 407."""
        return "Authorization" if self.code == 401 else "Proxy-Authorization"


def credentials(challenge: str, user: str, password: str, method: str, uri: str, body: str,
                nonce_count: int, cnonce: str | None = None) -> str:  # fmt: skip
    """SIPp's createAuthHeader: the `Digest ...` value answering `challenge` for a `method` request
    ("" for a response: an error) with this `body` (hashed for qop auth-int). `uri` is the whole
    digest URI (`sip:...`); `cnonce` defaults to a random one as SIPp's (hex of a 31-bit number).
    Parameters in SIPp's order, no space after the commas. Raises DigestError with SIPp's message
    when the challenge cannot be answered (not Digest, another algorithm, no realm or nonce);
    AKAv1-MD5 is not supported yet."""
    if "digest" not in challenge.lower():
        raise DigestError("createAuthHeader: authentication must be digest")
    if not method:
        raise DigestError("createAuthHeader: authentication requires a method")
    algorithm = _challenge_algorithm(challenge)
    lower = algorithm.lower()
    if lower.startswith("md5"):
        function = "createAuthHeaderMD5"
    elif lower.startswith("akav1-md5"):
        raise DigestError("createAuthHeader: AKAv1-MD5 authentication is not supported yet")
    elif lower.startswith("sha-256"):
        function = "createAuthHeaderSHA256"
    else:
        raise DigestError("createAuthHeader: authentication must use MD5, AKAv1-MD5 or SHA-256")
    qop = auth_param("qop", challenge)[:_QOP_MAX]
    nc = ""
    if qop:  # "auth,auth-int" offers both: SIPp takes auth-int
        lower_qop = qop.lower()
        qop = "auth-int" if "auth-int" in lower_qop else "auth" if "auth" in lower_qop else qop
        if cnonce is None:
            cnonce = f"{random.getrandbits(31):x}"
        nc = f"{nonce_count:08x}"
    else:
        cnonce = ""
    realm = auth_param("realm", challenge)
    if not realm:
        raise DigestError(f"{function}: couldn't parse realm in '{challenge}'")
    nonce = auth_param("nonce", challenge)
    if not nonce:
        raise DigestError("createAuthHeader: couldn't parse nonce")
    digest = response(algorithm, user, password, method, uri, realm, nonce, qop, cnonce, nc, body)
    value = f'Digest username="{user}",realm="{realm}"'
    if qop:
        value += f',cnonce="{cnonce}",nc={nc},qop={qop}'
    value += f',uri="{uri}",nonce="{nonce}",response="{digest}",algorithm={algorithm}'
    opaque = auth_param("opaque", challenge)[:_OPAQUE_MAX]
    return value + f',opaque="{opaque}"' if opaque else value


def _challenge_algorithm(challenge: str) -> str:
    """The challenge's algorithm as createAuthHeader reads it: after the first `algorithm=`
    anywhere (any case), one opening quote skipped, up to a space, comma, quote or line end; MD5
    when there is none."""
    start = challenge.lower().find("algorithm=")
    if start < 0:
        return "MD5"
    start += len("algorithm=")
    if challenge[start : start + 1] == '"':
        start += 1
    return challenge[start : _token_end(challenge, start)]


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
