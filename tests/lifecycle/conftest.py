import datetime

import pytest
from django.core.exceptions import ValidationError

from lifecycle import services
from lifecycle.models import Removal, Use
from reserves.filings import filing_decide
from reserves.models import Filing

D = datetime.date
NOTICE_START = D(2026, 9, 30)  # a Wednesday: 5 working days run over National Day and end well before today


def refused(fn, *args, **kwargs) -> str:
    """Call a service that must refuse; return its Chinese message(s)."""
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return " ".join(exc.value.messages)


def county_files(cast, chain, accept=True, note=""):
    """The county files (or returns) the chain's waiting filing from its inbox."""
    filing = Filing.objects.get(subject=chain.subject, state=Filing.SUBMITTED)
    return filing_decide(actor=cast.county_staff, filing=filing, accept=accept, note=note)


def propose_removal(cast, record, **extra) -> Removal:
    fields = {
        "actor": cast.village_secretary,
        "record": record,
        "grounds": ["performance", "recognition"],
        "account": "2026年以来多次无故不参加村务工作，群众反映较大。",
    }
    return services.removal_propose(**(fields | extra))


def propose_use(cast, record, target=None, position="cun_committee", **extra) -> Use:
    fields = {
        "actor": cast.village_secretary,
        "record": record,
        "target_village": target or record.village,
        "position": position,
        "occasion": "vacancy",
        "recommendation": "该同志表现优秀、群众公认，推荐为村民委员会委员人选。",
    }
    return services.use_propose(**(fields | extra))


def record_opinions(cast, use, agrees=True):
    return services.use_opinions_record(
        actor=cast.township_a_admin,
        use=use,
        rows=[
            {"department": "discipline", "agrees": agrees, "opinion": "无违纪记录", "given_on": D(2026, 9, 10)},
            {"department": "petitions", "agrees": True, "opinion": "无信访问题", "given_on": D(2026, 9, 11)},
        ],
    )


def use_to_notice(cast, record, target=None, position="cun_committee", start=NOTICE_START, **extra) -> Use:
    """A use proposed, with opinions, approved, filed and noticed (from 2026-09-30)."""
    use = propose_use(cast, record, target, position, **extra)
    record_opinions(cast, use)
    services.use_approve(actor=cast.township_a_admin, use=use)
    county_files(cast, use)
    use.refresh_from_db()
    services.use_post_notice(actor=cast.township_a_admin, use=use, start=start)
    use.refresh_from_db()
    return use


def lifecycle_objects(cast, people) -> dict:
    """One item of each chain in every state a page needs, all in village A1 (for the access matrix: the lead's
    `objects` fixture can merge this dict). Keys are the matrix's fixture-object keys."""
    from lifecycle.models import Transfer
    from tests.conftest import make_person, make_record

    def a1_record(name):
        return make_record(make_person(cast.village_a1, name=name))

    # The stipend pages exist only where the county pays one (QL §13): the matrix checks who may open them there.
    # (tests/lifecycle/test_views.py checks that a county without the rule has no such pages.)
    cast.policy.stipend_on = True
    cast.policy.stipend_county_monthly = cast.policy.stipend_township_monthly = 1000
    cast.policy.save()
    ta = cast.township_a_admin
    removal = propose_removal(cast, people["a1"])
    removal_returned = propose_removal(cast, a1_record("退回甲"))
    services.removal_return(actor=ta, removal=removal_returned, reason="请补充材料")
    use = use_to_notice(cast, a1_record("使用甲"))
    use_filed = propose_use(cast, a1_record("使用乙"))
    record_opinions(cast, use_filed)
    services.use_approve(actor=ta, use=use_filed)
    county_files(cast, use_filed)
    use_returned = propose_use(cast, a1_record("使用丙"))
    services.use_return(actor=ta, use=use_returned, reason="请明确职务")
    transfer = services.transfer_propose(
        actor=ta, record=a1_record("调动甲"), target_village=cast.village_b1, reason="随家庭迁居"
    )
    transfer_returned = services.transfer_propose(
        actor=ta, record=a1_record("调动乙"), target_village=cast.village_b1, reason="工作需要"
    )
    services.transfer_return(actor=cast.township_b_admin, transfer=transfer_returned, reason="已满额")
    assert Transfer.objects.get(pk=transfer_returned.pk).state == Transfer.RETURNED
    return {
        "lc_record": {"pk": people["a1"].pk},
        "removal": {"pk": removal.pk},
        "removal_returned": {"pk": removal_returned.pk},
        "use": {"pk": use.pk},
        "use_filed": {"pk": use_filed.pk},
        "use_returned": {"pk": use_returned.pk},
        "transfer": {"pk": transfer.pk},
        "transfer_returned": {"pk": transfer_returned.pk},
    }


@pytest.fixture
def chain_objects(cast, people):
    return lifecycle_objects(cast, people)
