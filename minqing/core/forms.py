"""What pages share about forms."""

from django.core.exceptions import ValidationError


def add_errors(form, exc: ValidationError) -> None:
    """A service's errors at the form's fields of the same name, the others above the form,
    so that a refused form is shown again as it was sent, each error where it belongs."""
    found = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
    for field, errors in found.items():
        form.add_error(field if field in form.fields else None, errors)
