"""Access-matrix rows for the import pages: every role that may edit people may import; a batch is its uploader's."""

from tests.matrix_helpers import ALL, everyone, only  # noqa: F401

EDITORS = {"county_admin", "county_staff", "township_a_admin", "township_a_staff", "township_b_admin"}
UPLOADER = {"township_a_admin"}


ROWS = {
    "import_home": ("GET", None, only(EDITORS), 302),
    "import_template": ("GET", None, only(EDITORS), 302),
    "import_preview": ("GET", "import_batch", only(UPLOADER), 302),
    # POSTs without anything else: the uploader is sent back to the preview (here: the batch has an error row, so
    # nothing is written); everyone else finds no such batch.
    "import_confirm": ("POST", "import_batch", only(UPLOADER, ok=302), 302),
    "import_discard": ("POST", "import_batch_other", only(UPLOADER, ok=302), 302),
}


def objects(cast, people) -> dict:
    from tests.imports.helpers import row, upload, xlsx

    batch = upload(cast.township_a_admin, cast.township_a, xlsx([row(), row(name="错", id_number="123")]))
    other = upload(cast.township_a_admin, cast.township_a, xlsx([row()]))
    return {"import_batch": {"pk": batch.pk}, "import_batch_other": {"pk": other.pk}}
