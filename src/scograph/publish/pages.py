"""Rendering pages for people with jinja2 (autoescape on: labels and literals are data)."""

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    import jinja2

_PACKAGE = Path(__file__).resolve().parent.parent
# The publishing pages' templates and the web front's: one environment for both,
# so their names must differ (the first folder would win).
TEMPLATE_DIRS = (_PACKAGE / "templates", _PACKAGE / "web" / "templates")
STATIC_DIR = Path(__file__).resolve().parent / "static"


@cache
def environment() -> "jinja2.Environment":
    """The template environment; every template is escaped, whatever its name."""
    # Imported at the first page rather than at every start of the server.
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIRS),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["script_json"] = script_json
    env.tests["web_link"] = is_web_link
    return env


def is_web_link(iri: str | None) -> bool:
    """Whether an IRI from the data may be a link's target: http(s) only.

    A licence or source IRI is data anyone could have written; as an href, a
    ``javascript:`` or ``data:`` IRI would run when clicked, so it is shown as text.
    """
    return iri is not None and iri.lower().startswith(("http://", "https://"))


def render(template: str, **context: Any) -> str:
    """Render a template with its context."""
    return environment().get_template(template).render(**context)


def script_json(data: Any) -> Markup:
    """JSON safe inside ``<script>``: ``<``, ``>``, ``&`` and quotes become ``\\u`` escapes.

    So ``</script>`` in a label cannot close the element; the result is still the same JSON.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escape)
    # U+2028/9 end a line in some JavaScript parsers.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    # Safe by construction: every character that could end the script element is escaped above.
    return Markup(text)  # noqa: S704
