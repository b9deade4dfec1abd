"""JSON Schemas of every event (as a whole envelope), command and reply, and their evolution rule.

`python -m thidua_contracts.schemas write [DIR]` regenerates the checked-in files;
`python -m thidua_contracts.schemas check [DIR]` fails when they differ from the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, create_model

from .commands import COMMANDS, EARLIER_VERSIONS, QUERIES
from .envelope import Envelope
from .events import EVENT_TYPES, EventPayload
from .replies import CommandReply, QueryReply
from .types import ECMA_SPACE

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "schemas"


def event_envelope_model(cls: type[EventPayload]) -> type[BaseModel]:
    """The envelope with `type`, `version` and `payload` pinned to one event type."""
    name = cls.TYPE.replace(".", "_") + f"_v{cls.VERSION}"
    fields: dict[str, Any] = {
        "type": (Literal[cls.TYPE], ...),
        "version": (Literal[cls.VERSION], ...),
        "payload": (cls, ...),
    }
    return create_model(name, __base__=Envelope, **fields)


def generate() -> dict[str, dict[str, Any]]:
    """File name → schema, for every published contract."""
    out: dict[str, dict[str, Any]] = {"envelope.v1.json": _schema(Envelope, "Envelope v1")}
    for cls in EVENT_TYPES.values():
        out[f"{cls.TYPE}.v{cls.VERSION}.json"] = _schema(
            event_envelope_model(cls), f"{cls.TYPE} v{cls.VERSION}", cls.__doc__
        )
    for cmd in [*COMMANDS.values(), *EARLIER_VERSIONS]:
        version = f"{cmd.SERVICE}.{cmd.NAME} v{cmd.VERSION}"
        file = f"cmd.{cmd.SERVICE}.{cmd.NAME}.v{cmd.VERSION}.json"
        out[file] = _schema(cmd, f"command {version}")
    for (service, name), qry in QUERIES.items():
        out[f"qry.{service}.{name}.v1.json"] = _schema(qry, f"query {service}.{name} v1")
    out["reply.command.v1.json"] = _schema(CommandReply, "command reply v1")
    out["reply.query.v1.json"] = _schema(QueryReply, "query reply v1")
    return out


def _schema(model: type[BaseModel], title: str, doc: str | None = None) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    schema["title"] = title
    if doc and doc.strip() and not doc.startswith("Base of"):
        schema["description"] = " ".join(doc.split())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(directory: Path = DEFAULT_DIR) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate().items():
        (directory / name).write_text(dump(schema), encoding="utf-8")
        written.append(name)
    return written


def differences(directory: Path = DEFAULT_DIR) -> list[str]:
    """Files that are missing, stale or no longer generated."""
    generated = generate()
    problems = []
    for name, schema in generated.items():
        path = directory / name
        if not path.exists():
            problems.append(f"{name}: missing")
        elif path.read_text(encoding="utf-8") != dump(schema):
            problems.append(f"{name}: differs from the models")
    for path in directory.glob("*.json"):
        if path.name not in generated:
            problems.append(f"{path.name}: no model generates it")
    return problems


CLOSED_ADDITION = "new property of a closed object: its published readers refuse it"

# Keys that describe a schema without constraining what it accepts.
ANNOTATIONS = frozenset(
    {"title", "description", "examples", "default", "$schema", "$comment", "deprecated"}
)


def breaking_changes(old: Any, new: Any, path: str = "$") -> list[str]:
    """Non-additive differences between two schemas.

    Allowed: new optional properties of an open object, new definitions, a wider enum, changed
    descriptions. A new property of a closed object (`additionalProperties: false`, as pydantic's
    `extra="forbid"` publishes it: the envelope and its parts, the movement definition, commands)
    is not: every reader of the published schema refuses a message that carries it.
    Everything else (a property removed or retyped, a new required property, a narrower enum,
    a changed pattern or const) breaks existing producers or consumers. Patterns are compared
    as ECMA-262 reads them (`ecma_pattern`), since that is how the published schemas are read.
    """
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [] if old == new else [f"{path}: changed from {old!r} to {new!r}"]
    problems: list[str] = []
    for key, old_value in old.items():
        if key in ANNOTATIONS:
            continue
        where = f"{path}.{key}"
        if key not in new:
            if key == "required":
                continue
            problems.append(f"{where}: removed")
            continue
        new_value = new[key]
        if key in {"properties", "$defs"}:
            for name, sub in old_value.items():
                if name not in new_value:
                    problems.append(f"{where}.{name}: removed")
                else:
                    problems.extend(breaking_changes(sub, new_value[name], f"{where}.{name}"))
        elif key == "required":
            added = sorted(set(new_value) - set(old_value))
            if added:
                problems.append(f"{where}: newly required {added}")
        elif key == "pattern":
            if ecma_pattern(old_value) != ecma_pattern(new_value):
                problems.append(f"{where}: changed from {old_value!r} to {new_value!r}")
        elif key == "enum":
            lost = [v for v in old_value if v not in new_value]
            if lost:
                problems.append(f"{where}: values removed {lost}")
        elif isinstance(old_value, list) and isinstance(new_value, list):
            if len(old_value) != len(new_value):
                problems.append(f"{where}: changed")
            else:
                for i, (a, b) in enumerate(zip(old_value, new_value, strict=True)):
                    problems.extend(breaking_changes(a, b, f"{where}[{i}]"))
        else:
            problems.extend(breaking_changes(old_value, new_value, where))
    for key in new:
        if key not in old and key not in ANNOTATIONS | {"properties", "$defs"}:
            problems.append(f"{path}.{key}: constraint added")
    if not _open(old):
        known = set(old.get("properties") or {})
        problems.extend(
            f"{path}.properties.{name}: {CLOSED_ADDITION}"
            for name in sorted(set(new.get("properties") or {}) - known)
        )
    return problems


def _open(schema: dict[str, Any]) -> bool:
    """Whether a reader of this object schema lets through a property it does not name."""
    return all(schema.get(key, True) in (True, {}) for key in _CLOSING)


# What a reader applies to a property the object does not name.
_CLOSING = ("additionalProperties", "unevaluatedProperties")


# ECMA-262's meaning of each shorthand class (JSON Schema patterns are ECMA-262 regexes),
# inside a bracket and on its own; negated ones only on their own.
_CLASS_ESCAPES = {"d": "0-9", "s": ECMA_SPACE, "w": "A-Za-z0-9_"}


def ecma_pattern(pattern: Any) -> Any:
    """The pattern with `\\d`, `\\s` and `\\w` (and their negations outside brackets) spelled out
    as ECMA-262 reads them: two patterns equal after this accept the same strings under the
    schemas' own regex dialect, so `\\d` becoming `[0-9]` changes nothing for their readers."""
    if not isinstance(pattern, str):
        return pattern
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            spelled = _CLASS_ESCAPES.get(escaped.lower())
            if spelled is not None and escaped.islower():
                out.append(spelled if in_class else f"[{spelled}]")
            elif spelled is not None and not in_class:
                out.append(f"[^{spelled}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    directory = Path(argv[2]) if len(argv) > 2 else DEFAULT_DIR
    if command == "write":
        names = write(directory)
        print(f"wrote {len(names)} schemas to {directory}")
        return 0
    if command == "check":
        problems = differences(directory)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    print("usage: python -m thidua_contracts.schemas write|check [DIR]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
