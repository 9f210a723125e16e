"""The named queries' SQL files (`queries/<name>.sql`) and the macro library (`queries/macros/`).

A query is loaded once, with the `$name` parameters its SQL uses. The macros are parsed once with
sqlglot: the DuckDB runner creates the files a query needs on its cursor (`macro_sql_for`), and the
server translation (queries/translate.py) inlines the same parsed bodies (`macro_library`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from queries.errors import QueryError, UnknownQuery
from watchfloor.sql_macros import macro_files, macro_text

QUERY_DIR = Path(__file__).resolve().parent
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# What is not code, matched left to right so that each hides the others' marks: a comment (line or
# block, which sqlglot writes) may hold an apostrophe, a string literal may hold "--" or "$x".
_NOT_CODE = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.DOTALL)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    sql: str
    parameters: frozenset[str]


@cache
def load(name: str) -> NamedQuery:
    """The query `name` from `queries/name.sql`, with the parameters it expects."""
    if not _NAME.match(name):
        raise UnknownQuery(f"not a query name: {name!r}")
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise UnknownQuery(f"no query named {name!r} (expected {path.name} in queries/)")
    sql = path.read_text(encoding="utf-8")
    return NamedQuery(name=name, sql=sql, parameters=parameters_of(sql))


def parameters_of(sql: str) -> frozenset[str]:
    """The `$name` parameters of `sql`: those inside comments or string literals are not parameters."""
    return frozenset(_PARAM.findall(_NOT_CODE.sub(" ", sql)))


def available() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.sql"))


@dataclass(frozen=True)
class Macro:
    """A macro of macros/, as sqlglot reads it: its parameters and body (None, with `error`, when
    sqlglot cannot read it: DuckDB still runs it, a server engine refuses the queries that use it)."""

    name: str
    parameters: tuple[str, ...]
    body: Any
    table: bool  # a table macro (`AS TABLE`), called in FROM
    file: str
    error: str | None = None


@cache
def macro_library() -> dict[str, Macro]:
    """Every macro of macros/, parsed once: the DuckDB runner creates the files a query needs on its
    cursor, and the server runner (queries/translate.py) inlines the same parsed bodies."""
    found: dict[str, Macro] = {}
    for file in macro_files():
        text = macro_text(file)
        try:
            statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
        except sqlglot.errors.SqlglotError as exc:
            # The file's macro names still come from the tokens, so its queries are refused by name.
            reason = str(exc).strip().splitlines()[0]
            for name in _created_names(text):
                found[name] = Macro(name, (), None, False, file, f"sqlglot cannot read {file}: {reason}")
            continue
        for statement in statements:
            udf = statement.this if isinstance(statement, exp.Create) else None
            if not isinstance(udf, exp.UserDefinedFunction) or str(statement.args.get("kind")).upper() != "MACRO":
                raise QueryError(f"macros/{file} holds a statement that is not a macro: {statement.sql('duckdb')[:80]}")
            name = udf.this.name.lower()
            body = statement.expression
            if isinstance(body, exp.Paren):
                body = body.this
            found[name] = Macro(name, tuple(p.name.lower() for p in udf.expressions), body,
                                isinstance(body, exp.Query), file)
    return found


def _created_names(text: str) -> list[str]:
    """Names after CREATE ... MACRO, from sqlglot's tokens (for a file it cannot parse)."""
    tokens = [t.text for t in sqlglot.tokenize(text, read="duckdb")]
    return [tokens[i + 1].lower() for i, word in enumerate(tokens[:-1]) if word.upper() == "MACRO"]


def query_words(name: str) -> frozenset[str]:
    """The lower-cased names (identifiers, functions) a query's SQL mentions, from sqlglot's tokens:
    words in comments and string literals are not names."""
    return _sql_words(load(name).sql)


@cache
def _sql_words(sql: str) -> frozenset[str]:
    skip = {TokenType.STRING, TokenType.NATIONAL_STRING}
    return frozenset(t.text.lower() for t in sqlglot.tokenize(sql, read="duckdb") if t.token_type not in skip)


@cache
def macro_sql_for(name: str) -> tuple[str, ...]:
    """The macro files a query uses. Temp macros live per connection (cursor), so the pool
    creates them on each cursor the first time a query there needs them."""
    library = macro_library()
    files = sorted({m.file for m in library.values() if m.name in query_words(name)})
    return tuple(macro_text(f) for f in files)
