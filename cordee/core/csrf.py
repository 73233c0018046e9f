"""The CSRF field of forms written in Python (rows of a table, items of a list) rather than by
the template's `{% csrf_token %}`: the same `<input>` the tag writes, from the same context."""

from __future__ import annotations

from html import escape

from django import template


def csrf_input(context: template.Context) -> str:
    """What `{% csrf_token %}` writes in this context: the hidden input, or nothing."""
    token = context.get("csrf_token")
    if token and token != "NOTPROVIDED":  # noqa: S105 - the csrf tag's own marker
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'
    return ""
