import threading

import pytest
from django.db import connection

from minqing.org.models import Account
from minqing.tickets import services
from minqing.tickets.models import Ticket


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer: no race to prove")
def test_two_parallel_claims_give_exactly_one_winner(transactional_db):
    from django.core.management import call_command

    from minqing.demo.generate import database_is_empty, generate

    if database_is_empty():
        generate(scale="village", seed=7)
    try:
        from tests.tickets.conftest import Desk

        desk = Desk(lambda name: Account.objects.get(username=name))
        ticket = desk.dispatched()
        rivals = [desk.unit_user, Account.objects.get(username="leader")]
        barrier = threading.Barrier(len(rivals))
        outcomes = []

        def claim(account):
            try:
                barrier.wait()
                services.ticket_claim(actor=account, ticket=Ticket.objects.get(pk=ticket.pk))
                outcomes.append(("won", account.username))
            except services.TransitionRefused:
                outcomes.append(("refused", account.username))
            finally:
                connection.close()

        threads = [threading.Thread(target=claim, args=(a,)) for a in rivals]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(o[0] for o in outcomes) == ["refused", "won"]
        winner = next(name for result, name in outcomes if result == "won")
        ticket.refresh_from_db()
        assert ticket.owner.username == winner and ticket.version == 3
        assert ticket.events.filter(action="claim").count() == 1
    finally:
        call_command("flush", interactive=False, verbosity=0)
