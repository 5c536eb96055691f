"""SIPp's statistical distributions: the lengths of `<pause>` and the draws of `<sample>`.

One class per SIPp `CSample` (stat.cpp) and `parse_distribution` (scenario.cpp) in front of them,
with SIPp's attribute names, reading order, fatal-error texts, 99th percentile (`cdfInv(0.99)`: what
a pause adds to the scenario duration and what `sanity_check` compares with INT_MAX) and
descriptions (`text()` is `textDescr()`, `short_text()` what the scenario screen shows inside
`Pause [...]`). SIPp's quirks are kept and marked where they happen. Draws use one `random.Random`,
injectable for tests; what a draw needs is computed once, when the scenario loads.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping

from sipperf.cnumbers import parse_bool, parse_double
from sipperf.errors import ScenarioError
from sipperf.timefmt import time_string

INT_MAX = 2**31 - 1
_INT_MIN = -(2**31)
_Z99 = 2.3263478740408408  # statistics.NormalDist().inv_cdf(0.99), without importing statistics
_LN100 = math.log(100.0)  # -log(1 - 0.99)
_SCREEN_CHARS = 22  # the screen formats a pause with snprintf(desc, 23, ...)
_RNG = random.Random()


def _inv(x: float) -> float:
    """1/x, with C's signed infinity for a zero instead of ZeroDivisionError."""
    return 1.0 / x if x else math.copysign(math.inf, x)


def _time(ms: float) -> str:
    """SIPp's `time_string()`; NaN and infinities print what its int casts make of them on x86-64."""
    if math.isfinite(ms):
        return time_string(ms)
    return "-2147483648ms" if ms < 0 else "0:00:00"


class Distribution:
    """A distribution of lengths in ms (SIPp's `CSample`)."""

    __slots__ = ("p99", "_params")
    _NAME = ""
    p99: float  # SIPp's cdfInv(0.99)

    def __init__(self, params: tuple[float, ...], p99: float) -> None:
        self._params = params
        self.p99 = p99

    def sample(self) -> float:
        """One draw, in ms, not rounded (see `pause_length` for what a pause makes of it)."""
        raise NotImplementedError

    def text(self) -> str:
        """SIPp's `textDescr()`, e.g. `N(1000.000,100.000)`."""
        return f"{self._NAME}({','.join(f'{v:.3f}' for v in self._params)})"

    def time_text(self) -> str:
        """SIPp's `timeDescr()`, e.g. `N(1000ms,100ms)`, as the sanity-check error quotes it."""
        return f"{self._NAME}({','.join(_time(v) for v in self._params)})"

    def short_text(self) -> str:
        """What the scenario screen shows inside `Pause [...]`: `timeDescr()`, 22 characters at most."""
        return self.time_text()[:_SCREEN_CHARS]


class Fixed(Distribution):
    __slots__ = ("_value",)

    def __init__(self, value: float, rng: random.Random) -> None:
        super().__init__((value,), value)
        self._value = value

    def sample(self) -> float:
        return self._value

    def text(self) -> str:
        return f"{self._value:f}"

    def time_text(self) -> str:
        return _time(self._value)


class Uniform(Distribution):
    __slots__ = ("_low", "_span", "_random")

    def __init__(self, low: float, high: float, rng: random.Random) -> None:
        # SIPp's cdfInv is min + max * p, not min + (max - min) * p.
        super().__init__((low, high), low + high * 0.99)
        self._low, self._span, self._random = low, high - low, rng.random

    def sample(self) -> float:
        return self._low + self._random() * self._span

    def text(self) -> str:
        return f"{self._params[0]:f}/{self._params[1]:f}"

    def time_text(self) -> str:
        return f"{_time(self._params[0])}/{_time(self._params[1])}"


class Normal(Distribution):
    __slots__ = ("_mean", "_stdev", "_gauss")
    _NAME = "N"

    def __init__(self, mean: float, stdev: float, rng: random.Random) -> None:
        super().__init__((mean, stdev), mean + stdev * _Z99)
        self._mean, self._stdev, self._gauss = mean, stdev, rng.gauss

    def sample(self) -> float:
        return self._gauss(self._mean, self._stdev)


