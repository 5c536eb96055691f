"""Unit tests of SIPp's distributions: parsing, fatal errors, 99th percentiles, descriptions, draws."""

import math
import random
import statistics

import pytest

from sipperf.errors import ScenarioError
from sipperf.scenario.distributions import (
    INT_MAX,
    Exponential,
    Fixed,
    Gamma,
    GPareto,
    LogNormal,
    NegBin,
    Normal,
    Pareto,
    Uniform,
    Weibull,
    duration_ms,
    parse_distribution,
    pause_length,
)

Z99 = 2.3263478740408408  # standard normal 0.99 quantile


def pause(rng=None, **attrs):
    return parse_distribution(attrs, "s.xml", 7, for_sample=False, rng=rng)


def sample(rng=None, **attrs):
    return parse_distribution(attrs, "s.xml", 7, for_sample=True, rng=rng)


def error(for_sample=False, **attrs):
    with pytest.raises(ScenarioError) as info:
        parse_distribution(attrs, "s.xml", 7, for_sample=for_sample)
    assert info.value.path == "s.xml" and info.value.line == 7
    return info.value.what


# kind, attributes, class, p99, text(), short_text()
CASES = [
    ("fixed", {"value": "1500"}, Fixed, 1500.0, "1500.000000", "1500ms"),
    ("uniform", {"min": "500", "max": "1500"}, Uniform, 500 + 0.99 * 1500, "500.000000/1500.000000",
     "500ms/1500ms"),
    ("normal", {"mean": "1000", "stdev": "100"}, Normal, 1000 + 100 * Z99, "N(1000.000,100.000)",
     "N(1000ms,100ms)"),
    ("lognormal", {"mean": "7", "stdev": "0.5"}, LogNormal, math.exp(7 + 0.5 * Z99), "LN(7.000,0.500)",
     "LN(7ms,0.50ms)"),
    ("exponential", {"mean": "1000"}, Exponential, 1000 * math.log(100), "Exp(1000.000000)", "Exp(1000ms)"),
    ("weibull", {"lambda": "1000", "k": "2"}, Weibull, 1000 * math.log(100) ** 0.5, "Wb(1000.000,2.000)",
     "Wb(1000ms,2ms)"),
    ("pareto", {"k": "3", "x_m": "100"}, Pareto, 100 * 100 ** (1 / 3), "P(3.000,100.000)", "P(3ms,100ms)"),
    ("gpareto", {"shape": "0.25", "scale": "100", "location": "10"}, GPareto,
     10 + 100 * (0.99**-0.25 - 1) / 0.25, "P(0.250,100.000,10.000)", "P(0.25ms,100ms,10ms)"),
    ("gamma", {"k": "2", "theta": "500"}, Gamma, 500 * 13.276704135987622 / 2, "G(2.000,500.000)",
     "G(2ms,500ms)"),
    ("negbin", {"p": "0.5", "n": "10"}, NegBin, 0.0, "NB(0.500,10.000)", "NB(0.50ms,10ms)"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "params", "cls", "p99", "text", "short"), CASES)
def test_each_distribution_parses_with_sipp_percentile_and_descriptions(kind, params, cls, p99, text, short):
    for dist in (pause(distribution=kind, **params), sample(distribution=kind, **params)):
        assert type(dist) is cls
        assert dist.p99 == pytest.approx(p99, rel=1e-9)
        assert dist.text() == text and dist.short_text() == short


@pytest.mark.parametrize(("kind", "params", "cls", "p99", "text", "short"), CASES)
def test_each_missing_parameter_is_fatal_in_sipp_order(kind, params, cls, p99, text, short):
    what = error(distribution=kind)
    first = "n" if kind == "negbin" else next(iter(params))
    assert what.endswith(f" is missing the required '{first}' parameter.")


def test_error_texts():
    assert error(distribution="normal", mean="1000") == (
        "Normal distribution is missing the required 'stdev' parameter."
    )
    assert error(distribution="gpareto", shape="1", scale="1") == (
        "Generalized Pareto distribution is missing the required 'location' parameter."
    )
    assert error(distribution="negbin", n="1") == (
        "Negative Binomial distribution is missing the required 'p' parameter."
    )
    assert error(distribution="normal", mean="1s", stdev="1") == (
        "Normal distribution 'mean' parameter, \"1s\" is not a floating point number!"
    )
    assert error(distribution="Normal") == "Unknown distribution: Normal"
    assert error(distribution="") == "Unknown distribution: "
    assert error(for_sample=True, mean="1") == (
        "statistically distributed actions or pauses requires 'distribution' parameter"
    )
    assert error(milliseconds="1s") == 'Pause milliseconds, "1s" is not a floating point number!'
    assert error(milliseconds="1 ") == 'Pause milliseconds, "1 " is not a floating point number!'
    assert error(milliseconds="0x") == 'Pause milliseconds, "0x" is not a floating point number!'


