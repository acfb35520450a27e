"""The per-lead summary arithmetic the stores share: a kept tally moved by deltas always
equals a tally built from scratch over the leads' current contributions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.ports import SummaryColumns
from instantly_columns.storage import _leads as leads

_COLUMNS = SummaryColumns(email="e", email_status="es", engagement_status="en")
_contributions = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from([None, "Sent", "Opened", ""]),
        st.sampled_from([None, "Interested", "3"]),
        st.integers(0, 5),
        st.integers(0, 3),
        st.sampled_from([None, "2026-03-01", "2026-03-02", "2026-03-03"]),
    ),
)


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), _contributions), max_size=40))
def test_a_kept_tally_equals_one_built_afresh(
    moves: list[tuple[str, leads.Contribution | None]],
) -> None:
    kept = leads.Tally(_COLUMNS)
    current: dict[str, leads.Contribution | None] = {}
    for email, value in moves:
        kept.set(email, value)
        current[email] = value
        fresh = leads.Tally(_COLUMNS)
        for other, contribution in current.items():
            fresh.set(other, contribution)
        assert kept.groups() == fresh.groups()
        copy = kept.copy()
        assert copy.groups() == kept.groups()
    assert sum(g.rows for g in kept.groups()) == sum(v is not None for v in current.values())


@given(st.one_of(st.none(), st.text(max_size=5)))
def test_status_keys_round_trip_through_their_stored_form(key: str | None) -> None:
    assert leads.key_out(leads.key_in(key)) == key


def test_a_lead_takes_its_first_row_with_a_status() -> None:
    first: leads.Contribution = ("Sent", None, 1, 0, None)
    later: leads.Contribution = ("Replied", None, 4, 2, "2026-03-02")
    assert leads.lead_contribution([("r2", later), ("r1", None), ("r3", first)]) == later
    assert leads.lead_contribution([("r9", first), ("r10", later)]) == later  # code points
    assert leads.lead_contribution([("r1", None)]) is None
