"""Server time of the case list and the case page at 1,000 and at 1,000,000 cases.

Run from the project root, with PostgreSQL running:

    .venv/bin/python tests/bench/pages.py [--sizes 1000 1000000] [--requests 30]
        [--database-url postgres://postgres@127.0.0.1:5432/homeward_bench_pages]
        [--reuse] [--explain]

Each size gets its own database, named after --database-url and the size
(homeward_bench_pages_1000, homeward_bench_pages_1000000), never the test or development
one. It is dropped and recreated, migrated and filled in SQL (the time is printed):
tests/bench/stats.py's set-based seed (three organisations, persons, nationalities,
cases, recruitments, consents, custody records), then, here:

  * a supervisor and CASEWORKERS caseworkers per organisation; every case not new
    assigned to one of them, CASELOAD to the first (the caseworker measured: a caseload
    that does not grow with the deployment);
  * the persons' names from the demo name lists (casework/demo_data.py, with their
    native spelling) and their name keys and words, as registration writes them, so the
    name search looks through a million persons; one person, whose name no other holds,
    is the one searched for;
  * open tasks for 40 % of the open cases (a quarter of them overdue) and a done task
    for a third of the cases; embassy requests awaiting an answer for the cases awaiting
    an embassy and answered ones for 5 % of the others; an ICRC visit for half of those
    in custody; a contact note (call, visit, message or meeting, encrypted) for 60 % of
    the cases;
  * the case at the top of the supervisor's default list gets 1,000 notes of every kind,
    each encrypted as the app does (through the ORM).

Then VACUUM ANALYZE. --reuse keeps a database that already holds exactly N cases (it is
still migrated and analysed), for re-running after a code change.

Then it GETs through django.test.Client, signed in as the supervisor of the biggest
organisation (as the test suite's signed_in_client does), the case list (default view,
each saved view, a filtered view, a name search, page 2) and the case page with 1,000
notes; "my overdue" as a caseworker of that organisation. The time is the server's: the
whole request through middleware, view, queries and template, without a network. The
sizes are measured in alternation, one request per page and size per round, `--requests`
rounds after `--warmup` untimed ones, so that other load on the machine weighs on every
size alike. It prints the median and p95 per page and size, the ratio of the biggest
size's median to the smallest's, and how many cases each list says it matched.

Target: at the biggest size, no page's median is more than 1.5x its median at the
smallest, and every median is under 150 ms. The exit status is 1 if a page misses it.
--explain prints EXPLAIN ANALYZE of every SELECT each page runs, at each size.

Settings: tests.settings with DEBUG off (production settings on PostgreSQL, test keys).
Not collected by pytest (no test_ prefix).
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/homeward_bench_pages"
TARGET_RATIO = 1.5
TARGET_MEDIAN_MS = 150.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 1_000_000])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page")
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


CASEWORKERS = 40  # per organisation
CASELOAD = 150  # cases of the caseworker measured, at every size
NOTES_ON_CASE = 1000
SEARCHED = ("Tsegaye", "Gebremedhin")  # held by one person; no demo name is like it
SECONDARY_TABLES = [
    "casework_namekey",
    "casework_task",
    "casework_embassyrequest",
    "casework_icrcvisit",
    "casework_note",
]


def timed(label, sql, params=()):
    """Run one seeding statement, printing its time and rows."""
    from tests.bench.common import execute

    started = time.perf_counter()
    rows = execute(sql, params)
    print(f"  {label}: {rows:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    return rows


def prepare(size):
    """Migrate, seed `size` cases and what the pages show; return the seconds taken."""
    from django.core.management import call_command

    from tests.bench import stats as stats_bench
    from tests.bench.common import execute

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    stats_bench.seed(size)
    execute("SET session_replication_role = replica")
    indexes = drop_secondary_indexes(SECONDARY_TABLES)
    seed_staff()
    seed_names()
    seed_work()
    for definition in indexes:
        execute(definition)
    execute("RESET session_replication_role")
    seed_notes_on_one_case()
    seeded = time.perf_counter() - started
    migrate_and_analyse()
    return seeded


def drop_secondary_indexes(tables):
    """Drop these tables' indexes that back no constraint; their definitions, to rebuild
    once the rows are in (quicker than updating them row by row)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
              FROM pg_index AS i
             WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
               AND NOT EXISTS (SELECT FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes]


