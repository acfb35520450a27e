"""The link store's method names before 0.2 ("integration" for a campaign link), kept on the
bundled stores for one release."""

from __future__ import annotations

import warnings
from typing import Any


class OldLinkNames:
    """``integration()``, ``integrations()``, ``save_integration()`` and
    ``delete_integration()``: deprecated names of ``link()``, ``links()``, ``save_link()``
    and ``delete_link()``."""

    def _renamed(self, old: str, new: str) -> Any:
        warnings.warn(f"{old}() is now {new}()", DeprecationWarning, stacklevel=3)
        return getattr(self, new)

    def integration(self, *args: Any, **kwargs: Any) -> Any:
        """Deprecated: ``link()``."""
        return self._renamed("integration", "link")(*args, **kwargs)

    def integrations(self, *args: Any, **kwargs: Any) -> Any:
        """Deprecated: ``links()``."""
        return self._renamed("integrations", "links")(*args, **kwargs)

    def save_integration(self, *args: Any, **kwargs: Any) -> Any:
        """Deprecated: ``save_link()``."""
        return self._renamed("save_integration", "save_link")(*args, **kwargs)

    def delete_integration(self, *args: Any, **kwargs: Any) -> Any:
        """Deprecated: ``delete_link()``."""
        return self._renamed("delete_integration", "delete_link")(*args, **kwargs)
