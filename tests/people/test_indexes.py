"""The household table keeps the indexes its queries use and no more: a household's region
is served by the indexes that lead with it, so it has no index of its own (each one costs
every household written, an import of a roster most of all)."""

from django.db import connection

from minqing.core.treecode import prefix_q
from minqing.people.models import Household


def test_households_have_no_index_on_their_region_alone(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Household._meta.db_table)
    # PostgreSQL's pattern index (region LIKE, which no query makes) counts too.
    alone = [
        name for name, found in constraints.items() if found["index"] and found["columns"] == ["region_id"]
    ]
    assert alone == []
    leading = {tuple(found["columns"]) for found in constraints.values() if found["index"]}
    assert ("region_id", "code") in leading and ("region_id", "hardship_level") in leading


def test_a_region_subtree_is_still_read_through_an_index(db):
    query = Household.objects.filter(prefix_q("region_id", "431123101")).values_list("id", "code")
    plan = query.explain()
    if connection.vendor == "sqlite":  # PostgreSQL's plan depends on its statistics
        assert "SEARCH people_household USING COVERING INDEX people_hh_region_code" in plan
