"""A settings change of a campaign link, decided without I/O: the link's columns rewritten
(mapping, mode, push settings, rename, campaign switch), what changed, and what the user
should know about it.

Settings are our own input, so they are closed: an unknown keyword, lead field or
``push_config`` key is a [`ConfigError`][instantly_columns.errors.ConfigError] naming it and
the closest valid names, raised before anything is written. The host's JSON in the columns
stays open: keys the library does not know are carried through an edit untouched, and keys
the host left out stay out unless the edit sets them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, get_args

import attrs

from instantly_columns.domain.columns import (
    CORE_LEAD_FIELDS,
    CampaignConfig,
    Column,
    EngagementConfig,
    PushActionConfig,
    SequenceMode,
    SequenceStepConfig,
    ensure_valid_table,
    parse_integration_config,
)
from instantly_columns.domain.engagement import EngagementSubtype
from instantly_columns.domain.ids import engagement_column_name
from instantly_columns.domain.problems import did_you_mean, join_path, unknown_name
from instantly_columns.errors import InvalidColumnConfig, Problem

__all__ = ["SETTINGS", "LinkEdit", "check_settings", "edit_link"]

ConfigT = TypeVar("ConfigT", CampaignConfig, PushActionConfig)

#: The keywords of a settings edit (``service.update_link``).
SETTINGS: tuple[str, ...] = (
    "field_mapping",
    "sequence_mode",
    "push_config",
    "campaign_name",
    "campaign_id",
    "sync_interval_seconds",
)
#: The ``push_config`` keys a settings edit may change (the campaign follows the link's).
PUSH_SETTINGS: tuple[str, ...] = ("auto_field_mapping",)
_MAPPING_KEYS: tuple[str, ...] = (*CORE_LEAD_FIELDS, "custom_variables")
_MODES: tuple[str, ...] = get_args(SequenceMode)


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


def _mapping_problems(value: object) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem("field_mapping", "must be an object of lead field -> column id")]
    out: list[Problem] = []
    for key, column in value.items():
        path = join_path("field_mapping", str(key))
        if key not in _MAPPING_KEYS:
            out.append(unknown_name(path, str(key), _MAPPING_KEYS, "lead field"))
        elif key == "custom_variables":
            if not isinstance(column, Mapping):
                out.append(Problem(path, "must be an object of variable name -> column id"))
                continue
            out += [
                Problem(join_path(path, str(name)), "must be a column id (a non-empty string)")
                for name, target in column.items()
                if not isinstance(name, str) or not isinstance(target, str) or not target
            ]
        elif column is not None and (not isinstance(column, str) or not column):
            out.append(Problem(path, "must be a column id (a non-empty string) or None"))
    return out


def check_settings(
    *,
    field_mapping: object = None,
    sequence_mode: object = None,
    push_config: object = None,
    campaign_name: object = None,
    campaign_id: object = None,
    sync_interval_seconds: object = None,
    unknown: Mapping[str, object] | None = None,
) -> None:
    """Check the values of a settings edit before anything is read or written.

    Raises:
        InvalidColumnConfig: (a ``ConfigError``) every problem at once, each with its
            path: an unknown keyword, lead field or ``push_config`` key (with the closest
            valid names), a sequence mode that does not exist, a value of the wrong type, an
            interval that is not a positive number of seconds. Values are never echoed.
    """
    problems = [unknown_name(str(k), str(k), SETTINGS, "setting") for k in unknown or {}]
    if field_mapping is not None:
        problems += _mapping_problems(field_mapping)
    if sequence_mode is not None and sequence_mode not in _MODES:
        shown = sequence_mode if isinstance(sequence_mode, str) else ""
        problems.append(
            Problem("sequence_mode", f"not a sequence mode; {did_you_mean(shown, _MODES)}")
        )
    if push_config is not None:
        if not isinstance(push_config, Mapping):
            problems.append(
                Problem("push_config", "must be an object such as {auto_field_mapping: false}")
            )
        else:
            for key, value in push_config.items():
                path = join_path("push_config", str(key))
                if key not in PUSH_SETTINGS:
                    problems.append(unknown_name(path, str(key), PUSH_SETTINGS, "push setting"))
                elif not isinstance(value, bool):
                    problems.append(Problem(path, "must be true or false"))
    for name, value in (("campaign_name", campaign_name), ("campaign_id", campaign_id)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problems.append(Problem(name, "must be a non-empty string"))
    if sync_interval_seconds is not None and (
        isinstance(sync_interval_seconds, bool)
        or not isinstance(sync_interval_seconds, int | float)
        or not math.isfinite(sync_interval_seconds)
        or sync_interval_seconds <= 0
    ):
        problems.append(
            Problem("sync_interval_seconds", "must be a number of seconds above 0, such as 900")
        )
    if problems:
        # InvalidColumnConfig (a ConfigError): what a settings edit raised before for a value
        # the link's column config could not take.
        raise InvalidColumnConfig(problems)


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


def _edit_path(problem: Problem, prefixes: Sequence[str]) -> Problem:
    for prefix in prefixes:
        if problem.path.startswith(prefix):
            return Problem(problem.path.removeprefix(prefix), problem.message)
    return problem


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
    stay valid (else ``InvalidColumnConfig``, and nothing is to be saved). The values are
    checked first (``check_settings``)."""
    check_settings(
        field_mapping=field_mapping,
        sequence_mode=sequence_mode,
        push_config=push_config,
        campaign_name=campaign_name,
        campaign_id=campaign_id,
    )
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
    try:
        ensure_valid_table([updated.get(c.id, c) for c in table])
    except InvalidColumnConfig as exc:
        # The table names the problem by column; say it in the terms of this edit's
        # arguments (``field_mapping.email``, ``push_config...``) where it is about them.
        prefixes = [f"columns[{link.id}].integration_config."]
        if push is not None:
            prefixes.append(f"columns[{push.id}].integration_config.")
        raise InvalidColumnConfig(_edit_path(p, prefixes) for p in exc.problems) from None
    return LinkEdit(
        config=new,
        columns=tuple(updated.values()),
        changed=tuple(changed),
        notes=tuple(notes),
        switched=switched,
        push_config=new_push_config,
    )