class LogNormal(Normal):
    """`mean` and `stdev` are those of the logarithm."""

    __slots__ = ()
    _NAME = "LN"

    def __init__(self, mean: float, stdev: float, rng: random.Random) -> None:
        super().__init__(mean, stdev, rng)
        self.p99 = _exp(mean + stdev * _Z99)

    def sample(self) -> float:
        return _exp(self._gauss(self._mean, self._stdev))


class Exponential(Distribution):
    __slots__ = ("_mean", "_random")
    _NAME = "Exp"

    def __init__(self, mean: float, rng: random.Random) -> None:
        super().__init__((mean,), mean * _LN100)
        self._mean, self._random = mean, rng.random

    def sample(self) -> float:
        return -self._mean * math.log(1.0 - self._random())

    def text(self) -> str:
        return f"Exp({self._mean:f})"


class Weibull(Distribution):
    __slots__ = ("_lambda", "_inv_k", "_random")
    _NAME = "Wb"

    def __init__(self, lam: float, k: float, rng: random.Random) -> None:
        self._lambda, self._inv_k, self._random = lam, _inv(k), rng.random
        super().__init__((lam, k), self._at(_LN100))

    def _at(self, log_term: float) -> float:
        try:
            return self._lambda * log_term**self._inv_k
        except (OverflowError, ZeroDivisionError):  # C: pow() gives infinity
            return math.inf

    def sample(self) -> float:
        return self._at(-math.log(1.0 - self._random()))


class Pareto(Distribution):
    __slots__ = ("_x_m", "_exponent", "_random")
    _NAME = "P"

    def __init__(self, k: float, x_m: float, rng: random.Random) -> None:
        self._x_m, self._exponent, self._random = x_m, -_inv(k), rng.random
        super().__init__((k, x_m), self._at(0.01))

    def _at(self, tail: float) -> float:
        try:
            return self._x_m * tail**self._exponent
        except OverflowError:
            return math.inf

    def sample(self) -> float:
        return self._at(1.0 - self._random())


class GPareto(Distribution):
    __slots__ = ("_shape", "_scale", "_location", "_random")
    _NAME = "P"

    def __init__(self, shape: float, scale: float, location: float, rng: random.Random) -> None:
        self._shape, self._scale, self._location, self._random = shape, scale, location, rng.random
        # SIPp's cdfInv puts p where the inverse CDF has 1 - p: its "99th percentile" is the 1st.
        super().__init__((shape, scale, location), self._cdf_inv(0.99))

    def _cdf_inv(self, p: float) -> float:
        try:
            return self._location + self._scale * (p**-self._shape - 1.0) / self._shape
        except ZeroDivisionError:  # shape 0: C computes 0/0
            return math.nan
        except OverflowError:
            return math.inf

    def sample(self) -> float:
        return self._cdf_inv(1.0 - self._random())


class Gamma(Distribution):
    __slots__ = ("_k", "_theta", "_gammavariate")
    _NAME = "G"

    def __init__(self, k: float, theta: float, rng: random.Random) -> None:
        if not 0.0 < k < math.inf:
            raise ValueError("Gamma distribution 'k' parameter must be a positive number.")
        super().__init__((k, theta), theta * _gamma_quantile(k, 0.99))
        self._k, self._theta, self._gammavariate = k, theta, rng.gammavariate

    def sample(self) -> float:
        return self._theta * self._gammavariate(self._k, 1.0)


