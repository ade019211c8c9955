"""Schema objects that live outside the SQLAlchemy models."""

# The FTS5 search index (bantin.search) and the shadow tables SQLite creates for it.
UNMANAGED_PREFIXES = ("article_search",)


def is_unmanaged_table(name: str) -> bool:
    return name.startswith(UNMANAGED_PREFIXES)
