"""``madoguchi query``: run a read-model query on the projections service and write CSV.

The command is a gRPC client of ``ReadModelQueryService`` (it never opens the database),
so it sees exactly what reporting tools see, with the same parameter checks. All pages
are fetched and written in order. Output is UTF-8; ``--bom`` prefixes a byte order mark
because Excel (as commonly set up in Japan) otherwise reads a CSV as Shift_JIS and turns
Japanese text into mojibake. A file given with ``--output`` is written under a temporary
name and moved into place only when every page arrived, so a failed export never leaves
a half-written report that looks complete.

Exit codes: 0 done; 2 refused (bad arguments, gRPC error, output not writable).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from madoguchi.api.projections.v1 import read_models_pb2 as pb
from madoguchi.api.projections.v1 import read_models_pb2_grpc
from madoguchi.rpc.channels import open_channel
from madoguchi_cli.query_client import CALL_TIMEOUT, QueryClient
from madoguchi_cli.watch import ensure_utf8

FORMATS = ("csv", "tsv", "json")


def _text(text: str) -> str:
    """Command-line text as real Unicode, also when the locale is not UTF-8.

    Under a C/ASCII locale Python keeps undecodable argument bytes as surrogates, which
    cannot be sent; bytes that are UTF-8 (Japanese typed in a UTF-8 terminal) are recovered.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return os.fsencode(text).decode("utf-8")
    except (UnicodeError, ValueError):
        raise argparse.ArgumentTypeError(
            f"{text.encode('utf-8', 'replace').decode('utf-8')!r} is not UTF-8 text") from None


def _param(text: str) -> tuple[str, str]:
    name, equals, value = _text(text).partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, not {text!r}")
    return name.strip(), value


def add_query_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``madoguchi query`` (the caller supplies the default address)."""
    parser.add_argument("query", nargs="?", type=_text,
                        help="the query to run, e.g. kpi_summary (see --list)")
    parser.add_argument("--list", action="store_true",
                        help="list the queries with their columns and parameters")
    parser.add_argument("-p", "--param", action="append", type=_param, default=[],
                        metavar="NAME=VALUE",
                        help="a query parameter, e.g. --param month=2025-04; a repeated "
                             "parameter takes comma-separated values or several --param")
    parser.add_argument("--format", choices=FORMATS, default="csv",
                        help="csv (default), tsv, or json (one JSON object per line)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write to FILE instead of standard output")
    parser.add_argument("--bom", action="store_true",
                        help="start with a UTF-8 byte order mark so Excel reads Japanese "
                             "text correctly")
    parser.add_argument("--projections", metavar="ADDRESS",
                        help="projections service host:port (default from configuration)")


# ----- values -----

def cell_text(value: Any) -> str:
    """A value as one CSV cell: empty for none, true/false, floats without noise (96.2)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class _RowWriter:
    """Writes the header once, then rows, in the chosen format."""

    def __init__(self, out: TextIO, fmt: str) -> None:
        self.out, self.fmt = out, fmt
        self.columns: list[str] | None = None
        self.csv = (csv.writer(out, delimiter="\t" if fmt == "tsv" else ",")
                    if fmt in ("csv", "tsv") else None)

    def header(self, columns: list[str]) -> None:
        if self.columns is not None:
            return
        self.columns = columns
        if self.csv is not None:
            self.csv.writerow(columns)

    def row(self, cells: list[Any]) -> None:
        if self.csv is not None:
            self.csv.writerow([cell_text(cell) for cell in cells])
        else:
            record = dict(zip(self.columns or [], cells, strict=False))
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")


# ----- output -----

