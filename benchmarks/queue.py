"""Next-task + submit loop latency against a running server, with 1 and 16 concurrent clients.

Creates a project of N tasks (overlap 1), then each client loops `next` -> `submit` for a fixed
time; prints p50/p95/p99 of `next` and `submit` latency and submissions per second. Each
client is its own process with a light HTTP client (http.client, keep-alive), so that clients
neither share a GIL nor spend more CPU than needed on the cores the server runs on.

    python benchmarks/queue.py --tasks 1000000 --seconds 30
    python benchmarks/queue.py --tasks 1000000 --workers 2 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1/lw_q

With `--label-studio URL --ls-tokens KEY [KEY ...]` (one API token per annotator account, Label
Studio started with `--enable-legacy-api-token`) the same loop runs against Label Studio's
`GET /api/projects/{id}/next/` and `POST /api/tasks/{id}/annotations/`, and the run reports how
many tasks were annotated more than once although one annotation per task was asked for.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file would shadow the standard library's `queue` (multiprocessing imports it): the
# benchmarks directory goes to the end of the path, after the standard library.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from import_export import body_chunks, start_server  # noqa: E402

SCHEMA = {
    "objects": {"text": {"type": "text"}},
    "controls": [{"name": "sentiment", "type": "choice", "of": "text", "options": ["pos", "neg"]}],
}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
        if len(values) > 1
        else values[0]
    )


class Http:
    """A light keep-alive HTTP client (http.client): the clients share the server's two cores,
    so each request should cost the client as little CPU as possible."""

    def __init__(self, url: str, token: str) -> None:
        host, port = url.split("//", 1)[1].rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=120)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: object = None) -> tuple[int, bytes]:
        payload = None if body is None else json.dumps(body)
        self.conn.request(method, path, body=payload, headers=self.headers)
        response = self.conn.getresponse()
        return response.status, response.read()


@dataclass(frozen=True)
class Api:
    """How one platform serves a next task and takes its annotation (plain data: it is sent to
    the client processes)."""

    next: tuple[str, str]  # method, path ({project})
    done_status: int  # the answer when nothing is left
    claim_key: tuple[str, ...]  # where the served body holds the claim's id
    submit: str  # path ({claim})
    body: object
    ok: tuple[int, ...]


LABELWRIGHT = Api(
    next=("POST", "/api/v1/projects/{project}/next"),
    done_status=204,
    claim_key=("assignment", "id"),
    submit="/api/v1/assignments/{claim}/submit",
    body={"results": {"sentiment": "pos"}},
    ok=(200,),
)


def client_loop(
    url: str, token: str, project: int, until: float, api: Api = LABELWRIGHT
) -> dict[str, list[float]]:
    """One annotator: `next` then submit, until `until`; latencies in seconds."""
    out: dict[str, list[float]] = {"next": [], "submit": []}
    client = Http(url, token)
    method, path = api.next
    while time.time() < until:
        t0 = time.perf_counter()
        status, body = client.call(method, path.format(project=project))
        t1 = time.perf_counter()
        if status != 200:
            out.setdefault("errors", []).append(float(status))
            if status == api.done_status:  # nothing left for this client
                break
            continue
        out["next"].append(t1 - t0)
        claim: Any = json.loads(body)
        for key in api.claim_key:
            claim = claim[key]
        status, _ = client.call("POST", api.submit.format(claim=claim), api.body)
        out["submit"].append(time.perf_counter() - t1)
        if status not in api.ok:
            out.setdefault("errors", []).append(float(status))
    return out


def run_clients(
    loop: Callable[..., dict[str, list[float]]], args: list[tuple[object, ...]]
) -> list[dict[str, list[float]]]:
    """Run one client per process (no shared GIL between clients); all stop at `until`."""
    with multiprocessing.get_context("fork").Pool(len(args)) as pool:
        return pool.starmap(loop, args)


LS_CONFIG = (
    '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text">'
    '<Choice value="pos"/><Choice value="neg"/></Choices></View>'
)
LS_RESULT = [
    {
        "from_name": "sentiment",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": ["pos"]},
    }
]


LABEL_STUDIO = Api(
    next=("GET", "/api/projects/{project}/next/"),
    done_status=404,
    claim_key=("id",),
    submit="/api/tasks/{claim}/annotations/",
    body={"result": LS_RESULT, "lead_time": 1.0},
    ok=(200, 201),
)


def run_label_studio(
    url: str, tokens: list[str], n_tasks: int, clients: list[int], seconds: float
) -> None:
    from import_export import rows

    headers = {"Authorization": f"Token {tokens[0]}"}
    with httpx.Client(base_url=url, headers=headers, timeout=3600) as client:
        for n in clients:
            project = client.post(
                "/api/projects",
                json={
                    "title": f"queue-{n}",
                    "label_config": LS_CONFIG,
                    "maximum_annotations": 1,
                    "sampling": "Sequential sampling",
                },
            ).json()["id"]
            tasks = [{"text": json.loads(line)["data"]["text"]} for line in rows(n_tasks)]
            client.post(f"/api/projects/{project}/import", json=tasks).raise_for_status()
            until = time.time() + seconds
            results = run_clients(
                client_loop,
                [(url, tokens[i % len(tokens)], project, until, LABEL_STUDIO) for i in range(n)],
            )
            over = 0
            page = 1
            while True:
                listed = client.get(
                    "/api/tasks",
                    params={"project": project, "page": page, "page_size": 1000, "fields": "all"},
                )
                if listed.status_code != 200:
                    break
                items = listed.json().get("tasks", [])
                over += sum(1 for t in items if t.get("total_annotations", 0) > 1)
                if len(items) < 1000:
                    break
                page += 1
            report(
                f"Label Studio, {n_tasks:,} tasks",
                n,
                1,
                results,
                seconds,
                extra=f"; tasks annotated twice {over}",
            )


def report(
    label: str,
    n: int,
    workers: int,
    results: list[dict[str, list[float]]],
    seconds: float,
    extra: str = "",
) -> None:
    nexts = [v * 1000 for r in results for v in r["next"]]
    submits = [v * 1000 for r in results for v in r["submit"]]
    codes: dict[int, int] = {}
    for r in results:
        for code in r.get("errors", []):
            codes[int(code)] = codes.get(int(code), 0) + 1
    errors = ", ".join(f"{n}x{code}" for code, n in sorted(codes.items())) or "0"
    print(
        f"{label}, {n} client(s), {workers} worker(s): "
        f"next p50 {pct(nexts, 50):.1f} / p95 {pct(nexts, 95):.1f} / p99 {pct(nexts, 99):.1f} ms; "
        f"submit p50 {pct(submits, 50):.1f} / p99 {pct(submits, 99):.1f} ms; "
        f"{len(submits) / seconds:.0f} submissions/s; errors {errors}{extra}"
    )


class CpuMeter:
    """CPU seconds used by the server's processes and by PostgreSQL's, read from `/proc`
    (Linux; elsewhere nothing is reported). Per request, they measure the work a change saves
    on a machine whose latencies drift from one run to the next."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.available = Path("/proc/self/stat").exists()

    def sample(self) -> tuple[float, float]:
        """(server, PostgreSQL) CPU seconds so far, of the processes alive now."""
        if not self.available:
            return 0.0, 0.0
        parents: dict[int, int] = {}
        used: dict[int, float] = {}
        postgres = 0.0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1]
            values = fields.split()
            seconds = (int(values[11]) + int(values[12])) / self.ticks
            if name == "postgres":
                postgres += seconds
            parents[int(entry.name)] = int(values[1])
            used[int(entry.name)] = seconds
        server = sum(t for pid, t in used.items() if self._descends(pid, parents))
        return server, postgres

    def _descends(self, pid: int, parents: dict[int, int]) -> bool:
        while pid > 1:
            if pid == self.server_pid:
                return True
            pid = parents.get(pid, 0)
        return False


