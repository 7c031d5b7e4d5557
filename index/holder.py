"""The one place the current catalog is held (bot/wiring.py builds it once, from the shipped folder, the corpus
folder and the admins' uploads). Every part reads `holder.catalog` when it needs the documents; none keeps a
catalog of its own. A reload swaps in a new catalog: a catalog is never changed after it is loaded, so whoever
read the old one finishes with it unchanged (an immutable snapshot), and the next read gets the new one.

What is built from a catalog (the assistant's name indexes and search) follows the holder: `follow` registers a
step that builds it for the next catalog, run by `swap` before the new catalog is published.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from index.catalog import Catalog

Prepare = Callable[[Catalog], None]


class CatalogHolder:
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._followers: list[Prepare] = []
        self._swapping = threading.Lock()  # one reload at a time

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    def follow(self, prepare: Prepare) -> None:
        """Run `prepare(new_catalog)` at every swap, before the new catalog is published."""
        self._followers.append(prepare)

    def swap(self, catalog: Catalog) -> None:
        """The new catalog, for everyone: what follows the holder is built for it first."""
        with self._swapping:
            for prepare in self._followers:
                prepare(catalog)
            self._catalog = catalog
