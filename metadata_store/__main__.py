"""``python -m metadata_store``: see ``metadata_store.cli``."""

from metadata_store.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
