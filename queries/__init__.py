"""Named queries: one `.sql` file per query in this folder, run with bound parameters.

`run("home_flow", as_of=..., regions=[...])` loads `home_flow.sql`, checks that the
parameters given are exactly the `$names` the SQL uses, runs it on its own cursor
of a read-only warehouse connection and returns a Polars frame. Results are cached
per (warehouse, query, parameters) for a TTL, so a page that refreshes does not
run a query whose result is still fresh; a request for a query that is running
already waits for that run instead of starting another (single flight), across
all sessions. Queries run on a fixed set of worker threads where sessions take
turns (queries/workers.py), and a query past the time limit is cancelled.

SQL is written in DuckDB's dialect. Values are always bound, never formatted into
the SQL text. Macros shared by several queries live in `macros/` and are created
on every connection.

This module is the face the pages and the core use; the work is done by
sql_files (the SQL files and macros), runner (running a query), result_cache
(results and the figures kept with them), reader_pools (the warehouse connections),
translate and on_server (server warehouses).
"""

from queries.errors import NotOnThisEngine, ParameterError, QueryError, QueryTimeout, UnknownQuery
from queries.reader_pools import close_all, pool_for
from queries.result_cache import Flight, ResultCache, by_contents, cache, clear_cache, contents_key, memo
from queries.runner import Pending, other_queries, run, run_uncached, running_ahead, start
from queries.sql_files import Macro, NamedQuery, available, load, macro_library, macro_sql_for, parameters_of, query_words

__all__ = [
    "Flight", "Macro", "NamedQuery", "NotOnThisEngine", "ParameterError", "Pending", "QueryError", "QueryTimeout",
    "ResultCache", "UnknownQuery", "available", "by_contents", "cache", "clear_cache", "close_all", "contents_key",
    "load", "macro_library", "macro_sql_for", "memo", "other_queries", "parameters_of", "pool_for", "query_words",
    "run", "run_uncached", "running_ahead", "start",
]
