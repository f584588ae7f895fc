"""Keep the chart's settings values and the generated docs in step: `python scripts/sync_chart_settings.py`.

`transformer.settings.<field>` and `predictor.settings.<field>` in charts/resume-optimizer/values.yaml (between the
`# >>>` and `# <<<` markers) and their entries in values.schema.json are generated from TransformerSettings and
PredictorSettings: name, default, type, constraints and description. A new setting is one pydantic field; run
this script (`make chart-settings`) and commit the result. Each value becomes the env var PREFIX_<FIELD> (null:
unset, the class default).

It also writes the generated sections (between the `<!-- >>> generated` and `<!-- <<< generated` markers; the
hand-written text around them stays) of two Markdown references: docs/configuration.md, one table per settings
class (TransformerSettings, PredictorSettings, the CLI's ClientSettings) from the pydantic fields, and
charts/resume-optimizer/README.md, one row per documented value of values.yaml (its `# --` comment, its type from
values.schema.json, its default). `--check` writes nothing and fails, naming each stale file, where one is out of
date (tests/test_chart.py and tests/test_docs.py run it); `--root DIR` reads and writes those files under another
copy of the repository (the tests use it to show that the check can fail).
"""

from __future__ import annotations

import argparse
import copy
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic_core import to_jsonable_python
from pydantic_settings import BaseSettings

from predictor.settings import PredictorSettings
from resume_optimizer.settings import ClientSettings
from transformer.settings import TransformerSettings

REPO = Path(__file__).resolve().parent.parent
CHART = REPO / "charts" / "resume-optimizer"
VALUES = CHART / "values.yaml"
SCHEMA = CHART / "values.schema.json"
CHART_README = CHART / "README.md"
CONFIGURATION = REPO / "docs" / "configuration.md"


