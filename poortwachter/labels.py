"""Translatable names of the legal milestones (the rules package is Dutch-only)."""

from django.utils.translation import gettext_lazy as _

MILESTONE_LABELS = {
    "probleemanalyse": _("Probleemanalyse bedrijfsarts"),
    "plan_van_aanpak": _("Plan van aanpak"),
    "uwv_42_week_melding": _("42e-weeksmelding aan UWV"),
    "eerstejaarsevaluatie": _("Eerstejaarsevaluatie"),
    "eindevaluatie": _("Eindevaluatie plan van aanpak"),
    "actueel_oordeel": _("Actueel oordeel bedrijfsarts"),
    "wia_aanvraag": _("WIA-aanvraag met re-integratieverslag"),
    "wage_period_last_day": _("Laatste dag loondoorbetaling (104 weken)"),
    "wia_earliest_start": _("Vroegste ingangsdatum WIA"),
    "vangnet_uwv_ziekmelding": _("Ziekmelding vangnet aan UWV"),
    "ziek_uit_dienst_melding": _("Ziek-uit-dienstmelding aan UWV"),
}
