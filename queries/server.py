"""Named queries on a server warehouse (an SQLAlchemy URL), transpiled from DuckDB's dialect.

The named queries are written once, in DuckDB's dialect. For a server engine each query is
parsed with sqlglot, adapted, and written out in the engine's dialect:

1. The scalar macros of `macros/` (the filter predicate `wf_in`) are inlined: their body
   replaces the call, with the arguments put in place of the parameters.
2. The table macro (the SLA clock, `sla_clocks(as_of, since)`) is inlined as a subquery on
   PostgreSQL, whose translation the tests compare with DuckDB's results; on other engines a
   query that uses it is refused with a message (`DuckDBOnly`), as is any query with a
   construct sqlglot cannot translate. docs/server-warehouses.md says which.
3. DuckDB constructs sqlglot leaves as they are get rewritten for the target (`GROUP BY ALL`,
   star modifiers, `UNION BY NAME`, `ASOF`/`SEMI`/`ANTI` joins, `range`, `len` of a list,
   `fmod`, `hour`, `isodow`, `any_value`, `arg_min/arg_max`, window functions with `IGNORE
   NULLS`, `make_timestamp`, ...).
4. `$name` parameters become bound parameters of the driver (never text); a list parameter
   is cast to an array of its element type.

The transpiled text is cached per (query, dialect, parameter types). Results come back as
Polars frames with the same column names as on DuckDB.
"""

from __future__ import annotations

import re
import threading
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import polars as pl

# SQLAlchemy backend name -> sqlglot dialect.
DIALECTS = {
    "postgresql": "postgres", "postgres": "postgres", "redshift": "redshift", "snowflake": "snowflake",
    "bigquery": "bigquery", "trino": "trino", "presto": "presto", "mysql": "mysql", "mariadb": "mysql",
    "databricks": "databricks", "duckdb": "duckdb", "sqlite": "sqlite", "mssql": "tsql", "oracle": "oracle",
}

_MACRO = re.compile(r"CREATE\s+OR\s+REPLACE\s+TEMP\s+MACRO\s+([A-Za-z_]\w*)\s*\(([^)]*)\)\s+AS\s+(TABLE\b)?",
                    re.IGNORECASE)
_PARAM_PREFIX = "wf__param__"
# Engines for which the table macros (the SLA clock) are inlined: their translation is compared
# with DuckDB's results by tests/unit/test_postgres.py.
INLINE_TABLE_MACROS = ("postgres",)


class DuckDBOnly(ValueError):
    """The query cannot run on this engine; the message says why."""


def dialect_for(url: str) -> str:
    from sqlalchemy.engine import make_url

    backend = make_url(url).get_backend_name()
    if backend not in DIALECTS:
        raise DuckDBOnly(f"no SQL dialect known for {backend!r} warehouses "
                         f"(known: {', '.join(sorted(set(DIALECTS)))})")
    return DIALECTS[backend]


