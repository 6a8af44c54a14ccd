"""importPlaceNamesFile: a CSV of 10,000 new settlements, over HTTP as a dry run (every row
checked, answered row by row), and written (every check, then the records with their
cases, revisions and search keys) in a transaction then rolled back, so that the database
is left as it was; beside the same rows inserted by one plain SQL statement.

    .venv/bin/python -m bench.imports [--rows 10000]

The names are synthetic (three characters from 100 of distinct pinyin, any two names
differing in at least two places, so that none warns of another) and each row lies at
the representative point of a village of the demo data, in turn.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import secrets
import time

import httpx2 as httpx
from pypinyin import Style, lazy_pinyin
from sqlalchemy import text

from bench.nearest import free_port, registry_argv, serving
from db.engine import make_engine
from db.queries.users import create_token, create_user
from db.settings import get_settings
from resolvers.cases import Who
from resolvers.place_name_imports import import_rows, rows_of_file

QUERY = """mutation ($file: Upload!) {
  importPlaceNamesFile(file: $file, dryRun: true,
                       acknowledgeWarnings: [HOMOPHONE, ONE_CHARACTER_OFF, SAME_NAME_NEARBY]) {
    ok imported results { ok errors } } }"""
TARGET_SECONDS = 30


def syllable_characters(count: int) -> list[str]:
    """``count`` common characters, no two read alike (toneless)."""
    found: dict[str, str] = {}
    for code in range(0x4E00, 0x9FA6):
        char = chr(code)
        (reading,) = lazy_pinyin(char, style=Style.NORMAL) or [""]
        if reading.isalpha() and reading not in found:
            found[reading] = char
        if len(found) == count:
            break
    return list(found.values())


def names(rows: int) -> list[str]:
    chars = syllable_characters(100)
    n = len(chars)
    # (a, b, a+b mod n): two different names differ in at least two of three places.
    return [chars[a] + chars[b] + chars[(a + b) % n] + "庄" for a in range(n) for b in range(n)][
        :rows
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="200 rows")
    args = parser.parse_args()
    rows = 200 if args.quick else args.rows
    settings = get_settings()
    engine = make_engine(settings)
    with engine.begin() as conn:
        villages = conn.execute(
            text(
                "SELECT code, ST_X(rep_point), ST_Y(rep_point) FROM admin_area"
                " WHERE level = 'village' ORDER BY code"
            )
        ).all()
        editor = create_user(conn, f"bench-editor-{secrets.token_hex(4)}", "editor")
        token = create_token(conn, editor, "bench")
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["名称", "类别", "区划代码", "经度", "纬度"])
    plain = []
    for n, name in enumerate(names(rows)):
        code, lon, lat = villages[n % len(villages)]
        writer.writerow([name, "居民点", code, lon, lat])
        plain.append({"name": name, "code": code, "lon": lon, "lat": lat})
    content = table.getvalue().encode()

    # The baseline: the same rows inserted by one statement, rolled back.
    with engine.connect() as conn:
        transaction = conn.begin()
        start = time.perf_counter()
        conn.execute(
            text(
                "INSERT INTO place_name (standard_name, specific_part, generic_part, pinyin,"
                " category, geom, area_code, status, source)"
                " SELECT r ->> 'name', left(r ->> 'name', 3), '庄', '', 'settlement',"
                " ST_SetSRID(ST_MakePoint((r ->> 'lon')::float8, (r ->> 'lat')::float8), 4326),"
                " r ->> 'code', 'proposed', 'bench'"
                " FROM jsonb_array_elements(CAST(:rows AS jsonb)) r"
            ),
            {"rows": json.dumps(plain)},
        )
        sql_seconds = time.perf_counter() - start
        transaction.rollback()
    # The import written, as the mutation writes it, in a transaction rolled back.
    with engine.connect() as conn:
        transaction = conn.begin()
        start = time.perf_counter()
        rows_in = rows_of_file(
            content,
            "places.csv",
            mapping={},
            defaults={"category": None, "area_code": None},
            encoding=None,
        )
        written = import_rows(
            conn,
            rows_in,
            who=Who(editor, "bench"),
            disallowed=settings.disallowed_name_words,
            acknowledge=["homophone", "one_character_off", "same_name_nearby"],
            dry_run=False,
            comment="bench",
        )
        write_seconds = time.perf_counter() - start
        transaction.rollback()
    engine.dispose()
    if not all(r.ok for r in written):
        raise RuntimeError(f"the written import failed: {next(r for r in written if not r.ok)}")

    port = free_port()
    with (
        serving(registry_argv(port, 1), f"http://127.0.0.1:{port}/graphql"),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client,
    ):
        operations = {"query": QUERY, "variables": {"file": None}}
        start = time.perf_counter()
        response = client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {token}"},
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": ["variables.file"]}),
            },
            files={"0": ("places.csv", content, "text/csv")},
        )
        seconds = time.perf_counter() - start
    body = response.json()
    if "errors" in body:
        raise RuntimeError(json.dumps(body["errors"], ensure_ascii=False)[:400])
    report = body["data"]["importPlaceNamesFile"]
    failed = [r for r in report["results"] if not r["ok"]]
    print(f"\nimportPlaceNamesFile (dry run), {rows} CSV rows, one request\n")
    print(f"rows that passed: {rows - len(failed)} of {rows}")
    if failed:
        print(f"first failure: {failed[0]['errors']}")
    print(f"dry run over HTTP (file read, every row checked):     {seconds:6.1f} s")
    print(f"written (checks, records, cases, revisions, search):  {write_seconds:6.1f} s")
    print(f"one INSERT of the same rows:                          {sql_seconds:6.2f} s")
    print(
        f"written / INSERT = {write_seconds / sql_seconds:.0f};  target: {rows} rows in"
        f" {TARGET_SECONDS * rows / 10_000:.0f} s"
    )


if __name__ == "__main__":
    main()
