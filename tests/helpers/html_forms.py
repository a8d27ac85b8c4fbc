"""What a browser would submit for a form of a page (the tests fill forms like a person)."""

from __future__ import annotations

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[list[str]] = []
        self._textarea: list[str] | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("submit", "button"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.fields.append([name, attributes.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select, self._first_option, self._selected = name, None, False
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attributes:
                self.fields.append([self._select, value])
                self._selected = True

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop one newline right after <textarea>.
            name, value = self._textarea
            self.fields.append([name, value[1:] if value.startswith("\n") else value])
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._selected and self._first_option is not None:
                self.fields.append([self._select, self._first_option])
            self._select = None


def form_data(html: str, form_id: str) -> MultiDict:
    """The fields of the form ``form_id`` as the browser would send them (no button)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return MultiDict([(name, value) for name, value in reader.fields])


def filled(data: MultiDict, **changes: str | list[str]) -> MultiDict:
    """``data`` with fields replaced; names use ``__`` for ``.`` (``summary__de``)."""
    result = MultiDict(data)
    for key, value in changes.items():
        name = key.replace("__", ".")
        result.setlist(name, value if isinstance(value, list) else [value])
    return result
