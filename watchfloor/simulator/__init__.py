"""The operations simulator: a discrete-event simulation of a Trust & Safety operation that fills
every table of the warehouse contract.

    run.simulate(config.SimConfig(...)) -> {table name: polars.DataFrame}    (pure, no I/O)
    stream.stream(config.SimConfig(...), window_days) -> (table, frame) pairs, a day at a time
    writer.seed(path, config.SimConfig(...), replace=False, progress=True, demo=False) -> {table: rows}
    live.LiveFeed(path).run(): keeps a warehouse moving in real time

docs/simulator.md explains the model; docs/warehouse.md the tables. This package module imports
none of its submodules (they import it first), so there is no circle among them.
"""
