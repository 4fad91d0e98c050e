"""Beam entry points of crawlsift (``python -m pipelines.crawl_to_shards`` and friends).

Importing Apache Beam without its GCP extra logs "apitools not found …" through the root logger;
that line means nothing to a local user and would be the first thing they see, so this package
drops exactly that message. Nothing else is filtered.
"""

import logging


def _not_apitools_notice(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("apitools not found")


logging.getLogger().addFilter(_not_apitools_notice)
