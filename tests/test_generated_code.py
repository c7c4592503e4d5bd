"""The committed gRPC/protobuf code is what ``protos/generate.py`` makes of ``protos/``.

Edit a .proto without regenerating and this test fails; run ``python protos/generate.py``.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Lines that carry the generator's own version, which may differ by patch release.
VERSION_LINE = re.compile(r"(GRPC_GENERATED_VERSION|Protobuf Python Version|^\s*\d+,\s*$|"
                          r"_runtime_version\.Domain\.PUBLIC)")


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate", REPO / "protos" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _normalised(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if not VERSION_LINE.search(line)]


def test_generated_code_is_up_to_date(tmp_path: Path) -> None:
    written = _load_generator().generate(tmp_path)
    assert written, "no proto files found"
    for fresh in written:
        committed = REPO / fresh.relative_to(tmp_path)
        assert committed.exists(), f"{committed} is missing: run python protos/generate.py"
        assert _normalised(fresh) == _normalised(committed), (
            f"{committed} is stale: run python protos/generate.py")


def test_every_proto_has_generated_code() -> None:
    for proto in (REPO / "protos").rglob("*.proto"):
        stem = proto.relative_to(REPO / "protos").with_suffix("")
        assert (REPO / f"{stem}_pb2.py").exists(), proto
        assert (REPO / f"{stem}_pb2_grpc.py").exists(), proto