def test_sanity_check_rejects_a_99th_percentile_above_int_max():
    assert error(distribution="exponential", mean="1e9") == (
        "The distribution Exp(277:46:40) has a 99th percentile of 1279:12:50, which is larger than "
        "INT_MAX.  You should chose different parameters."
    )
    # An infinite percentile prints as SIPp's time_string casts it on x86-64.
    assert error(distribution="weibull", **{"lambda": "1000", "k": "0"}).startswith(
        "The distribution Wb(1000ms,0ms) has a 99th percentile of 0:00:00, which"
    )
    assert error(milliseconds="3e9").startswith("The distribution 833:20:00 has a 99th percentile of 833:20")
    for off in ("false", "FALSE", "0", "0x0", "00", ""):
        assert pause(distribution="exponential", mean="1e9", sanity_check=off).p99 > INT_MAX
    for on in ("true", "1", "-3", " 0x1f", "07"):
        assert error(distribution="exponential", mean="1e9", sanity_check=on).startswith("The distribution")
    assert error(milliseconds="1", sanity_check="08") == (
        "pause 'sanity_check' parameter, \"08\" is not a valid boolean!"
    )
    assert error(sanity_check="yes") == "pause 'sanity_check' parameter, \"yes\" is not a valid boolean!"
    # <sample> is never sanity-checked, and does not read sanity_check.
    assert sample(distribution="exponential", mean="1e9", sanity_check="yes").p99 > INT_MAX


def test_pause_legacy_forms():
    assert pause() is None and pause(sanity_check="false") is None
    assert type(pause(normal="", mean="1", stdev="2")) is Normal  # presence selects; the value is ignored
    assert type(pause(exponential="yes", mean="1")) is Exponential
    assert type(pause(lognormal="1", mean="1", stdev="2")) is LogNormal
    assert type(pause(weibull="1", k="1", **{"lambda": "2"})) is Weibull
    assert type(pause(pareto="1", k="1", x_m="2")) is Pareto
    assert type(pause(gamma="1", k="1", theta="2")) is Gamma
    assert type(pause(min="1", max="2")) is Uniform
    assert error(max="2") == "Uniform distribution is missing the required 'min' parameter."
    assert error(min="1") == "Uniform distribution is missing the required 'max' parameter."
    assert type(pause(negbin="1", milliseconds="5")) is Fixed  # negbin has no legacy form
    # Precedence: distribution, then normal ... gamma, then min/max, then milliseconds.
    assert type(pause(distribution="fixed", value="3", milliseconds="5", normal="1")) is Fixed
    assert type(pause(gamma="1", normal="1", mean="1", stdev="1")) is Normal
    assert type(pause(min="1", max="2", milliseconds="5")) is Uniform
    assert error(gamma="1", min="1", max="2") == "Gamma distribution is missing the required 'k' parameter."


def test_milliseconds_is_a_plain_double():
    assert pause(milliseconds="2.5").p99 == 2.5 and pause(milliseconds="2.5").short_text() == "2.50ms"
    assert pause(milliseconds=" 1e3").sample() == 1000.0
    assert pause(milliseconds="0x10").sample() == 16.0
    assert pause(milliseconds="-5").sample() == -5.0
    assert pause(milliseconds="").sample() == 0.0  # strtod converts nothing: SIPp 3.6 reads 0
    assert math.isnan(pause(milliseconds="nan", sanity_check="false").sample())
    assert pause(milliseconds="4000").short_text() == "4000ms"
    assert pause(milliseconds="0").text() == "0.000000"
    assert pause(milliseconds="15000").short_text() == "15.0s"


def test_short_text_is_cut_to_22_characters_as_on_the_screen():
    dist = pause(distribution="gpareto", shape="1500.5", scale="9999.5", location="2500.25")
    assert dist.time_text() == "P(1500.5ms,9999.5ms,2500.2ms)"
    assert dist.short_text() == "P(1500.5ms,9999.5ms,25"
    assert dist.text() == "P(1500.500,9999.500,2500.250)"