def seed_staff():
    """A supervisor and CASEWORKERS caseworkers per organisation; cases not new assigned."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import Organisation, Role, User

    unusable = make_password(None)
    users = []
    for organisation in Organisation.objects.order_by("pk"):
        users.append(
            User(
                username=f"{organisation.code}-supervisor",
                role=Role.SUPERVISOR,
                organisation=organisation,
                password=unusable,
            )
        )
        users += [
            User(
                username=f"{organisation.code}-caseworker-{i:02}",
                first_name="Caseworker",
                last_name=f"{i:02}",
                role=Role.CASEWORKER,
                organisation=organisation,
                password=unusable,
            )
            for i in range(CASEWORKERS)
        ]
    User.objects.bulk_create(users)
    # The first caseworker of each organisation (the one measured) holds CASELOAD cases
    # at every size, the others the rest.
    timed(
        "assignments",
        """
        UPDATE casework_case c
           SET assigned_to_id = w.ids[2 + c.id %% (array_length(w.ids, 1) - 1)]
          FROM (SELECT organisation_id, array_agg(id ORDER BY id) AS ids FROM accounts_user
                 WHERE role = %s GROUP BY organisation_id) AS w
         WHERE w.organisation_id = c.organisation_id AND c.status <> 'new'
        """,
        [Role.CASEWORKER],
    )
    assign_caseload()


def assign_caseload():
    """CASELOAD cases (a third of them closed) to the first caseworker of each organisation."""
    from accounts.models import Role

    timed(
        "measured caseloads",
        """
        UPDATE casework_case c SET assigned_to_id = p.first
          FROM (SELECT x.id, w.first,
                       row_number() OVER (PARTITION BY x.organisation_id
                                          ORDER BY x.id %% 997, x.id) AS n
                  FROM casework_case x
                  JOIN (SELECT DISTINCT ON (organisation_id) organisation_id, id AS first
                          FROM accounts_user WHERE role = %s
                         ORDER BY organisation_id, id) AS w
                    ON w.organisation_id = x.organisation_id
                 WHERE x.status <> 'new') AS p
         WHERE p.id = c.id AND p.n <= %s
        """,
        [Role.CASEWORKER, CASELOAD],
    )


def seed_names():
    """The demo names for every person, their name keys and the name-part words; one
    person (of the biggest organisation) named SEARCHED."""
    from django.db import connection

    from casework.matching import _keys_of_spellings, loose_key
    from tests.bench.names import distractor_names

    names = distractor_names()
    rows = [(n, g, f, s) for n, (g, f, s) in enumerate(names)]
    keys = [
        (n, key, kind)
        for n, g, f, s in rows
        for key, kind in sorted(_keys_of_spellings([f"{g} {f}", s] if s else [f"{g} {f}"]))
    ]
    searched = len(rows)  # a name of its own
    rows.append((searched, *SEARCHED, ""))
    keys += [
        (searched, key, kind) for key, kind in sorted(_keys_of_spellings([" ".join(SEARCHED)]))
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_names (n int, given text, family text, native text)"
        )
        cursor.execute("CREATE TEMPORARY TABLE bench_keys (n int, key text, kind text)")
        cursor.executemany("INSERT INTO bench_names VALUES (%s, %s, %s, %s)", rows)
        cursor.executemany("INSERT INTO bench_keys VALUES (%s, %s, %s)", keys)
        # The searched person: in the middle of the biggest organisation's persons.
        cursor.execute(
            """
            CREATE TEMPORARY TABLE bench_person_names AS
            SELECT p.id, p.organisation_id,
                   CASE WHEN p.id = s.id THEN %s ELSE (p.id::bigint * 7919) %% %s END AS n
              FROM casework_person p,
                   (SELECT id FROM casework_person WHERE organisation_id = (
                        SELECT organisation_id FROM casework_person GROUP BY 1
                         ORDER BY count(*) DESC, 1 LIMIT 1)
                     ORDER BY id OFFSET (SELECT count(*) / 3 FROM casework_person) LIMIT 1) AS s
            """,
            [searched, len(names)],
        )
    timed(
        "person names",
        """
        UPDATE casework_person p SET given_name = b.given, family_name = b.family,
               native_name = b.native
          FROM bench_person_names pn JOIN bench_names b ON b.n = pn.n
         WHERE pn.id = p.id
        """,
    )
    timed(
        "name keys",
        """
        INSERT INTO casework_namekey (person_id, organisation_id, key, kind)
        SELECT pn.id, pn.organisation_id, k.key, k.kind
          FROM bench_person_names pn JOIN bench_keys k ON k.n = pn.n
        """,
    )
    words = sorted({key for _n, key, kind in keys if kind == "token"})
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO casework_nameword (key, loose) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [(key, loose_key(key)) for key in words],
        )
        for table in ("bench_names", "bench_keys", "bench_person_names"):
            cursor.execute(f"DROP TABLE {table}")


def seed_work():
    """Tasks, embassy requests, ICRC visits and contact notes (see the module's doc)."""
    from django.utils import timezone

    from casework import crypto
    from casework.vocabularies import IN_CUSTODY

    now = timezone.now()
    timed(
        "open tasks",
        """
        INSERT INTO casework_task
            (case_id, title, kind, due_at, assignee_id, status, completed_at, created_by_id,
             created_at)
        SELECT id, 'Call the family', 'follow_up',
               %(now)s + (random() * 40 - 10) * interval '1 day', assigned_to_id, 'open',
               NULL, NULL, %(now)s - interval '20 days'
          FROM casework_case WHERE status <> 'closed' AND random() < 0.4
        """,
        {"now": now},
    )
    timed(
        "done tasks",
        """
        INSERT INTO casework_task
            (case_id, title, kind, due_at, assignee_id, status, completed_at, created_by_id,
             created_at)
        SELECT id, 'Welfare check', 'welfare_check', last_activity_at, assigned_to_id,
               'done', last_activity_at, NULL, created_at
          FROM casework_case WHERE random() < 0.33
        """,
    )
    timed(
        "embassy requests",
        """
        INSERT INTO casework_embassyrequest
            (case_id, country, kind, message, due_at, status, created_by_id, created_at,
             updated_at)
        SELECT c.id,
               coalesce((SELECT min(n.country) FROM casework_nationality n
                          WHERE n.person_id = c.person_id), 'NP'),
               'identity_confirmation', 'Please confirm the identity.',
               %(now)s + (random() * 30 - 15) * interval '1 day',
               CASE WHEN c.status = 'awaiting_embassy'
                    THEN (ARRAY['sent', 'acknowledged', 'in_progress'])[1 + c.id %% 3]
                    ELSE (ARRAY['fulfilled', 'declined'])[1 + c.id %% 2]
               END,
               NULL, %(now)s - interval '30 days', %(now)s
          FROM casework_case c
         WHERE c.status = 'awaiting_embassy' OR random() < 0.05
        """,
        {"now": now},
    )
    timed(
        "ICRC visits",
        """
        INSERT INTO casework_icrcvisit (case_id, visited_on, notes, recorded_by_id, recorded_at)
        SELECT r.case_id, r.captured_on + 20, NULL, NULL, %(now)s
          FROM casework_recruitment r JOIN casework_case c ON c.id = r.case_id
         WHERE r.captured_on IS NOT NULL AND c.custody_status = ANY(%(held)s) AND r.id %% 2 = 0
        """,
        {"now": now, "held": list(IN_CUSTODY)},
    )
    timed(
        "contact notes",
        """
        INSERT INTO casework_note
            (case_id, kind, occurred_at, text, confidentiality, author_id, automatic, event,
             created_at)
        SELECT id, (ARRAY['call', 'visit', 'message', 'meeting'])[1 + id %% 4],
               created_at + (last_activity_at - created_at) * random(), %(text)s,
               CASE WHEN id %% 10 = 0 THEN 'restricted' ELSE 'normal' END, assigned_to_id,
               false, NULL, %(now)s
          FROM casework_case WHERE random() < 0.6
        """,
        {"now": now, "text": crypto.encrypt("Spoke with the family.")},
    )


def top_case(organisation):
    """The case at the top of the organisation's default list."""
    from casework.models import Case

    return (
        Case.objects.filter(organisation=organisation)
        .open()
        .order_by("-last_activity_at", "-id")
        .first()
    )


def biggest_organisation():
    from django.db.models import Count

    from accounts.models import Organisation

    return Organisation.objects.annotate(n=Count("cases")).order_by("-n", "pk").first()


def seed_notes_on_one_case():
    """NOTES_ON_CASE notes of every kind on the top case, encrypted by the ORM."""
    import datetime

    from django.utils import timezone

    from casework.models import Note
    from casework.vocabularies import Confidentiality, NoteKind

    case = top_case(biggest_organisation())
    now = timezone.now()
    kinds = [NoteKind.CALL, NoteKind.VISIT, NoteKind.MESSAGE, NoteKind.MEETING, NoteKind.DOCUMENT]
    started = time.perf_counter()
    Note.objects.bulk_create(
        Note(
            case=case,
            kind=kinds[i % len(kinds)],
            occurred_at=now - datetime.timedelta(hours=i),
            text=f"Note {i}: spoke with the family; the next call is planned.",
            confidentiality=Confidentiality.RESTRICTED if i % 7 == 0 else Confidentiality.NORMAL,
            author=case.assigned_to,
        )
        for i in range(NOTES_ON_CASE)
    )
    elapsed = time.perf_counter() - started
    print(f"  {NOTES_ON_CASE:,} notes on {case.reference}: {elapsed:.1f} s", flush=True)


def pages_to_measure():
    """[(label, user, url, query, searched name)] of every page measured.

    Each list view shows comparable rows at every size: the default, saved and filtered
    views fill a page either way, and the name searched is held by one person only.
    """
    from accounts.models import Role, User

    organisation = biggest_organisation()
    supervisor = User.objects.get(organisation=organisation, role=Role.SUPERVISOR)
    caseworker = (
        User.objects.filter(organisation=organisation, role=Role.CASEWORKER).order_by("pk").first()
    )
    case = top_case(organisation)
    name = " ".join(SEARCHED)
    return [
        ("case list", supervisor, "/cases/", {}, ""),
        ("case list, page 2", supervisor, "/cases/", {"page": "2"}, ""),
        (
            "case list, filtered",
            supervisor,
            "/cases/",
            {"status": "active", "nationality": "NP"},
            "",
        ),
        ("case list, name search", supervisor, "/cases/", {"status": "all"}, name),
        ("saved: POWs no ICRC", supervisor, "/cases/", {"view": "pow-no-icrc-visit"}, ""),
        ("saved: awaiting embassy", supervisor, "/cases/", {"view": "awaiting-embassy"}, ""),
        ("saved: my overdue (cw)", caseworker, "/cases/", {"view": "my-overdue"}, ""),
        ("case list (caseworker)", caseworker, "/cases/", {}, ""),
        ("case page, 1,000 notes", supervisor, case.get_absolute_url(), {}, ""),
    ]


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
    """How many cases a list says it matched (its caption: "N cases", "about N cases")."""
    match = re.search(r"<caption>\s*((?:about )?[\d,]+) cases?", response.content.decode())
    return match.group(1) if match else ""


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
            seconds = prepare(size)
            print(f"  seeded {Case.objects.count():,} cases in {seconds:.1f} s", flush=True)

    sessions = {}  # size -> [(label, client, url, params, search)]
    for size, (_url, name) in databases.items():
        use_database(name)
        clients = {}  # one per user
        sessions[size] = []
        for label, user, url, params, search in pages_to_measure():
            if user.pk not in clients:
                clients[user.pk] = signed_in_client(user)
            sessions[size].append((label, clients[user.pk], url, params, search))
        searched = [search for *_, search in sessions[size] if search]
        print(f"{size:,} cases: searching {searched}", flush=True)

    times, matches = {}, {}  # (label, size) -> [ms], "N"
    for round_ in range(args.warmup + args.requests):
        for size, (_url, name) in databases.items():
            use_database(name)
            for label, client, url, params, search in sessions[size]:
                search_for(client, search)
                elapsed, response = get(client, url, params)
                if round_ >= args.warmup:
                    times.setdefault((label, size), []).append(elapsed)
                matches[label, size] = matching_cases(response)

    if args.explain:
        for size, (_url, name) in databases.items():
            use_database(name)
            for label, client, url, params, search in sessions[size]:
                search_for(client, search)
                explain(client, f"{label} at {size:,} cases", url, params)

    labels = [label for label, *_ in next(iter(sessions.values()))]
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