class NegBin(Distribution):
    """SIPp calls `gsl_ran_negative_binomial(rng, n, p)` while GSL's parameters are `(p, n)`: GSL's
    success probability is SIPp's `n` and its number of successes SIPp's `p`, so with the documented
    0 < p < 1 <= n every draw is 0. Its cdfInv is not implemented: always 0."""

    __slots__ = ("_shape", "_rate", "_gammavariate", "_random")
    _NAME = "NB"

    def __init__(self, n: float, p: float, rng: random.Random) -> None:
        if not 0.0 < p < math.inf:
            raise ValueError("Negative Binomial distribution 'p' parameter must be a positive number.")
        super().__init__((p, n), 0.0)
        self._shape, self._rate = p, (1.0 - n) * _inv(n)  # GSL: Poisson(Gamma(n_gsl) * (1-p_gsl)/p_gsl)
        self._gammavariate, self._random = rng.gammavariate, rng.random

    def sample(self) -> float:
        if not self._rate > 0.0:  # GSL's Poisson draw for a mean <= 0 is 0
            return 0.0
        return _poisson(self._gammavariate(self._shape, 1.0) * self._rate, self._random)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _poisson(mean: float, uniform: Callable[[], float]) -> float:
    """A Poisson draw: products of uniforms (GSL's method) below a mean of 30, Hörmann's PTRS above."""
    if not mean > 0.0:  # NaN too, as in GSL
        return 0.0
    if mean == math.inf:
        return math.inf
    if mean < 30.0:
        limit, count, product = math.exp(-mean), 0, uniform()
        while product > limit:
            count += 1
            product *= uniform()
        return float(count)
    log_mean = math.log(mean)
    b = 0.931 + 2.53 * math.sqrt(mean)
    a = -0.059 + 0.02483 * b
    log_inv_alpha = math.log(1.1239 + 1.1328 / (b - 3.4))
    v_r = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = uniform() - 0.5
        v = 1.0 - uniform()
        us = 0.5 - abs(u)
        if us == 0.0:
            continue
        k = math.floor((2.0 * a / us + b) * u + mean + 0.43)
        if us >= 0.07 and v <= v_r:
            return float(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        log_ratio = math.log(v) + log_inv_alpha - math.log(a / (us * us) + b)
        if log_ratio <= -mean + k * log_mean - math.lgamma(k + 1):
            return float(k)


def _gamma_cdf(k: float, x: float) -> float:
    """The regularised lower incomplete gamma function P(k, x), by its power series."""
    if x <= 0.0:
        return 0.0
    term = total = 1.0 / k
    n = k
    while term > total * 1e-16:
        n += 1.0
        term *= x / n
        total += term
    return total * math.exp(k * math.log(x) - x - math.lgamma(k))


def _gamma_quantile(k: float, p: float) -> float:
    """The p-quantile of Gamma(k, 1): bisection of its CDF; Wilson-Hilferty beyond k = 1e5."""
    if k > 1e5:
        from statistics import NormalDist  # rare: not loaded at start-up

        z = NormalDist().inv_cdf(p)
        return k * (1.0 - 1.0 / (9.0 * k) + z / math.sqrt(9.0 * k)) ** 3
    low, high = 0.0, k + 10.0 * math.sqrt(k) + 20.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if mid in (low, high):
            break
        if _gamma_cdf(k, mid) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


_KINDS: dict[str, tuple[Callable[..., Distribution], str, tuple[str, ...]]] = {
    "fixed": (Fixed, "Fixed distribution", ("value",)),
    "uniform": (Uniform, "Uniform distribution", ("min", "max")),
    "normal": (Normal, "Normal distribution", ("mean", "stdev")),
    "lognormal": (LogNormal, "Lognormal distribution", ("mean", "stdev")),
    "exponential": (Exponential, "Exponential distribution", ("mean",)),
    "weibull": (Weibull, "Weibull distribution", ("lambda", "k")),
    "pareto": (Pareto, "Pareto distribution", ("k", "x_m")),
    "gpareto": (GPareto, "Generalized Pareto distribution", ("shape", "scale", "location")),
    "gamma": (Gamma, "Gamma distribution", ("k", "theta")),
    "negbin": (NegBin, "Negative Binomial distribution", ("n", "p")),  # SIPp reads n first
}
# A pause without `distribution`: the first of these attributes present (its value is ignored).
_LEGACY = {"normal": "normal", "exponential": "exponential", "lognormal": "lognormal",
           "weibull": "weibull", "pareto": "pareto", "gamma": "gamma", "min": "uniform",
           "max": "uniform"}  # fmt: skip


def parse_distribution(
    attrs: Mapping[str, str],
    path: str,
    line: int,
    *,
    for_sample: bool,
    rng: random.Random | None = None,
) -> Distribution | None:
    """The distribution an element's attributes describe, as SIPp reads them.

    A pause (`for_sample=False`; the caller has handled `variable`) takes `distribution`, else the
    legacy forms, else `milliseconds` (a plain double, no unit), else nothing: None, the caller uses
    `-d`; then `sanity_check` (default true) rejects a 99th percentile above INT_MAX ms. A sample
    must name its `distribution` and is never sanity-checked. Errors raise `ScenarioError`.
    """

    def fail(what: str) -> ScenarioError:
        return ScenarioError(path, line, what)

    rng = _RNG if rng is None else rng
    name = attrs.get("distribution")
    if name is None:
        if for_sample:
            raise fail("statistically distributed actions or pauses requires 'distribution' parameter")
        name = next((kind for attr, kind in _LEGACY.items() if attr in attrs), None)
    if name is not None:
        distribution: Distribution | None = _build(name, attrs, rng, fail)
    elif "milliseconds" in attrs:
        distribution = Fixed(_double(attrs["milliseconds"], "Pause milliseconds", fail), rng)
    else:
        distribution = None
    if for_sample:
        return distribution
    sanity = attrs.get("sanity_check")
    sane = sanity is None or _bool(sanity, "pause 'sanity_check' parameter", fail)
    if sane and distribution is not None and distribution.p99 > INT_MAX:
        raise fail(
            f"The distribution {distribution.time_text()[:99]} has a 99th percentile of "
            f"{_time(distribution.p99)}, which is larger than INT_MAX.  You should chose different "
            "parameters."
        )
    return distribution


def pause_length(ms: float) -> int:
    """A drawn length as SIPp pauses for it: below 1 -> 0, else its `(unsigned int)` cast as x86-64
    does it (truncated, then wrapped to 32 bits; NaN, infinities and >= 2**63 give 0), capped at INT_MAX."""
    if ms < 1.0:
        return 0
    if ms <= INT_MAX:
        return int(ms)
    return min(int(ms) & 0xFFFFFFFF, INT_MAX) if ms < 2.0**63 else 0


def duration_ms(distribution: Distribution) -> int:
    """What a pause adds to the scenario duration: `(int)cdfInv(0.99)` as x86-64 converts it (NaN or
    out of int range -> INT_MIN; only reachable with sanity_check="false")."""
    p99 = distribution.p99
    return int(p99) if _INT_MIN - 1 < p99 < INT_MAX + 1 else _INT_MIN


def _build(
    name: str, attrs: Mapping[str, str], rng: random.Random, fail: Callable[[str], ScenarioError]
) -> Distribution:
    spec = _KINDS.get(name)
    if spec is None:
        raise fail(f"Unknown distribution: {name}")
    make, what, names = spec
    values = []
    for param in names:
        text = attrs.get(param)
        if text is None:
            raise fail(f"{what} is missing the required '{param}' parameter.")
        values.append(_double(text, f"{what} '{param}' parameter", fail))
    try:
        return make(*values, rng)
    except ValueError as err:
        raise fail(str(err)) from None


def _double(text: str, what: str, fail: Callable[[str], ScenarioError]) -> float:
    """SIPp's get_double(): the whole text through C strtod ("" reads as 0)."""
    value = parse_double(text)
    if value is None:
        raise fail(f'{what}, "{text}" is not a floating point number!')
    return value


def _bool(text: str, what: str, fail: Callable[[str], ScenarioError]) -> bool:
    """SIPp's get_bool(): true/false in any case, else a C strtol integer (base 0), true unless 0."""
    value = parse_bool(text)
    if value is None:
        raise fail(f'{what}, "{text}" is not a valid boolean!')
    return value
