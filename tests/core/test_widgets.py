import datetime
import importlib
import inspect

import pytest
from django import forms
from django.utils import translation

from core.widgets import DateInput

FORM_MODULES = ["action_plans.forms", "organisations.forms", "reviews.forms", "accounts.forms"]


def _project_forms():
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                yield cls


@pytest.mark.parametrize("language", ["en-gb", "en-us", "de"])
def test_a_date_renders_in_iso_whatever_the_language(language):
    with translation.override(language):
        html = DateInput().render("target_on", datetime.date(2027, 10, 1))
    assert 'type="date"' in html
    assert 'value="2027-10-01"' in html


def test_every_date_picker_in_the_portal_is_the_iso_widget():
    pickers = []
    for form_class in _project_forms():
        for name, field in form_class.base_fields.items():
            if getattr(field.widget, "input_type", None) == "date":
                pickers.append((form_class.__name__, name, type(field.widget)))
    assert pickers, "the portal has date pickers"
    assert [p for p in pickers if p[2] is not DateInput] == []
