"""Server time of the case list and the case page at 1,000 and at 100,000 cases.

Run from the project root, with PostgreSQL running:

    .venv/bin/python tests/bench/pages.py [--sizes 1000 100000] [--requests 30]
        [--database-url postgres://postgres@127.0.0.1:5432/homeward_bench]
        [--reuse] [--explain]

Each size gets its own database, named after --database-url and the size
(homeward_bench_1000, homeward_bench_100000), never the test or development one. It is
dropped and recreated, migrated, seeded with `seed_demo --cases N --force` (the time
is printed) and VACUUM ANALYZEd. --reuse keeps a database that already holds exactly
N cases (it is still migrated and analysed), for re-running after a code change.

Then, signed in as the supervisor of the bigger organisation (as the test suite's
signed_in_client does), it GETs through django.test.Client: the case list (default
view, a filtered view, a name search) and a case page. The time is the server's: the
whole request through middleware, view, queries and template, without a network. The
sizes are measured in alternation, one request per page and size per round, `--requests`
rounds after `--warmup` untimed ones, so that other load on the machine weighs on every
size alike. It prints the median and p95 per page and size, the ratio of the biggest
size's median to the smallest's, and how many cases each list matched.

Target: at 100,000 cases, no page's median is more than 1.5x its median at 1,000
cases, and every median is under 150 ms. The exit status is 1 if a page misses it.
--explain prints EXPLAIN ANALYZE of every SELECT each page runs, at each size.

Settings: tests.settings with DEBUG off (production settings on PostgreSQL, test keys).
Not collected by pytest (no test_ prefix).
"""

import argparse
import io
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/homeward_bench"
TARGET_RATIO = 1.5
TARGET_MEDIAN_MS = 150.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database that already holds N cases"
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each query")
    return parser.parse_args(argv)


def configure(database_url):
    """Django with DEBUG off, before anything imports settings."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    import django

    django.setup()


def database_url_for(base_url, size):
    url = urlparse(base_url)
    name = f"{url.path.lstrip('/')}_{size}"
    if not re.fullmatch(r"\w+", name):
        raise SystemExit(f"Refusing the database name {name!r}.")
    return url._replace(path=f"/{name}").geturl(), name


_wrappers = {}


def use_database(name):
    """Point Django's default connection at this database (one open connection each)."""
    from django.db import connections
    from django.db.utils import load_backend

    if name not in _wrappers:
        settings_dict = {**connections.settings["default"], "NAME": name}
        backend = load_backend(settings_dict["ENGINE"])
        _wrappers[name] = backend.DatabaseWrapper(settings_dict, alias="default")
    connections["default"] = _wrappers[name]


def recreate_database(url, name):
    """Drop and create the database, through the server's `postgres` database."""
    import psycopg

    if name in _wrappers:
        _wrappers.pop(name).close()
    admin_url = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def seeded_size(url):
    """The number of cases in the database, or None if it does not exist."""
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM casework_case").fetchone()[0]
    except psycopg.Error:
        return None


