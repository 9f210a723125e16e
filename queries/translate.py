"""Named queries on a server warehouse, transpiled from DuckDB's dialect with sqlglot.

The named queries are written once, in DuckDB's dialect. For a server engine each query is
parsed once with sqlglot and its tree rewritten for the engine (sqlglot transforms), then
written out by a Watchfloor subclass of sqlglot's dialect for that engine:

1. The macros of `macros/` (parsed once, shared with the DuckDB runner: `sql_files.macro_library`)
   are inlined: a scalar macro's body replaces the call (an argument that is an operation in
   parentheses, one value as in DuckDB), a table macro (the SLA clock,
   `sla_clocks(as_of, since)`, the hourly counts, the reviewer sessions, the routing steps) becomes a subquery, with the arguments put in place of the
   parameters. The SLA clock's macros are inlined only on the engines whose translation gives
   DuckDB's results in the tests (`SLA_CLOCK_ENGINES`); elsewhere a query that uses them is refused.
2. DuckDB constructs sqlglot leaves as they are get rewritten for the target (`GROUP BY ALL`,
   star modifiers, `UNION BY NAME`, `ASOF`/`SEMI`/`ANTI` joins, `range`, `len` of a list,
   `fmod`, `hour`, `isodow`, `any_value`, `arg_min/arg_max`, window functions with `IGNORE
   NULLS`, `make_timestamp`, time-zone conversions, ...).
3. What is left is checked: a construct the engine is not known to run, or a function sqlglot
   passed through by name that is not on the engine's list of known functions, refuses the
   query with its name and the construct (`DuckDBOnly`), never a silent drop or a wrong answer.
4. `$name` parameters stay placeholders in the tree; the dialect subclass writes them as the
   driver's named bind markers (`:name`), never as values. A list parameter is cast to an
   array of its element type.

The transpiled text is cached per (query, engine, parameter types, driver). Running it on the
engine is queries/on_server.py's job.
"""
from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import sqlglot
from sqlglot import exp, transforms
from sqlglot.dialects.dialect import Dialect
from sqlglot.optimizer.qualify import qualify

from queries.sql_files import load, macro_library, query_words
from watchfloor.engines import DuckDBOnly, family
from watchfloor.schema import table_columns

# Engines whose results the tests compare with DuckDB's, query by query (tests/integration/test_postgres.py,
# tests/integration/test_spark.py). Databricks is Spark SQL: it gets Spark's translation.
TESTED_ENGINES = ("postgres", "spark")
# Engines whose translation of the SLA clock (macros/sla.sql: the table macros and the business-hours
# and time-zone macros they use) gives DuckDB's results in the tests; elsewhere queries that use it
# are refused, never answered wrongly.
SLA_CLOCK_ENGINES = ("postgres", "spark")

# Functions sqlglot writes out by name without knowing them (exp.Anonymous) that each tested engine
# is known to have: anything else left by name refuses the query there.
KNOWN_FUNCTIONS = {
    "postgres": frozenset({"generate_series", "array_position", "cardinality"}),
    "spark": frozenset({"unix_micros", "size", "from_utc_timestamp", "to_utc_timestamp", "timestamp_micros",
                        "array_position", "nullif", "sequence", "percentile"}),
}


@cache
def watchfloor_dialect(target: str, text_binds: bool = True):
    """sqlglot's dialect for `target`, subclassed: placeholders are written as named bind markers
    (`:name`), and, for SQLAlchemy's text() (`text_binds`), a colon inside a string literal is
    escaped so only the markers bind."""
    base = type(Dialect.get_or_raise(target))

    class Generator(base.Generator):  # type: ignore[name-defined, misc]
        def placeholder_sql(self, expression) -> str:
            return f":{expression.name}"

        def literal_sql(self, expression) -> str:
            sql = super().literal_sql(expression)
            return sql.replace(":", "\\:") if text_binds and expression.is_string else sql

    return type(f"Watchfloor{base.__name__}{'Text' if text_binds else ''}", (base,), {"Generator": Generator})()


def _macros(name: str, scalar: bool):
    """{macro: (parameters, body)} of the library, refusing the query if one it uses is unreadable."""
    found = {}
    for macro in macro_library().values():
        if macro.table != scalar and macro.error is None:
            found[macro.name] = (list(macro.parameters), macro.body)
        elif macro.error is not None and macro.name in query_words(name):
            raise DuckDBOnly(f"query {name!r} runs only on DuckDB: it uses the macro {macro.name}, and {macro.error}")
    return found


