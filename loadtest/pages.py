"""Reading the pages a load user is served: the CSRF token, links to follow, a form's fields —
what a browser would take from the HTML, so the scenarios follow the UI rather than hard-code it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

DOSSIER_LINK = re.compile(r'href="/patients/([0-9a-f-]{36})/"')
TASK_STATUS = re.compile(r"(/patients/[0-9a-f-]{36}/taches/[0-9a-f-]{36}/statut/)")
TASK_EDIT = re.compile(r'href="(/patients/[0-9a-f-]{36}/taches/[0-9a-f-]{36}/)"')
# The Parcours tab's "+ Évaluation de la situation" link (an icon may come before the title).
EVALUATION = re.compile(
    r'href="(/patients/[0-9a-f-]{36}/parcours/nouveau/[0-9a-f-]{36}/)"(?:(?!</a>).){0,500}?Évaluation',
    re.DOTALL,
)


def evaluation_link(html: str) -> str:
    """The link creating an "Évaluation de la situation" questionnaire ("" if the tab has none)."""
    found = EVALUATION.search(html)
    return found.group(1) if found else ""


def dossier_ids(html: str) -> list[str]:
    return list(dict.fromkeys(DOSSIER_LINK.findall(html)))


class Form:
    """One <form> of a page: its action and the values a browser would submit untouched."""

    def __init__(self, action: str, method: str) -> None:
        self.action, self.method = action, method
        self.fields: dict[str, list[str]] = {}
        self.options: dict[str, list[str]] = {}

    def add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)

    def named(self, ending: str) -> str:
        """The full name of the field whose name ends with `ending` ("" if none)."""
        names = [*self.fields, *self.options]
        return next((name for name in names if name == ending or name.endswith(f"-{ending}")), "")

    def data(self, **overrides: str | list[str]) -> dict[str, list[str]]:
        values = {name: list(found) for name, found in self.fields.items()}
        for name, value in overrides.items():
            values[name] = value if isinstance(value, list) else [value]
        return values


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._option_selected = False
        self._textarea: str | None = None
        self._text = ""
        self._template = 0  # inside <template>: not part of the form until cloned

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(Form(attr.get("action", ""), attr.get("method", "get").lower()))
        if tag == "template":
            self._template += 1
        # A browser submits neither disabled controls nor those of a <template>.
        if not self.forms or self._template or "disabled" in attr:
            return
        form = self.forms[-1]
        name = attr.get("name", "")
        if tag == "input" and name:
            kind = attr.get("type", "text")
            if kind in ("checkbox", "radio"):
                form.options.setdefault(name, []).append(attr.get("value", "on"))
                if "checked" in attr:
                    form.add(name, attr.get("value", "on"))
            elif kind == "submit":
                form.options.setdefault(name, []).append(attr.get("value", ""))
            elif kind not in ("button", "file"):
                form.add(name, attr.get("value", ""))
        elif tag == "button" and name and attr.get("type", "submit") == "submit":
            # A named submit button is one of the values the form can send (the "Agir en tant
            # que" menu is one button per structure).
            form.options.setdefault(name, []).append(attr.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            form.options.setdefault(self._select, []).append(attr.get("value", ""))
            if "selected" in attr:
                form.add(self._select, attr.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._template = max(0, self._template - 1)
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self.forms:
            self.forms[-1].add(self._textarea, self._text)
            self._textarea = None


def forms(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def form_with(html: str, field: str) -> Form | None:
    """The first form of the page that has `field` (as an input, a select or options)."""
    for form in forms(html):
        if field in form.fields or field in form.options:
            return form
    return None


def csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""
