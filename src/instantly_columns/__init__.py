"""instantly-columns: Instantly.ai campaigns as typed columns of lead tables.

The public API is re-exported here and loaded lazily: ``import instantly_columns`` reads no
file, opens no connection and imports no network or database library until a name that
needs one is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "ApiConnectionError": "errors",
    "ApiError": "errors",
    "ApiResponseError": "errors",
    "ApiStatusError": "errors",
    "ApiTimeout": "errors",
    "BadRequest": "errors",
    "ConfigError": "errors",
    "Conflict": "errors",
    "CredentialError": "errors",
    "Forbidden": "errors",
    "InstantlyColumnsError": "errors",
    "InvalidColumnConfig": "errors",
    "MappingError": "errors",
    "MissingApiKey": "errors",
    "NotFound": "errors",
    "PaymentRequired": "errors",
    "Problem": "errors",
    "RateLimited": "errors",
    "RecordNotFound": "errors",
    "SequenceError": "errors",
    "ServerError": "errors",
    "StoreError": "errors",
    "SyncInProgress": "errors",
    "Unauthorized": "errors",
    "Unprocessable": "errors",
    "VersionConflict": "errors",
    "WebhookAuthError": "errors",
    "WebhookError": "errors",
    "WebhookPayloadError": "errors",
    # columns
    "CampaignConfig": "columns",
    "Column": "columns",
    "EngagementConfig": "columns",
    "FieldMappingConfig": "columns",
    "InstantlyColumnConfig": "columns",
    "PushActionConfig": "columns",
    "Row": "columns",
    "SequenceStepConfig": "columns",
    "column_key": "columns",
    "ensure_valid_table": "columns",
    "parse_integration_config": "columns",
    "validate_table": "columns",
    # ports
    "ApiKey": "ports",
    "CellWrite": "ports",
    "Integration": "ports",
    "LedgerEntry": "ports",
    "SyncRun": "ports",
    # clocks
    "SystemClock": "clock",
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
    from .clock import SystemClock
    from .columns import (
        CampaignConfig,
        Column,
        EngagementConfig,
        FieldMappingConfig,
        InstantlyColumnConfig,
        PushActionConfig,
        Row,
        SequenceStepConfig,
        column_key,
        ensure_valid_table,
        parse_integration_config,
        validate_table,
    )
    from .errors import (
        ApiConnectionError,
        ApiError,
        ApiResponseError,
        ApiStatusError,
        ApiTimeout,
        BadRequest,
        ConfigError,
        Conflict,
        CredentialError,
        Forbidden,
        InstantlyColumnsError,
        InvalidColumnConfig,
        MappingError,
        MissingApiKey,
        NotFound,
        PaymentRequired,
        Problem,
        RateLimited,
        RecordNotFound,
        SequenceError,
        ServerError,
        StoreError,
        SyncInProgress,
        Unauthorized,
        Unprocessable,
        VersionConflict,
        WebhookAuthError,
        WebhookError,
        WebhookPayloadError,
    )
    from .ports import ApiKey, CellWrite, Integration, LedgerEntry, SyncRun