def _template(sql: str, dialect: str, **parts):
    """A tree from a fixed SQL template in which the columns named like `parts` are replaced by
    the given subtrees (copied): how rewrites build engine-specific forms without formatting text."""
    tree = sqlglot.parse_one(sql, read=dialect)
    return tree.transform(lambda n: parts[n.name].copy()
                          if isinstance(n, exp.Column) and not n.table and n.name in parts else n)


def _inline_table_macros(tree, name: str):
    """`FROM sla_clocks(a, b) k` -> `FROM (<the macro's query with a and b put in>) AS k`, again
    for the table macros a macro's body calls."""
    for _ in range(4):
        before = tree
        tree = _inline_table_macros_once(tree, name)
        if tree == before:
            break
    return tree


def _inline_table_macros_once(tree, name: str):

    bodies = _macros(name, scalar=False)

    def replace(node):
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous) \
                and str(node.this.this).lower() in bodies:
            macro = str(node.this.this).lower()
            params, body = bodies[macro]
            args = dict(zip(params, node.this.expressions))
            inlined = body.copy().transform(
                lambda n: exp.Paren(this=args[n.name.lower()].copy())
                if isinstance(n, exp.Column) and not n.table and n.name.lower() in args else n)
            return exp.Subquery(this=inlined, alias=exp.TableAlias(this=exp.to_identifier(node.alias or macro)))
        return node

    return tree.transform(replace)


def _postgres_windows_and_times(tree):
    """PostgreSQL lacks `IGNORE NULLS` in window functions, `arg_min/arg_max` and
    `make_timestamp(micros)`: last_value(x IGNORE NULLS) OVER (...) -> the last element of
    array_agg(x) FILTER (WHERE x IS NOT NULL) over the same window (first_value: the first);
    arg_min(x, y) -> the first x of array_agg ordered by y; make_timestamp(us) -> a TIMESTAMP
    (without zone) at that many microseconds past 1970 UTC."""
    def arg_extreme(agg, where=None):
        # arg_min(x, y) -> the first x when ordered by y (rows without a y do not count).
        order = "DESC" if isinstance(agg, exp.ArgMax) else "ASC"
        cond = exp.Not(this=exp.Is(this=exp.Paren(this=agg.expression.copy()), expression=exp.Null()))
        if where is not None:
            cond = exp.and_(cond, exp.Paren(this=where.copy()))
        return _template(f"(ARRAY_AGG(wf_v ORDER BY wf_k {order}) FILTER(WHERE wf_c))[1]", "postgres",
                         wf_v=agg.this, wf_k=agg.expression, wf_c=cond)

    def fix(node):
        if isinstance(node, exp.Filter) and isinstance(node.this, (exp.ArgMin, exp.ArgMax)):
            return arg_extreme(node.this, node.expression.this)
        if isinstance(node, (exp.ArgMin, exp.ArgMax)) and not isinstance(node.parent, exp.Filter):
            return arg_extreme(node)
        if isinstance(node, exp.Window) and isinstance(node.this, exp.IgnoreNulls) \
                and isinstance(node.this.this, (exp.LastValue, exp.FirstValue)):
            value = node.this.this.this
            agg = _template("ARRAY_AGG(wf_v) FILTER(WHERE (wf_v) IS NOT NULL)", "postgres", wf_v=value)
            over = node.copy()
            over.set("this", agg)
            index = "CARDINALITY(wf_w)" if isinstance(node.this.this, exp.LastValue) else "1"
            return _template(f"(wf_w)[{index}]", "postgres", wf_w=over)
        if isinstance(node, exp.UnixToTime):
            return _template("CAST(CAST('epoch' AS TIMESTAMP) + (wf_us) * INTERVAL '1 microsecond' AS TIMESTAMP)",
                             "postgres", wf_us=node.this)
        return node

    return tree.transform(fix)


def _grouped(node):
    """`node` in parentheses unless it is already one value (a name, literal, marker, call, cast)."""
    whole = (exp.Column, exp.Literal, exp.Placeholder, exp.Parameter, exp.Paren, exp.Func, exp.Cast, exp.Null,
             exp.Boolean)
    return node if isinstance(node, whole) else exp.Paren(this=node)


