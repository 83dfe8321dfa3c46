"""Time and query count of one workflow sweep at 10,000 and at 1,000 due tasks.

Run from the project root, with PostgreSQL running:

    .venv/bin/python tests/bench/sweep.py [--tasks 100000] [--due 10000 1000]
        [--database-url postgres://postgres@127.0.0.1:5432/homeward_bench_sweep] [--explain]

The benchmark drops and recreates its own database (homeward_bench_sweep by default,
never the test or development one) and migrates it. It then writes, with set-based
INSERT ... SELECT generate_series (seconds, not minutes): organisations with their
supervisors, administrator and caseworkers, one person and one active, assigned case
per two tasks, and `--tasks` open tasks of which the largest `--due` figure are ten
days overdue (past both overdue thresholds: supervisors at 1 working day,
administrators at 3) and the rest due in 2 to 60 days (no rule fires for them). Cases
had activity just now, so only the overdue-task rule fires. VACUUM ANALYZE, then
`workflows.run_sweep(now)` is timed and its queries counted
(django.test.utils.CaptureQueriesContext, whatever DEBUG says), followed by a second
sweep at once, which finds everything already claimed and creates nothing.

For each further `--due` figure the notifications and escalations are deleted and all
but that many overdue tasks move into the future, then the same is measured again.
It prints the figures side by side.

Target: the sweep at 10,000 due tasks takes under 10 seconds, and runs the same
number of queries at every size (set-based rules: the count depends on the number of
organisations, never on the number of due items). The exit status is 1 if missed.
`--explain` prints EXPLAIN ANALYZE of every statement of one sweep at each size, run
inside a transaction that is rolled back, before the timed sweep.

Settings: tests.settings with DEBUG off (production settings on PostgreSQL, the test
field-encryption keys); the database comes from --database-url. Not collected by
pytest (no test_ prefix).
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.common import (  # noqa: E402
    configure,
    execute,
    recreate_database,
    vacuum_analyse,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/homeward_bench_sweep"
TARGET_SECONDS = 10.0
TARGET_DUE = 10_000
ORGANISATIONS = 10
SUPERVISORS = 2
ADMINISTRATORS = 1
CASEWORKERS = 20
TASKS_PER_CASE = 2
SCATTER = 7919  # a prime
OVERDUE_DAYS = 10
# --explain prints the plan of statements at least this slow, only the time of others.
EXPLAIN_MIN_MS = 20.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000, help="open tasks in all")
    parser.add_argument(
        "--due", type=int, nargs="+", default=[10_000, 1_000], help="overdue tasks, per run"
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each statement")
    args = parser.parse_args(argv)
    if max(args.due) > args.tasks:
        parser.error("--due cannot exceed --tasks")
    if args.tasks % SCATTER == 0:
        parser.error(f"--tasks must not be a multiple of {SCATTER}")
    return args


def seed(tasks, due):
    """Organisations and staff through the ORM; persons, cases, tasks in SQL."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import EscalationPolicy, Organisation, Role, User

    now = timezone.now()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Bench {n}", code=f"bench{n}", country="UA", weekend_days=[6, 7])
        for n in range(ORGANISATIONS)
    )
    EscalationPolicy.objects.bulk_create(EscalationPolicy(organisation=o) for o in organisations)
    unusable = make_password(None)
    staff = []
    for organisation in organisations:
        for role, count in [
            (Role.SUPERVISOR, SUPERVISORS),
            (Role.ADMINISTRATOR, ADMINISTRATORS),
            (Role.CASEWORKER, CASEWORKERS),
        ]:
            for n in range(count):
                username = f"{organisation.code}-{role}-{n}"
                staff.append(
                    User(
                        username=username,
                        email=f"{username}@example.org",
                        password=unusable,
                        role=role,
                        organisation=organisation,
                    )
                )
    User.objects.bulk_create(staff)

    cases = -(-tasks // TASKS_PER_CASE)
    execute(
        """
        INSERT INTO casework_person
            (organisation_id, given_name, family_name, native_name, sex, birth_year,
             birth_year_estimated, languages, interpreter_needed, place_of_origin,
             region_of_origin, vulnerabilities, created_at, updated_at)
        SELECT (%s::bigint[])[1 + i %% %s], 'Bench', 'Person ' || i, '', 'unknown', 1990,
               false, '[]'::jsonb, false, '', '', '[]'::jsonb, %s, %s
          FROM generate_series(1, %s) AS i
        """,
        [[o.pk for o in organisations], len(organisations), now, now, cases],
    )
    # One active case per person, assigned to one of the organisation's caseworkers.
    execute(
        """
        WITH caseworker AS (
            SELECT id, organisation_id,
                   row_number() OVER (PARTITION BY organisation_id ORDER BY id) - 1 AS n
              FROM accounts_user WHERE role = 'caseworker'
        )
        INSERT INTO casework_case
            (reference, person_id, organisation_id, assigned_to_id, status, closure_reason,
             situation, situation_country, situation_region, situation_place, risk,
             do_not_contact_family, do_not_share_with_embassy, media_attention,
             last_activity_at, created_at)
        SELECT 'HW-' || substr(lpad(p.id::text, 8, '0'), 1, 4) || '-'
                     || substr(lpad(p.id::text, 8, '0'), 5, 4),
               p.id, p.organisation_id, w.id, 'active', '', 'unknown', '', '', '', 'medium',
               false, false, false, %s, %s
          FROM casework_person p
          JOIN caseworker w ON w.organisation_id = p.organisation_id
                           AND w.n = p.id %% %s
         ORDER BY p.id
        """,
        [now, now, CASEWORKERS],
    )
    # Tasks: `due` of them ten days overdue, the rest in the future. n -> n * SCATTER
    # modulo `tasks` is a permutation of 0 .. tasks-1 (SCATTER is a prime not dividing
    # `tasks`), so exactly `due` tasks land below `due`, scattered over cases and so over
    # every organisation.
    execute(
        """
        INSERT INTO casework_task
            (case_id, title, kind, due_at, assignee_id, status, completed_at, created_by_id,
             created_at)
        SELECT t.case_id, 'Bench task', 'follow_up',
               CASE WHEN t.n * %(scatter)s %% %(tasks)s < %(due)s
                    THEN %(now)s - make_interval(days => %(days)s, mins => (t.n %% 600)::int)
                    ELSE %(now)s + make_interval(days => 2 + (t.n %% 59)::int)
               END,
               t.assignee_id, 'open', NULL, NULL, %(now)s
          FROM (SELECT c.id AS case_id, c.assigned_to_id AS assignee_id,
                       row_number() OVER (ORDER BY c.id, k) AS n
                  FROM casework_case c CROSS JOIN generate_series(1, %(per_case)s) AS k) AS t
         WHERE t.n <= %(tasks)s
        """,
        {
            "due": due,
            "tasks": tasks,
            "now": now,
            "days": OVERDUE_DAYS,
            "per_case": TASKS_PER_CASE,
            "scatter": SCATTER,
        },
    )


def keep_due(due):
    """Forget every notification and escalation; leave only `due` tasks overdue."""
    from django.utils import timezone

    execute("DELETE FROM casework_notification")
    execute("DELETE FROM casework_escalation")
    execute(
        """
        UPDATE casework_task SET due_at = %s + interval '30 days'
         WHERE id IN (SELECT id FROM casework_task WHERE due_at <= %s
                       ORDER BY id OFFSET %s)
        """,
        [timezone.now(), timezone.now(), due],
    )


def counts():
    from casework.models import Escalation, Notification, Task

    now_due = Task.objects.filter(status="open", due_at__lte=_now()).count()
    return {
        "open tasks": Task.objects.filter(status="open").count(),
        "overdue tasks": now_due,
        "escalations": Escalation.objects.count(),
        "notifications": Notification.objects.count(),
    }


def _now():
    from django.utils import timezone

    return timezone.now()


def sweep_once():
    """One sweep: (seconds, queries, notifications created)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework import workflows

    now = _now()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        _counts, created = workflows.run_sweep(now)
        seconds = time.perf_counter() - started
    return seconds, len(captured.captured_queries), len(created)


def explain_sweep(label):
    """EXPLAIN ANALYZE every statement of one sweep, then roll the whole sweep back."""
    from django.db import connection, transaction

    from casework import workflows

    def explain(execute_sql, sql, params, many, context):
        if not many and sql.lstrip().upper().startswith(("INSERT", "SELECT", "UPDATE")):
            with transaction.atomic(), context["cursor"].cursor.connection.cursor() as raw:
                raw.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = [row[0] for row in raw.fetchall()]
                transaction.set_rollback(True)
            # The last line is "Execution Time: N ms". Quick statements get that line only.
            milliseconds = float(plan[-1].split()[-2])
            statement = " ".join(sql.split())
            if milliseconds < EXPLAIN_MIN_MS:
                print(f"  {milliseconds:8.1f} ms  {statement[:120]}")
            else:
                lines = "\n".join(f"    {line}" for line in plan)
                print(f"\n  {milliseconds:8.1f} ms  {statement[:600]}\n{lines}\n")
        return execute_sql(sql, params, many, context)

    print(f"\n=== EXPLAIN ANALYZE, one sweep at {label} (rolled back)")
    with transaction.atomic(), connection.execute_wrapper(explain):
        workflows.run_sweep(_now())
        transaction.set_rollback(True)


def main(argv=None):
    args = parse_args(argv)
    configure(args.database_url)
    from django.core.management import call_command

    recreate_database(args.database_url)
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    seed(args.tasks, max(args.due))
    vacuum_analyse()
    print(f"Seeded in {time.perf_counter() - started:.1f} s: {counts()}", flush=True)

    results = {}  # due -> (seconds, queries, created, idle seconds, idle queries, idle created)
    for due in sorted(args.due, reverse=True):
        if due != max(args.due):
            keep_due(due)
            vacuum_analyse()
        if args.explain:
            explain_sweep(f"{due:,} due")
        first = sweep_once()
        again = sweep_once()
        results[due] = (*first, *again)
        print(
            f"  {due:>7,} due: sweep {first[0]:6.2f} s, {first[1]} queries, "
            f"{first[2]:,} notifications; again at once {again[0]:6.2f} s, "
            f"{again[1]} queries, {again[2]:,} notifications  ({counts()})",
            flush=True,
        )

    sizes = sorted(results)
    print()
    print(f"{'':<34}" + "".join(f"{f'{due:,} due':>14}" for due in sizes))
    rows = [
        ("sweep, seconds", 0, "{:.2f}"),
        ("sweep, queries", 1, "{}"),
        ("sweep, notifications created", 2, "{:,}"),
        ("sweep again at once, seconds", 3, "{:.2f}"),
        ("sweep again at once, queries", 4, "{}"),
    ]
    for label, index, fmt in rows:
        print(f"{label:<34}" + "".join(f"{fmt.format(results[d][index]):>14}" for d in sizes))

    missed = []
    biggest = max(sizes)
    if results[biggest][0] >= TARGET_SECONDS and biggest >= TARGET_DUE:
        missed.append(f"sweep at {biggest:,} due took {results[biggest][0]:.2f} s")
    if len({results[d][1] for d in sizes}) > 1:
        missed.append("query count differs between sizes")
    print(
        f"\nTarget: under {TARGET_SECONDS:.0f} s at {TARGET_DUE:,} due, the same query count "
        f"at every size: {'MISSED (' + '; '.join(missed) + ')' if missed else 'met'}."
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
