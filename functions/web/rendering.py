"""Jinja2 with autoescape on: every page and e-mail is rendered here, in the reader's language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from functions.core.models import Locale
from functions.core.i18n import translator


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def prepare_all() -> None:
    """Compile every template and load every language's messages and plural rule (before a SnapStart snapshot:
    a restored environment then renders its first page without touching the file system)."""
    environment = _environment()
    for name in environment.list_templates():
        environment.get_template(name)
    for locale in Locale:
        translator(locale)


def render(template: str, locale: Locale, **context) -> str:
    return _environment().get_template(template).render(t=translator(locale), lang=locale.value, **context)
