"""Digest authentication: RFC 2617 / RFC 7616 example values and SIPp's verifyAuthHeader rules."""

import pytest

from sipperf.sip.digest import DigestError, auth_param, response, verify_authorization

# RFC 7616 3.9.1 (the example SIPp's own unit tests use too)
NONCE_7616 = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
CNONCE_7616 = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
REALM_7616 = "http-auth@example.org"


def test_rfc2617_example_with_qop_auth():
    got = response(
        "MD5",
        "Mufasa",
        "Circle Of Life",
        "GET",
        "/dir/index.html",
        "testrealm@host.com",
        "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "auth",
        "0a4f113b",
        "00000001",
    )
    assert got == "6629fae49393a05397450978507c4ef1"


@pytest.mark.parametrize(
    ("algorithm", "method", "uri", "nc", "qop", "body", "expected"),
    [
        ("MD5", "GET", "/dir/index.html", "00000001", "auth", "", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "GET", "/dir/index.html", "00000001", "auth", "",
         "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
        # auth-int hashes the body into A2 (values as SIPp's unit tests have them)
        ("MD5", "INVITE", "sip:bob@example.org", "00000002", "auth-int", "v=0\r\n",
         "3dbb0971468cf612bdccd7dff696c5e6"),
        ("SHA-256", "INVITE", "sip:bob@example.org", "00000002", "auth-int", "v=0\r\n",
         "21468b02aafd4fe0a3d84bfddaf3618cc087adff4bb3c92d0a5f99c3035fcb9a"),
    ],
)  # fmt: skip
def test_rfc7616_examples(algorithm, method, uri, nc, qop, body, expected):
    user, password = "Mufasa", "Circle of Life"
    got = response(algorithm, user, password, method, uri, REALM_7616, NONCE_7616, qop, CNONCE_7616, nc, body)
    assert got == expected


def test_without_qop_as_sipp_computes_it():
    # SIPp's createAuthHeader test vectors (reference 7.1): no qop, uri "sip:" + "sip:example.com"
    args = ("testuser", "secret", "REGISTER", "sip:sip:example.com", "testrealm@host.com")
    assert response("MD5", *args, "dcd98b7102dd2f0e8b11d0f600bfb0c093") == "db94e01e92f2b09a52a234eeca8b90f7"
    assert response("SHA-256", *args, "ZaGxV2WhsCtREI2EsiD1LR0RYd") == (
        "91b58523b983191b52d14455a2599631990110c974ed2e4b4b49bc6053af04ce"
    )


def test_auth_param_finds_a_name_after_a_comma_or_space_only():
    header = 'Digest username="bob", cnonce="c1",nonce="n1", qop=auth, nc=00000001, realm=x,y'
    assert auth_param("nonce", header) == "n1"
    assert auth_param("cnonce", header) == "c1"
    assert auth_param("qop", header) == "auth"
    assert auth_param("NC", header) == "00000001"
    assert auth_param("realm", header) == "x"
    assert auth_param("opaque", header) == ""
    assert auth_param("user", header) == ""  # "username" is not "user="


def _authorization(algorithm="MD5", qop="auth", password="Circle of Life", method="INVITE", body=""):
    digest = response(
        algorithm,
        "Mufasa",
        password,
        method,
        "sip:bob@example.org",
        REALM_7616,
        NONCE_7616,
        qop,
        CNONCE_7616,
        "00000001",
        body,
    )
    return (
        f'Digest username="Mufasa", realm="{REALM_7616}", uri="sip:bob@example.org", algorithm={algorithm}, '
        f'nonce="{NONCE_7616}", nc=00000001, cnonce="{CNONCE_7616}", qop={qop}, response="{digest}"'
    )


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256", "md5", "MD5-sess"])
def test_verify_accepts_the_right_password_only(algorithm):
    header = _authorization(algorithm)
    assert verify_authorization("Mufasa", "Circle of Life", "INVITE", header, "")
    assert not verify_authorization("Mufasa", "Circle of life", "INVITE", header, "")
    assert not verify_authorization("Mufasa", "Circle of Life", "REGISTER", header, "")


def test_verify_auth_int_checks_the_body():
    header = _authorization(qop="auth-int", body="v=0\r\n")
    assert verify_authorization("Mufasa", "Circle of Life", "INVITE", header, "v=0\r\n")
    assert not verify_authorization("Mufasa", "Circle of Life", "INVITE", header, "v=1\r\n")


def test_verify_refuses_what_sipp_warns_about():
    with pytest.raises(DigestError, match="^verifyAuthHeader: authentication must be digest is Basic abc$"):
        verify_authorization("u", "p", "INVITE", "Basic abc", "")
    with pytest.raises(DigestError) as caught:
        verify_authorization("u", "p", "INVITE", 'Digest realm="r", algorithm=SHA-512', "")
    assert str(caught.value) == "verifyAuthHeader: authentication must use MD5 or SHA-256, value is 'SHA-512'"
