"""When the driver merges layers: a size-tiered policy that keeps lookups from slowing down as
runs accumulate.

Every load adds a layer, and a lookup probes every layer (one index probe per kind and layer,
about a millisecond each here: 2 ms with one layer, 10 ms with 8, 21 ms with 32). So after each
load the driver merges the newest layers into one (``upgrade.merge_newest``), by the rule of a
binary counter: starting from the newest, the next older layer is taken in while it holds no
more live rows than all the newer ones taken so far (``RATIO``), or while more than
``MAX_LAYERS`` would be left. Layers then grow geometrically towards the bottom:

* the number of layers stays at most ``MAX_LAYERS`` (and at most log2 of the runs);
* a record is rewritten about log2(store / run) times over its life, never the whole store on
  every run (a full ``MetadataStore.compact`` would be): with runs of one size, the 2nd, 4th,
  6th and 8th runs rewrite 2, 4, 2 and 8 runs' worth of rows, a binary counter's carries, and
  the odd ones nothing.

The counts are the layers' rows as loaded (``index_layers.records``); a layer's superseded rows
disappear when it is merged.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_LAYERS = 4  # lookups probe at most this many layers after a load (p50 ~5 ms here)
RATIO = 1.0  # take in an older layer up to this many times the rows of the newer ones


def layers_to_merge(rows: Sequence[int], max_layers: int = MAX_LAYERS, ratio: float = RATIO) -> int:
    """How many of the newest layers to merge into one (0: none), given each layer's rows,
    newest first."""
    if max_layers < 1:
        raise ValueError(f"max_layers must be >= 1, got {max_layers}")
    count, total = 1, rows[0] if rows else 0
    while count < len(rows):
        too_many = len(rows) - count + 1 > max_layers
        if not too_many and rows[count] > ratio * total:
            break
        total += rows[count]
        count += 1
    return count if count >= 2 else 0
