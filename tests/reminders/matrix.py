"""Access-matrix rows for this app's URLs (merged into tests/test_access_matrix.py MATRIX)."""

ROWS = {}


def objects(cast, people) -> dict:
    """Extra keys for the matrix's `objects` fixture: key -> URL kwargs."""
    return {}
