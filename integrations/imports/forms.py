"""Forms of the import pages in the tenant admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Employer
from integrations.imports import parsing
from integrations.imports.columns import TARGETS
from integrations.imports.models import FileEncoding, ImportRun


class UploadForm(forms.Form):
    employer = forms.ModelChoiceField(
        label=_("Werkgever"), queryset=Employer.objects.none()
    )
    file = forms.FileField(
        label=_("Bestand"),
        help_text=_("Een CSV-bestand (.csv) of Excel-bestand (.xlsx), met kopregel."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    encoding = forms.ChoiceField(
        label=_("Tekenset (alleen voor CSV)"),
        choices=FileEncoding.choices,
        initial=FileEncoding.UTF8,
        widget=forms.RadioSelect,
        help_text=_(
            "Excel's 'CSV UTF-8' is UTF-8. Kies Windows-1252 voor een bestand "
            "dat Excel als gewone CSV (gescheiden door lijstscheidingsteken) "
            "heeft opgeslagen."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inside the tenant scope: only this tenant's employers.
        self.fields["employer"].queryset = Employer.objects.order_by("name")

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > parsing.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("Het bestand is groter dan %(max)d MB; splits het in delen.")
                % {"max": parsing.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class MappingForm(forms.Form):
    """One choice of column per field, from the file's headers."""

    def __init__(self, *args: Any, run: ImportRun, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", gettext("— niet gebruiken —"))] + [
            (header, header) for header in run.headers if header
        ]
        for target in TARGETS:
            self.fields[target.key] = forms.ChoiceField(
                label=target.label,
                choices=choices,
                required=False,
                initial=run.columns.get(target.key, ""),
                help_text=gettext("verplicht") if target.required else "",
            )

    def columns(self) -> dict[str, str]:
        return {key: value for key, value in self.cleaned_data.items() if value}
