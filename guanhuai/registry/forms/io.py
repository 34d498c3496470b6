"""Forms of the import and export pages: the shape of input only; imports/exports decide the rest."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanhuai.core.excel import SPREADSHEET_SUFFIXES
from guanhuai.orgs.forms import TargetUnitForm, UnitChoiceField
from guanhuai.orgs.models import OrgUnit


class ImportUploadForm(TargetUnitForm):
    # An empty file gets the import's own message ("上传的文件是空的"), like every other bad file.
    file = forms.FileField(
        label=_("Excel或WPS表格文件（.xlsx、.xls、.ods）"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SPREADSHEET_SUFFIXES)}),
    )
    org_unit = UnitChoiceField(
        label=_("导入到"),
        queryset=OrgUnit.objects.none(),
        help_text=_("文件中的每个村(社区)代码都必须在这个组织之下。"),
    )


class ExportForm(forms.Form):
    # Generated when the page is shown: a double submit of the same page is one job.
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["request_key"] = uuid.uuid4().hex
