"""Access-matrix rows of the reports app, one module per part (merged into tests/test_access_matrix.py MATRIX)."""

from tests.reports import matrix_record_sheet, matrix_roster, matrix_summary

PARTS = [matrix_roster, matrix_record_sheet, matrix_summary]
ROWS = {}
for _part in PARTS:
    ROWS.update(_part.ROWS)


def objects(cast, people) -> dict:
    extra = {}
    for part in PARTS:
        extra |= part.objects(cast, people)
    return extra
