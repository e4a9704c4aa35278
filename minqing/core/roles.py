"""Roles and the permissions they carry. Permissions are code, roles are data on an
account (org.Grant), so a security admin assigns roles without a deploy."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("Campaign office")
    LEADER = "leader", _("Leader")
    CADRE = "cadre", _("Cadre")
    TEAM_LEADER = "team_leader", _("Work team leader")
    HANDLING_UNIT = "handling_unit", _("Handling unit")
    VILLAGE = "village", _("Village branch")
    INSPECTOR = "inspector", _("Inspector")
    SYSADMIN = "sysadmin", _("System administrator")
    SECADMIN = "secadmin", _("Security administrator")
    AUDITOR = "auditor", _("Audit administrator")


ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})

# What each role may do. Data scope (which records) is separate: see core.scope.
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OFFICE: frozenset(
        {
            "people.view",
            "people.edit",
            "org.view",
            "geo.view",
            "programs.view",
            "programs.manage",
            # A new program from a template file (programs are shared by every office).
            "programs.define",
            "fieldwork.confirm",
            "tickets.view",
            "tickets.create",
            "tickets.dispatch",
            "tickets.handle",
            "appraisal.view",
            "appraisal.manage",
            "inspections.view",
            "inspections.record",
            "exemplary.view",
            "exemplary.nominate",
            "exemplary.decide",
            # Petition and dispute cases: the case-owning leader, the parties, the history.
            "tickets.sensitive",
            "assessment.view",
            "assessment.manage",
            "recall.propose",
            "recall.carry_out",
        }
    ),
    Role.LEADER: frozenset(
        {
            "people.view",
            "org.view",
            "geo.view",
            "programs.view",
            "tickets.view",
            "tickets.handle",
            "appraisal.view",
            "inspections.view",
            "exemplary.view",
            "exemplary.nominate",
            "assessment.view",
            # The leading group (领导小组) decides recalls; leaders write their weekly records.
            "recall.approve",
            "leader_records.write",
        }
    ),
    # A cadre sees the inspections of themself and the actions they own, never the appraisal sample.
    Role.CADRE: frozenset(
        {
            "people.view",
            "org.view",
            "geo.view",
            "programs.view",
            "tickets.view",
            "tickets.create",
            "inspections.view",
            "exemplary.view",
            "assessment.view",
        }
    ),
    Role.TEAM_LEADER: frozenset(
        {
            "people.view",
            "org.view",
            "geo.view",
            "programs.view",
            "tickets.view",
            "tickets.create",
            "inspections.view",
            "exemplary.view",
            "exemplary.nominate",
        }
    ),
    Role.HANDLING_UNIT: frozenset({"org.view", "geo.view", "tickets.view", "tickets.handle"}),
    Role.VILLAGE: frozenset(
        {
            "people.view",
            "people.edit",
            "org.view",
            "geo.view",
            "programs.view",
            "fieldwork.confirm",
            "tickets.view",
            "tickets.create",
        }
    ),
    Role.INSPECTOR: frozenset(
        {
            "people.view",
            "org.view",
            "geo.view",
            "programs.view",
            "tickets.view",
            "appraisal.view",
            "inspections.view",
            "inspections.record",
            "exemplary.view",
            "exemplary.nominate",
            "assessment.view",
        }
    ),
    # Administrators manage the system, never residents' data.
    Role.SYSADMIN: frozenset({"accounts.manage", "org.view", "geo.view"}),
    Role.SECADMIN: frozenset({"roles.manage", "org.view", "geo.view"}),
    Role.AUDITOR: frozenset({"audit.view"}),
}

ALL_PERMISSIONS = frozenset().union(*PERMISSIONS.values()) | {"people.unmask"}
