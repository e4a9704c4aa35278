"""A refused reason for a ledger with full identifiers comes back in that ledger's row of
the list, with the region it was asked for, the error beside it and its section open,
instead of a redirect that loses what was typed."""

import re

import pytest
from django.http import FileResponse

from minqing.core.models import AuditEvent
from minqing.org.models import Grant
from minqing.programs.models import Campaign


@pytest.fixture
def campaign(db):
    return Campaign.objects.get(program_key="xiajiceng")


def _details(page: str, section_id: str) -> str:
    """The opening tag of the <details> with this id."""
    return re.search(rf'<details id="{section_id}"[^>]*>', page).group(0)


def test_a_too_short_reason_comes_back_in_its_ledgers_row(client_as, campaign):
    village = Grant.objects.get(account__username="village").regions.get()
    client = client_as("office")
    page = client.get(f"/campaigns/{campaign.pk}/ledgers/?region={village.code}").content.decode()
    assert " open" not in _details(page, "full-hardship")
    exports = AuditEvent.objects.filter(action="ledger.export").count()
    response = client.post(
        f"/campaigns/{campaign.pk}/ledgers/hardship.xlsx", {"region": village.code, "reason": "核对"}
    )
    assert response.status_code == 200 and not isinstance(response, FileResponse)
    page = response.content.decode()
    assert " open" in _details(page, "full-hardship")
    assert re.search(r'<input name="reason"[^>]* value="核对" aria-invalid="true">', page)
    assert "查看完整信息须填写理由，不少于4个字。" in page
    assert f'<input type="hidden" name="region" value="{village.code}">' in page
    assert AuditEvent.objects.filter(action="ledger.export").count() == exports
