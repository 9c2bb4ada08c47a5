"""The local list's pure core: a Differential update always brings the station's list to the wanted one, and
a list split over the station's limits keeps every item once, in order, within the limits."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from csms.domain import local_list as rules
from csms.domain.local_list import Entry
from csms.domain.message_split import json_size, split

tokens = st.sampled_from(["A", "B", "C", "D", "E", "F"])
entries = st.builds(
    Entry, tokens, st.sampled_from(["ISO14443", "eMAID"]),
    st.sampled_from(["Accepted", "Blocked", "Expired"]),
    st.none() | st.just(datetime(2027, 1, 1, tzinfo=UTC)), st.none() | st.just("G"),
)  # fmt: skip
lists = st.lists(entries).map(lambda es: {e.id_token: e for e in es})


@given(lists, lists)
def test_differential_then_apply_gives_the_wanted_list(held: dict, wanted: dict) -> None:
    changes = rules.differential(held, wanted)
    assert rules.apply(held, changes) == wanted
    assert len({c.id_token for c in changes}) == len(changes)  # one change per id token
    assert all(held.get(c.id_token) != wanted.get(c.id_token) for c in changes)  # nothing sent for nothing


@given(lists, lists, st.lists(tokens))
def test_a_selection_changes_only_its_tokens(held: dict, wanted: dict, only: list) -> None:
    after = rules.apply(held, rules.differential(held, wanted, only=only))
    for token in set(held) | set(wanted):
        assert after.get(token) == (wanted.get(token) if token in only else held.get(token))


@given(lists, st.integers(1, 4), st.integers(260, 600), st.sampled_from(["1.6", "2.0.1"]))
def test_a_split_list_keeps_every_item_within_the_limits(wanted: dict, items: int, size: int, v: str) -> None:
    changes = rules.full(wanted.values())
    empty = {"versionNumber": 99, "updateType": "Differential", "localAuthorizationList": []}
    envelope = json_size(empty) - 2
    chunks = split(changes, max_items=items, max_bytes=size, envelope_bytes=envelope,
                   size_of=lambda c: json_size(rules.authorization_data([c], v)[0]))  # fmt: skip
    assert [c for chunk in chunks for c in chunk] == changes
    for chunk in chunks:
        assert len(chunk) <= items
        payload = {"versionNumber": 99, "updateType": "Differential",
                   "localAuthorizationList": rules.authorization_data(chunk, v)}  # fmt: skip
        assert json_size(payload) <= size