@lru_cache(maxsize=None)
def table_macros() -> dict[str, tuple[list[str], Any]]:
    """{table macro: (parameter names, body query)} for the macros sqlglot can read."""
    import sqlglot

    from queries import MACRO_DIR

    found: dict[str, tuple[list[str], Any]] = {}
    for path in sorted(MACRO_DIR.glob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        for statement in text.split(";"):
            m = _MACRO.search(statement)
            if m and m.group(3):
                params = [p.strip().lower() for p in m.group(2).split(",") if p.strip()]
                try:
                    found[m.group(1).lower()] = (params, sqlglot.parse_one(statement[m.end():], read="duckdb"))
                except Exception:
                    pass
    return found


@lru_cache(maxsize=None)
def macros() -> tuple[dict[str, tuple[list[str], Any]], frozenset[str]]:
    """({scalar macro: (parameter names, body expression)}, {table macro names})."""
    import sqlglot

    from queries import MACRO_DIR

    scalar: dict[str, tuple[list[str], Any]] = {}
    tables: set[str] = set()
    for path in sorted(MACRO_DIR.glob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        for statement in text.split(";"):
            m = _MACRO.search(statement)
            if not m:
                continue
            name = m.group(1).lower()
            if m.group(3):
                tables.add(name)
                continue
            params = [p.strip().lower() for p in m.group(2).split(",") if p.strip()]
            try:
                scalar[name] = (params, sqlglot.parse_one(statement[m.end():], read="duckdb"))
            except Exception:
                tables.add(name)  # a macro sqlglot cannot read is treated as DuckDB-only
    return scalar, frozenset(tables)


def _inline_table_macros(tree):
    """`FROM sla_clocks(a, b) k` -> `FROM (<the macro's query with a and b put in>) AS k`."""
    from sqlglot import exp

    bodies = table_macros()

    def replace(node):
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous) \
                and str(node.this.this).lower() in bodies:
            name = str(node.this.this).lower()
            params, body = bodies[name]
            args = dict(zip(params, node.this.expressions))
            inlined = body.copy().transform(
                lambda n: exp.Paren(this=args[n.name.lower()].copy())
                if isinstance(n, exp.Column) and not n.table and n.name.lower() in args else n)
            return exp.Subquery(this=inlined, alias=exp.TableAlias(this=exp.to_identifier(node.alias or name)))
        return node

    return tree.transform(replace)


def _postgres_windows_and_times(tree):
    """PostgreSQL lacks `IGNORE NULLS` in window functions and `make_timestamp(micros)`:
    last_value(x IGNORE NULLS) OVER (...) -> the last element of array_agg(x) FILTER (WHERE x IS
    NOT NULL) over the same window; first_value likewise with the first element;
    make_timestamp(us) -> a TIMESTAMP (without zone) at that many microseconds past 1970 UTC."""
    import sqlglot
    from sqlglot import exp

    def arg_extreme(agg, where: str = "") -> Any:
        # arg_min(x, y) -> the first x when ordered by y (rows without a y do not count).
        value, key = agg.this.sql("postgres"), agg.expression.sql("postgres")
        order = "DESC" if isinstance(agg, exp.ArgMax) else "ASC"
        cond = f"({key}) IS NOT NULL" + (f" AND ({where})" if where else "")
        return sqlglot.parse_one(f"(ARRAY_AGG({value} ORDER BY {key} {order}) FILTER(WHERE {cond}))[1]",
                                 read="postgres")

    def fix(node):
        if isinstance(node, exp.Filter) and isinstance(node.this, (exp.ArgMin, exp.ArgMax)):
            return arg_extreme(node.this, node.expression.this.sql("postgres"))
        if isinstance(node, (exp.ArgMin, exp.ArgMax)) and not isinstance(node.parent, exp.Filter):
            return arg_extreme(node)
        if isinstance(node, exp.Window) and isinstance(node.this, exp.IgnoreNulls) \
                and isinstance(node.this.this, (exp.LastValue, exp.FirstValue)):
            value = node.this.this.this.sql("postgres")
            bare = node.copy()
            bare.set("this", exp.column("__wf_agg__"))
            over = bare.sql("postgres").replace("__wf_agg__", f"ARRAY_AGG({value}) FILTER(WHERE ({value}) IS NOT NULL)", 1)
            index = f"CARDINALITY({over})" if isinstance(node.this.this, exp.LastValue) else "1"
            return sqlglot.parse_one(f"({over})[{index}]", read="postgres")
        if isinstance(node, exp.UnixToTime):
            micros = node.this.sql("postgres")
            return sqlglot.parse_one(
                f"CAST(CAST('epoch' AS TIMESTAMP) + ({micros}) * INTERVAL '1 microsecond' AS TIMESTAMP)",
                read="postgres")
        return node

    return tree.transform(fix)


def _inline_macros(tree):
    from sqlglot import exp

    scalar, _ = macros()

    def replace(node):
        if isinstance(node, exp.Anonymous) and str(node.this).lower() in scalar:
            params, body = scalar[str(node.this).lower()]
            args = dict(zip(params, node.expressions))
            inlined = body.copy().transform(
                lambda n: args[n.name.lower()].copy()
                if isinstance(n, exp.Column) and not n.table and n.name.lower() in args else n)
            return exp.Paren(this=_inline_macros(inlined))
        return node

    return tree.transform(replace)


def _expand_all(tree):
    """GROUP BY ALL -> the positions of the select items that hold no aggregate; ORDER BY ALL ->
    every select item's position, in order."""
    from sqlglot import exp

    for select in list(tree.find_all(exp.Select)):
        group = select.args.get("group")
        if group is not None and group.args.get("all"):
            positions = [exp.Literal.number(i + 1) for i, e in enumerate(select.expressions)
                         if not e.find(exp.AggFunc) and not e.find(exp.Window)]
            select.set("group", exp.Group(expressions=positions) if positions else None)
        order = select.args.get("order")
        if order is not None and len(order.expressions) == 1:
            item = order.expressions[0]
            if isinstance(item.this, exp.Var) and item.this.name.upper() == "ALL":
                select.set("order", exp.Order(expressions=[
                    exp.Ordered(this=exp.Literal.number(i + 1), desc=item.args.get("desc"))
                    for i in range(len(select.expressions))]))
    return tree


@lru_cache(maxsize=None)
def _schema() -> dict[str, dict[str, str]]:
    """The contract tables' columns, for expanding DuckDB's star modifiers."""
    from watchfloor.loader import contract_columns

    return {t: {c: ("VARCHAR" if kind.endswith("[]") else kind) for c, (kind, _) in cols.items()}
            for t, cols in contract_columns().items()}


def _needs_columns(tree) -> bool:
    from sqlglot import exp

    stars = any(star.args.get(k) for star in tree.find_all(exp.Star) for k in ("except_", "except", "replace", "rename"))
    return stars or any(u.args.get("by_name") for u in tree.find_all(exp.Union))


def _expand_columns(tree):
    """`* EXCLUDE/REPLACE` and `UNION ALL BY NAME` need the column lists. sqlglot's qualifier works
    them out on a copy (from the contract's schema); only the select lists concerned are taken
    from it, so the rest of the query keeps its own meaning (USING joins, unqualified names)."""
    from sqlglot import exp
    from sqlglot.optimizer.qualify import qualify

    known = qualify(tree.copy(), schema=_schema(), dialect="duckdb", validate_qualify_columns=False,
                    quote_identifiers=False, identify=False)
    originals, qualified = list(tree.find_all(exp.Select)), list(known.find_all(exp.Select))
    if len(originals) != len(qualified):
        raise DuckDBOnly("a query whose star columns cannot be worked out")
    twin = dict(zip(map(id, originals), qualified))
    for select in originals:
        if any(star.args.get(k) for star in select.find_all(exp.Star)
               for k in ("except_", "except", "replace", "rename") if star.parent_select is select):
            select.set("expressions", [e.copy() for e in twin[id(select)].expressions])
    def parts(node) -> list:
        """The selects of a chain of BY NAME unions (A BY NAME B BY NAME C nests to the left)."""
        if isinstance(node, exp.Union) and node.args.get("by_name"):
            return parts(node.this) + parts(node.expression)
        if isinstance(node, exp.Subquery):
            return parts(node.this)
        if not isinstance(node, exp.Select):
            raise DuckDBOnly("a UNION BY NAME of something other than selects")
        return [node]

    for union in list(tree.find_all(exp.Union)):
        if not union.args.get("by_name"):
            continue
        if isinstance(union.parent, exp.Union) and union.parent.args.get("by_name"):
            continue  # lined up with its whole chain
        sides = [(side, twin[id(side)].named_selects) for side in parts(union)]
        names = list(dict.fromkeys(n for _, have in sides for n in have))
        for side, have in sides:
            # The qualified twin's items: stars expanded, every item named.
            own = dict(zip(have, twin[id(side)].expressions))
            side.set("expressions", [own[n].copy() if n in own else exp.alias_(exp.Null(), n) for n in names])
        chain = [union]
        while chain:
            node = chain.pop()
            if isinstance(node, exp.Union) and node.args.get("by_name"):
                node.set("by_name", None)
                chain += [node.this, node.expression]
    return tree


def _asof_joins(tree):
    """`ASOF JOIN t x ON eq AND outer.t > x.t` -> a LATERAL join of the latest matching row."""
    from sqlglot import exp

    for join in list(tree.find_all(exp.Join)):
        if str(join.args.get("method") or "").upper() != "ASOF":
            continue
        table = join.this
        alias = table.alias_or_name
        order = None
        for cond in join.args["on"].find_all(exp.GT, exp.GTE, exp.LT, exp.LTE):
            for side, other in ((cond.this, cond.expression), (cond.expression, cond.this)):
                if isinstance(side, exp.Column) and side.table == alias:
                    # outer > inner (or inner < outer): the latest inner row before the outer one.
                    latest = (side is cond.expression) == isinstance(cond, (exp.GT, exp.GTE))
                    order = exp.Ordered(this=side.copy(), desc=latest)
        if order is None:
            raise DuckDBOnly("an ASOF JOIN without an inequality")
        inner = exp.select("*").from_(table.copy()).where(join.args["on"].copy()).order_by(order).limit(1)
        join.set("this", exp.Lateral(this=exp.Subquery(this=inner), alias=exp.TableAlias(this=exp.to_identifier(alias))))
        join.set("method", None)
        join.set("on", exp.true())
    return tree


def _order_by_aliases(tree):
    """DuckDB lets ORDER BY use a select alias inside an expression (`matched_on = 'case'`);
    PostgreSQL allows only a bare alias, so the aliased expression is put in its place."""
    from sqlglot import exp

    for select in list(tree.find_all(exp.Select)):
        order = select.args.get("order")
        if order is None:
            continue
        aliases = {e.alias: e.this for e in select.expressions if isinstance(e, exp.Alias)}
        for item in order.expressions:
            if isinstance(item.this, exp.Column):
                continue  # a bare name is fine everywhere
            item.set("this", item.this.transform(
                lambda n: aliases[n.name].copy() if isinstance(n, exp.Column) and not n.table and n.name in aliases else n))
    return tree


def _semi_anti_joins(tree):
    """`a SEMI JOIN b USING (k)` / `ANTI JOIN` -> `WHERE [NOT] EXISTS (SELECT 1 FROM b WHERE ...)`."""
    from sqlglot import exp

    for join in list(tree.find_all(exp.Join)):
        kind = str(join.args.get("kind") or "").upper()
        if kind not in ("SEMI", "ANTI"):
            continue
        select = join.parent
        source = select.args.get("from_") or select.args.get("from")
        if not isinstance(select, exp.Select) or source is None or len(select.args.get("joins") or []) != 1:
            raise DuckDBOnly(f"a {kind} JOIN next to other joins")
        left, table = source.this.alias_or_name, join.this
        inner = table.alias_or_name
        if join.args.get("using"):
            cond = exp.and_(*[exp.EQ(this=exp.column(c.name, inner), expression=exp.column(c.name, left))
                              for c in join.args["using"]])
        else:
            cond = join.args["on"].copy()
        exists = exp.Exists(this=exp.select("1").from_(table.copy()).where(cond))
        join.pop()
        select.where(exists if kind == "SEMI" else exp.Not(this=exists), copy=False)
    return tree


def _alias_subqueries(tree):
    """DuckDB allows a subquery in FROM without a name; most engines do not."""
    from sqlglot import exp

    for i, sub in enumerate(list(tree.find_all(exp.Subquery))):
        if not sub.alias and isinstance(sub.parent, (exp.From, exp.Join)):
            sub.set("alias", exp.TableAlias(this=exp.to_identifier(f"_wf_sub{i}")))
    return tree


def _portable(tree, dialect: str):
    """DuckDB functions sqlglot passes through unchanged, written the portable way."""
    from sqlglot import exp

    def fix(node):
        name = node.name.lower() if isinstance(node, exp.Anonymous) else None
        if isinstance(node, (exp.Unnest, exp.Explode)) and dialect == "postgres":
            inner = node.expressions[0] if isinstance(node, exp.Unnest) and node.expressions else node.this
            if isinstance(inner, exp.GenerateSeries):
                return fix(inner)  # a set-returning call already
        if isinstance(node, exp.GenerateSeries) and node.args.get("is_end_exclusive") and dialect == "postgres":
            # range(a, b[, step]) stops before b; generate_series(a, b, step) may reach b. So the end
            # moves back by the smallest unit: a microsecond for times, 1 for whole numbers.
            step = node.args.get("step")
            smallest = exp.Interval(this=exp.Literal.string("1"), unit=exp.var("MICROSECOND")) \
                if isinstance(step, exp.Interval) else exp.Literal.number(1)
            end = exp.Sub(this=node.args["end"].copy(), expression=smallest)
            args = [node.args["start"].copy(), end] + ([step.copy()] if step else [])
            return exp.Anonymous(this="GENERATE_SERIES", expressions=args)
        if name == "list_position" and dialect == "postgres":
            return exp.Anonymous(this="ARRAY_POSITION", expressions=[e.copy() for e in node.expressions])
        if isinstance(node, exp.Array) and not node.expressions and dialect == "postgres":
            # An empty list literal has no type of its own on PostgreSQL; Watchfloor's lists hold text.
            return exp.Cast(this=node.copy(), to=exp.DataType.build("TEXT[]", dialect="postgres"))
        if isinstance(node, exp.Length) and dialect in ("postgres", "redshift", "trino", "presto"):
            # len() of a list: DuckDB spells list and string length alike.
            arg = node.this
            if isinstance(arg, exp.Cast) and arg.to.is_type(exp.DataType.Type.ARRAY) or \
                    isinstance(arg, exp.Placeholder) or (isinstance(arg, exp.Column) and arg.name.startswith(_PARAM_PREFIX)):
                return exp.Anonymous(this="CARDINALITY", expressions=[arg])
        if name == "fmod":
            # fmod(a, b) = a - b * floor(a / b); built trees are not parenthesised for us.
            a, b = (exp.Paren(this=e.copy()) for e in node.expressions)
            return exp.Paren(this=exp.Sub(this=a, expression=exp.Mul(
                this=b.copy(), expression=exp.Floor(this=exp.Div(this=a.copy(), expression=b.copy())))))
        if name in ("hour", "minute") or isinstance(node, (exp.Hour,)):
            arg = node.expressions[0] if isinstance(node, exp.Anonymous) else node.this
            unit = name or "hour"
            return exp.Extract(this=exp.var(unit.upper()), expression=arg.copy())
        if isinstance(node, exp.DayOfWeekIso) or name == "isodow":
            arg = node.expressions[0] if isinstance(node, exp.Anonymous) else node.this
            return exp.Extract(this=exp.var("ISODOW"), expression=arg.copy())
        if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue) and dialect == "postgres":
            node = node.this  # DuckDB's any_value skips NULLs; so does min, which stands in for it
        if isinstance(node, exp.AnyValue) and dialect == "postgres":
            # PostgreSQL 15 has no any_value; min is one of the values, as any_value is.
            return exp.Min(this=node.this.copy())
        return node

    return tree.transform(fix)


