"""The read-model query API over real gRPC, and ``madoguchi query`` writing its files.

The catalog is a fake of two queries over Python lists: this is a test of the API layer
(listing, paging, parameter mistakes, export formats), not of any read model's SQL.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from madoguchi.api.projections.v1 import read_models_pb2 as pb
from madoguchi.api.projections.v1 import read_models_pb2_grpc
from madoguchi.localports import free_port
from madoguchi.rpc.channels import open_channel
from madoguchi.rpc.server import GrpcServer
from madoguchi_cli.query_command import add_query_arguments, run_query_command
from services.projections.adapters.query_api import (
    SERVICE_FULL_NAME,
    ReadModelQueryServicer,
    add_to_server,
)
from services.projections.application.read_models import Param, QuerySpec

# ----- the fake catalog -----

CONTACTS = [  # department, month, contacts, satisfaction, resolved_first, note
    ("総務部", "2025-04", 12, 96.2, True, None),
    ("市民課", "2025-04", 7, 80.0, False, "窓口, 電話"),
    ("税務課", "2025-04", 0, None, False, '引用 "確定申告"'),
    ("総務部", "2025-05", 3, 50.5, True, None),
]
START = datetime(2025, 4, 1, tzinfo=UTC)
BREACHES = [(f"INQ-{i:04d}", "citizen-desk" if i % 2 else "tax-desk",
             (START + timedelta(minutes=i)).isoformat(), i % 60)
            for i in range(250)]
TEAMS = ("citizen-desk", "tax-desk")
seen_params: list[dict[str, Any]] = []


def run_contacts(params: dict[str, Any], offset: int, limit: int | None) -> list[tuple]:
    rows = [row for row in CONTACTS if row[1] == params["month"]
            and params["department"] in (None, row[0])]
    return rows[offset:None if limit is None else offset + limit]


def run_breaches(params: dict[str, Any], offset: int, limit: int | None) -> list[tuple]:
    seen_params.append(params)
    rows = [row for row in BREACHES if row[1] in (params["team"] or TEAMS)
            and (params["since"] is None or datetime.fromisoformat(row[2]) >= params["since"])]
    return rows[offset:None if limit is None else offset + limit]


KPI = QuerySpec(
    name="kpi.monthly_contacts", description="月別・部署別の問い合わせ件数",
    columns=("department", "month", "contacts", "satisfaction", "resolved_first", "note"),
    params=(Param("month", "month", "対象月", required=True),
            Param("department", "text", "部署名")),
    run=run_contacts,
)
SLA = QuerySpec(
    name="sla.breaches", description="SLA breaches, oldest first",
    columns=("inquiry_id", "team", "breached_at", "minutes_late"),
    params=(Param("team", "enum", choices=TEAMS, repeated=True),
            Param("since", "time"), Param("limit_hint", "int", default=100)),
    run=run_breaches,
)


@pytest.fixture
def catalog() -> dict[str, tuple[str, QuerySpec]]:
    return {"kpi.monthly_contacts": ("kpi", KPI), "sla.breaches": ("sla", SLA)}


@pytest.fixture
def address(catalog: dict[str, tuple[str, QuerySpec]]) -> Iterator[str]:
    servicer = ReadModelQueryServicer(lambda: catalog)
    server = GrpcServer("127.0.0.1:0", [SERVICE_FULL_NAME],
                        lambda grpc_server: add_to_server(grpc_server, servicer))
    server.start()
    server.set_serving(True)
    yield server.address
    server.stop(grace=0)


@pytest.fixture
def stub(address: str) -> Iterator[read_models_pb2_grpc.ReadModelQueryServiceStub]:
    channel = open_channel(address)
    yield read_models_pb2_grpc.ReadModelQueryServiceStub(channel)
    channel.close()


def rpc_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call(*args, **kwargs)
    return caught.value


def field_violations(error: grpc.RpcError) -> dict[str, str]:
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(error)
    assert status is not None, "rich status details missing"
    found = {}
    for detail in status.details:
        bad_request = error_details_pb2.BadRequest()
        assert detail.Unpack(bad_request)
        found.update({v.field: v.description for v in bad_request.field_violations})
    return found


def cells(row: Any) -> list[Any]:
    return [getattr(v, v.WhichOneof("kind")) if v.WhichOneof("kind") != "null_value"
            else None for v in row.values]


# ----- ListQueries -----

def test_list_queries_describes_every_query_with_its_params(stub) -> None:
    queries = stub.ListQueries(pb.ListQueriesRequest(), timeout=10).queries
    assert [q.name for q in queries] == ["kpi.monthly_contacts", "sla.breaches"]
    kpi, sla = queries
    assert (kpi.read_model, kpi.description) == ("kpi", "月別・部署別の問い合わせ件数")
    assert list(kpi.columns) == list(KPI.columns)
    month = kpi.params[0]
    assert (month.name, month.kind, month.help, month.required) == ("month", "month",
                                                                    "対象月", True)
    team, since, limit_hint = sla.params
    assert (team.kind, list(team.choices), team.repeated, team.default) == (
        "enum", list(TEAMS), True, "")
    assert (since.kind, since.required) == ("time", False)
    assert limit_hint.default == "100"


def test_the_catalog_is_read_on_every_call(stub, catalog) -> None:
    """A rebuild switches the live generation under a running server."""
    del catalog["sla.breaches"]
    assert [q.name for q in stub.ListQueries(pb.ListQueriesRequest()).queries] == [
        "kpi.monthly_contacts"]
    error = rpc_error(stub.RunQuery, pb.RunQueryRequest(query="sla.breaches"))
    assert error.code() == grpc.StatusCode.NOT_FOUND


# ----- RunQuery -----

def test_rows_carry_typed_cells_in_column_order(stub) -> None:
    response = stub.RunQuery(pb.RunQueryRequest(query="kpi.monthly_contacts",
                                                params={"month": "2025-04"}))
    assert list(response.columns) == list(KPI.columns)
    assert [cells(row) for row in response.rows] == [list(row) for row in CONTACTS[:3]]
    assert response.next_page_token == ""


def test_japanese_filter_values_reach_the_query(stub) -> None:
    response = stub.RunQuery(pb.RunQueryRequest(
        query="kpi.monthly_contacts", params={"month": "2025-04", "department": "市民課"}))
    assert [cells(row)[0] for row in response.rows] == ["市民課"]


def test_paging_across_three_pages_returns_every_row_once_in_order(stub) -> None:
    request = pb.RunQueryRequest(query="sla.breaches", page_size=100)
    ids, pages = [], 0
    while True:
        response = stub.RunQuery(request)
        pages += 1
        ids += [row.values[0].string_value for row in response.rows]
        if not response.next_page_token:
            break
        request.page_token = response.next_page_token
    assert pages == 3
    assert ids == [row[0] for row in BREACHES]


def test_the_last_full_page_has_no_token_to_an_empty_page(stub) -> None:
    response = stub.RunQuery(pb.RunQueryRequest(
        query="sla.breaches", params={"since": "2025-04-01T12:50:00+09:00"}, page_size=20))
    assert len(response.rows) == 20 and response.next_page_token == ""


def test_page_size_defaults_to_100(stub) -> None:
    response = stub.RunQuery(pb.RunQueryRequest(query="sla.breaches"))
    assert len(response.rows) == 100 and response.next_page_token


def test_the_query_receives_converted_params(stub) -> None:
    seen_params.clear()
    stub.RunQuery(pb.RunQueryRequest(query="sla.breaches", params={
        "team": "tax-desk,citizen-desk", "since": "2025-04-01T09:30:00+09:00"}))
    assert seen_params[-1] == {"team": ["tax-desk", "citizen-desk"],
                               "since": datetime(2025, 4, 1, 0, 30, tzinfo=UTC),
                               "limit_hint": 100}


def test_a_bad_month_is_invalid_argument_naming_the_field(stub) -> None:
    error = rpc_error(stub.RunQuery, pb.RunQueryRequest(query="kpi.monthly_contacts",
                                                        params={"month": "2025/04"}))
    assert field_violations(error) == {"params.month": "must be YYYY-MM"}


def test_every_mistake_is_reported_together(stub) -> None:
    error = rpc_error(stub.RunQuery, pb.RunQueryRequest(
        query="sla.breaches", params={"team": "night-desk", "since": "2025-04-01",
                                      "colour": "red"}, page_size=5000))
    assert set(field_violations(error)) == {"params.team", "params.since", "params.colour",
                                            "page_size"}


def test_an_unknown_param_is_invalid_argument_naming_it(stub) -> None:
    error = rpc_error(stub.RunQuery, pb.RunQueryRequest(
        query="kpi.monthly_contacts", params={"month": "2025-04", "部署": "総務部"}))
    assert set(field_violations(error)) == {"params.部署"}


def test_a_required_param_must_be_given(stub) -> None:
    error = rpc_error(stub.RunQuery, pb.RunQueryRequest(query="kpi.monthly_contacts"))
    assert field_violations(error) == {"params.month": "is required"}


def test_a_page_token_for_other_params_is_invalid_argument(stub) -> None:
    first = stub.RunQuery(pb.RunQueryRequest(query="sla.breaches", page_size=10))
    error = rpc_error(stub.RunQuery, pb.RunQueryRequest(
        query="sla.breaches", params={"team": "tax-desk"}, page_size=10,
        page_token=first.next_page_token))
    assert set(field_violations(error)) == {"page_token"}
    garbage = rpc_error(stub.RunQuery, pb.RunQueryRequest(query="sla.breaches",
                                                          page_token="not-a-token"))
    assert set(field_violations(garbage)) == {"page_token"}


def test_a_token_for_another_query_is_invalid_argument(stub) -> None:
    first = stub.RunQuery(pb.RunQueryRequest(query="sla.breaches", page_size=10))
    error = rpc_error(stub.RunQuery, pb.RunQueryRequest(
        query="kpi.monthly_contacts", params={"month": "2025-04"},
        page_token=first.next_page_token))
    assert set(field_violations(error)) == {"page_token"}


def test_an_unknown_query_is_not_found(stub) -> None:
    error = rpc_error(stub.RunQuery, pb.RunQueryRequest(query="sla.secret_sauce"))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert "sla.secret_sauce" in error.details()
    assert "kpi" not in error.details()  # names nothing it was not asked about


def test_a_missing_query_name_is_invalid_argument(stub) -> None:
    assert set(field_violations(rpc_error(stub.RunQuery, pb.RunQueryRequest()))) == {"query"}


# ----- madoguchi query -----

def command(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="madoguchi query")
    add_query_arguments(parser)
    return parser.parse_args(list(argv))


KPI_CSV = ("department,month,contacts,satisfaction,resolved_first,note\r\n"
           "総務部,2025-04,12,96.2,true,\r\n"
           '市民課,2025-04,7,80,false,"窓口, 電話"\r\n'
           '税務課,2025-04,0,,false,"引用 ""確定申告"""\r\n')