def _inline_macros(tree, name: str):

    scalar = _macros(name, scalar=True)

    def replace(node):
        if isinstance(node, exp.Anonymous) and str(node.this).lower() in scalar:
            params, body = scalar[str(node.this).lower()]
            # An argument stands as one value wherever the body names it, as in DuckDB: `f(a + b)`
            # with body `x / 2` is `(a + b) / 2`. The generator writes a tree as it is, adding no
            # parentheses, so an argument that is an operation is wrapped.
            args = {p: _grouped(a) for p, a in zip(params, node.expressions)}
            inlined = body.copy().transform(
                lambda n: args[n.name.lower()].copy()
                if isinstance(n, exp.Column) and not n.table and n.name.lower() in args else n)
            return exp.Paren(this=_inline_macros(inlined, name))
        return node

    return tree.transform(replace)


def _expand_all(tree):
    """GROUP BY ALL -> the positions of the select items that hold no aggregate; ORDER BY ALL ->
    every select item's position, in order."""
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


@cache
def _schema() -> dict[str, dict[str, str]]:
    """The warehouse tables' columns (contract and summaries), for expanding DuckDB's star modifiers."""
    return {t: {c: ("VARCHAR" if kind.endswith("[]") else kind) for c, (kind, _) in cols.items()}
            for t, cols in table_columns().items()}


def _needs_columns(tree) -> bool:

    stars = any(star.args.get(k) for star in tree.find_all(exp.Star) for k in ("except_", "except", "replace", "rename"))
    return stars or any(u.args.get("by_name") for u in tree.find_all(exp.Union))


def _expand_columns(tree):
    """`* EXCLUDE/REPLACE` and `UNION ALL BY NAME` need the column lists. sqlglot's qualifier works
    them out on a copy (from the contract's schema); only the select lists concerned are taken
    from it, so the rest of the query keeps its own meaning (USING joins, unqualified names)."""
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
    for join in list(tree.find_all(exp.Join)):
        if str(join.args.get("method") or "").upper() != "ASOF":
            continue
        table = join.this
        alias = table.alias_or_name
        order = None
        for cond in join.args["on"].find_all(exp.GT, exp.GTE, exp.LT, exp.LTE):
            for side in (cond.this, cond.expression):
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
    for select in list(tree.find_all(exp.Select)):
        order = select.args.get("order")
        if order is None:
            continue
        aliases = {e.alias: e.this for e in select.expressions if isinstance(e, exp.Alias)}
        for item in order.expressions:
            if isinstance(item.this, exp.Column):
                continue  # a bare name is fine everywhere
            item.set("this", item.this.transform(
                lambda n, aliases=aliases: aliases[n.name].copy()
                if isinstance(n, exp.Column) and not n.table and n.name in aliases else n))
    return tree


def _semi_anti_joins(tree):
    """`a SEMI JOIN b USING (k)` / `ANTI JOIN` -> `WHERE [NOT] EXISTS (SELECT 1 FROM b WHERE ...)`:
    USING is spelled out as ON, then sqlglot's own transform does the rest."""
    for select in list(tree.find_all(exp.Select)):
        for join in select.args.get("joins") or []:
            if str(join.args.get("kind") or "").upper() not in ("SEMI", "ANTI") or not join.args.get("using"):
                continue
            source = select.args.get("from_") or select.args.get("from")
            if source is None or len(select.args["joins"]) != 1:
                raise DuckDBOnly(f"a {join.args['kind']} JOIN ... USING next to other joins")
            left, inner = source.this.alias_or_name, join.this.alias_or_name
            join.set("on", exp.and_(*[exp.EQ(this=exp.column(c.name, inner), expression=exp.column(c.name, left))
                                      for c in join.args["using"]]))
            join.set("using", None)
        transforms.eliminate_semi_and_anti_joins(select)
    return tree


def _alias_subqueries(tree):
    """DuckDB allows a subquery in FROM without a name; most engines do not."""
    for i, sub in enumerate(list(tree.find_all(exp.Subquery))):
        if not sub.alias and isinstance(sub.parent, (exp.From, exp.Join)):
            sub.set("alias", exp.TableAlias(this=exp.to_identifier(f"_wf_sub{i}")))
    return tree


