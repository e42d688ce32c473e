"""Every form's limits: stated, never enforced by the browser, refused by the server with a
message naming the field; and a refused form kept for the page it goes back to."""

import copy
import importlib
import inspect
import re
import time

import pytest
from allauth.account.forms import ResetPasswordForm
from django import forms
from django.contrib.admin.sites import site
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from core.forms import (
    REFUSED,
    REFUSED_KEPT_SECONDS,
    refused_form_keep,
    refused_form_restore,
    refused_form_take,
)

FORM_MODULES = ["action_plans.forms", "organisations.forms", "reviews.forms", "accounts.forms"]


def _limited_fields():
    """(form, field name, field) for every field with a character limit on the portal's
    forms, the admin's and allauth's sign-in forms."""
    classes = []
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        classes += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name
        ]
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    classes += [model_admin.get_form(request) for model_admin in site._registry.values()]
    classes += [ResetPasswordForm]
    for cls in classes:
        for name, field in cls.base_fields.items():
            if getattr(field, "max_length", None) and not field.widget.is_hidden:
                yield cls.__name__, name, field


LIMITED = list(_limited_fields())


def _alone(name, field, data=None):
    """A form holding only a copy of ``field``, rendered as any form in the portal is."""
    form_class = type("OneField", (forms.Form,), {name: copy.deepcopy(field)})
    return form_class(data)


def test_the_portal_has_limited_fields_to_check():
    checked = {(f, n) for f, n, _ in LIMITED}
    assert {
        ("ActionForm", "title"),
        ("ActionForm", "owner"),
        ("ResetPasswordForm", "email"),
    } <= checked
    assert ("ThemeForm", "name") in checked  # the admin's


@pytest.mark.parametrize(
    ("form", "name", "field"), LIMITED, ids=[f"{f}.{n}" for f, n, _ in LIMITED]
)
def test_no_field_lets_the_browser_cut_at_its_limit(form, name, field):
    html = str(_alone(name, field)[name])
    limit = field.max_length

    assert "maxlength" not in html
    hint = _alone(name, field)[name].help_text
    if isinstance(field, forms.EmailField):
        # The address format's own limit: refused when over, never counted.
        assert "data-char-limit" not in html and "limit-hint" not in hint
        return
    assert f'data-char-limit="{limit}"' in html
    assert f'<span class="limit-hint">Up to {limit} characters.</span>' in hint


def test_an_email_address_over_its_limit_is_refused_by_name():
    form = _alone("email", forms.EmailField(max_length=254, label="Their email address"))
    form = type(form)({"email": "a" * 250 + "@example.ac.uk"})

    assert not form.is_valid()
    assert (
        "Their email address must be 254 characters or fewer (it has 264)." in form.errors["email"]
    )


@pytest.mark.django_db
def test_the_sign_in_page_lets_nothing_be_cut(client):
    html = client.get("/accounts/login/").content.decode()

    assert 'name="login"' in html
    assert "maxlength" not in html


@pytest.mark.parametrize(("over", "accepted"), [(1, False), (0, True)], ids=["over", "at"])
def test_over_the_limit_is_refused_with_the_field_and_the_limit(over, accepted):
    field = forms.CharField(max_length=500, label="Action or objective")
    form = _alone("title", field, {"title": "x" * (500 + over)})

    assert form.is_valid() is accepted
    if not accepted:
        assert form.errors["title"] == [
            "Action or objective must be 500 characters or fewer (it has 501)."
        ]


@pytest.mark.parametrize("sent", ["one\r\ntwo\r\n\r\nthree", "one\rtwo\r\rthree"])
def test_line_breaks_are_stored_once_each_and_counted_once(sent):
    field = forms.CharField(max_length=15, widget=forms.Textarea, strip=False)
    form = _alone("description", field, {"description": sent})

    # "one\ntwo\n\nthree" is 14 characters; as sent with CR LF it would be 17.
    assert form.is_valid(), form.errors
    assert form.cleaned_data["description"] == "one\ntwo\n\nthree"


def test_a_label_with_a_percent_sign_is_shown_as_written():
    form = _alone("share", forms.CharField(max_length=3, label="Share (%)"), {"share": "1000"})

    assert not form.is_valid()
    assert form.errors["share"] == ["Share (%) must be 3 characters or fewer (it has 4)."]


def test_a_message_the_form_chose_is_kept():
    field = forms.CharField(max_length=3, error_messages={"max_length": "Three at most."})
    form = _alone("code", field, {"code": "abcd"})

    assert not form.is_valid()
    assert form.errors["code"] == ["Three at most."]


def test_a_field_with_its_own_help_text_keeps_it_before_the_limit():
    field = forms.CharField(max_length=60, help_text="As it is usually known.")

    assert _alone("short_name", field)["short_name"].help_text == (
        'As it is usually known. <span class="limit-hint">Up to 60 characters.</span>'
    )


# Keeping a refused form for the page it goes back to.


class _Section(forms.Form):
    title = forms.CharField(max_length=5)
    themes = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    return request


def _refused(request, page="/stage/", **data):
    form = _Section({"csrfmiddlewaretoken": "secret", "title": "too long", **data})
    form.is_valid()
    form.add_error(None, "Refused by the service.")
    refused_form_keep(request, form, page=page, slot="section")
    return form


def test_a_refused_form_comes_back_once_as_it_was_sent():
    request = _request()
    refused = _refused(request, themes=["a", "b"])

    slot, data, errors = refused_form_take(request, page="/stage/")
    again = refused_form_restore(_Section(data), errors)

    assert slot == "section"
    assert "csrfmiddlewaretoken" not in data
    assert (data["title"], data.getlist("themes")) == ("too long", ["a", "b"])
    assert again.errors == refused.errors
    assert again.non_field_errors() == ["Refused by the service."]
    assert refused_form_take(request, page="/stage/") is None


def test_a_refused_form_is_not_shown_on_another_page():
    request = _request()
    _refused(request, page="/stage/1/")

    assert refused_form_take(request, page="/stage/2/") is None
    assert refused_form_take(request, page="/stage/1/") is not None


def test_a_refused_form_left_long_ago_is_not_shown_again():
    request = _request()
    _refused(request)
    request.session[REFUSED] = {
        **request.session[REFUSED],
        "at": time.time() - REFUSED_KEPT_SECONDS - 1,
    }

    assert refused_form_take(request, page="/stage/") is None
    assert REFUSED not in request.session


def test_the_error_summary_links_each_error_to_its_control():
    from django.template import Context, Template

    form = _Section({"new-title": "too long"}, prefix="new")
    form.is_valid()
    form.add_error(None, "Refused by the service.")
    html = Template("{% load form_tags %}{% error_summary form %}").render(Context({"form": form}))

    assert 'id="new-error-summary"' in html and 'tabindex="-1"' in html
    assert "There is a problem" in html
    items = re.findall(r"<li>(.*?)</li>", html)
    assert items == [
        "Refused by the service.",
        '<a href="#id_new-title">Title must be 5 characters or fewer (it has 8).</a>',
        '<a href="#id_new-themes_0">Themes: this field is required.</a>',
    ]