@contextlib.contextmanager
def _output(path: str | None, bom: bool) -> Iterator[TextIO]:
    """UTF-8 text without newline translation (csv writes CRLF, as Excel expects).

    A file appears only when the block finishes without an error.
    """
    if path is None:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        out: TextIO = (io.TextIOWrapper(buffer, encoding="utf-8", newline="")
                       if buffer is not None else sys.stdout)
        if bom:
            out.write("\ufeff")
        try:
            yield out
        finally:
            out.flush()
            if out is not sys.stdout:
                out.detach()  # keep sys.stdout usable
        return
    target = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                     dir=target.parent)
    try:
        with open(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
            yield out
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# ----- the command -----

def _params(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """``--param`` pairs as the request's map; a name given again adds comma-separated."""
    params: dict[str, str] = {}
    for name, value in pairs:
        params[name] = f"{params[name]},{value}" if params.get(name) else value
    return params


def _describe(query: pb.QueryDescription) -> str:
    lines = [f"{query.name}  (read model: {query.read_model})"]
    if query.description:
        lines.append(f"    {query.description}")
    lines.append(f"    columns: {', '.join(query.columns)}")
    for param in query.params:
        value = "|".join(param.choices) if param.kind == "enum" else param.kind.upper()
        if param.repeated:
            value += ",..."
        notes = [param.help] if param.help else []
        if param.required:
            notes.append("required")
        if param.default:
            notes.append(f"default {param.default}")
        lines.append(f"    --param {param.name}={value}"
                     + (f"  ({'; '.join(notes)})" if notes else ""))
    return "\n".join(lines) + "\n"


def _list(stub: read_models_pb2_grpc.ReadModelQueryServiceStub, out: TextIO,
          fmt: str) -> None:
    response = stub.ListQueries(pb.ListQueriesRequest(), timeout=CALL_TIMEOUT)
    for query in response.queries:
        if fmt == "json":
            from google.protobuf.json_format import MessageToDict

            record = MessageToDict(query, preserving_proto_field_name=True,
                                   always_print_fields_with_no_presence=True)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            out.write(_describe(query))


def _run(client: QueryClient, query: str, params: dict[str, str],
         writer: _RowWriter) -> None:
    for columns, rows in client.pages(query, params):
        writer.header(columns)
        for row in rows:
            writer.row(row)


def error_lines(error: grpc.RpcError, address: str) -> list[str]:
    """What to tell the user about a failed call: ``CODE: message``, one line each."""
    code = error.code() if isinstance(error, grpc.Call) else None
    name = code.name if code is not None else "UNKNOWN"
    if code == grpc.StatusCode.UNAVAILABLE:
        return [f"UNAVAILABLE: the projections service at {address} does not answer; "
                f"is it running? Start the system with `madoguchi up`."]
    violations: list[str] = []
    if code == grpc.StatusCode.INVALID_ARGUMENT and isinstance(error, grpc.Call):
        with contextlib.suppress(Exception):  # no (or unreadable) details: use the message
            status = rpc_status.from_call(error)
            for detail in status.details if status else []:
                bad_request = error_details_pb2.BadRequest()
                if detail.Unpack(bad_request):
                    violations += [f"{v.field}: {v.description}"
                                   for v in bad_request.field_violations]
    if violations:
        return [f"{name}: {violation}" for violation in violations]
    details = error.details() if isinstance(error, grpc.Call) else str(error)
    return [f"{name}: {details or 'no details'}"]


def run_query_command(args: argparse.Namespace, default_address: str) -> int:
    """Run ``madoguchi query`` with arguments from ``add_query_arguments``; the exit code."""
    ensure_utf8(sys.stderr)  # messages quote Japanese parameter names and values
    if not args.list and not args.query:
        print("madoguchi query: name a query, or --list to see them", file=sys.stderr)
        return 2
    address = args.projections or default_address
    channel = open_channel(address)
    try:
        stub = read_models_pb2_grpc.ReadModelQueryServiceStub(channel)
        with _output(args.output, args.bom) as out:
            if args.list:
                _list(stub, out, args.format)
            else:
                _run(QueryClient(channel), args.query, _params(args.param),
                     _RowWriter(out, args.format))
    except grpc.RpcError as error:
        for line in error_lines(error, address):
            print(line, file=sys.stderr)
        return 2
    except BrokenPipeError:   # e.g. piped into `head`: the reader has all it wanted
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - no flush error at exit
        return 0
    except OSError as error:
        print(f"madoguchi query: cannot write {args.output or 'the output'}: {error}",
              file=sys.stderr)
        return 2
    finally:
        channel.close()
    return 0
