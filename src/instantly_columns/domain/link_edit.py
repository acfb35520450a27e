"""A settings change of a campaign link, decided without I/O: the link's columns rewritten
(mapping, mode, push settings, rename, campaign switch), what changed, and what the user
should know about it.

The host's JSON in the columns stays open: keys the library does not know are carried
through an edit untouched, and keys the host left out stay out unless the edit sets them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import attrs

from instantly_columns.domain.columns import (
    CORE_LEAD_FIELDS,
    CampaignConfig,
    Column,
    EngagementConfig,
    PushActionConfig,
    SequenceStepConfig,
    ensure_valid_table,
    parse_integration_config,
)
from instantly_columns.domain.engagement import EngagementSubtype
from instantly_columns.domain.ids import engagement_column_name
from instantly_columns.errors import InvalidColumnConfig

__all__ = ["LinkEdit", "edit_link"]

ConfigT = TypeVar("ConfigT", CampaignConfig, PushActionConfig)

_MAPPING_KEYS: tuple[str, ...] = (*CORE_LEAD_FIELDS, "custom_variables")


@attrs.frozen
class LinkEdit:
    """The outcome of [`edit_link`][instantly_columns.domain.link_edit.edit_link]."""

    config: CampaignConfig
    """The link's new ``campaign_config``."""
    columns: tuple[Column, ...]
    """Every column of the link, rewritten (to save)."""
    changed: tuple[str, ...]
    notes: tuple[str, ...]
    switched: bool
    """The link now points at another campaign: its engagement and push cells are stale."""
    push_config: Mapping[str, Any] | None
    """The push column's new ``push_config``, when it was edited."""


def _typed(kind: type[ConfigT], flat: Mapping[str, Any]) -> ConfigT:
    """Parse an edited flat config; problems become ``InvalidColumnConfig`` with paths."""
    config = parse_integration_config(flat)
    if not isinstance(config, kind):  # pragma: no cover - the subtype key is never edited
        raise InvalidColumnConfig(f"expected a {kind.__name__}", path="instantly_subtype")
    return config


def _link_name(column: Column, old: CampaignConfig, new: CampaignConfig) -> str:
    # A column named after its campaign follows a rename; a name the user chose stays.
    if column.name in ("", old.campaign_name, old.display_name):
        return new.display_name
    return column.name


def edit_link(
    *,
    table: Sequence[Column],
    link: Column,
    engagement: Mapping[EngagementSubtype, Column],
    steps: Mapping[tuple[int, str], Column],
    push: Column | None,
    field_mapping: Mapping[str, Any] | None = None,
    sequence_mode: str | None = None,
    push_config: Mapping[str, Any] | None = None,
    campaign_name: str | None = None,
    campaign_id: str | None = None,
) -> LinkEdit:
    """Apply a settings change to a link's columns; the table with the rewritten columns must
    stay valid (else ``InvalidColumnConfig``, and nothing is to be saved)."""
    old = link.config
    if not isinstance(old, CampaignConfig):
        raise InvalidColumnConfig("not a campaign link", path="instantly_subtype")
    flat = old.to_integration_config()
    changed: list[str] = []
    notes: list[str] = []
    if field_mapping is not None:
        # Keys of the host's that this library does not know stay; the lead fields are
        # replaced by the new mapping.
        kept = {
            k: v for k, v in dict(flat.get("field_mapping") or {}).items() if k not in _MAPPING_KEYS
        }
        flat["field_mapping"] = {**kept, **field_mapping}
        changed.append("field_mapping")
    if sequence_mode is not None and sequence_mode != old.sequence_mode:
        flat["sequence_mode"] = sequence_mode
        changed.append("sequence_mode")
        if steps and sequence_mode != "author_steps":
            notes.append("step columns are kept but no longer pushed (mode is not author_steps)")
    if campaign_name is not None and campaign_name != old.campaign_name:
        flat["campaign_name"] = campaign_name
        changed.append("campaign_name")
    switched = campaign_id is not None and campaign_id != old.campaign_id
    if switched:
        flat["campaign_id"] = campaign_id
        changed.append("campaign_id")
    new = _typed(CampaignConfig, flat)
    updated: dict[str, Column] = {
        link.id: link.model_copy(update={"config": new, "name": _link_name(link, old, new)})
    }
    for subtype, col in engagement.items():
        cfg = col.config
        assert isinstance(cfg, EngagementConfig)
        # A dependent that names no campaign belongs by its key: leave it so.
        if cfg.campaign_id is not None:
            cfg = cfg.model_copy(update={"campaign_id": new.campaign_id})
        updated[col.id] = col.model_copy(
            update={"name": engagement_column_name(subtype, new.display_name), "config": cfg}
        )
    for col in steps.values():
        step_cfg = col.config
        assert isinstance(step_cfg, SequenceStepConfig)
        if step_cfg.campaign_id is not None:
            step_cfg = step_cfg.model_copy(update={"campaign_id": new.campaign_id})
            updated[col.id] = col.model_copy(update={"config": step_cfg})
    new_push_config: Mapping[str, Any] | None = None
    if push is not None:
        cfg_push = push.config
        assert isinstance(cfg_push, PushActionConfig)
        push_flat = cfg_push.to_integration_config()
        inner = dict(push_flat.get("push_config") or {})
        if push_config is not None:
            inner.update(push_config)
            changed.append("push_config")
        if inner.get("campaign_id") is not None:
            inner["campaign_id"] = new.campaign_id
        if inner or "push_config" in push_flat:
            push_flat["push_config"] = inner
        if push_flat.get("campaign_id") is not None:
            push_flat["campaign_id"] = new.campaign_id
        if not inner.get("auto_field_mapping", True) and not push_flat.get("field_mapping"):
            # The push column gets a mapping of its own, starting from the link's.
            push_flat["field_mapping"] = new.field_mapping.model_dump(
                mode="json", exclude_unset=True
            )
            notes.append("the push column now has its own field mapping, copied from the link")
        new_push = _typed(PushActionConfig, push_flat)
        updated[push.id] = push.model_copy(update={"config": new_push})
        if push_config is not None and new_push.push_config is not None:
            new_push_config = dict(new_push.push_config)
    elif push_config is not None:
        raise InvalidColumnConfig("this link has no push_action column", path="push_config")
    ensure_valid_table([updated.get(c.id, c) for c in table])
    return LinkEdit(
        config=new,
        columns=tuple(updated.values()),
        changed=tuple(changed),
        notes=tuple(notes),
        switched=switched,
        push_config=new_push_config,
    )
