"""instantly-columns: Instantly.ai campaigns as typed columns of lead tables.

The public API is re-exported here and loaded lazily: ``import instantly_columns`` reads no
file, opens no connection and imports no network, database or validation library until a
name that needs one is used. Storage adapters live in ``instantly_columns.storage`` and the
test double in ``instantly_columns.testing``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "Aggregate": "summary",
    "AnalyticsPanel": "reports",
    "ApiConnectionError": "errors",
    "ApiError": "errors",
    "ApiKey": "ports",
    "ApiResponseError": "errors",
    "ApiStatusError": "errors",
    "ApiTimeout": "errors",
    "AsyncInstantlyClient": "client",
    "AsyncInstantlyColumns": "service",
    "BadRequest": "errors",
    "CampaignAnswer": "wizard",
    "CampaignConfig": "columns",
    "CellWrite": "ports",
    "ClientSettings": "config",
    "Column": "columns",
    "ConfigError": "errors",
    "Conflict": "errors",
    "ConnectAnswer": "wizard",
    "CreateAnswer": "wizard",
    "CredentialError": "errors",
    "DeletionReport": "reports",
    "EngagementCells": "engagement",
    "EngagementConfig": "columns",
    "FieldMapping": "mapping",
    "FieldMappingConfig": "columns",
    "Forbidden": "errors",
    "InstantlyClient": "client",
    "InstantlyColumnConfig": "columns",
    "InstantlyColumns": "service",
    "InstantlyColumnsError": "errors",
    "Integration": "ports",
    "InvalidColumnConfig": "errors",
    "LedgerEntry": "ports",
    "MappingAnswer": "wizard",
    "MappingError": "errors",
    "MissingApiKey": "errors",
    "NewCampaign": "wizard",
    "NotFound": "errors",
    "PaymentRequired": "errors",
    "Problem": "errors",
    "ProgressEvent": "reports",
    "PushActionConfig": "columns",
    "PushReport": "reports",
    "PushRowResult": "reports",
    "RateLimited": "errors",
    "RecordNotFound": "errors",
    "RetryPolicy": "config",
    "Row": "columns",
    "Schedule": "sequences",
    "ScheduleAnswer": "wizard",
    "SequenceAnswer": "wizard",
    "SequenceError": "errors",
    "SequenceStepConfig": "columns",
    "ServerError": "errors",
    "SettingsChange": "reports",
    "Step": "sequences",
    "StoreError": "errors",
    "SummaryCell": "summary",
    "SummaryRow": "reports",
    "SyncInProgress": "errors",
    "SyncReport": "reports",
    "SyncRun": "ports",
    "SystemClock": "clock",
    "Unauthorized": "errors",
    "Unprocessable": "errors",
    "VersionConflict": "errors",
    "WebhookAuthError": "errors",
    "WebhookError": "errors",
    "WebhookPayloadError": "errors",
    "WebhookResult": "reports",
    "WizardState": "wizard",
    "WorkspaceLimiter": "ratelimit",
    "author_sequence": "sequences",
    "build_schedule": "sequences",
    "column_key": "columns",
    "detect_field_mapping": "mapping",
    "ensure_valid_table": "columns",
    "extract_variables": "sequences",
    "parse_integration_config": "columns",
    "parse_steps": "sequences",
    "preview": "sequences",
    "project": "engagement",
    "project_all": "engagement",
    "render": "summary",
    "resolve_timezone": "sequences",
    "scaffold_step_columns": "sequences",
    "summary_row": "summary",
    "validate_table": "columns",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'instantly_columns' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # cache: the next access skips this function
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from .client import (
        AsyncInstantlyClient as AsyncInstantlyClient,
    )
    from .client import (
        InstantlyClient as InstantlyClient,
    )
    from .clock import (
        SystemClock as SystemClock,
    )
    from .columns import (
        CampaignConfig as CampaignConfig,
    )
    from .columns import (
        Column as Column,
    )
    from .columns import (
        EngagementConfig as EngagementConfig,
    )
    from .columns import (
        FieldMappingConfig as FieldMappingConfig,
    )
    from .columns import (
        InstantlyColumnConfig as InstantlyColumnConfig,
    )
    from .columns import (
        PushActionConfig as PushActionConfig,
    )
    from .columns import (
        Row as Row,
    )
    from .columns import (
        SequenceStepConfig as SequenceStepConfig,
    )
    from .columns import (
        column_key as column_key,
    )
    from .columns import (
        ensure_valid_table as ensure_valid_table,
    )
    from .columns import (
        parse_integration_config as parse_integration_config,
    )
    from .columns import (
        validate_table as validate_table,
    )
    from .config import (
        ClientSettings as ClientSettings,
    )
    from .config import (
        RetryPolicy as RetryPolicy,
    )
    from .engagement import (
        EngagementCells as EngagementCells,
    )
    from .engagement import (
        project as project,
    )
    from .engagement import (
        project_all as project_all,
    )
    from .errors import (
        ApiConnectionError as ApiConnectionError,
    )
    from .errors import (
        ApiError as ApiError,
    )
    from .errors import (
        ApiResponseError as ApiResponseError,
    )
    from .errors import (
        ApiStatusError as ApiStatusError,
    )
    from .errors import (
        ApiTimeout as ApiTimeout,
    )
    from .errors import (
        BadRequest as BadRequest,
    )
    from .errors import (
        ConfigError as ConfigError,
    )
    from .errors import (
        Conflict as Conflict,
    )
    from .errors import (
        CredentialError as CredentialError,
    )
    from .errors import (
        Forbidden as Forbidden,
    )
    from .errors import (
        InstantlyColumnsError as InstantlyColumnsError,
    )
    from .errors import (
        InvalidColumnConfig as InvalidColumnConfig,
    )
    from .errors import (
        MappingError as MappingError,
    )
    from .errors import (
        MissingApiKey as MissingApiKey,
    )
    from .errors import (
        NotFound as NotFound,
    )
    from .errors import (
        PaymentRequired as PaymentRequired,
    )
    from .errors import (
        Problem as Problem,
    )
    from .errors import (
        RateLimited as RateLimited,
    )
    from .errors import (
        RecordNotFound as RecordNotFound,
    )
    from .errors import (
        SequenceError as SequenceError,
    )
    from .errors import (
        ServerError as ServerError,
    )
    from .errors import (
        StoreError as StoreError,
    )
    from .errors import (
        SyncInProgress as SyncInProgress,
    )
    from .errors import (
        Unauthorized as Unauthorized,
    )
    from .errors import (
        Unprocessable as Unprocessable,
    )
    from .errors import (
        VersionConflict as VersionConflict,
    )
    from .errors import (
        WebhookAuthError as WebhookAuthError,
    )
    from .errors import (
        WebhookError as WebhookError,
    )
    from .errors import (
        WebhookPayloadError as WebhookPayloadError,
    )
    from .mapping import (
        FieldMapping as FieldMapping,
    )
    from .mapping import (
        detect_field_mapping as detect_field_mapping,
    )
    from .ports import (
        ApiKey as ApiKey,
    )
    from .ports import (
        CellWrite as CellWrite,
    )
    from .ports import (
        Integration as Integration,
    )
    from .ports import (
        LedgerEntry as LedgerEntry,
    )
    from .ports import (
        SyncRun as SyncRun,
    )
    from .ratelimit import (
        WorkspaceLimiter as WorkspaceLimiter,
    )
    from .reports import (
        AnalyticsPanel as AnalyticsPanel,
    )
    from .reports import (
        DeletionReport as DeletionReport,
    )
    from .reports import (
        ProgressEvent as ProgressEvent,
    )
    from .reports import (
        PushReport as PushReport,
    )
    from .reports import (
        PushRowResult as PushRowResult,
    )
    from .reports import (
        SettingsChange as SettingsChange,
    )
    from .reports import (
        SummaryRow as SummaryRow,
    )
    from .reports import (
        SyncReport as SyncReport,
    )
    from .reports import (
        WebhookResult as WebhookResult,
    )
    from .sequences import (
        Schedule as Schedule,
    )
    from .sequences import (
        Step as Step,
    )
    from .sequences import (
        author_sequence as author_sequence,
    )
    from .sequences import (
        build_schedule as build_schedule,
    )
    from .sequences import (
        extract_variables as extract_variables,
    )
    from .sequences import (
        parse_steps as parse_steps,
    )
    from .sequences import (
        preview as preview,
    )
    from .sequences import (
        resolve_timezone as resolve_timezone,
    )
    from .sequences import (
        scaffold_step_columns as scaffold_step_columns,
    )
    from .service import (
        AsyncInstantlyColumns as AsyncInstantlyColumns,
    )
    from .service import (
        InstantlyColumns as InstantlyColumns,
    )
    from .summary import (
        Aggregate as Aggregate,
    )
    from .summary import (
        SummaryCell as SummaryCell,
    )
    from .summary import (
        render as render,
    )
    from .summary import (
        summary_row as summary_row,
    )
    from .wizard import (
        CampaignAnswer as CampaignAnswer,
    )
    from .wizard import (
        ConnectAnswer as ConnectAnswer,
    )
    from .wizard import (
        CreateAnswer as CreateAnswer,
    )
    from .wizard import (
        MappingAnswer as MappingAnswer,
    )
    from .wizard import (
        NewCampaign as NewCampaign,
    )
    from .wizard import (
        ScheduleAnswer as ScheduleAnswer,
    )
    from .wizard import (
        SequenceAnswer as SequenceAnswer,
    )
    from .wizard import (
        WizardState as WizardState,
    )
