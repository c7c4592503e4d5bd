"""Draw the import graph of the packages as a Mermaid diagram, from the real imports.

    python scripts/import_graph.py            # print the diagram
    python scripts/import_graph.py --check    # exit 1 if docs/architecture.md shows another

Nodes: the command-line package, each service's layers, and the shared kernel's parts.
An arrow A --> B means some module of A imports some module of B (lazy imports inside
functions count too). The rules themselves are checked by ``lint-imports``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- import-graph:begin -->", "<!-- import-graph:end -->"
SERVICES = ("intake", "supplier", "sla_monitor", "projections")
LAYERS = ("main", "adapters", "application", "domain")
SHARED = ("eventstream", "storage", "rpc", "servicelevels", "businesstime", "observability",
          "api")


def node_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "madoguchi_cli":
        return "cli"
    if parts[0] == "services" and len(parts) > 2 and parts[1] in SERVICES:
        return f"{parts[1]}.{parts[2]}" if parts[2] in LAYERS else None
    if parts[0] == "madoguchi":
        if len(parts) > 1 and parts[1] in SHARED:
            return f"shared.{parts[1]}"
        return "shared.core"
    return None


def edges() -> set[tuple[str, str]]:
    graph = grimp.build_graph("madoguchi", "madoguchi_cli", "services")
    found: set[tuple[str, str]] = set()
    for importer in graph.modules:
        source = node_of(importer)
        if source is None:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            target = node_of(imported)
            if target is not None and target != source:
                found.add((source, target))
    return found


def _id(node: str) -> str:
    return node.replace(".", "_")


def mermaid() -> str:
    found = edges()
    lines = ["```mermaid", "flowchart TB"]
    lines.append('  cli["madoguchi_cli: command line, launcher, status, watch, demo"]')
    for service in SERVICES:
        lines.append(f'  subgraph {service}["services.{service}"]')
        lines.append("    direction TB")
        for layer in LAYERS:
            lines.append(f'    {_id(service + "." + layer)}["{layer}"]')
        lines.append("  end")
    lines.append('  subgraph shared["madoguchi: the shared kernel"]')
    lines.append("    direction LR")
    for part in (*SHARED, "core"):
        label = "config, errors, retry, page tokens, aggregate changes, …" \
            if part == "core" else part
        lines.append(f'    {_id("shared." + part)}["{label}"]')
    lines.append("  end")
    # Within a service, the layer arrows; between boxes, one arrow per pair of boxes.
    boxes: set[tuple[str, str]] = set()
    for source, target in sorted(found):
        s_service, t_service = source.split(".")[0], target.split(".")[0]
        if s_service == t_service and s_service in SERVICES:
            lines.append(f"  {_id(source)} --> {_id(target)}")
        elif s_service != t_service:
            boxes.add((s_service, t_service))
    for source, target in sorted(boxes):
        lines.append(f"  {source} --> {target}")
    lines.append("```")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    diagram = mermaid()
    if "--check" not in argv:
        print(diagram)
        return 0
    text = DOC.read_text(encoding="utf-8")
    shown = text.split(BEGIN, 1)[1].split(END, 1)[0].strip() if BEGIN in text else ""
    if shown != diagram:
        print(f"{DOC} does not show the current import graph; run "
              f"python scripts/import_graph.py and paste it between the markers",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
