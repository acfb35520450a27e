"""Type-checked by mypy (not collected by pytest): the seam between the flows and the API core
and stores is typed end to end. Each marked line below is an error, and mypy --strict's
warn_unused_ignores fails CI if one of them ever stops being one (say, if a result became Any
again)."""

from __future__ import annotations

from instantly_columns.api.core import ApiCore
from instantly_columns.api.results import Campaign, Lead, Page
from instantly_columns.domain.columns import Row
from instantly_columns.engine.effects import Flow, blocking, gather
from instantly_columns.service._context import Ctx


def a_good_flow(ctx: Ctx, core: ApiCore) -> Flow[int]:
    page: Page[Lead] = yield from core.lead_page("campaign", None)
    rows: list[Row] = yield from blocking(ctx.tables.rows, "table", limit=10)
    leads, campaign = yield from gather(
        core.lead_page("campaign", None), core.get_campaign("campaign")
    )
    name: str | None = campaign.unwrap().name
    return len(page.items) + len(rows) + len(leads.unwrap().items) + len(name or "")


def a_misspelt_keyword(core: ApiCore) -> Flow[None]:
    yield from core.lead_pages("campaign", startng_after=None)  # type: ignore[call-arg]


def a_wrong_result_type(core: ApiCore) -> Flow[None]:
    page: Page[Campaign] = yield from core.lead_page("campaign", None)  # type: ignore[assignment]
    del page


def a_misspelt_store_keyword(ctx: Ctx) -> Flow[None]:
    yield from blocking(ctx.tables.rows, "table", lmit=10)  # type: ignore[call-arg]


def a_wrong_store_argument(ctx: Ctx) -> Flow[None]:
    yield from blocking(ctx.tables.rows, "table", limit="10")  # type: ignore[arg-type]


def a_wrong_store_result(ctx: Ctx) -> Flow[None]:
    rows: list[str] = yield from blocking(ctx.tables.rows, "table")  # type: ignore[assignment]
    del rows


def a_wrong_gathered_result(core: ApiCore) -> Flow[None]:
    (outcome,) = yield from gather(core.get_campaign("campaign"))
    lead: Lead = outcome.unwrap()  # type: ignore[assignment]
    del lead