def migrate_and_analyse():
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def prepare(size, seed):
    """Migrate, seed `size` cases and analyse; return the seeding time in seconds."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    call_command("seed_demo", cases=size, seed=seed, force=True, stdout=io.StringIO())
    seeded = time.perf_counter() - started
    migrate_and_analyse()
    return seeded


def pages_to_measure():
    """The supervisor of the bigger organisation, and (label, url, query, search) per page.

    Each list view shows comparable rows at every size: the default and the filtered
    view fill a page either way, and the name searched is a rare full name, the one of
    the organisation's 20 rarest that the search matches least often. (Synthetic names
    repeat far more than real ones: at 100,000 cases a common full name is shared by
    dozens of people, and a longer list would time the template's rows, not the search.)
    """
    from django.db.models import Count, Min

    from accounts.models import Organisation, Role, User
    from casework.matching import search_persons
    from casework.models import Case, Person

    organisation = Organisation.objects.annotate(n=Count("cases")).order_by("-n", "pk").first()
    supervisor = User.objects.filter(
        organisation=organisation, role=Role.SUPERVISOR, is_active=True
    ).earliest("pk")
    # Of the 20 rarest full names, the one the search matches least often.
    rare_names = (
        Person.objects.filter(organisation=organisation)
        .values_list("given_name", "family_name")
        .annotate(n=Count("pk"), first=Min("pk"))
        .order_by("n", "first")[:20]
    )
    in_organisation = Case.objects.filter(organisation=organisation)
    name = min(
        (f"{given} {family}" for given, family, _n, _first in rare_names),
        key=lambda text: search_persons(in_organisation, text, organisation.pk).count(),
    )
    # The case at the top of the default list.
    case = (
        Case.objects.filter(organisation=organisation)
        .open()
        .order_by("-last_activity_at", "-id")
        .first()
    )
    pages = [
        ("case list", "/cases/", {}, ""),
        ("case list, filtered", "/cases/", {"status": "active", "nationality": "NP"}, ""),
        ("case list, name search", "/cases/", {"status": "all"}, name),
        ("case page", case.get_absolute_url(), {}, ""),
    ]
    return supervisor, pages


def signed_in_client(user):
    """A client signed in as `user`, its session stamped as the real sign-in does (as
    tests/test_permission_matrix.py does): no two-step sign-in."""
    from django.test import Client

    from accounts.middleware import SESSION_EPOCH, SESSION_STARTED

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_STARTED] = int(time.time())
    session[SESSION_EPOCH] = user.session_epoch
    session.save()
    return client


def search_for(client, text):
    """A search is POSTed and kept in the session (never in a URL); "" clears it."""
    response = client.post("/cases/", {"q": text})
    assert response.status_code == 302, response.status_code


def get(client, url, params):
    """One GET and its time in milliseconds."""
    started = time.perf_counter()
    response = client.get(url, params)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, response


def matching_cases(response):
    """How many cases a list matched (its caption, "N cases"), else ""."""
    match = re.search(rb"<caption>\s*([\d,]+) cases?", response.content)
    return match.group(1).decode() if match else ""


def explain(client, label, url, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url, params)
    print(f"\n=== {label}: {len(captured.captured_queries)} queries")
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue  # the session and audit writes: EXPLAIN ANALYZE would run them
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
        print(f"\n  [{query['time']}s] {sql[:300]}\n{plan}")


def p95(times):
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def main(argv=None):
    args = parse_args(argv)
    configure(args.database_url)
    from casework.models import Case

    databases = {size: database_url_for(args.database_url, size) for size in args.sizes}
    for size, (url, name) in databases.items():
        if args.reuse and seeded_size(url) == size:
            use_database(name)
            migrate_and_analyse()
            print(f"Reusing {name} ({size:,} cases).", flush=True)
        else:
            recreate_database(url, name)
            use_database(name)
            print(f"Seeding {size:,} cases into {name}...", flush=True)
            seconds = prepare(size, args.seed)
            print(f"  seeded {Case.objects.count():,} cases in {seconds:.1f} s", flush=True)

    sessions = {}  # size -> (client, pages)
    for size, (_url, name) in databases.items():
        use_database(name)
        supervisor, pages = pages_to_measure()
        sessions[size] = (signed_in_client(supervisor), pages)
        searched = [search for *_, search in pages if search]
        print(f"{size:,} cases: as {supervisor.username}, searching {searched}", flush=True)

    times, matches = {}, {}  # (label, size) -> [ms], "N"
    for round_ in range(args.warmup + args.requests):
        for size, (_url, name) in databases.items():
            use_database(name)
            client, pages = sessions[size]
            for label, url, params, search in pages:
                search_for(client, search)
                elapsed, response = get(client, url, params)
                if round_ >= args.warmup:
                    times.setdefault((label, size), []).append(elapsed)
                matches[label, size] = matching_cases(response)

    if args.explain:
        for size, (_url, name) in databases.items():
            use_database(name)
            client, pages = sessions[size]
            for label, url, params, search in pages:
                search_for(client, search)
                explain(client, f"{label} at {size:,} cases", url, params)

    labels = [label for label, *_ in next(iter(sessions.values()))[1]]
    small, big = min(args.sizes), max(args.sizes)
    print()
    header = (
        f"{'page':<24} {'cases':>9} {'median ms':>10} {'p95 ms':>9} {'ratio':>7}  "
        f"{'target':<7} matching"
    )
    print(header)
    print("-" * len(header))
    missed = []
    for label in labels:
        for size in args.sizes:
            median, slow = statistics.median(times[label, size]), p95(times[label, size])
            ratio = median / statistics.median(times[label, small])
            mark = ""
            if size == big and size != small:
                ok = ratio <= TARGET_RATIO and median < TARGET_MEDIAN_MS
                mark = "met" if ok else "MISSED"
                if not ok:
                    missed.append(label)
            ratio_text = f"{ratio:.2f}x" if size != small else ""
            print(
                f"{label:<24} {size:>9,} {median:>10.1f} {slow:>9.1f} {ratio_text:>7}  "
                f"{mark:<7} {matches[label, size]}"
            )
    print(
        f"\nTarget at {big:,} cases: median at most {TARGET_RATIO}x that at {small:,} "
        f"and under {TARGET_MEDIAN_MS:.0f} ms; {args.requests} requests per page and size."
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