def cpu_per_request(
    meter: CpuMeter, before: tuple[float, float], results: list[dict[str, list[float]]]
) -> str:
    """`; CPU per request: server … ms, PostgreSQL … ms` for the requests of one run."""
    if not meter.available:
        return ""
    after = meter.sample()
    requests = sum(len(r["next"]) + len(r["submit"]) for r in results) or 1
    server, postgres = ((a - b) * 1000 / requests for a, b in zip(after, before, strict=True))
    return f"; CPU per request: server {server:.2f} ms, PostgreSQL {postgres:.2f} ms"


def analyze(database_url: str | None) -> None:
    """Refresh PostgreSQL's planner statistics before each run, as its autovacuum daemon does
    on a server as the tables grow. This machine's PostgreSQL runs with autovacuum off (a CI
    setting): without this the planner sees the claims and annotations tables as they were
    when last analyzed (empty) and picks plans no production server would (a bitmap AND that
    reads a whole partial index of claims to complete five of them, a hash of every
    annotation to look up five tasks)."""
    if not database_url or not database_url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 16])
    parser.add_argument("--label-studio", default=None, help="URL of a Label Studio server")
    parser.add_argument("--ls-tokens", nargs="*", default=[], help="one token per annotator")
    args = parser.parse_args()
    if args.label_studio:
        run_label_studio(args.label_studio, args.ls_tokens, args.tasks, args.clients, args.seconds)
        return
    import shutil
    import tempfile

    data_dir = Path(tempfile.mkdtemp(prefix="lw-queue-"))
    proc, url = start_server(data_dir, args.database_url, workers=args.workers)
    try:
        login = httpx.post(
            f"{url}/api/v1/auth/login",
            json={"email": "bench@example.org", "password": "bench-password"},
        )
        admin = httpx.post(f"{url}/api/v1/tokens", cookies=login.cookies).json()["token"]
        headers = {"Authorization": f"Token {admin}"}
        with httpx.Client(base_url=url, headers=headers, timeout=3600) as client:
            project = client.post(
                "/api/v1/projects", json={"name": "queue", "schema": SCHEMA}
            ).json()["id"]
            t0 = time.perf_counter()
            client.post(
                f"/api/v1/projects/{project}/tasks",
                content=iter(list(body_chunks(args.tasks))),
                headers={"Content-Type": "application/x-ndjson"},
            ).raise_for_status()
            print(f"imported {args.tasks:,} tasks in {time.perf_counter() - t0:.1f} s")
            tokens = []
            for i in range(max(args.clients)):
                user = client.post(
                    "/api/v1/users", json={"email": f"a{i}@example.org", "password": "annotator-pw"}
                ).json()
                client.post(
                    f"/api/v1/projects/{project}/members",
                    json={"user_id": user["id"], "role": "annotator"},
                )
                login = httpx.post(
                    f"{url}/api/v1/auth/login",
                    json={"email": f"a{i}@example.org", "password": "annotator-pw"},
                )
                tokens.append(
                    httpx.post(f"{url}/api/v1/tokens", cookies=login.cookies).json()["token"]
                )
        db = "PostgreSQL" if args.database_url else "SQLite"
        meter = CpuMeter(proc.pid)
        for n in args.clients:
            analyze(args.database_url)
            before = meter.sample()
            until = time.time() + args.seconds
            results = run_clients(client_loop, [(url, tokens[i], project, until) for i in range(n)])
            cpu = cpu_per_request(meter, before, results)
            report(f"{db}, {args.tasks:,} tasks", n, args.workers, results, args.seconds, cpu)
    finally:
        proc.terminate()
        proc.wait(20)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
