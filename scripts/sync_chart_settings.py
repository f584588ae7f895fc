"""Keep the chart's settings values in step with the settings classes: `python scripts/sync_chart_settings.py`.

`transformer.settings.<field>` and `predictor.settings.<field>` in charts/resume-optimizer/values.yaml (between the
`# >>>` and `# <<<` markers) and their entries in values.schema.json are generated from TransformerSettings and
PredictorSettings: name, default, type, constraints and description. A new setting is one pydantic field; run
this script (`make chart-settings`) and commit the result. `--check` fails where the chart is out of date
(tests/test_chart.py runs it). Each value becomes the env var PREFIX_<FIELD> (null: unset, the class default).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

from pydantic_core import to_jsonable_python
from pydantic_settings import BaseSettings

from predictor.settings import PredictorSettings
from transformer.settings import TransformerSettings

REPO = Path(__file__).resolve().parent.parent
CHART = REPO / "charts" / "resume-optimizer"
VALUES = CHART / "values.yaml"
SCHEMA = CHART / "values.schema.json"


class Section:
    """One settings class mapped onto `<component>.settings` in the chart values."""

    def __init__(self, component: str, settings: type[BaseSettings], prefix: str, *, exclude: tuple[str, ...] = (),
                 defaults: dict[str, Any] | None = None, notes: dict[str, str] | None = None,
                 schema_extra: dict[str, dict[str, Any]] | None = None) -> None:  # fmt: skip
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
    return (f"    # >>> {component}.settings: generated by scripts/sync_chart_settings.py from the settings class\n",
            f"    # <<< {component}.settings\n")  # fmt: skip


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the chart is out of date; write nothing")
    args = parser.parse_args()
    stale = []
    for path, render in ((VALUES, render_values), (SCHEMA, render_schema)):
        old = path.read_text()
        new = render(old)
        if new != old:
            stale.append(path)
            if not args.check:
                path.write_text(new)
    if args.check and stale:
        names = ", ".join(str(p.relative_to(REPO)) for p in stale)
        print(f"out of date with the settings classes: {names}; run `make chart-settings`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