class Section:
    """One settings class mapped onto `<component>.settings` in the chart values."""

    def __init__(
        self,
        component: str,
        settings: type[BaseSettings],
        prefix: str,
        *,
        exclude: tuple[str, ...] = (),
        defaults: dict[str, Any] | None = None,
        notes: dict[str, str] | None = None,
        schema_extra: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.component, self.settings, self.prefix = component, settings, prefix
        self.exclude = exclude
        self.defaults = defaults or {}
        self.notes = notes or {}
        self.schema_extra = schema_extra or {}

    def fields(self) -> list[str]:
        return [name for name in self.settings.model_fields if name not in self.exclude]


SECTIONS = [
    Section(
        "transformer",
        TransformerSettings,
        "TRANSFORMER_",
        defaults={"predictor_host": None},
        notes={"predictor_host": "null: the chart passes --predictor_host <isvc>-predictor.<namespace>"},
    ),
    Section(
        "predictor",
        PredictorSettings,
        "PREDICTOR_",
        notes={
            "model": "the chart passes it as --model; predictor.model.storageUri, when set, replaces it",
            "adapter": "the chart passes it as --adapter; predictor.adapter.storageUri, when set, replaces it",
        },
        schema_extra={"max_lora_rank": {"enum": [1, 8, 16, 32, 64, 128, 256, 320, 512, None]}},
    ),
]

_DROP = {"title", "default", "format"}


def _clean(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _clean(v) for k, v in schema.items() if k not in _DROP}
    if isinstance(schema, list):
        return [_clean(v) for v in schema]
    return schema


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    """null is allowed everywhere: it leaves the env var unset, so the settings class default applies."""
    prop = copy.deepcopy(prop)
    if "anyOf" in prop:
        if {"type": "null"} not in prop["anyOf"]:
            prop["anyOf"].append({"type": "null"})
    elif isinstance(prop.get("type"), str):
        prop["type"] = [prop["type"], "null"]
        if "enum" in prop and None not in prop["enum"]:
            prop["enum"].append(None)
    else:
        prop = {"anyOf": [prop, {"type": "null"}]}
    return prop


def _type_name(prop: dict[str, Any]) -> str:
    if "anyOf" in prop:
        return " or ".join(_type_name(p) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return f"list of {_type_name(prop.get('items', {}))}"
    if "enum" in prop:
        return "|".join(json.dumps(v) for v in prop["enum"])
    return str(prop.get("type", "any"))


def _inline_refs(schema: Any, defs: dict[str, Any]) -> Any:
    """Replace {"$ref": "#/$defs/X"} (enums, nested models) by X itself: values.schema.json has no $defs."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            target = defs[schema["$ref"].rsplit("/", 1)[-1]]
            return _inline_refs({**target, **{k: v for k, v in schema.items() if k != "$ref"}}, defs)
        return {k: _inline_refs(v, defs) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_inline_refs(v, defs) for v in schema]
    return schema


def _field_schemas(settings: type[BaseSettings]) -> dict[str, Any]:
    full = settings.model_json_schema()
    return _inline_refs(full["properties"], full.get("$defs", {}))


def schema_properties(section: Section) -> dict[str, Any]:
    full = _field_schemas(section.settings)
    out = {}
    for name in section.fields():
        prop = _clean(full[name])
        description = prop.pop("description", "")
        prop.update(section.schema_extra.get(name, {}))
        prop = _nullable(prop)
        prop["description"] = f"{description.rstrip('.')} (env {section.prefix}{name.upper()})"
        out[name] = prop
    return out


def values_block(section: Section) -> str:
    full = _field_schemas(section.settings)
    lines = []
    for name in section.fields():
        field = section.settings.model_fields[name]
        if name in section.defaults:
            default = section.defaults[name]
        else:
            default = to_jsonable_python(field.get_default(call_default_factory=True))
        if isinstance(default, str) and default.startswith(str(REPO)):
            # A default computed from where the package lies (e.g. <repo>/monitoring/baseline.json) differs per
            # machine: the chart leaves it unset (the class default) instead of writing this machine's path.
            default = None
        kind = _type_name(_clean({k: v for k, v in full[name].items() if k != "description"}))
        note = f" ({section.notes[name]})" if name in section.notes else ""
        description = (field.description or "").replace("\n", " ").rstrip(".")
        lines.append(f"    # -- ({kind}) {description}{note}. Env {section.prefix}{name.upper()}")
        lines.append(f"    {name}: {json.dumps(default)}")
    return "\n".join(lines) + "\n"


def _markers(component: str) -> tuple[str, str]:
    return (
        f"    # >>> {component}.settings: generated by scripts/sync_chart_settings.py from the settings class\n",
        f"    # <<< {component}.settings\n",
    )


def render_values(text: str) -> str:
    for section in SECTIONS:
        begin, end = _markers(section.component)
        head, sep, rest = text.partition(begin)
        if not sep or end not in rest:
            raise SystemExit(f"{VALUES}: markers for {section.component}.settings not found")
        _old, _, tail = rest.partition(end)
        text = head + begin + values_block(section) + end + tail
    return text


def render_schema(text: str) -> str:
    schema = json.loads(text)
    for section in SECTIONS:
        component = schema["properties"][section.component]["properties"]
        component["settings"] = {
            "type": "object",
            "description": f"{section.settings.__name__} fields, each the env var {section.prefix}<FIELD>; "
            "null leaves the env var unset",
            "additionalProperties": False,
            "properties": schema_properties(section),
        }
    return json.dumps(schema, indent=2) + "\n"


# --- Markdown references: docs/configuration.md and the chart README ----------------------------------------

DOC_BEGIN = "<!-- >>> generated by scripts/sync_chart_settings.py (`make chart-settings`): do not edit by hand -->\n"
DOC_END = "<!-- <<< generated -->\n"

# The settings classes documented in docs/configuration.md: the chart's two, then the CLI's (no chart value).
DOC_SECTIONS = [*SECTIONS, Section("resume-optimizer", ClientSettings, "RESUME_OPTIMIZER_")]


def _replace_generated(text: str, body: str, path: Path) -> str:
    head, sep, rest = text.partition(DOC_BEGIN)
    if not sep or DOC_END not in rest:
        raise SystemExit(f"{path}: generated-section markers not found ({DOC_BEGIN.strip()} ... {DOC_END.strip()})")
    _old, _, tail = rest.partition(DOC_END)
    return head + DOC_BEGIN + body + DOC_END + tail


def _cell(text: str) -> str:
    """One Markdown table cell: outside code spans `<`/`>` escaped (not read as HTML) and `*` (not emphasis); `|`
    escaped everywhere (it would end the cell)."""
    parts = text.replace("\n", " ").split("`")
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*")
    return "`".join(parts).replace("|", "\\|")


def _code(value: str) -> str:
    return f"`{value}`"


def _doc_type(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return "one of " + ", ".join(json.dumps(v) for v in prop["enum"])
    if "anyOf" in prop:
        return " or ".join(_doc_type(p) for p in prop["anyOf"])
    if isinstance(prop.get("type"), list):
        return " or ".join(_doc_type({**prop, "type": t}) for t in prop["type"])
    if prop.get("type") == "array":
        return f"list of {_doc_type(prop.get('items', {}))}"
    return str(prop.get("type", "any"))


def _setting_default(field: Any) -> str:
    """The class default as the env var would spell it; computed defaults are described, not evaluated."""
    factory = field.default_factory
    if factory is not None and inspect.isfunction(factory) and factory.__doc__:
        return "computed: " + " ".join(factory.__doc__.split())
    default = to_jsonable_python(field.get_default(call_default_factory=True))
    if default is None:
        return "unset"
    if isinstance(default, str) and default.startswith(str(REPO)):
        # a path computed from where the package lies: the same place in every checkout and image
        return f"{_code(Path(default).relative_to(REPO).as_posix())} of the source tree"
    if isinstance(default, str):
        return _code(default) if default else '`""` (empty)'
    return _code(json.dumps(default))


def settings_table(section: Section, *, chart: bool) -> str:
    cls = section.settings
    source = Path(inspect.getfile(cls)).resolve().relative_to(REPO).as_posix()
    lines = [f"## {cls.__name__} ({_code(section.prefix + '*')})", ""]
    intro = " ".join((cls.__doc__ or "").split())
    lines.append(f"{intro} Defined in {_code(source)}.")
    if chart:
        lines[-1] += (
            f" In the Helm chart each field is the value {_code(section.component + '.settings.<field>')}"
            " (null: the env var is unset, so the class default applies)."
        )
    lines += ["", "| env var | type | default | meaning |", "|---|---|---|---|"]
    full = _field_schemas(cls)
    for name, field in cls.model_fields.items():
        kind = _doc_type(_clean({k: v for k, v in full[name].items() if k != "description"}))
        meaning = (field.description or "").strip()
        if chart and name in section.notes:
            meaning = f"{meaning.rstrip('.')} (chart: {section.notes[name]})"
        row = [_code(f"{section.prefix}{name.upper()}"), kind, _setting_default(field), meaning]
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


def render_configuration(text: str, path: Path = CONFIGURATION) -> str:
    chart = {section.component for section in SECTIONS}
    body = "\n".join(settings_table(s, chart=s.component in chart) for s in DOC_SECTIONS)
    return _replace_generated(text, "\n" + body + "\n", path)


_KEY = re.compile(r"^([\w.\-/]+):")


def documented_values(values_text: str) -> list[tuple[tuple[str, ...], str]]:
    """(key path, description) of every value with a `# --` comment block right above it, in file order.

    The description is the block from its `# --` line on, continuation lines joined. Keys inside a documented map
    (e.g. resources.requests.cpu) are covered by that map's row, as helm-docs does.
    """
    rows = []
    stack: list[tuple[int, str]] = []  # (indent, key) of the enclosing maps
    block: list[str] = []  # the comment lines just above
    for line in values_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            block.append(stripped)
            continue
        match = _KEY.match(stripped)
        if not match:  # blank line, list item
            block = []
            continue
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = (*(key for _, key in stack), match.group(1))
        starts = [i for i, comment in enumerate(block) if comment.startswith("# --")]
        if starts:
            words = [block[starts[0]].removeprefix("# --")] + [c.removeprefix("#") for c in block[starts[0] + 1 :]]
            rows.append((path, " ".join(w.strip() for w in words if w.strip())))
        stack.append((indent, match.group(1)))
        block = []
    return rows


def _lookup(tree: Any, path: tuple[str, ...], *, schema: bool = False) -> Any:
    for key in path:
        if not isinstance(tree, dict):
            return None
        tree = (tree.get("properties") or {}).get(key) if schema else tree.get(key)
    return tree


def _value_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list", dict: "object"}
    return "null" if value is None else names.get(type(value), "any")


def values_table(values_text: str, schema_text: str) -> str:
    values = yaml.safe_load(values_text)
    schema = json.loads(schema_text)
    settings = {(section.component, "settings") for section in SECTIONS}
    rows = documented_values(values_text)
    parents = {path[:i] for path, _ in rows for i in range(1, len(path))}
    lines = ["| key | type | default | description |", "|---|---|---|---|"]
    for path, description in rows:
        value = _lookup(values, path)
        prop = _lookup(schema, path, schema=True)
        kind = _doc_type(_clean(prop)) if prop else _value_type(value)
        if path[:-1] in settings:  # generated comments start with "(type) ", which the type column already says
            description = re.sub(r"^\([^)]*\)\s*", "", description)
        # a map whose keys have rows of their own: its default is those rows
        default = "the rows below" if path in parents else _code(json.dumps(value, separators=(", ", ": ")))
        row = [_code(".".join(path)), kind, default, description]
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


def render_chart_readme(text: str, values_text: str, schema_text: str, path: Path = CHART_README) -> str:
    return _replace_generated(text, "\n" + values_table(values_text, schema_text) + "\n", path)


def outputs(root: Path) -> list[tuple[Path, str, str]]:
    """(path, current text, generated text) of every file this script writes, under the repository root `root`."""

    def read(path: Path) -> str:
        return path.read_text() if path.exists() else ""

    values, schema, readme, configuration = (
        root / p.relative_to(REPO) for p in (VALUES, SCHEMA, CHART_README, CONFIGURATION)
    )
    values_old, schema_old = read(values), read(schema)
    values_new, schema_new = render_values(values_old), render_schema(schema_old)
    readme_old, configuration_old = read(readme), read(configuration)
    return [
        (values, values_old, values_new),
        (schema, schema_old, schema_new),
        (readme, readme_old, render_chart_readme(readme_old, values_new, schema_new, readme)),
        (configuration, configuration_old, render_configuration(configuration_old, configuration)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a generated file is out of date; write nothing")
    parser.add_argument("--root", type=Path, default=REPO, help="repository root holding the files (default: here)")
    args = parser.parse_args()
    root = args.root.resolve()
    stale = []
    for path, old, new in outputs(root):
        if new != old:
            stale.append(path)
            if not args.check:
                path.write_text(new)
    if args.check and stale:
        names = ", ".join(str(p.relative_to(root)) for p in stale)
        print(
            f"out of date with the settings classes and values.yaml: {names}; run `make chart-settings`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
