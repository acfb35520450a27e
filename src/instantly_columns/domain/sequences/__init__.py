"""Sequences: template variables, previews, per-row step copy and campaign schedules.

A campaign link feeds Instantly's email steps in one of three modes (``SequenceMode``):

- ``use_existing``: the campaign's steps are sent as written; the table only supplies leads.
- ``map_variables``: each ``{{variable}}`` of the campaign's steps is bound to a table column;
  [`preview`][instantly_columns.domain.sequences.preview] shows the copy a few rows would get.
- ``author_steps``: the table holds the copy itself, in "Step N Subject" / "Step N Body"
  columns; [`author_sequence`][instantly_columns.domain.sequences.author_sequence] writes steps made
  of per-lead custom variables, so each lead receives its own row's text.


[`build_schedule`][instantly_columns.domain.sequences.build_schedule] makes the
``campaign_schedule`` that Instantly requires, and
[`resolve_timezone`][instantly_columns.domain.sequences.resolve_timezone]
maps a common IANA zone onto one of the 102 zones Instantly accepts, only when the two have
the same UTC offsets. Both are re-exported here from ``instantly_columns.domain.schedules``
and ``instantly_columns.domain.timezones``.

The modules: ``templates`` (variables, bindings and preview), ``steps`` (parsing and checking a
campaign's steps) and ``authoring`` (the step columns of ``author_steps``). Everything here is
pure: no I/O apart from reading time zone rules through ``zoneinfo``, and no clock (dates are
passed in).
"""

from __future__ import annotations

from typing import Final, get_args

from instantly_columns.domain.columns import SequenceMode
from instantly_columns.domain.schedules import Schedule, build_schedule
from instantly_columns.domain.sequences.authoring import (
    DEFAULT_STEP_DELAY,
    MAX_STEPS,
    StepColumnSpec,
    author_sequence,
    find_step_columns,
    looks_like_html,
    scaffold_step_columns,
    step_column_name,
    step_custom_variables,
    step_variable,
    text_to_html,
    validate_step_columns,
)
from instantly_columns.domain.sequences.steps import (
    DelayUnit,
    Step,
    StepField,
    Variant,
    campaign_variables,
    parse_steps,
    used_variables,
    validate_steps,
)
from instantly_columns.domain.sequences.templates import (
    CORE_VARIABLE_FIELDS,
    CORE_VARIABLES,
    SENDER_VARIABLES,
    PreviewRow,
    PreviewStep,
    VariableKind,
    classify_variable,
    core_bindings,
    extract_variables,
    lead_custom_variables,
    preview,
)
from instantly_columns.domain.timezones import (
    ACCEPTED_TIMEZONES,
    COMMON_TIMEZONES,
    TIMEZONE_REFERENCE_DATE,
    TIMEZONE_SPAN_DAYS,
    TimezoneChoice,
    resolve_timezone,
    timezone_mappings,
)

__all__ = [
    "ACCEPTED_TIMEZONES",
    "COMMON_TIMEZONES",
    "CORE_VARIABLES",
    "CORE_VARIABLE_FIELDS",
    "DEFAULT_STEP_DELAY",
    "MAX_STEPS",
    "SENDER_VARIABLES",
    "SEQUENCE_MODES",
    "TIMEZONE_REFERENCE_DATE",
    "TIMEZONE_SPAN_DAYS",
    "DelayUnit",
    "PreviewRow",
    "PreviewStep",
    "Schedule",
    "SequenceMode",
    "Step",
    "StepColumnSpec",
    "StepField",
    "TimezoneChoice",
    "VariableKind",
    "Variant",
    "author_sequence",
    "build_schedule",
    "campaign_variables",
    "classify_variable",
    "core_bindings",
    "extract_variables",
    "find_step_columns",
    "lead_custom_variables",
    "looks_like_html",
    "parse_steps",
    "preview",
    "resolve_timezone",
    "scaffold_step_columns",
    "step_column_name",
    "step_custom_variables",
    "step_variable",
    "text_to_html",
    "timezone_mappings",
    "used_variables",
    "validate_step_columns",
    "validate_steps",
]

#: The three modes, in the order a host offers them.
SEQUENCE_MODES: Final[tuple[SequenceMode, ...]] = get_args(SequenceMode)
