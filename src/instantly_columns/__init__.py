"""instantly-columns: Instantly.ai campaigns as typed columns of lead tables.

The public API is re-exported here and loaded lazily: ``import instantly_columns`` reads no
file, opens no connection and imports no network, database or validation library until a
name that needs one is used. Storage adapters live in ``instantly_columns.storage`` and the
test double in ``instantly_columns.testing``.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import warnings
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

__version__ = "0.1.0"

# --- old module paths, kept importable for one release -------------------------------------
# Until 0.2 every module sat at the package root; they now live in layer subpackages.
_MOVED: dict[str, str] = {
    "instantly_columns.client": "instantly_columns.api.client",
    "instantly_columns.columns": "instantly_columns.domain.columns",
    "instantly_columns.engagement": "instantly_columns.domain.engagement",
    "instantly_columns.mapping": "instantly_columns.domain.mapping",
    "instantly_columns.ratelimit": "instantly_columns.api.ratelimit",
    "instantly_columns.reports": "instantly_columns.service.reports",
    "instantly_columns.results": "instantly_columns.api.results",
    "instantly_columns.sequences": "instantly_columns.domain.sequences",
    "instantly_columns.summary": "instantly_columns.domain.summary",
    "instantly_columns.webhooks": "instantly_columns.domain.webhooks",
    "instantly_columns.wizard": "instantly_columns.domain.wizard",
}


class _MovedModules:
    """A meta path finder and loader (by protocol: ``importlib.abc`` costs a tenth of a
    second to import, for ``importlib.resources``)."""

    def find_spec(
        self,
        fullname: str,
        path: object = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, cast("Loader", self))

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        new = _MOVED[module.__name__]
        warnings.warn(
            f"{module.__name__} moved to {new}; import it from there "
            "(or from instantly_columns); the old path goes in 0.3",
            DeprecationWarning,
            stacklevel=2,
        )
        # importlib returns what sys.modules holds once exec_module is done: the new module.
        sys.modules[module.__name__] = importlib.import_module(new)


if not any(type(f).__name__ == "_MovedModules" for f in sys.meta_path):
    sys.meta_path.append(_MovedModules())

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "Aggregate": "domain.summary",
    "AnalyticsPanel": "service.reports",
    "ApiConnectionError": "errors",
    "ApiError": "errors",
    "ApiKey": "ports",
    "ApiResponseError": "errors",
    "ApiStatusError": "errors",
    "ApiTimeout": "errors",
    "AsyncInstantlyClient": "api.client",
    "AsyncInstantlyColumns": "service.facade",
    "BadRequest": "errors",
    "CampaignAnswer": "domain.wizard",
    "CampaignConfig": "domain.columns",
    "CellWrite": "ports",
    "ClientSettings": "config",
    "Column": "domain.columns",
    "ConfigError": "errors",
    "Conflict": "errors",
    "ConnectAnswer": "domain.wizard",
    "CreateAnswer": "domain.wizard",
    "CredentialError": "errors",
    "DeletionReport": "service.reports",
    "EngagementCells": "domain.engagement",
    "EngagementConfig": "domain.columns",
    "FieldMapping": "domain.mapping.result",
    "FieldMappingConfig": "domain.columns",
    "Forbidden": "errors",
    "InstantlyClient": "api.client",
    "InstantlyColumnConfig": "domain.columns",
    "InstantlyColumns": "service.facade",
    "InstantlyColumnsError": "errors",
    "CampaignLink": "ports",
    "LinkStore": "ports",
    "InvalidColumnConfig": "errors",
    "LedgerEntry": "ports",
    "MappingAnswer": "domain.wizard",
    "MappingError": "errors",
    "MissingApiKey": "errors",
    "NewCampaign": "domain.wizard",
    "NotFound": "errors",
    "PayloadTooLarge": "errors",
    "PaymentRequired": "errors",
    "Problem": "errors",
    "ProgressEvent": "service.reports",
    "PushActionConfig": "domain.columns",
    "PushInProgress": "errors",
    "PushProgress": "service.reports",
    "PushReport": "service.reports",
    "PushRowReport": "service.reports",
    "RateLimited": "errors",
    "RecordNotFound": "errors",
    "RetryPolicy": "config",
    "Row": "domain.columns",
    "Schedule": "domain.schedules",
    "ScheduleAnswer": "domain.wizard",
    "SequenceAnswer": "domain.wizard",
    "SequenceError": "errors",
    "SequenceStepConfig": "domain.columns",
    "ServerError": "errors",
    "SettingsChange": "service.reports",
    "StatusBadge": "domain.summary",
    "Step": "domain.sequences.steps",
    "StoreError": "errors",
    "SummaryCell": "domain.summary",
    "SummaryRow": "service.reports",
    "SyncInProgress": "errors",
    "SyncReport": "service.reports",
    "SyncRun": "ports",
    "SystemClock": "clock",
    "Unauthorized": "errors",
    "Unprocessable": "errors",
    "VersionConflict": "errors",
    "WebhookAuthError": "errors",
    "WebhookError": "errors",
    "WebhookPayloadError": "errors",
    "WebhookReport": "service.reports",
    "WizardState": "domain.wizard",
    "WorkspaceLimiter": "api.ratelimit",
    "author_sequence": "domain.sequences.authoring",
    "build_schedule": "domain.schedules",
    "campaign_status_badge": "domain.summary",
    "classify_variable": "domain.sequences.templates",
    "column_key": "domain.columns",
    "detect_field_mapping": "domain.mapping.detection",
    "ensure_valid_table": "domain.columns",
    "extract_variables": "domain.sequences.templates",
    "parse_integration_config": "domain.columns",
    "parse_steps": "domain.sequences.steps",
    "preview": "domain.sequences.templates",
    "project": "domain.engagement",
    "project_all": "domain.engagement",
    "render": "domain.summary",
    "resolve_timezone": "domain.timezones",
    "scaffold_step_columns": "domain.sequences.authoring",
    "summary_row": "domain.summary",
    "validate_table": "domain.columns",
}

__all__ = sorted([*_EXPORTS, "__version__"])


# old public name -> (module, new name): kept for one release, with a DeprecationWarning
_DEPRECATED: dict[str, tuple[str, str]] = {
    "Integration": ("ports", "CampaignLink"),
    "PushRowResult": ("service.reports", "PushRowReport"),
    "WebhookResult": ("service.reports", "WebhookReport"),
}


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        where, new = _DEPRECATED[name]
        warnings.warn(f"{name} is now {new}", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(f"{__name__}.{where}"), new)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'instantly_columns' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # cache: the next access skips this function
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from importlib.abc import Loader

    from instantly_columns.api.client import (
        AsyncInstantlyClient as AsyncInstantlyClient,
    )
    from instantly_columns.api.client import (
        InstantlyClient as InstantlyClient,
    )
    from instantly_columns.api.ratelimit import (
        WorkspaceLimiter as WorkspaceLimiter,
    )
    from instantly_columns.clock import (
        SystemClock as SystemClock,
    )
    from instantly_columns.config import (
        ClientSettings as ClientSettings,
    )
    from instantly_columns.config import (
        RetryPolicy as RetryPolicy,
    )
    from instantly_columns.domain.columns import (
        CampaignConfig as CampaignConfig,
    )
    from instantly_columns.domain.columns import (
        Column as Column,
    )
    from instantly_columns.domain.columns import (
        EngagementConfig as EngagementConfig,
    )
    from instantly_columns.domain.columns import (
        FieldMappingConfig as FieldMappingConfig,
    )
    from instantly_columns.domain.columns import (
        InstantlyColumnConfig as InstantlyColumnConfig,
    )
    from instantly_columns.domain.columns import (
        PushActionConfig as PushActionConfig,
    )
    from instantly_columns.domain.columns import (
        Row as Row,
    )
    from instantly_columns.domain.columns import (
        SequenceStepConfig as SequenceStepConfig,
    )
    from instantly_columns.domain.columns import (
        column_key as column_key,
    )
    from instantly_columns.domain.columns import (
        ensure_valid_table as ensure_valid_table,
    )
    from instantly_columns.domain.columns import (
        parse_integration_config as parse_integration_config,
    )
    from instantly_columns.domain.columns import (
        validate_table as validate_table,
    )
    from instantly_columns.domain.engagement import (
        EngagementCells as EngagementCells,
    )
    from instantly_columns.domain.engagement import (
        project as project,
    )
    from instantly_columns.domain.engagement import (
        project_all as project_all,
    )
    from instantly_columns.domain.mapping.detection import (
        detect_field_mapping as detect_field_mapping,
    )
    from instantly_columns.domain.mapping.result import (
        FieldMapping as FieldMapping,
    )
    from instantly_columns.domain.schedules import (
        Schedule as Schedule,
    )
    from instantly_columns.domain.schedules import (
        build_schedule as build_schedule,
    )
    from instantly_columns.domain.sequences.authoring import (
        author_sequence as author_sequence,
    )
    from instantly_columns.domain.sequences.authoring import (
        scaffold_step_columns as scaffold_step_columns,
    )
    from instantly_columns.domain.sequences.steps import (
        Step as Step,
    )
    from instantly_columns.domain.sequences.steps import (
        parse_steps as parse_steps,
    )
    from instantly_columns.domain.sequences.templates import (
        classify_variable as classify_variable,
    )
    from instantly_columns.domain.sequences.templates import (
        extract_variables as extract_variables,
    )
    from instantly_columns.domain.sequences.templates import (
        preview as preview,
    )
    from instantly_columns.domain.summary import (
        Aggregate as Aggregate,
    )
    from instantly_columns.domain.summary import (
        StatusBadge as StatusBadge,
    )
    from instantly_columns.domain.summary import (
        SummaryCell as SummaryCell,
    )
    from instantly_columns.domain.summary import (
        campaign_status_badge as campaign_status_badge,
    )
    from instantly_columns.domain.summary import (
        render as render,
    )
    from instantly_columns.domain.summary import (
        summary_row as summary_row,
    )
    from instantly_columns.domain.timezones import (
        resolve_timezone as resolve_timezone,
    )
    from instantly_columns.domain.wizard import (
        CampaignAnswer as CampaignAnswer,
    )
    from instantly_columns.domain.wizard import (
        ConnectAnswer as ConnectAnswer,
    )
    from instantly_columns.domain.wizard import (
        CreateAnswer as CreateAnswer,
    )
    from instantly_columns.domain.wizard import (
        MappingAnswer as MappingAnswer,
    )
    from instantly_columns.domain.wizard import (
        NewCampaign as NewCampaign,
    )
    from instantly_columns.domain.wizard import (
        ScheduleAnswer as ScheduleAnswer,
    )
    from instantly_columns.domain.wizard import (
        SequenceAnswer as SequenceAnswer,
    )
    from instantly_columns.domain.wizard import (
        WizardState as WizardState,
    )
    from instantly_columns.errors import (
        ApiConnectionError as ApiConnectionError,
    )
    from instantly_columns.errors import (
        ApiError as ApiError,
    )
    from instantly_columns.errors import (
        ApiResponseError as ApiResponseError,
    )
    from instantly_columns.errors import (
        ApiStatusError as ApiStatusError,
    )
    from instantly_columns.errors import (
        ApiTimeout as ApiTimeout,
    )
    from instantly_columns.errors import (
        BadRequest as BadRequest,
    )
    from instantly_columns.errors import (
        ConfigError as ConfigError,
    )
    from instantly_columns.errors import (
        Conflict as Conflict,
    )
    from instantly_columns.errors import (
        CredentialError as CredentialError,
    )
    from instantly_columns.errors import (
        Forbidden as Forbidden,
    )
    from instantly_columns.errors import (
        InstantlyColumnsError as InstantlyColumnsError,
    )
    from instantly_columns.errors import (
        InvalidColumnConfig as InvalidColumnConfig,
    )
    from instantly_columns.errors import (
        MappingError as MappingError,
    )
    from instantly_columns.errors import (
        MissingApiKey as MissingApiKey,
    )
    from instantly_columns.errors import (
        NotFound as NotFound,
    )
    from instantly_columns.errors import (
        PayloadTooLarge as PayloadTooLarge,
    )
    from instantly_columns.errors import (
        PaymentRequired as PaymentRequired,
    )
    from instantly_columns.errors import (
        Problem as Problem,
    )
    from instantly_columns.errors import (
        PushInProgress as PushInProgress,
    )
    from instantly_columns.errors import (
        RateLimited as RateLimited,
    )
    from instantly_columns.errors import (
        RecordNotFound as RecordNotFound,
    )
    from instantly_columns.errors import (
        SequenceError as SequenceError,
    )
    from instantly_columns.errors import (
        ServerError as ServerError,
    )
    from instantly_columns.errors import (
        StoreError as StoreError,
    )
    from instantly_columns.errors import (
        SyncInProgress as SyncInProgress,
    )
    from instantly_columns.errors import (
        Unauthorized as Unauthorized,
    )
    from instantly_columns.errors import (
        Unprocessable as Unprocessable,
    )
    from instantly_columns.errors import (
        VersionConflict as VersionConflict,
    )
    from instantly_columns.errors import (
        WebhookAuthError as WebhookAuthError,
    )
    from instantly_columns.errors import (
        WebhookError as WebhookError,
    )
    from instantly_columns.errors import (
        WebhookPayloadError as WebhookPayloadError,
    )
    from instantly_columns.ports import (
        ApiKey as ApiKey,
    )
    from instantly_columns.ports import (
        CampaignLink as CampaignLink,
    )
    from instantly_columns.ports import (
        CellWrite as CellWrite,
    )
    from instantly_columns.ports import (
        LedgerEntry as LedgerEntry,
    )
    from instantly_columns.ports import (
        LinkStore as LinkStore,
    )
    from instantly_columns.ports import (
        SyncRun as SyncRun,
    )
    from instantly_columns.service.facade import (
        AsyncInstantlyColumns as AsyncInstantlyColumns,
    )
    from instantly_columns.service.facade import (
        InstantlyColumns as InstantlyColumns,
    )
    from instantly_columns.service.reports import (
        AnalyticsPanel as AnalyticsPanel,
    )
    from instantly_columns.service.reports import (
        DeletionReport as DeletionReport,
    )
    from instantly_columns.service.reports import (
        ProgressEvent as ProgressEvent,
    )
    from instantly_columns.service.reports import (
        PushProgress as PushProgress,
    )
    from instantly_columns.service.reports import (
        PushReport as PushReport,
    )
    from instantly_columns.service.reports import (
        PushRowReport as PushRowReport,
    )
    from instantly_columns.service.reports import (
        SettingsChange as SettingsChange,
    )
    from instantly_columns.service.reports import (
        SummaryRow as SummaryRow,
    )
    from instantly_columns.service.reports import (
        SyncReport as SyncReport,
    )
    from instantly_columns.service.reports import (
        WebhookReport as WebhookReport,
    )