def test_gamma_percentiles():
    assert Gamma(1, 1000, random.Random()).p99 == pytest.approx(1000 * math.log(100), rel=1e-10)
    assert Gamma(0.5, 2, random.Random()).p99 == pytest.approx(6.634896601021214, rel=1e-10)  # chi2(1)
    big = Gamma(1e6, 1, random.Random()).p99
    assert big == pytest.approx(1e6 + Z99 * 1000 + (Z99**2 - 1) / 3, rel=1e-8)


def test_domain_errors_of_sipperf():
    assert error(distribution="gamma", k="0", theta="1") == (
        "Gamma distribution 'k' parameter must be a positive number."
    )
    assert error(distribution="negbin", n="0.5", p="-1") == (
        "Negative Binomial distribution 'p' parameter must be a positive number."
    )


def test_pause_length_is_sipps_conversion():
    assert [pause_length(v) for v in (0.99, -5.0, 1.0, 1.9, 1500.7)] == [0, 0, 1, 1, 1500]
    assert pause_length(2.0**31) == INT_MAX and pause_length(float(INT_MAX)) == INT_MAX
    assert pause_length(5e9) == 705032704  # (unsigned int) wraps on x86-64
    assert [pause_length(v) for v in (math.nan, math.inf, -math.inf, 1e30)] == [0, 0, 0, 0]


def test_duration_ms_is_the_int_cast_of_the_percentile():
    assert duration_ms(pause(distribution="exponential", mean="1000")) == 4605
    assert duration_ms(pause(distribution="normal", mean="-1000", stdev="1")) == -997
    assert duration_ms(pause(distribution="gpareto", shape="0", scale="1", location="1")) == -(2**31)
    assert duration_ms(pause(distribution="exponential", mean="1e9", sanity_check="false")) == -(2**31)


# kind, attributes, mean, tolerance (about 5 standard errors over 20,000 draws)
MEANS = [
    ("uniform", {"min": "500", "max": "1500"}, 1000.0, 10.0),
    ("normal", {"mean": "1000", "stdev": "100"}, 1000.0, 4.0),
    ("lognormal", {"mean": "7", "stdev": "0.5"}, math.exp(7.125), 25.0),
    ("exponential", {"mean": "1000"}, 1000.0, 36.0),
    ("weibull", {"lambda": "1000", "k": "2"}, 1000 * math.gamma(1.5), 17.0),
    ("pareto", {"k": "3", "x_m": "100"}, 150.0, 4.0),
    ("gpareto", {"shape": "0.25", "scale": "100", "location": "10"}, 10 + 100 / 0.75, 8.0),
    ("gamma", {"k": "2", "theta": "500"}, 1000.0, 25.0),
    ("negbin", {"p": "4", "n": "0.5"}, 4.0, 0.1),  # GSL (p=0.5, n=4): 4 failures on average
    ("negbin", {"p": "100", "n": "0.5"}, 100.0, 0.5),  # large Poisson means
]


@pytest.mark.parametrize(("kind", "params", "mean", "tolerance"), MEANS)
def test_sample_means(kind, params, mean, tolerance):
    dist = sample(random.Random(1234), distribution=kind, **params)
    draws = [dist.sample() for _ in range(20_000)]
    assert statistics.fmean(draws) == pytest.approx(mean, abs=tolerance)
    if kind == "negbin":
        assert all(d == int(d) >= 0 for d in draws)


def test_negbin_with_documented_parameters_always_draws_zero_as_in_sipp():
    dist = sample(random.Random(1), distribution="negbin", p="0.5", n="10")
    assert {dist.sample() for _ in range(1000)} == {0.0}


def test_draws_stay_in_range_and_follow_the_injected_rng():
    uniform = sample(random.Random(5), distribution="uniform", min="10", max="20")
    assert all(10 <= uniform.sample() < 20 for _ in range(1000))
    pareto = sample(random.Random(5), distribution="pareto", k="2", x_m="100")
    assert all(pareto.sample() >= 100 for _ in range(1000))
    one, two = (sample(random.Random(9), distribution="normal", mean="0", stdev="1") for _ in range(2))
    assert [one.sample() for _ in range(5)] == [two.sample() for _ in range(5)]
    assert sample(distribution="exponential", mean="0").sample() == 0.0
    assert pause(milliseconds="7").sample() == 7.0