def _portable(tree, dialect: str):
    """DuckDB functions sqlglot passes through unchanged, written the portable way."""
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
            if isinstance(arg, exp.Cast) and arg.to.is_type(exp.DataType.Type.ARRAY) or isinstance(arg, exp.Placeholder):
                return exp.Anonymous(this="CARDINALITY", expressions=[arg])
        if name == "fmod":
            # fmod(a, b) = a - b * floor(a / b); built trees are not parenthesised for us.
            a, b = (exp.Paren(this=e.transform(fix)) for e in node.expressions)  # (a nested fmod too)
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




def _spark(tree):
    """Spark SQL forms of what sqlglot's Spark dialect would translate with another meaning:
    epoch() keeps its fractions of a second (unix_micros / 1e6, not unix_timestamp's whole seconds);
    DuckDB's two time-zone conversions (`(ts AT TIME ZONE 'UTC') AT TIME ZONE tz`: UTC to local
    wall clock, and `(ts AT TIME ZONE tz) AT TIME ZONE 'UTC'`: local wall clock to UTC) become
    from_utc_timestamp / to_utc_timestamp, the latter taking DuckDB's instant for a wall time a DST
    change repeats (the later one; Spark's own is the earlier); len() of a list is size();
    list_position gives NULL, not 0, for a value not in the list; isodow is weekday() + 1; an
    infinite timestamp is the latest (earliest) one Spark holds; MATERIALIZED on a CTE is a
    DuckDB planning hint Spark does not take; range() is a sequence with an exclusive end; named
    windows are written inline."""
    def utc(node) -> bool:
        return isinstance(node, exp.Literal) and node.is_string and node.name.upper() == "UTC"

    def bare(node):
        return node.this if isinstance(node, exp.Paren) else node

    def fix(node):
        name = node.name.lower() if isinstance(node, exp.Anonymous) else None
        if isinstance(node, exp.GenerateSeries) and node.args.get("is_end_exclusive"):
            # range(a, b, step) stops before b; sequence(a, b, step) may reach b: the end moves back
            # by the smallest unit (a microsecond for times, 1 for whole numbers).
            step = node.args.get("step")
            smallest = exp.Interval(this=exp.Literal.string("0.000001"), unit=exp.var("SECOND")) \
                if isinstance(step, exp.Interval) else exp.Literal.number(1)
            end = exp.Sub(this=node.args["end"].transform(fix), expression=smallest)
            return exp.Anonymous(this="SEQUENCE", expressions=[node.args["start"].transform(fix), end]
                                 + ([step.copy()] if step else []))
        if isinstance(node, exp.PercentileCont) and node.expression is not None \
                and not isinstance(node.parent, exp.WithinGroup):
            # quantile_cont(x, q): Spark's percentile(x, q) interpolates the same way (q may be a list).
            return exp.Anonymous(this="PERCENTILE", expressions=[node.this.transform(fix), node.expression.transform(fix)])
        if isinstance(node, exp.TimeToUnix):
            # (a replaced node's children are not visited by transform: rewrite them first)
            return _template("CAST(UNIX_MICROS(CAST(wf_t AS TIMESTAMP)) AS DOUBLE) / 1000000", "spark",
                             wf_t=node.this.transform(fix))
        if isinstance(node, exp.AtTimeZone):
            inner = bare(node.this)
            if isinstance(inner, exp.AtTimeZone) and utc(inner.args.get("zone")):
                return exp.Anonymous(this="FROM_UTC_TIMESTAMP", expressions=[inner.this.transform(fix), node.args["zone"].transform(fix)])
            if isinstance(inner, exp.AtTimeZone) and utc(node.args.get("zone")):
                # A wall time a DST change repeats has two instants: DuckDB takes the later, Spark's
                # to_utc_timestamp the earlier. The offset a day later gives the later one if it
                # reads back as the same wall time; otherwise there is only one (or, in a gap, both
                # engines move forward alike).
                wall, zone = _grouped(inner.this.transform(fix)), inner.args["zone"].transform(fix)

                def to_utc(t):
                    return exp.Anonymous(this="TO_UTC_TIMESTAMP", expressions=[t, zone.copy()])

                later = _template("wf_u - INTERVAL 1 DAY", "spark",
                                  wf_u=to_utc(_template("wf_l + INTERVAL 1 DAY", "spark", wf_l=wall)))
                back = exp.Anonymous(this="FROM_UTC_TIMESTAMP", expressions=[later.copy(), zone.copy()])
                return _template("CASE WHEN wf_back = wf_l THEN wf_later ELSE wf_u END", "spark",
                                 wf_back=back, wf_l=wall, wf_later=later, wf_u=to_utc(wall.copy()))
            return node  # left for the check, which refuses it
        if isinstance(node, exp.Length):
            arg = node.this
            if isinstance(arg, exp.Cast) and arg.to.is_type(exp.DataType.Type.ARRAY) or isinstance(arg, (exp.Placeholder, exp.Array)):
                return exp.Anonymous(this="SIZE", expressions=[arg.copy()])
        if name == "list_position" or isinstance(node, exp.ArrayPosition):
            args = node.expressions if name else [node.this, node.expression]
            return _template("NULLIF(ARRAY_POSITION(wf_l, wf_v), 0)", "spark", wf_l=args[0].transform(fix),
                             wf_v=args[1].transform(fix))
        if isinstance(node, exp.DayOfWeekIso) or name == "isodow":
            arg = node.expressions[0] if name else node.this
            return _template("(WEEKDAY(wf_t) + 1)", "spark", wf_t=arg.transform(fix))
        if isinstance(node, exp.Table) and isinstance(node.this, exp.GenerateSeries):
            # range(...) t(w) in FROM: a lateral explode of the series, named as DuckDB names it.
            return exp.Unnest(expressions=[node.this.transform(fix)], alias=node.args.get("alias").copy()
                              if node.args.get("alias") else None)
        if isinstance(node, exp.Cast) and node.to.is_type(*_TIMESTAMPS) \
                and isinstance(node.this, exp.Literal) and node.this.is_string \
                and node.this.name.lower() in ("infinity", "-infinity"):
            # Spark has no infinite timestamps: the latest (earliest) one it holds stands in. It
            # compares with every stored instant as infinity does; arithmetic on it would not
            # (the queries only compare with it).
            extreme = "9999-12-31 23:59:59.999999" if node.this.name.lower() == "infinity" else "0001-01-01 00:00:00"
            return exp.Cast(this=exp.Literal.string(extreme), to=node.to.copy())
        if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
            node.set("materialized", None)
        return node

    # A window that names another and adds a frame (`OVER (w ROWS ...)`): Spark takes only inline windows.
    for select in list(tree.find_all(exp.Select)):
        transforms.eliminate_window_clause(select)
    return tree.transform(fix)