def test_export_writes_csv_with_japanese_cells(address: str, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    args = command("kpi.monthly_contacts", "--param", "month=2025-04", "--output", str(out))
    assert run_query_command(args, default_address=address) == 0
    assert out.read_bytes() == KPI_CSV.encode("utf-8")


def test_bom_is_written_only_when_asked(address: str, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    args = command("kpi.monthly_contacts", "-p", "month=2025-04", "--bom", "--output", str(out))
    assert run_query_command(args, default_address=address) == 0
    assert out.read_bytes() == b"\xef\xbb\xbf" + KPI_CSV.encode("utf-8")


def test_projections_address_overrides_the_default(address: str, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    args = command("kpi.monthly_contacts", "-p", "month=2025-04", "--output", str(out),
                   "--projections", address)
    assert run_query_command(args, default_address=f"127.0.0.1:{free_port()}") == 0
    assert out.read_bytes().decode("utf-8") == KPI_CSV


def test_export_writes_tsv(address: str, tmp_path: Path) -> None:
    out = tmp_path / "contacts.tsv"
    args = command("kpi.monthly_contacts", "-p", "month=2025-04", "-p", "department=総務部",
                   "--format", "tsv", "--output", str(out))
    assert run_query_command(args, default_address=address) == 0
    assert out.read_bytes().decode("utf-8") == (
        "department\tmonth\tcontacts\tsatisfaction\tresolved_first\tnote\r\n"
        "総務部\t2025-04\t12\t96.2\ttrue\t\r\n")


def test_export_writes_json_lines(address: str, tmp_path: Path) -> None:
    out = tmp_path / "contacts.jsonl"
    args = command("kpi.monthly_contacts", "-p", "month=2025-04", "--format", "json",
                   "--output", str(out))
    assert run_query_command(args, default_address=address) == 0
    text = out.read_text(encoding="utf-8")
    assert "総務部" in text  # not \u escapes
    assert [json.loads(line) for line in text.splitlines()] == [
        dict(zip(KPI.columns, row, strict=True)) for row in CONTACTS[:3]]


def test_export_pages_through_every_row(address: str, tmp_path: Path) -> None:
    out = tmp_path / "breaches.csv"
    # A repeated param: several --param, or commas in one.
    args = command("sla.breaches", "-p", "team=tax-desk", "-p", "team=citizen-desk",
                   "--output", str(out))
    assert run_query_command(args, default_address=address) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "inquiry_id,team,breached_at,minutes_late"
    assert lines[1:] == [",".join(map(str, row)) for row in BREACHES]


def test_export_to_standard_output(address: str, capsys) -> None:
    args = command("kpi.monthly_contacts", "-p", "month=2025-05")
    assert run_query_command(args, default_address=address) == 0
    assert capsys.readouterr().out == (
        "department,month,contacts,satisfaction,resolved_first,note\r\n"
        "総務部,2025-05,3,50.5,true,\r\n")


def test_list_prints_queries_and_their_params(address: str, capsys) -> None:
    assert run_query_command(command("--list"), default_address=address) == 0
    out = capsys.readouterr().out
    assert "kpi.monthly_contacts  (read model: kpi)" in out
    assert "--param month=MONTH  (対象月; required)" in out
    assert "--param team=citizen-desk|tax-desk,..." in out


def test_a_refused_query_prints_the_field_and_writes_no_file(address: str, tmp_path: Path,
                                                             capsys) -> None:
    out = tmp_path / "contacts.csv"
    args = command("kpi.monthly_contacts", "-p", "month=2025/04", "--output", str(out))
    assert run_query_command(args, default_address=address) == 2
    assert "INVALID_ARGUMENT: params.month: must be YYYY-MM" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_query_prints_not_found(address: str, capsys) -> None:
    assert run_query_command(command("no.such_query"), default_address=address) == 2
    assert capsys.readouterr().err.startswith("NOT_FOUND: ")


def test_a_service_that_is_not_running_gives_a_hint(tmp_path: Path, capsys) -> None:
    args = command("kpi.monthly_contacts", "-p", "month=2025-04",
                   "--output", str(tmp_path / "x.csv"))
    assert run_query_command(args, default_address=f"127.0.0.1:{free_port()}") == 2
    err = capsys.readouterr().err
    assert err.startswith("UNAVAILABLE: ") and "madoguchi up" in err


def test_neither_a_query_nor_list_is_refused(address: str, capsys) -> None:
    assert run_query_command(command(), default_address=address) == 2
    assert "--list" in capsys.readouterr().err


def test_list_as_json_lines_describes_each_query(address: str, capsys) -> None:
    assert run_query_command(command("--list", "--format", "json"),
                             default_address=address) == 0
    queries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [q["name"] for q in queries] == ["kpi.monthly_contacts", "sla.breaches"]
    assert queries[0]["params"][0] == {"name": "month", "kind": "month", "help": "対象月",
                                       "choices": [], "required": True, "repeated": False,
                                       "default": ""}
