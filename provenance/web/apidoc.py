"""The API described for people at ``/api``: every route of the OpenAPI document with its method, summary, the
permission it needs, its parameters and its body, on one page the server renders itself.

FastAPI's own page (Swagger UI) loads its scripts from a CDN, which the server's Content-Security-Policy forbids
(scripts only from the server itself); this page needs no script at all. ``/openapi.json`` is the document itself,
for programs.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, select_autoescape

from provenance.web.deps import PERMISSION_KEY, PUBLIC

METHODS = ("get", "post", "put", "patch", "delete")

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }} {{ version }}: the API</title>
</head>
<body>
<h1>{{ title }} {{ version }}: the API</h1>
<p>{{ summary }}</p>
<p>Every route answers JSON, and every error as an RFC 9457 problem (<code>application/problem+json</code>).
Sign in with <code>POST /api/v1/session</code> (a cookie; changes then need the <code>X-CSRF-Token</code> header it
returns), or send a token as <code>Authorization: Bearer pvt_...</code>. The machine-readable description is
<a href="/openapi.json">/openapi.json</a>.</p>
<table>
<thead><tr><th>method</th><th>path</th><th>what it does</th><th>needs</th><th>parameters</th><th>body</th></tr></thead>
<tbody>
{% for op in operations %}
<tr>
<td><code>{{ op.method }}</code></td>
<td><code>{{ op.path }}</code></td>
<td>{{ op.summary }}{% if op.description %}<br><small>{{ op.description }}</small>{% endif %}</td>
<td>{{ op.permission }}</td>
<td>{% for p in op.parameters %}<code>{{ p.name }}</code> ({{ p.where }}
{%- if p.required %}, required{% endif %}{% if p.type %}, {{ p.type }}{% endif %})
{%- if not loop.last %}<br>{% endif %}{% endfor %}</td>
<td>{{ op.body }}</td>
</tr>
{% endfor %}
</tbody>
</table>
</body>
</html>
"""

_environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_template = _environment.from_string(PAGE)


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(part) for part in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}))}"
    return str(schema.get("type", ""))


def _body(operation: dict[str, Any]) -> str:
    content = operation.get("requestBody", {}).get("content", {})
    return "; ".join(f"{media}: {_type(spec.get('schema', {}))}" for media, spec in content.items())


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per path and method of an OpenAPI document."""
    rows = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            permission = operation.get(PERMISSION_KEY)
            description = (operation.get("description") or "").strip()
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": description.split("\n\n")[0] if description else "",
                    "permission": "anyone" if permission == PUBLIC else (permission or ""),
                    "parameters": [
                        {
                            "name": p.get("name", ""),
                            "where": p.get("in", ""),
                            "required": bool(p.get("required")),
                            "type": _type(p.get("schema", {})),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": _body(operation),
                }
            )
    return rows


def render(document: dict[str, Any]) -> str:
    """The page for an OpenAPI document."""
    info = document.get("info", {})
    return _template.render(
        title=info.get("title", ""),
        version=info.get("version", ""),
        summary=info.get("summary", ""),
        operations=operations(document),
    )