_TIMESTAMPS = ("TIMESTAMP", "TIMESTAMPNTZ", "TIMESTAMPLTZ", "TIMESTAMPTZ")  # the types an infinite timestamp is cast to


def _refuse_constructs(tree, name: str, dialect: str) -> None:
    """A DuckDB-only construct still in the rewritten tree refuses the query, naming it."""
    for node in tree.walk():
        construct = None
        if isinstance(node, exp.Join) and (str(node.args.get("kind") or "").upper() in ("SEMI", "ANTI")
                                           or str(node.args.get("method") or "").upper() == "ASOF"):
            construct = f"a {node.args.get('method') or node.args.get('kind')} JOIN"
        elif isinstance(node, exp.Group) and node.args.get("all"):
            construct = "GROUP BY ALL"
        elif isinstance(node, exp.Union) and node.args.get("by_name"):
            construct = "UNION BY NAME"
        elif isinstance(node, exp.Star) and any(node.args.get(k) for k in ("except_", "except", "replace", "rename")):
            construct = "a star with EXCLUDE/REPLACE"
        elif family(dialect) == "spark" and isinstance(node, exp.AtTimeZone):
            construct = "AT TIME ZONE (other than the UTC <-> local conversions)"
        if construct:
            raise DuckDBOnly(f"query {name!r} runs only on DuckDB: {construct} has no known {dialect} translation "
                             "(docs/server-warehouses.md)")


def _refuse_unknown_functions(sql: str, name: str, dialect: str) -> None:
    """Read the written SQL back in the engine's dialect: a function sqlglot does not know there
    (passed through by name) that is not on the engine's known list refuses the query."""
    known = KNOWN_FUNCTIONS.get(family(dialect), frozenset())
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.SqlglotError as exc:
        raise DuckDBOnly(f"query {name!r} cannot be transpiled to {dialect}: its translation does not read back "
                         f"({str(exc).splitlines()[0]})") from None
    for node in tree.find_all(exp.Anonymous):
        if node.name.lower() not in known:
            raise DuckDBOnly(f"query {name!r} runs only on DuckDB: the function {node.name}() has no known "
                             f"{dialect} translation (docs/server-warehouses.md)")


