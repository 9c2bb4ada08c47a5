"""M/M/c (Erlang C) queueing: the probability of waiting, waiting times, and the servers a target needs.

Arrivals are Poisson with rate ``lambda`` [per h]; service times are exponential with mean ``T``
[h]; ``c`` identical servers (charging bays, dispensers) share one first-come-first-served queue.
The offered load is ``a = lambda T`` [Erlang]; the queue is stable when ``a < c``. Then

- ``C(c, a)``: probability that an arrival waits (Erlang C), from the Erlang B recursion
  ``B(k) = a B(k-1) / (k + a B(k-1))``, ``C = B / (1 - rho + rho B)``, ``rho = a / c``;
- mean wait in queue ``Wq = C T / (c - a)``;
- ``P(wait > t) = C exp(-(c - a) t / T)``.

Pure functions of plain numbers: no graph, no I/O.
"""

from __future__ import annotations

import math

__all__ = [
    "erlang_c",
    "prob_wait_longer",
    "mean_wait_h",
    "servers_needed",
    "servers_for_mean_wait",
]


def erlang_c(servers: int, offered_load: float) -> float:
    """Erlang C: probability that an arrival waits, M/M/c with ``offered_load`` a = lambda T [Erlang].

    Computed from the Erlang B recursion, which is stable for large ``servers``.

    Examples
    --------
    >>> round(erlang_c(2, 1.0), 6)
    0.333333
    >>> erlang_c(1, 1.5)
    1.0
    """
    if offered_load <= 0:
        return 0.0
    if servers <= offered_load:
        return 1.0
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    rho = offered_load / servers
    return b / (1 - rho + rho * b)


def prob_wait_longer(servers: int, arrivals_per_h: float, service_h: float, wait_h: float) -> float:
    """P(wait > ``wait_h``) in an M/M/c queue [probability].

    Examples
    --------
    >>> round(prob_wait_longer(2, 4.0, 0.25, 0.0), 6)
    0.333333
    >>> round(prob_wait_longer(2, 4.0, 0.25, 0.25), 6)
    0.122626
    """
    a = arrivals_per_h * service_h
    if servers <= a:
        return 1.0
    return erlang_c(servers, a) * math.exp(-(servers - a) * wait_h / service_h)


def mean_wait_h(servers: int, arrivals_per_h: float, service_h: float) -> float:
    """Mean wait in the queue ``Wq`` [h]; infinite when the queue is unstable (``a >= c``).

    Examples
    --------
    >>> round(mean_wait_h(2, 4.0, 0.25) * 60, 4)   # a = 1, C = 1/3: Wq = (1/3)(15 min)/1
    5.0
    >>> mean_wait_h(1, 4.0, 0.25)
    inf
    """
    if arrivals_per_h <= 0:
        return 0.0
    a = arrivals_per_h * service_h
    if servers <= a:
        return math.inf
    return erlang_c(servers, a) * service_h / (servers - a)


def servers_needed(arrivals_per_h: float, service_h: float, wait_h: float, max_prob: float) -> int:
    """Fewest servers with P(wait > ``wait_h``) <= ``max_prob`` (at least 1).

    Examples
    --------
    >>> servers_needed(4.0, 0.25, 0.25, 0.05)
    3
    """
    if arrivals_per_h <= 0:
        return 1
    c = max(1, math.floor(arrivals_per_h * service_h) + 1)
    while prob_wait_longer(c, arrivals_per_h, service_h, wait_h) > max_prob:
        c += 1
    return c


def servers_for_mean_wait(arrivals_per_h: float, service_h: float, target_wait_h: float) -> int:
    """Fewest servers whose mean wait ``Wq`` is at most ``target_wait_h`` (at least 1).

    Examples
    --------
    >>> servers_for_mean_wait(4.0, 0.25, 5 / 60)
    2
    >>> servers_for_mean_wait(4.0, 0.25, 4.9 / 60)
    3
    """
    if arrivals_per_h <= 0:
        return 1
    c = max(1, math.floor(arrivals_per_h * service_h) + 1)
    while mean_wait_h(c, arrivals_per_h, service_h) > target_wait_h + 1e-12:
        c += 1
    return c
