"""The hand-built test warehouses, as data for `tests/hand_warehouse.build`: each module holds its
rows (`ROWS`), its 'now' and the figures its tests work out by hand. The fixtures that build them
are in `tests/conftest.py`."""
