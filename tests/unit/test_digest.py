"""Digest authentication: RFC 2617 / RFC 7616 example values, SIPp's verifyAuthHeader rules and the
credentials SIPp's createAuthHeader writes (checked against headers real SIPp sent)."""

import pytest

from sipperf.sip.digest import Challenge, DigestError, auth_param, credentials, response, verify_authorization

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


# -- the client side: SIPp's createAuthHeader ------------------------------------------------------

# SIPp's createAuthHeader unit test (auth.cpp): a challenge split over lines, no qop, with an opaque
SIPP_TEST_CHALLENGE = (
    'Digest \r\n realm="testrealm@host.com",\r\n nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"\r\n,'
    ' opaque="5ccc069c403ebaf9f0171e9517f40e41"'
)


def test_credentials_as_sipps_own_unit_test_has_them():
    # SIPp prefixes the uri argument "sip:example.com" with another "sip:"
    got = credentials(SIPP_TEST_CHALLENGE, "testuser", "secret", "REGISTER", "sip:sip:example.com", "", 1)
    assert got == (
        'Digest username="testuser",realm="testrealm@host.com",uri="sip:sip:example.com",'
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",response="db94e01e92f2b09a52a234eeca8b90f7",'
        'algorithm=MD5,opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    challenge = 'Digest realm="testrealm@host.com", nonce="ZaGxV2WhsCtREI2EsiD1LR0RYd", algorithm=SHA-256'
    got = credentials(challenge, "testuser", "secret", "REGISTER", "sip:sip:example.com", "", 1)
    assert got == (
        'Digest username="testuser",realm="testrealm@host.com",uri="sip:sip:example.com",'
        'nonce="ZaGxV2WhsCtREI2EsiD1LR0RYd",'
        'response="91b58523b983191b52d14455a2599631990110c974ed2e4b4b49bc6053af04ce",algorithm=SHA-256'
    )


def test_credentials_of_the_rfc2617_example():
    challenge = (
        'Digest realm="testrealm@host.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
        'opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    got = credentials(challenge, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", "", 1, "0a4f113b")
    assert got == (
        'Digest username="Mufasa",realm="testrealm@host.com",cnonce="0a4f113b",nc=00000001,qop=auth,'
        'uri="/dir/index.html",nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",'
        'response="6629fae49393a05397450978507c4ef1",algorithm=MD5,opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
     ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")],
)  # fmt: skip
def test_credentials_of_the_rfc7616_examples(algorithm, expected):
    challenge = (
        f'Digest realm="{REALM_7616}", qop="auth", algorithm={algorithm}, nonce="{NONCE_7616}", '
        'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
    )
    got = credentials(challenge, "Mufasa", "Circle of Life", "GET", "/dir/index.html", "", 1, CNONCE_7616)
    assert f',response="{expected}",algorithm={algorithm},' in got
    assert verify_authorization("Mufasa", "Circle of Life", "GET", got, "")


# Headers real SIPp 3.6.1 sent (the cnonce is the first value of its unseeded rand()).
SIPP_BODY = "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"


@pytest.mark.parametrize(
    ("challenge", "args", "sent_by_sipp"),
    [
        ('Digest realm="sipp.test", nonce="abc123nonce", qop="auth,auth-int", opaque="op4que", algorithm=MD5',
         ("alice", "secret", "INVITE", "sip:127.0.0.1:15070", SIPP_BODY, 1, "6b8b4567"),
         'Digest username="alice",realm="sipp.test",cnonce="6b8b4567",nc=00000001,qop=auth-int,'
         'uri="sip:127.0.0.1:15070",nonce="abc123nonce",response="76809edbb5cb0b28200c4fc05d1fea1e",'
         'algorithm=MD5,opaque="op4que"'),
        ('Digest realm="r1", nonce="n1", qop="auth"',
         ("bob", "pw", "BYE", "sip:127.0.0.1:15080", "", 2, "327b23c6"),
         'Digest username="bob",realm="r1",cnonce="327b23c6",nc=00000002,qop=auth,uri="sip:127.0.0.1:15080",'
         'nonce="n1",response="3f2190b77bb38de1c200816b1963565d",algorithm=MD5'),
        # -auth_uri example.com, a 407 with no qop
        ('Digest realm="r1", nonce="n1"', ("joe", "jpw", "REGISTER", "sip:example.com", "", 1, None),
         'Digest username="joe",realm="r1",uri="sip:example.com",nonce="n1",'
         'response="c86401f6780d39f7c64ea42267a14948",algorithm=MD5'),
    ],
)  # fmt: skip
def test_credentials_are_those_sipp_sent(challenge, args, sent_by_sipp):
    assert credentials(challenge, *args) == sent_by_sipp


@pytest.mark.parametrize(
    ("qop", "chosen"),
    [("auth", "auth"), ("auth,auth-int", "auth-int"), ("auth-int, auth", "auth-int"), ("AUTH", "auth"),
     ("token", "token")],
)  # fmt: skip
def test_the_qop_sipp_chooses(qop, chosen):
    challenge = f'Digest realm="r", nonce="n", qop="{qop}"'
    got = credentials(challenge, "u", "p", "INVITE", "sip:h", "", 3, "c0ffee")
    assert f',cnonce="c0ffee",nc=00000003,qop={chosen},uri=' in got


def test_the_algorithm_is_written_as_the_challenge_has_it():
    for written in ("md5", '"MD5"', "MD5-sess", "sha-256"):
        challenge = f'Digest realm="r", nonce="n", algorithm={written}'
        got = credentials(challenge, "u", "p", "INVITE", "sip:h", "", 1)
        assert got.endswith(f",algorithm={written.strip(chr(34))}")


def test_a_random_cnonce_is_lower_case_hex():
    got = credentials('Digest realm="r", nonce="n", qop=auth', "u", "p", "INVITE", "sip:h", "", 1)
    cnonce = auth_param("cnonce", got)
    assert 1 <= len(cnonce) <= 8 and cnonce == f"{int(cnonce, 16):x}"
    assert verify_authorization("u", "p", "INVITE", got, "")


def test_sipp_buffers_cut_the_opaque():
    got = credentials(f'Digest realm="r", nonce="n", opaque="{"o" * 80}"', "u", "p", "INVITE", "sip:h", "", 1)
    assert got.endswith(f',opaque="{"o" * 63}"')


@pytest.mark.parametrize(
    ("challenge", "method", "message"),
    [
        ('Basic realm="r"', "INVITE", "createAuthHeader: authentication must be digest"),
        ('Digest realm="r", nonce="n"', "", "createAuthHeader: authentication requires a method"),
        ('Digest nonce="n1"', "INVITE", "createAuthHeaderMD5: couldn't parse realm in 'Digest nonce=\"n1\"'"),
        ('Digest realm="r1"', "INVITE", "createAuthHeader: couldn't parse nonce"),
        ('Digest realm="r", nonce="n", algorithm=SHA-512', "INVITE",
         "createAuthHeader: authentication must use MD5, AKAv1-MD5 or SHA-256"),
        ('Digest realm="r", nonce="n", algorithm=AKAv1-MD5', "INVITE",
         "createAuthHeader: AKAv1-MD5 authentication is not supported yet"),
    ],
)  # fmt: skip
def test_credentials_refuse_what_sipp_refuses(challenge, method, message):
    with pytest.raises(DigestError) as caught:
        credentials(challenge, "u", "p", method, "sip:h", "", 1)
    assert str(caught.value) == message


def test_a_challenge_names_the_header_that_answers_it():
    assert Challenge(401, 'Digest realm="r"').header_name == "Authorization"
    assert Challenge(407, 'Digest realm="r"').header_name == "Proxy-Authorization"
