"""crawlsift's metadata store: the fate of every input record, queryable from one DuckDB file.

Workers write Parquet parts; the driver loads them with ``MetadataStore.load_run``; users look
records up with ``MetadataStore.open(path, read_only=True)`` or ``python -m metadata_store``.
"""

from metadata_store.errors import StoreError, StoreLockedError, StoreNotFoundError
from metadata_store.loading import RunSummary
from metadata_store.queries import Accounting
from metadata_store.store import MetadataStore

__all__ = [
    "Accounting",
    "MetadataStore",
    "RunSummary",
    "StoreError",
    "StoreLockedError",
    "StoreNotFoundError",
]