@lru_cache(maxsize=256)
def transpile(name: str, dialect: str, list_types: tuple[tuple[str, str], ...] = ()) -> tuple[str, tuple[str, ...]]:
    """(SQL text for the dialect with :name bind parameters, the parameters it binds)."""
    import sqlglot
    from sqlglot import exp

    from queries import load

    query = load(name)
    _, macro_tables = macros()
    words = set(re.findall(r"[A-Za-z_]\w*", re.sub(r"--[^\n]*", "", query.sql).lower()))
    # The table macros are inlined only where their translation is tested (PostgreSQL).
    inlinable = set(table_macros()) if dialect in INLINE_TABLE_MACROS else set()
    used = sorted(words & macro_tables - inlinable)
    if used and dialect != "duckdb":
        raise DuckDBOnly(f"query {name!r} runs only on DuckDB: it uses the SLA clock ({', '.join(used)}), "
                         f"which has no {dialect} translation (docs/server-warehouses.md)")
    tree = sqlglot.parse_one(query.sql, read="duckdb")
    casts = dict(list_types)

    # $name -> a column-like marker, so the text can carry the driver's bind syntax afterwards.
    def mark(node):
        if isinstance(node, (exp.Placeholder, exp.Parameter)):
            pname = str(node.this.this if isinstance(node.this, exp.Expression) else node.this)
            marker = exp.column(f"{_PARAM_PREFIX}{pname}")
            if pname in casts:
                return exp.Cast(this=marker, to=exp.DataType.build(f"{casts[pname]}[]", dialect="postgres"))
            return marker
        return node

    tree = tree.transform(mark)
    if dialect in INLINE_TABLE_MACROS:
        tree = _inline_table_macros(tree)
    tree = _inline_macros(tree)
    if dialect != "duckdb" and _needs_columns(tree):
        tree = _expand_columns(tree)
    tree = _expand_all(tree)
    if dialect != "duckdb":
        tree = _asof_joins(tree)
        tree = _semi_anti_joins(tree)
    tree = _alias_subqueries(tree)
    tree = _order_by_aliases(tree)
    if dialect == "postgres":
        tree = _postgres_windows_and_times(tree)
    tree = _portable(tree, dialect)
    try:
        sql = tree.sql(dialect=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as exc:
        raise DuckDBOnly(f"query {name!r} runs only on DuckDB: {dialect} lacks {exc}") from None
    # Every other colon (a time in a string, a :: cast) is escaped, so only the markers bind.
    sql = re.sub(rf'"?{_PARAM_PREFIX}(\w+)"?', r"__WF_BIND__\1", sql.replace(":", "\\:"))
    sql = re.sub(r"__WF_BIND__(\w+)", r":\1", sql)
    return sql, tuple(sorted(query.parameters))


_engines: dict[str, Any] = {}
_engines_lock = threading.Lock()


def engine_for(url: str):
    """One SQLAlchemy engine (connection pool) per URL; sessions run in UTC."""
    from sqlalchemy import create_engine, event

    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create_engine(url, pool_pre_ping=True)
            if engine.dialect.name == "postgresql":
                @event.listens_for(engine, "connect")
                def _utc(dbapi_con, _record):  # noqa: ANN001
                    cur = dbapi_con.cursor()
                    cur.execute("SET TIME ZONE 'UTC'")
                    cur.close()
            _engines[url] = engine
        return engine


def dispose_all() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _list_types(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    types = []
    for key, value in sorted(params.items()):
        if isinstance(value, (list, tuple, set, frozenset)):
            items = list(value)
            kind = "BIGINT" if items and all(isinstance(v, int) and not isinstance(v, bool) for v in items) else \
                "DOUBLE PRECISION" if items and all(isinstance(v, (int, float)) for v in items) else "TEXT"
            types.append((key, kind))
    return tuple(types)


def _column(values: list[Any]) -> list[Any]:
    return [float(v) if isinstance(v, Decimal) else v for v in values]


class StatementTimeout(RuntimeError):
    """The server cancelled the statement at its time limit."""


# SQLSTATE 57014 (query_canceled): what PostgreSQL raises when statement_timeout cancels a statement.
_CANCELLED = "57014"


def run(url: str, name: str, params: dict[str, Any], time_limit: float | None = None) -> pl.DataFrame:
    """Run the named query on the server warehouse at url; a Polars frame like DuckDB's. On
    PostgreSQL the server cancels it after `time_limit` seconds (its statement_timeout)."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy import text

    dialect = dialect_for(url)
    sql, _ = transpile(name, dialect, _list_types(params))
    bound = {k: (list(v) if isinstance(v, (list, tuple, set, frozenset)) else v) for k, v in params.items()}
    with engine_for(url).connect() as con:
        if time_limit is not None and dialect == "postgres":
            con.execute(text("SELECT set_config('statement_timeout', :ms, false)"),
                        {"ms": str(max(1, round(time_limit * 1000)))})
        try:
            result = con.execute(text(sql), bound)
        except sa_exc.DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == _CANCELLED:
                raise StatementTimeout(str(exc.orig).strip()) from exc
            raise
        columns = list(result.keys())
        rows = result.fetchall()
    data = {c: _column([r[i] for r in rows]) for i, c in enumerate(columns)}
    return pl.DataFrame(data, strict=False) if rows else pl.DataFrame({c: [] for c in columns})