@cache
def parsed(name: str):
    """The query's tree, read once from its DuckDB SQL."""


    try:
        return sqlglot.parse_one(load(name).sql, read="duckdb")
    except sqlglot.errors.SqlglotError as exc:
        raise DuckDBOnly(f"query {name!r} runs only on DuckDB: sqlglot cannot read it "
                         f"({str(exc).strip().splitlines()[0]})") from None


def rewrite(name: str, dialect: str, list_types: tuple[tuple[str, str], ...] = ()):
    """The query's tree rewritten for `dialect` (a copy; `parsed(name)` is left alone)."""
    tested = family(dialect)
    clock = [m.name for m in sla_clock_macros_used(name)]
    if clock and tested not in SLA_CLOCK_ENGINES:
        raise DuckDBOnly(f"query {name!r} runs only on DuckDB: it uses the SLA clock ({', '.join(clock)}), "
                         f"which has no tested {dialect} translation (docs/server-warehouses.md)")
    tree = parsed(name).copy()
    casts = dict(list_types)
    array_of = {"postgres": "{}[]", "spark": "ARRAY<{}>"}.get(tested, "{}[]")

    def bind(node):
        # $name stays a placeholder; a list is cast to an array of its element type.
        if isinstance(node, (exp.Placeholder, exp.Parameter)):
            pname = str(node.this.this if isinstance(node.this, exp.Expression) else node.this)
            marker = exp.Placeholder(this=pname)
            if pname in casts:
                element = {"TEXT": "STRING", "DOUBLE PRECISION": "DOUBLE"}.get(casts[pname], casts[pname]) \
                    if tested == "spark" else casts[pname]
                return exp.Cast(this=marker, to=exp.DataType.build(array_of.format(element), dialect=tested))
            return marker
        return node

    tree = tree.transform(bind)
    # Table macros become subqueries (the SLA clock's only where tested: refused above elsewhere).
    tree = _inline_table_macros(tree, name)
    tree = _inline_macros(tree, name)
    if _needs_columns(tree):
        tree = _expand_columns(tree)
    tree = _expand_all(tree)
    tree = _asof_joins(tree)
    tree = _semi_anti_joins(tree)
    tree = _alias_subqueries(tree)
    tree = _order_by_aliases(tree)
    if tested == "postgres":
        tree = _postgres_windows_and_times(tree)
    if tested == "spark":
        tree = _spark(tree)
    return _portable(tree, tested)


def sla_clock_macros_used(name: str) -> list:
    """The SLA clock's macros (macros/sla.sql) the query calls."""
    words = query_words(name)
    return [m for m in macro_library().values() if m.file == "sla.sql" and m.name in words]


@lru_cache(maxsize=256)
def transpile(name: str, dialect: str, list_types: tuple[tuple[str, str], ...] = (),
              text_binds: bool = True) -> tuple[str, tuple[str, ...]]:
    """(SQL text for the dialect with :name bind markers, the parameters it binds). With
    `text_binds` the text is for SQLAlchemy's text() (colons in string literals escaped);
    without, for a driver that takes `:name` markers itself (Spark Connect)."""


    if dialect == "duckdb":
        raise DuckDBOnly("DuckDB runs the queries as written")
    tree = rewrite(name, dialect, list_types)
    _refuse_constructs(tree, name, dialect)
    try:
        # Comments are left out: they are for readers of queries/, and text() would read a colon there as a bind.
        plain = tree.sql(dialect=watchfloor_dialect(dialect, False), unsupported_level=sqlglot.ErrorLevel.RAISE,
                         comments=False)
    except sqlglot.errors.UnsupportedError as exc:
        raise DuckDBOnly(f"query {name!r} runs only on DuckDB: {dialect} lacks {exc}") from None
    _refuse_unknown_functions(plain, name, dialect)
    sql = tree.sql(dialect=watchfloor_dialect(dialect, True), comments=False) if text_binds else plain
    return sql, tuple(sorted(load(name).parameters))



def _list_types(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    types = []
    for key, value in sorted(params.items()):
        if isinstance(value, (list, tuple, set, frozenset)):
            items = list(value)
            kind = "BIGINT" if items and all(isinstance(v, int) and not isinstance(v, bool) for v in items) else \
                "DOUBLE PRECISION" if items and all(isinstance(v, (int, float)) for v in items) else "TEXT"
            types.append((key, kind))
    return tuple(types)

