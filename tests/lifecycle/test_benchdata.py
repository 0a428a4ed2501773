"""The benchmark's data helper makes waiting filings the inbox shows, and cleans them up again."""

from django.urls import reverse

from lifecycle.benchdata import delete_for_prefix, make_filings
from lifecycle.models import Removal, Step
from reserves.models import Filing, ReserveRecord
from tests.conftest import make_person, make_record


def test_make_filings_fills_the_inbox_and_delete_for_prefix_empties_it(client, cast, people):
    for i in range(4):
        make_record(make_person(cast.village_a2, name=f"备{i}"))
    filings = make_filings(cast.county, 6)
    assert Filing.objects.filter(state="submitted", county=cast.county).count() == 6
    assert Removal.objects.filter(state="approved", filing__in=filings).count() == 6
    client.force_login(cast.county_admin)
    rows = client.get(reverse("filing_list")).context["rows"]
    assert len(rows) == 6 and [f.submitted_at for f in rows] == sorted(f.submitted_at for f in rows)
    assert rows[0].link.startswith("/removals/")
    counts = delete_for_prefix(cast.county.code)
    assert counts["Removal"] == 6 and counts["Filing"] == 6
    assert not Step.objects.exists() and ReserveRecord.objects.count() == 8
