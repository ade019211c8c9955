"""Diacritic-insensitive search on SQLite FTS5 or PostgreSQL (articles, and the portal's
documents and pages in ``portal``), with bounded work per query.

One concern a module: ``index`` keeps the FTS5 tables in step with articles (listeners,
reindex, the CLI), ``query`` parses a reader's text (folding, terms), ``ranking`` holds the
SQL that counts, ranks and pages the matches, ``snippets`` highlights and cuts snippets.
On PostgreSQL, ``postgresql`` holds the other engine's variant of the tables and the SQL
(``tsvector`` columns, GIN indexes, ts_rank); the others choose it by the connection.
The names below are the package's interface.
"""

from bantin.search.index import (
    CREATE_STATEMENTS,
    DROP_STATEMENTS,
    FOLDED_TABLE,
    TEXT_TABLE,
    is_search_table,
    plain_text,
    reindex,
    search_cli,
    sync_article,
)
from bantin.search.query import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    SearchQuery,
    fast_fold,
    fold_d,
    parse_query,
    tone_variants,
)
from bantin.search.ranking import (
    KINDS,
    MAX_RESULTS,
    Hit,
    Results,
    cached_search,
    count,
    search,
)
from bantin.search.snippets import SNIPPET_SCAN_CHARS, SNIPPET_WORDS, highlight, snippet

__all__ = [
    "CREATE_STATEMENTS",
    "DROP_STATEMENTS",
    "FOLDED_TABLE",
    "KINDS",
    "MAX_QUERY_LENGTH",
    "MAX_RESULTS",
    "MAX_TERMS",
    "SNIPPET_SCAN_CHARS",
    "SNIPPET_WORDS",
    "TEXT_TABLE",
    "Hit",
    "Results",
    "SearchQuery",
    "cached_search",
    "count",
    "fast_fold",
    "fold_d",
    "highlight",
    "is_search_table",
    "parse_query",
    "plain_text",
    "reindex",
    "search",
    "search_cli",
    "snippet",
    "sync_article",
    "tone_variants",
]
