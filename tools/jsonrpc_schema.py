"""Write `backuptui/simulator/jsonrpc_schema.json` from the official bindings (a developer tool).

The simulator's JSON-RPC endpoint must type every value it sends (struct names, optionals, map
entries) exactly as the bindings declare them; it carries this schema instead of importing the
bindings. Run: `python tools/jsonrpc_schema.py` (needs the `test` extra); a test keeps it in step.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "backuptui" / "simulator" / "jsonrpc_schema.json"
STUBS = (
    ("com.vmware.cis_client", "_SessionStub", ("create", "get", "delete")),
    ("com.vmware.appliance.recovery.backup_client", "_JobStub", ("list", "get", "create", "cancel")),
    ("com.vmware.appliance.recovery.backup.job_client", "_DetailsStub", ("list",)),
    ("com.vmware.appliance.recovery.backup_client", "_SchedulesStub", ("list", "get", "run")),
    ("com.vmware.appliance.recovery.backup_client", "_PartsStub", ("list", "get")),
)


def describe(binding: Any, structs: dict[str, Any]) -> Any:
    """A binding type as plain JSON: a word, or {"optional"|"list"|"set": T}, {"map": [K, V]},
    {"struct": NAME} (fields in `structs`)."""
    from vmware.vapi.bindings import type as t

    if isinstance(binding, t.ReferenceType):
        return describe(binding.resolved_type, structs)
    if isinstance(binding, t.OptionalType):
        return {"optional": describe(binding.element_type, structs)}
    if isinstance(binding, t.ListType):
        return {"list": describe(binding.element_type, structs)}
    if isinstance(binding, t.SetType):
        return {"list": describe(binding.element_type, structs)}
    if isinstance(binding, t.MapType):
        return {"map": [describe(binding.key_type, structs), describe(binding.value_type, structs)]}
    if isinstance(binding, t.DynamicStructType):
        return "dynamic"
    if isinstance(binding, t.StructType):  # ErrorType too
        if binding.name not in structs:
            structs[binding.name] = {}
            structs[binding.name] = {
                name: describe(binding.get_field(name), structs) for name in binding.get_field_names()
            }
        return {"struct": binding.name}
    words = {
        t.StringType: "string",
        t.IdType: "string",
        t.URIType: "string",
        t.DateTimeType: "string",
        t.EnumType: "string",
        t.IntegerType: "integer",
        t.DoubleType: "double",
        t.BooleanType: "boolean",
        t.SecretType: "secret",
        t.VoidType: "void",
        t.AnyErrorType: "any_error",
        t.OpaqueType: "any",
    }
    for kind, word in words.items():
        if isinstance(binding, kind):
            return word
    raise TypeError(f"no description for {binding!r}")


class _Connector:
    """Enough of a connector to build a stub that is never called."""

    def get_api_provider(self) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def build() -> dict[str, Any]:
    import importlib

    from vmware.vapi.bindings.stub import StubConfiguration

    structs: dict[str, Any] = {}
    services: dict[str, Any] = {}
    for module_name, stub_name, wanted in STUBS:
        stub = getattr(importlib.import_module(module_name), stub_name)(StubConfiguration(_Connector()))
        operations = stub._operations  # the declared types are what this tool reads
        ops: dict[str, Any] = {}
        for name in wanted:
            operation = operations[name]
            params = operation["input_type"]
            ops[name] = {
                "input": {
                    field: describe(params.get_field(field), structs) for field in params.get_field_names()
                },
                "output": describe(operation["output_type"], structs),
                "errors": sorted(operation["errors"]),
            }
        services[stub._iface_id.get_name()] = ops
    from com.vmware.vapi.std import errors_client

    for error in ("Error", "Unauthenticated", "Unauthorized", "NotFound", "FeatureInUse", "InvalidArgument"):
        describe(getattr(errors_client, error).get_binding_type(), structs)
    structs.pop("operation-input", None)
    return {"services": services, "structs": dict(sorted(structs.items()))}


def main() -> int:
    text = json.dumps(build(), indent=1, sort_keys=True) + "\n"
    if "--check" in sys.argv:
        return 0 if OUT.read_text() == text else 1
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
