"""The dashboard names only the cadres it ranks (figures(top_cadres=N)): the same cadres, in the
same order, with the same numbers and links as the whole list's first N, ties included."""

from minqing.figures import selectors
from minqing.figures.periods import parse_period

from .conftest import TODAY, sel_for


def _rows(groups):
    return [(g.key, g.label, dict(g.values), g.linked, g.query) for g in groups]


def test_the_ranking_of_the_top_cadres_is_the_whole_lists_first_ones(actor, campaign, township_office):
    for username in ("office", "cadre"):
        user = actor(username)
        for period in ("2026", "2026-11", "2026-06"):
            sel = sel_for(user, campaign, parse_period(period, today=TODAY))
            whole = selectors.figures(user=user, sel=sel, deferred=False)
            for n in (1, 3, 20):
                ranked = selectors.figures(user=user, sel=sel, deferred=False, top_cadres=n)
                assert _rows(ranked.by_cadre) == _rows(whole.top_cadres(n=n)), (username, period, n)
                assert ranked.values == whole.values
                assert _rows(ranked.by_unit) == _rows(whole.by_unit)
                assert _rows(ranked.by_team) == _rows(whole.by_team)
    # A township office's ranking names the county's cadres at work there, unlinked, as the list.
    sel = sel_for(township_office, campaign, parse_period("2026", today=TODAY))
    whole = selectors.figures(user=township_office, sel=sel, deferred=False)
    ranked = selectors.figures(user=township_office, sel=sel, deferred=False, top_cadres=5)
    assert whole.by_cadre and _rows(ranked.by_cadre) == _rows(whole.top_cadres(n=5))
