"""Forms of the field-work pages; each parses input for one service call."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core.forms import IsoDateInput
from minqing.core.scope import scoped
from minqing.org.models import Cadre
from minqing.people.models import Household
from minqing.programs.models import Campaign, LiaisonPoint, Team

from .models import Incident

DATE = IsoDateInput()


def _max_today(field: forms.DateField) -> None:
    field.widget.attrs["max"] = timezone.localdate().isoformat()


class HelpPlanForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    cadre = forms.ModelChoiceField(label=_("Cadre"), queryset=Cadre.objects.none(), required=False)
    target = forms.ChoiceField(label=_("For"), required=False)
    household_code = forms.CharField(
        label=_("or the household number"), max_length=40, required=False, help_text=_("As on the roster.")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    commitments = forms.CharField(
        label=_("Commitments and milestones"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One a line: what, then a space and the due date (YYYY-MM-DD)."),
    )

    def __init__(self, *args, user, manager: bool, targets: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.manager = user, manager
        self.fields["campaign"].queryset = scoped(Campaign, user, "programs.view").order_by("-start")
        self.fields["target"].choices = [("", "—"), *targets]
        if manager:
            self.fields["cadre"].queryset = (
                scoped(Cadre, user, "org.view").select_related("account").order_by("unit__path", "id")
            )
            self.fields["cadre"].required = True
        else:
            del self.fields["cadre"]
            del self.fields["household_code"]

    def clean_commitments(self) -> list[tuple[str, dt.date]]:
        items = []
        for number, line in enumerate(self.cleaned_data["commitments"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            text, _space, day = line.rpartition(" ")
            try:
                due = dt.date.fromisoformat(day.strip())
            except ValueError:
                raise ValidationError(
                    _("Line %(n)s: end the line with the due date as YYYY-MM-DD."), params={"n": number}
                ) from None
            if not text.strip():
                raise ValidationError(_("Line %(n)s: say what is committed."), params={"n": number})
            items.append((text.strip(), due))
        return items

    def clean(self):
        data = super().clean()
        target = None
        kind, _sep, pk = (data.get("target") or "").partition(":")
        if kind == "point":
            target = scoped(LiaisonPoint, self.user, "programs.view").filter(pk=pk).first()
        elif kind == "household":
            target = scoped(Household, self.user, "people.view").filter(pk=pk).first()
        code = (data.get("household_code") or "").strip()
        if target is None and code:
            target = scoped(Household, self.user, "people.view").filter(code=code).first()
            if target is None:
                self.add_error("household_code", _("No household with this number in your scope."))
                return data
        if target is None:
            self.add_error("target", _("Choose the point or household the plan is for."))
        data["target_object"] = target
        return data


class CommitmentForm(forms.Form):
    title = forms.CharField(label=_("Commitment"), max_length=200)
    due = forms.DateField(label=_("Due"), widget=DATE)


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    done_on = forms.DateField(label=_("Done on"), widget=DATE, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _max_today(self.fields["done_on"])


class IncidentForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    point = forms.ModelChoiceField(label=_("Liaison point"), queryset=LiaisonPoint.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Incident.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import incident_campaigns

        self.fields["campaign"].queryset = incident_campaigns(user=user, permission=permission).order_by(
            "-start"
        )
        # A retired point is no longer offered (its past incidents stay on record).
        self.fields["point"].queryset = (
            scoped(LiaisonPoint, user, permission)
            .filter(retired_on__isnull=True)
            .order_by("region_id", "name")
        )
        _max_today(self.fields["date"])


class ReliefForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    household = forms.ChoiceField(label=_("Household"))
    amount_yuan = forms.DecimalField(label=_("Amount (yuan)"), min_value=0, max_digits=10, decimal_places=2)
    date = forms.DateField(label=_("Date"), widget=DATE)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, user, campaigns, households: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["campaign"].queryset = campaigns
        self.fields["household"].choices = households
        # A dissolved team is no longer offered (its past payments stay on record).
        self.fields["team"].queryset = (
            scoped(Team, user, "programs.view").filter(dissolved_on__isnull=True).order_by("name")
        )
        _max_today(self.fields["date"])

    def clean_household(self):
        found = scoped(Household, self.user, "people.view").filter(pk=self.cleaned_data["household"]).first()
        if found is None:
            raise ValidationError(_("This household is not among yours."))
        return found


class TeamSummaryForm(forms.Form):
    text = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 10}))


class AttendanceDecisionForm(forms.Form):
    """Confirm or reject a day of attendance; the service asks a reason for a rejection."""

    reason = forms.CharField(label=_("Reason for rejecting"), max_length=200, required=False)


class MonthlyReportDraftForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), empty_label=None)
    month = forms.CharField(label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns

    def clean_month(self) -> dt.date:
        try:
            return dt.date.fromisoformat(f"{self.cleaned_data['month']}-01")
        except ValueError:
            raise ValidationError(_("Choose a campaign and a month.")) from None


class VisitCorrectForm(forms.Form):
    """A correction of a visit: the fields a visit's record may change after it is made."""

    date = forms.DateField(label=_("Date"), widget=DATE)
    form = forms.ChoiceField(label=_("Form"))
    content = forms.CharField(
        label=_("What was seen and talked about"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    others_present = forms.ModelMultipleChoiceField(
        label=_("Cadres present"),
        queryset=Cadre.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("What was corrected, and why"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, visit, present_choices, **kwargs):
        super().__init__(*args, **kwargs)
        # The forms that fit the visit's target (and the one it has, even if the campaign has
        # dropped it since or it does not fit).
        target = "household" if visit.household_id else "member" if visit.member_id else "point"
        kind = visit.point.kind if visit.point_id else ""
        forms_of = [(f["key"], f["name"]) for f in visit.campaign.visit_forms_for(target, kind)]
        if visit.form not in {key for key, _name in forms_of}:
            forms_of.append((visit.form, visit.form_name))
        self.fields["form"].choices = forms_of
        self.fields["others_present"].queryset = present_choices
        self.fields["others_present"].label_from_instance = lambda cadre: (
            f"{cadre} · {cadre.unit}" if cadre.unit_id else str(cadre)
        )
        self.fields["date"].widget.attrs["min"] = visit.campaign.start.isoformat()
        last = timezone.localdate()
        if visit.campaign.end and visit.campaign.end < last:
            last = visit.campaign.end
        self.fields["date"].widget.attrs["max"] = last.isoformat()


class VisitWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why the visit is withdrawn"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class WorkLogForm(forms.Form):
    """A cadre's work log of one day at one of their points."""

    point = forms.ChoiceField(label=_("Liaison point"))
    date = forms.DateField(label=_("Date"), widget=DATE)
    content = forms.CharField(
        label=_("What was done that day"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write what was done that day.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, points: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.points = {str(p.pk): p for p in points}
        self.fields["point"].choices = [(str(p.pk), p.name) for p in points]
        _max_today(self.fields["date"])

    def clean_point(self):
        return self.points[self.cleaned_data["point"]]

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise ValidationError(_("The date lies in the future."))
        return day


class ActivityForm(forms.Form):
    """An activity of one campaign (recorded, or corrected): the kind from the campaign's list
    of activities (written in when it lists none), the organizer's teams and points there."""

    kind = forms.ChoiceField(label=_("Kind"))
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Left empty: the kind.")
    )
    date = forms.DateField(label=_("Date"), widget=DATE)
    team = forms.TypedChoiceField(label=_("Held by the team"), coerce=int, empty_value=None, required=False)
    point = forms.TypedChoiceField(label=_("At the point"), coerce=int, empty_value=None, required=False)
    attendance = forms.IntegerField(
        label=_("People attending"), min_value=0, max_value=100000, initial=0, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, campaign, choices: dict, activity=None, correcting: bool = False, **kwargs):
        """`choices`: selectors.activity_choices (the organizer's teams and points there); a
        corrected activity's own kind, team and point are offered too. `correcting` adds the
        reason of a correction."""
        super().__init__(*args, **kwargs)
        kinds = [(a["key"], a["name"]) for a in choices["activities"]]
        teams = [(t["id"], t["name"]) for t in choices["teams"]]
        points = [(p["id"], p["name"]) for p in choices["points"]]
        if activity is not None:
            if kinds and activity.kind not in {key for key, _name in kinds}:
                kinds.append((activity.kind, activity.kind_name))
            if activity.team_id and activity.team_id not in {pk for pk, _name in teams}:
                teams.append((activity.team_id, activity.team.name))
            if activity.point_id and activity.point_id not in {pk for pk, _name in points}:
                points.append((activity.point_id, activity.point.name))
        if kinds:
            self.fields["kind"].choices = kinds
        else:
            # A campaign that lists no activities: the kind is written in (a forum, a training …).
            self.fields["kind"] = forms.CharField(
                label=_("Kind"), max_length=40, help_text=_("e.g. a forum, a policy talk")
            )
        self.fields["team"].choices = [("", "—"), *teams]
        self.fields["point"].choices = [("", "—"), *points]
        self.teams, self.points = dict(teams), dict(points)
        self.fields["date"].widget.attrs["min"] = campaign.start.isoformat()
        last = timezone.localdate()
        if campaign.end and campaign.end < last:
            last = campaign.end
        self.fields["date"].widget.attrs["max"] = last.isoformat()
        if correcting:
            self.fields["reason"] = forms.CharField(
                label=_("What was corrected, and why"), max_length=200, required=False
            )

    def clean_attendance(self) -> int:
        return self.cleaned_data["attendance"] or 0

    def clean(self):
        data = super().clean()
        ids = {"team": data.get("team"), "point": data.get("point")}
        data["team"] = Team.objects.filter(pk=ids["team"]).first() if ids["team"] else None
        data["point"] = LiaisonPoint.objects.filter(pk=ids["point"]).first() if ids["point"] else None
        return data


class ActivityWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why the activity is withdrawn"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)
