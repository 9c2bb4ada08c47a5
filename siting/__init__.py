"""Expressway siting of fast chargers and hydrogen stations (flow-refuelling location models).

Modules by concern: ``graph`` and ``io`` (road networks and files), ``demand`` (O-D trips, gravity
model), ``refuel`` (Kuby & Lim round-trip logic, arc-cover sets), ``models`` (exact ACPC MILP on
HiGHS, greedy+swap heuristic), ``cover``, ``spacing``, ``sizing`` (Erlang C), ``fuels``, ``rollout``,
``networks`` (built-in Hunan and 25-node networks), ``outputs`` and the ``siting`` CLI (``cli``).
"""
