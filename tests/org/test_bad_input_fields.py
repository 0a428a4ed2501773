"""org.fields: choice fields refuse a key that is not an ASCII id within range before the database sees it."""

import pytest
from django.core.exceptions import ValidationError

from org.fields import SafeModelChoiceField, SafeModelMultipleChoiceField, posted_text
from org.models import OrgUnit

REFUSED = ["٥", "５", "²", "99999999999999999999", "9223372036854775808", "-1", "0", "a\x00b", "1.0"]


@pytest.mark.parametrize("raw", REFUSED)
def test_single_choice_refuses_a_key_that_is_not_an_ascii_id(cast, raw):
    field = SafeModelChoiceField(queryset=OrgUnit.objects.all())
    with pytest.raises(ValidationError, match="所选项不存在或已失效"):
        field.clean(raw)


@pytest.mark.parametrize("raw", REFUSED)
def test_multiple_choice_refuses_a_key_that_is_not_an_ascii_id(cast, raw):
    field = SafeModelMultipleChoiceField(queryset=OrgUnit.objects.all())
    with pytest.raises(ValidationError, match="所选项不存在或已失效"):
        field.clean([str(cast.village_a1.pk), raw])


def test_choice_fields_accept_real_ids(cast):
    single = SafeModelChoiceField(queryset=OrgUnit.objects.all())
    multiple = SafeModelMultipleChoiceField(queryset=OrgUnit.objects.all())
    assert single.clean(str(cast.village_a1.pk)) == cast.village_a1
    assert list(multiple.clean([str(cast.village_a1.pk)])) == [cast.village_a1]


def test_posted_text_drops_nul_which_postgresql_refuses():
    assert posted_text({"note": "同意\x00备案"}, "note") == "同意备案"
    assert posted_text({}, "note", "默认") == "默认"
