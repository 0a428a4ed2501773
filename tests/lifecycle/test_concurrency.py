"""Two users taking the same step at once, on PostgreSQL: exactly one step, one audit entry."""

import pytest

from lifecycle import services
from lifecycle.models import Removal, Transfer, Use
from org.models import AuditLog
from reserves.filings import filing_decide
from reserves.models import Filing, ReserveRecord
from tests.lifecycle.conftest import propose_removal, use_to_notice
from tests.reserves.test_concurrency import _postgres_only, race  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_township_clerks_approving_one_proposal_make_one_approval(cast, people):
    removal = propose_removal(cast, people["a1"])
    outcome = race(lambda: services.removal_approve(actor=cast.township_a_admin, removal=removal))
    assert outcome == ["ok", "refused"]
    assert Removal.objects.get(pk=removal.pk).state == Removal.APPROVED
    assert AuditLog.objects.filter(action="removal.approve").count() == 1
    assert Filing.objects.filter(subject=removal.subject).count() == 1


def test_two_county_clerks_filing_one_removal_close_the_record_once(cast, people):
    removal = propose_removal(cast, people["a1"])
    services.removal_approve(actor=cast.township_a_admin, removal=removal)
    filing = Filing.objects.get(subject=removal.subject)
    outcome = race(lambda: filing_decide(actor=cast.county_staff, filing=filing, accept=True))
    assert outcome == ["ok", "refused"]
    assert ReserveRecord.objects.get(pk=people["a1"].pk).status == "removed"
    assert AuditLog.objects.filter(action="record.close").count() == 1
    assert AuditLog.objects.filter(action="removal.file").count() == 1


def test_the_same_removal_proposed_twice_at_once_is_kept_once(cast, people):
    outcome = race(lambda: propose_removal(cast, people["a1"]))
    assert outcome == ["ok", "refused"]
    assert Removal.objects.count() == 1


def test_a_removal_and_a_use_proposed_at_once_for_one_reserve_leave_one_open_chain(cast, people):
    record = people["a1"]
    calls = iter(
        [
            lambda: propose_removal(cast, record),
            lambda: services.transfer_propose(
                actor=cast.township_a_admin, record=record, target_village=cast.village_b1, reason="x"
            ),
        ]
    )
    outcome = race(lambda: next(calls)())
    assert outcome == ["ok", "refused"]
    assert Removal.objects.count() + Transfer.objects.count() == 1


def test_two_clicks_on_elected_close_the_record_once(cast, people):
    import datetime

    use = use_to_notice(cast, people["a1"])
    on = use.notice.end + datetime.timedelta(days=1)
    outcome = race(
        lambda: services.use_record_outcome(actor=cast.township_a_admin, use=use, outcome=Use.ELECTED, on=on)
    )
    assert outcome == ["ok", "refused"]
    assert AuditLog.objects.filter(action="use.outcome").count() == 1
    assert ReserveRecord.objects.get(pk=people["a1"].pk).status == "used"
