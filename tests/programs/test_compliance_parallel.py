"""A campaign's rules evaluated side by side on several connections (core.parallel): the same
verdicts, in the same order and language, as one after another. These tests read committed data."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from minqing.core import parallel
from minqing.demo.generate import database_is_empty, generate
from minqing.programs import engine
from minqing.programs.models import Campaign

DAY = dt.date(2026, 11, 21)


@pytest.fixture
def demo(transactional_db):
    parallel.shutdown()  # a pool made by an earlier test has its own number of workers
    if database_is_empty():
        generate(scale="village", seed=7)
    yield
    parallel.shutdown()
    call_command("flush", interactive=False, verbosity=0)


def test_the_verdicts_on_several_connections_equal_those_on_one(demo, settings, monkeypatch):
    threads = set()
    job = parallel._job

    def spied(fn, using):
        threads.add(threading.current_thread().name)
        return job(fn, using)

    monkeypatch.setattr(parallel, "_job", spied)
    campaigns = list(Campaign.objects.order_by("id"))
    assert len(campaigns) >= 5
    compared, missing = 0, {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for campaign in campaigns:
                settings.DB_PARALLEL = 1
                one = engine.evaluate(Campaign.objects.get(pk=campaign.pk), DAY)
                settings.DB_PARALLEL = 3
                several = engine.evaluate(Campaign.objects.get(pk=campaign.pk), DAY)
                assert one == several, campaign.program_key
                compared += len(one)
                missing.setdefault(language, []).extend(m for v in several for m in v.missing)
    assert compared > 100
    # Each in the caller's language, on every thread: the same items, worded differently.
    assert len(missing["en"]) == len(missing["zh-hans"]) > 0
    assert missing["en"] != missing["zh-hans"]
    if connection.vendor == "postgresql":
        assert len(threads) >= 2 and all(name.startswith("minqing-db") for name in threads)
    else:
        assert threads == set()


def test_the_rules_keep_the_templates_order(demo, settings):
    settings.DB_PARALLEL = 3
    campaign = Campaign.objects.get(program_key="xiajiceng")
    verdicts = engine.evaluate(campaign, DAY)
    rules = [conf["key"] for conf in campaign.config["rules"] if not conf.get("disabled")]
    seen = list(dict.fromkeys(v.rule for v in verdicts))
    # Each rule's verdicts together, the rules in the template's order.
    assert len(seen) >= 2 and seen == [key for key in rules if key in seen]
    assert len(seen) == len(
        [k for i, k in enumerate(v.rule for v in verdicts) if i == 0 or verdicts[i - 1].rule != k]
    )
