from django import forms


class DateInput(forms.DateInput):
    """A native date picker.

    The browser's date input accepts only an ISO value (YYYY-MM-DD); a date
    rendered in the locale's format (01/10/2027) shows as empty and is lost on
    the next save. The format is fixed here, whatever the active language.
    """

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's own argument name
        super().__init__(attrs=attrs, format=format or "%Y-%m-%d")
