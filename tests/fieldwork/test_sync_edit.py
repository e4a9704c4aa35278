"""The phone's edit of a visit (a correction through visit_correct): what a correction cannot
change is refused, never answered as kept; a resend that changes nothing is answered as kept."""

import uuid

from django.utils import timezone

from minqing.fieldwork.models import Visit, VisitChange
from minqing.fieldwork.sync import sync_put

from .test_visit_changes import scenario, setting  # noqa: F401


def _phone_visit(setting):  # noqa: F811
    campaign, cadre, household, _visit = setting
    key = uuid.uuid4()
    payload = {
        "campaign": campaign.pk,
        "date": timezone.localdate().isoformat(),
        "form": "home_visit",
        "target": {"type": "household", "id": household.pk},
        "content": "离线记录",
        "found": {"size": 3},
        "problems": [],
    }
    assert sync_put(user=cadre.account, kind="visit", uuid=key, payload=payload).status == 201
    return key, payload


def test_an_edit_that_changes_whom_it_visited_or_what_it_found_is_refused(setting, scenario):  # noqa: F811
    """The phone edits the visit's target (another household) and what it found, with its
    notes: refused with those fields named (422), and nothing of it kept — not answered 200 as
    if saved while the target and the finding were dropped."""
    _campaign, cadre, household, _visit = setting
    key, payload = _phone_visit(setting)
    other = scenario.household()
    edited = {
        **payload,
        "content": "离线记录（补）",
        "target": {"type": "household", "id": other.pk},
        "found": {"size": 5},
    }
    result = sync_put(user=cadre.account, kind="visit", uuid=key, payload=edited, base_version=1)
    visit = Visit.records.get(uuid=key)
    household.refresh_from_db()
    assert result.status == 422 and set(result.errors) == {"target", "found"}
    assert visit.household_id == household.pk and household.size == 3 and visit.content == "离线记录"
    assert not VisitChange.objects.filter(visit=visit).exists()
    # The notes alone are corrected.
    result = sync_put(
        user=cadre.account,
        kind="visit",
        uuid=key,
        payload={**payload, "content": "离线记录（补）"},
        base_version=1,
    )
    assert result.status == 200 and Visit.records.get(uuid=key).content == "离线记录（补）"


def test_a_phone_edit_that_changes_nothing_after_the_days_is_answered_as_kept(setting, clock, settings):  # noqa: F811
    """An edit sent again with the stored text (nothing to change) after the days for
    correcting is answered 200 (as kept), not 409 'the days have passed': nothing was to change."""
    _campaign, cadre, _household, _visit = setting
    key, payload = _phone_visit(setting)
    settings.VISIT_EDIT_DAYS = 7
    clock.advance(days=8)
    result = sync_put(
        user=cadre.account, kind="visit", uuid=key, payload={**payload, "reason": "x"}, base_version=1
    )
    assert result.status == 200, (result.status, result.conflict)
