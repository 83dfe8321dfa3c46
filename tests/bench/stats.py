"""Time, query count and peak memory of the statistics dashboard and a JSON export.

Run from the project root, with PostgreSQL running:

    .venv/bin/python tests/bench/stats.py [--cases N] [--explain]
        [--runs 3] [--reuse] [--no-upkeep]
        [--database-url postgres://postgres@127.0.0.1:5432/homeward_bench_stats]

The benchmark drops and recreates its own database (homeward_bench_stats by default,
never the test or development one) and migrates it; --reuse keeps one that already
holds exactly N cases (still migrated and analysed), for re-running after a change.
It then writes `--cases` cases (1,000,000 by default) with set-based INSERT ... SELECT
generate_series (about a minute for a million on two cores; each step's time is
printed). While it writes, foreign-key triggers are off (session_replication_role =
replica: every reference comes from rows just written) and the indexes that back no
constraint are dropped, then rebuilt once at the end:

  * 3 organisations (60/30/10 % of the cases), one data officer each;
  * one person per case: sex (mostly male), a date of birth (55 %), a birth year only
    (35 %) or neither; one nationality drawn from a skewed distribution over 37
    countries, 0.4 % from a long tail of every other country (skewed too, so that many
    tail countries stay below k and roll up into their M49 sub-region), 1 % with none,
    2 % dual nationals;
  * one case per person: status (a third closed, with a reason and date), situation,
    risk, opened (created_at) at a random moment of the last 3 years;
  * a recruitment for 95 % of the cases: method, platform (mostly for online
    recruitment), promised job, month of recruitment before the case was opened (8 %
    unknown), capture date for most prisoners of war and a few others; its encrypted
    recruiter_details holds one real token of "" (what the ORM writes for a blank
    value), so the rows stay readable through the ORM;
  * 1 to 3 means of control for 88 % of the recruitments;
  * an "include in statistics" consent, given for 92 % of the cases and withdrawn for
    2 % (the rest have none), and a "contact family" consent for half of them, so that
    the consent table holds other scopes too;
  * custody records for the cases with a capture date: the capture, a release,
    exchange, repatriation or death for a third, obligations for 80 % (some dates
    missing), an arrival home after each exchange or repatriation, and a proceeding for
    a tenth, with the cases' custody status set from the latest event.

The random draws are seeded (setseed): runs with the same --cases write the same data.
Then the statistics facts of every case (casework.statsfacts.refresh_all, timed: what
a first `migrate` after an upgrade does), VACUUM ANALYZE, then, for every organisation
together (a coalition-wide release):

  1. dashboard: stats.build_release(orgs, stats.MAIN_TABLES, k=11) with the inquiry
     and custody releases beside it, what the dashboard view builds; `--runs` timed
     runs (median reported) and the number of SQL statements
     (django.test.utils.CaptureQueriesContext, whatever DEBUG says; BEGIN and COMMIT
     not counted);
  2. export: stats.build_release(orgs, MAIN_TABLES + 3 cross-tabulations, k=11) and
     exports.render_release(release, "json"), timed the same way;
  3. memory: the process's peak resident set size during each measurement (VmHWM of
     /proc/self/status, reset before each through /proc/self/clear_refs where the
     kernel allows it), getrusage's ru_maxrss (the lifetime peak, seeding and
     migrations included) and, in one extra untimed run each, tracemalloc's peak of
     Python allocations (tracemalloc slows the code, so it is kept out of the timings);
  4. upkeep of the facts: the median time of one case's refresh (what each save of
     case data adds; 200 cases, each rolled back) and of the nightly recomputation of
     every case when nothing changed (--no-upkeep skips it, for quicker re-runs).

Targets: the dashboard under 2 s, the export under 20 s, peak memory (ru_maxrss, the
strictest figure) under 500 MiB. The exit status is 1 if one is missed.
`--explain` prints EXPLAIN (ANALYZE, BUFFERS) of every SELECT of one export release
before the timed runs (the plan of statements of at least 20 ms, only the time of
quicker ones).

Settings: tests.settings with DEBUG off (production settings on PostgreSQL, the test
field-encryption keys); the database comes from --database-url. Not collected by
pytest (no test_ prefix). The machine's other load weighs on the figures: run it more
than once.
"""

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.common import (  # noqa: E402
    configure,
    execute,
    recreate_database,
    vacuum_analyse,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/homeward_bench_stats"
K = 11
TARGET_DASHBOARD_SECONDS = 2.0
TARGET_EXPORT_SECONDS = 20.0
TARGET_PEAK_MIB = 500.0
CROSS_TABS = [
    ("nationality", "sex"),
    ("region", "situation"),
    ("recruitment_method", "promised_job"),
]
SLOTS = 1000  # resolution of the weighted draws: weights become this many array slots
SEED = 0.42
YEARS = 3
# --explain prints the plan of statements at least this slow, only the time of others.
EXPLAIN_MIN_MS = 20.0

ORGANISATIONS = {"bench0": 60, "bench1": 30, "bench2": 10}
# Roughly the nationalities reported among foreigners recruited into Russian forces.
NATIONALITIES = {
    "NP": 14, "CU": 9, "IN": 8, "LK": 7, "UZ": 7, "TJ": 7, "KG": 6, "SY": 4, "KZ": 3,
    "GH": 2.5, "CM": 2.5, "AF": 2, "BD": 2, "PK": 2, "NG": 2, "KE": 2, "BY": 2,
    "TG": 1.5, "IQ": 1.5, "TM": 1.5, "SL": 1, "SN": 1, "CF": 1, "SO": 1, "EG": 1,
    "YE": 1, "RS": 1, "MD": 1, "AM": 1, "AZ": 0.5, "VN": 0.5, "CO": 0.5, "BR": 0.5,
    "UG": 0.5, "TZ": 0.5, "ZM": 0.3, "RW": 0.3,
}  # fmt: skip
TAIL_SHARE = 0.004  # persons drawn from every other country
TAIL_SKEW = 4  # tail index = floor(T * random() ^ TAIL_SKEW): the last ones are rare
NO_NATIONALITY = 0.01
DUAL_NATIONALS = 0.02
SEX = {"male": 88, "female": 5, "other": 0.5, "unknown": 6.5}
STATUS = {
    "new": 5,
    "active": 40,
    "awaiting_embassy": 10,
    "awaiting_repatriation": 7,
    "closure_requested": 3,
    "closed": 35,
}
CLOSURE_REASONS = {
    "returned_home": 50,
    "deceased": 10,
    "no_longer_wants_support": 10,
    "transferred": 10,
    "lost_contact": 15,
    "duplicate": 2,
    "other": 3,
}
SITUATION = {
    "at_front": 22,
    "elsewhere_in_russia": 8,
    "occupied_territory": 4,
    "pow_in_ukraine": 20,
    "exchanged_to_russia": 3,
    "returned_home": 20,
    "third_country": 2,
    "missing": 9,
    "deceased": 5,
    "unknown": 7,
}
RISK = {"low": 20, "medium": 45, "high": 25, "critical": 10}
METHOD = {
    "online_advertisement": 35,
    "agency": 15,
    "individual_recruiter": 20,
    "friend_or_relative": 8,
    "employer_in_russia": 6,
    "state_office": 5,
    "detention": 4,
    "other": 2,
    "unknown": 5,
}
PLATFORM = {
    "telegram": 35,
    "vkontakte": 15,
    "tiktok": 12,
    "facebook": 12,
    "instagram": 8,
    "whatsapp": 10,
    "youtube": 4,
    "x": 1,
    "other": 3,
}
PROMISED_JOB = {
    "security": 30,
    "construction": 20,
    "driver": 12,
    "cook": 5,
    "factory": 8,
    "warehouse": 8,
    "military": 12,
    "other": 5,
}
MEANS = {
    "false_promises": 30,
    "contract_not_understood": 15,
    "withholds_documents": 12,
    "threats": 8,
    "assault_unit_despite_promises": 8,
    "restricts_movement": 6,
    "takes_earnings": 4,
    "threat_of_deportation": 3,
    "physical_abuse": 3,
    "psychological_abuse": 2,
    "debt_bondage": 2,
    "restricts_medical_care": 1.5,
    "threats_to_family": 1.5,
    "threat_of_losing_citizenship": 1,
    "excessive_working_hours": 1,
    "withholds_necessities": 0.7,
    "threat_of_law_enforcement": 0.5,
    "psychoactive_substances": 0.3,
    "sexual_abuse": 0.2,
    "other": 0.3,
}
MEANS_PER_RECRUITMENT = {1: 45, 2: 35, 3: 20}
NO_MEANS = 0.12
SEEDED_TABLES = [
    "casework_person",
    "casework_nationality",
    "casework_case",
    "casework_recruitment",
    "casework_controlmeans",
    "casework_consent",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases in all")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each measurement")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database that already holds N cases"
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each query")
    parser.add_argument(
        "--no-upkeep", action="store_true", help="skip the facts upkeep measurement (step 4)"
    )
    args = parser.parse_args(argv)
    if args.cases < 1 or args.runs < 1:
        parser.error("--cases and --runs must be positive")
    return args


def seeded_cases(database_url):
    """The number of cases in an existing benchmark database, None if there is none."""
    import psycopg

    try:
        with psycopg.connect(database_url) as conn:
            return conn.execute("SELECT count(*) FROM casework_case").fetchone()[0]
    except psycopg.Error:
        return None


def scalar(sql, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def timed(label, sql, params=()):
    """execute(), printing how long the step took."""
    started = time.perf_counter()
    rows = execute(sql, params)
    print(f"  {label}: {rows:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    return rows


def drop_secondary_indexes():
    """Drop the seeded tables' indexes that back no constraint; their definitions.

    Building an index once over a million rows is much quicker than updating it row by
    row; primary keys and unique constraints stay (ON CONFLICT needs some of them).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
              FROM pg_index AS i
             WHERE i.indrelid = ANY(%s::regclass[])
               AND NOT i.indisprimary
               AND NOT EXISTS (SELECT FROM pg_constraint AS c
                                WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
             ORDER BY 1
            """,
            [SEEDED_TABLES],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes]


def slots(weights, size=SLOTS):
    """A weighted draw as an array: `arr[1 + floor(random() * size)]` picks by weight.

    Largest-remainder rounding, at least one slot for every value.
    """
    total = sum(weights.values())
    exact = {value: weight * size / total for value, weight in weights.items()}
    counts = {value: max(1, int(share)) for value, share in exact.items()}
    by_remainder = sorted(exact, key=lambda value: exact[value] - int(exact[value]), reverse=True)
    index = 0
    while sum(counts.values()) < size:
        counts[by_remainder[index % len(by_remainder)]] += 1
        index += 1
    while sum(counts.values()) > size:
        biggest = max(counts, key=counts.get)
        counts[biggest] -= 1
    return [value for value, count in counts.items() for _ in range(count)]


def weighted(name, weights):
    """Parameters `name` (the values) and `name_slots` (slots(), as 1-based indexes).

    The slots are an int[]: subscripting a text[] walks its elements one by one, which
    costs seconds per million draws; an int[] is subscripted in constant time.
    """
    values = list(weights)
    return {
        name: [str(value) for value in values],
        f"{name}_slots": [values.index(value) + 1 for value in slots(weights)],
    }


def pick(name):
    """SQL for one weighted draw with the parameters of weighted(name, ...)."""
    return f"(%({name})s::text[])[(%({name}_slots)s::int[])[1 + floor(random() * {SLOTS})::int]]"


def tail_countries():
    """Every country of the M49 table (that django-countries knows) not in NATIONALITIES."""
    from django_countries import countries

    from casework import stats

    return sorted(code for code in stats.m49() if code not in NATIONALITIES and code in countries)


def seed(cases):
    """Organisations and data officers through the ORM; everything else in SQL."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import EscalationPolicy, Organisation, Role, User
    from casework import crypto

    now = timezone.now()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Bench {code}", code=code, country="UA", weekend_days=[6, 7])
        for code in ORGANISATIONS
    )
    EscalationPolicy.objects.bulk_create(EscalationPolicy(organisation=o) for o in organisations)
    unusable = make_password(None)
    User.objects.bulk_create(
        User(
            username=f"{o.code}-data-officer",
            email=f"{o.code}-data-officer@example.org",
            password=unusable,
            role=Role.DATA_OFFICER,
            organisation=o,
        )
        for o in organisations
    )
    organisation_slots = slots(
        {o.pk: ORGANISATIONS[o.code] for o in organisations}  # pk -> weight
    )
    # No foreign-key triggers while seeding: every reference is taken from rows just
    # written, and the deferred checks of millions of rows would double the time.
    execute("SET session_replication_role = replica")
    execute("SET maintenance_work_mem = '256MB'")
    indexes = drop_secondary_indexes()
    execute("SELECT setseed(%s)", [SEED])

    # Persons: sex, a date of birth (55 %), a birth year only (35 %, half estimated) or
    # neither; birth_year follows the date of birth, as Person.save() makes it.
    timed(
        "persons",
        f"""
        INSERT INTO casework_person
            (organisation_id, given_name, family_name, native_name, sex, date_of_birth,
             birth_year, birth_year_estimated, languages, interpreter_needed,
             place_of_origin, region_of_origin, vulnerabilities, created_at, updated_at)
        SELECT p.organisation_id, 'Bench', 'Person ' || p.i, '', p.sex, p.dob,
               CASE WHEN p.dob IS NOT NULL THEN extract(year FROM p.dob)::int
                    WHEN p.r_birth < 0.90
                    THEN 2006 - floor(power(random(), 1.6) * 40)::int
               END,
               p.r_birth >= 0.55 AND p.r_birth < 0.725,
               '[]'::jsonb, false, '', '', '[]'::jsonb, %(now)s, %(now)s
          FROM (SELECT i,
                       (%(orgs)s::bigint[])[1 + floor(random() * {SLOTS})::int]
                           AS organisation_id,
                       {pick("sex")} AS sex,
                       r_birth,
                       CASE WHEN r_birth < 0.55
                            THEN date '2006-12-31'
                                 - floor(power(random(), 1.6) * 40 * 365.25)::int
                       END AS dob
                  FROM (SELECT i, random() AS r_birth
                          FROM generate_series(1, %(cases)s) AS i) AS g) AS p
        """,  # noqa: S608 - constant fragments from this script; values are parameters
        {"now": now, "orgs": organisation_slots, **weighted("sex", SEX), "cases": cases},
    )

    # One nationality each (1 % none): skewed over NATIONALITIES, TAIL_SHARE from the
    # tail with floor(T * random() ^ TAIL_SKEW), so that its last countries are rare.
    tail = tail_countries()
    timed(
        "nationalities",
        f"""
        INSERT INTO casework_nationality (person_id, country)
        SELECT n.id,
               CASE WHEN n.r < %(tail_share)s
                    THEN (%(tail)s::text[])[1 + floor(%(t)s * power(random(), %(skew)s))::int]
                    ELSE {pick("main")}
               END
          FROM (SELECT id, random() AS r FROM casework_person) AS n
         WHERE n.r < 1 - %(none)s
        """,  # noqa: S608 - constant fragments from this script; values are parameters
        {
            "tail_share": TAIL_SHARE,
            "tail": tail,
            "t": len(tail),
            "skew": TAIL_SKEW,
            **weighted("main", NATIONALITIES),
            "none": NO_NATIONALITY,
        },
    )
    # Dual nationals: a second nationality from the main list (a duplicate is skipped).
    timed(
        "dual nationalities",
        f"""
        INSERT INTO casework_nationality (person_id, country)
        SELECT person_id, {pick("main")}
          FROM casework_nationality
         WHERE random() < %(dual)s
        ON CONFLICT (person_id, country) DO NOTHING
        """,  # noqa: S608 - constant fragments from this script; values are parameters
        {**weighted("main", NATIONALITIES), "dual": DUAL_NATIONALS},
    )

    # One case per person, opened in the last YEARS years; a third closed.
    timed(
        "cases",
        f"""
        INSERT INTO casework_case
            (reference, person_id, organisation_id, assigned_to_id, status, closure_reason,
             situation, situation_country, situation_region, situation_place, risk,
             do_not_contact_family, do_not_share_with_embassy, media_attention,
             last_activity_at, created_at, closed_at,
             closure_requested_at)
        SELECT 'HW-' || substr(lpad(c.id::text, 8, '0'), 1, 4) || '-'
                     || substr(lpad(c.id::text, 8, '0'), 5, 4),
               c.id, c.organisation_id, NULL, c.status,
               CASE WHEN c.status IN ('closed', 'closure_requested') THEN {pick("reasons")}
                    ELSE ''
               END,
               c.situation, '', '', '', c.risk, false, false, false,
               c.opened + (%(now)s - c.opened) * c.r_activity, c.opened,
               CASE WHEN c.status = 'closed'
                    THEN c.opened + (%(now)s - c.opened) * c.r_activity
               END,
               CASE WHEN c.status = 'closure_requested'
                    THEN c.opened + (%(now)s - c.opened) * c.r_activity
               END
          FROM (SELECT id, organisation_id,
                       %(now)s - random() * interval '{YEARS * 365} days' AS opened,
                       {pick("status")} AS status,
                       {pick("situation")} AS situation,
                       {pick("risk")} AS risk,
                       random() AS r_activity
                  FROM casework_person) AS c
         ORDER BY c.id
        """,  # noqa: S608 - constant fragments from this script; values are parameters
        {
            "now": now,
            **weighted("status", STATUS),
            **weighted("reasons", CLOSURE_REASONS),
            **weighted("situation", SITUATION),
            **weighted("risk", RISK),
        },
    )

    # Recruitments for 95 % of the cases. The month of recruitment is 1 to 30 months
    # before the case was opened (8 % unknown); the capture date lies between it and
    # the opening, for 90 % of prisoners of war and those exchanged, 3 % of the others.
    timed(
        "recruitments",
        f"""
        INSERT INTO casework_recruitment
            (case_id, recruited_in, country, method, platform, promised_job,
             promised_salary, promised_salary_currency, promised_visa,
             promised_citizenship, promised_education, promised_travel_paid,
             arrived_in_russia_on, transit_countries, contract_signed, contract_language,
             unit_type, deployed_on, captured_on, capture_kind, capture_place,
             recruiter_details)
        SELECT r.id, r.recruited_in, '', r.method,
               CASE WHEN r.method = 'online_advertisement' AND r.r_platform < 0.95
                      OR r.method IN ('agency', 'individual_recruiter')
                         AND r.r_platform < 0.30
                    THEN {pick("platform")}
                    ELSE ''
               END,
               CASE WHEN r.r_job < 0.93 THEN {pick("job")} ELSE '' END,
               NULL, '', false, false, false, false, NULL, '', NULL, '', 'unknown', NULL,
               CASE WHEN r.captured
                    THEN coalesce(r.recruited_in, r.opened_on - 365)
                         + floor(random() * greatest(
                               1, r.opened_on - coalesce(r.recruited_in, r.opened_on - 365)
                           ))::int
               END,
               CASE WHEN NOT r.captured THEN ''
                    WHEN random() < 0.7 THEN 'captured'
                    ELSE 'surrendered'
               END,
               '', %(blank_token)s
          FROM (SELECT id, created_at::date AS opened_on,
                       CASE WHEN random() < 0.92
                            THEN date_trunc(
                                'month',
                                created_at - (30 + power(random(), 2) * 870) * interval '1 day'
                            )::date
                       END AS recruited_in,
                       {pick("method")} AS method,
                       random() AS r_platform,
                       random() AS r_job,
                       random() < CASE WHEN situation IN ('pow_in_ukraine', 'exchanged_to_russia')
                                       THEN 0.90 ELSE 0.03
                                  END AS captured
                  FROM casework_case
                 WHERE random() < 0.95) AS r
         ORDER BY r.id
        """,  # noqa: S608 - constant fragments from this script; values are parameters
        {
            **weighted("method", METHOD),
            **weighted("platform", PLATFORM),
            **weighted("job", PROMISED_JOB),
            "blank_token": crypto.encrypt(""),
        },
    )

    # 1 to 3 means of control for 88 % of the recruitments (a repeated draw is skipped).
    timed(
        "means of control",
        f"""
        INSERT INTO casework_controlmeans (recruitment_id, means)
        SELECT m.id, {pick("means")}
          FROM (SELECT id,
                       CASE WHEN random() < %(none)s THEN 0
                            ELSE ({pick("per")})::int
                       END AS n
                  FROM casework_recruitment) AS m
          CROSS JOIN generate_series(1, 3) AS k
         WHERE k <= m.n
        ON CONFLICT (recruitment_id, means) DO NOTHING
        """,  # noqa: S608 - constant fragments from this script; values are parameters
        {
            **weighted("means", MEANS),
            "none": NO_MEANS,
            **weighted("per", MEANS_PER_RECRUITMENT),
        },
    )

    # Consents: include in statistics given (92 %) or withdrawn (2 %), none for the rest;
    # contact family given for half of the cases. Recorded by the organisation's officer.
    timed(
        "consents",
        """
        INSERT INTO casework_consent
            (case_id, scope, country, organisation_name, status, given_at, withdrawn_at,
             method, recorded_by_id, evidence_id, includes_document_numbers)
        SELECT s.id, s.scope, '', '', s.status, s.given_at,
               CASE WHEN s.status = 'withdrawn'
                    THEN s.given_at + (greatest(%(now)s, s.given_at) - s.given_at) * random()
               END,
               CASE WHEN random() < 0.6 THEN 'written' ELSE 'verbal' END,
               u.id, NULL, false
          FROM (SELECT c.id, c.organisation_id, 'include_in_statistics' AS scope,
                       CASE WHEN c.r < 0.92 THEN 'given' ELSE 'withdrawn' END AS status,
                       c.created_at + random() * interval '2 days' AS given_at
                  FROM (SELECT id, organisation_id, created_at, random() AS r
                          FROM casework_case) AS c
                 WHERE c.r < 0.94
                UNION ALL
                SELECT id, organisation_id, 'contact_family', 'given',
                       created_at + random() * interval '5 days'
                  FROM casework_case
                 WHERE random() < 0.5) AS s
          JOIN (SELECT DISTINCT ON (organisation_id) organisation_id, id
                  FROM accounts_user
                 WHERE organisation_id IS NOT NULL
                 ORDER BY organisation_id, id) AS u
            ON u.organisation_id = s.organisation_id
         ORDER BY s.id
        """,
        {"now": now},
    )

    seed_custody(now)

    started = time.perf_counter()
    for definition in indexes:
        execute(definition)
    print(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - started:.1f} s", flush=True)
    execute("RESET maintenance_work_mem")
    execute("RESET session_replication_role")


def seed_custody(now):
    """Custody records for the cases with a capture date: a capture event, a later
    release, exchange or repatriation for some, obligations, arrivals, proceedings."""
    timed(
        "custody events",
        """
        INSERT INTO casework_custodyevent
            (case_id, kind, occurred_on, place, authority, source_reliability, recorded_at)
        SELECT r.case_id, e.kind, r.captured_on + e.after::int, '', '', 'unknown', %(now)s
          FROM casework_recruitment r
          CROSS JOIN LATERAL (
              SELECT 'captured' AS kind, 0 AS after
              UNION ALL
              SELECT (ARRAY['released', 'exchanged', 'repatriated', 'died'])[1 + (r.id %% 4)],
                     30 + (r.id %% 500)
               WHERE r.id %% 3 = 0) AS e
         WHERE r.captured_on IS NOT NULL
        """,
        {"now": now},
    )
    timed(
        "custody status",
        """
        UPDATE casework_case c SET custody_status = l.kind
          FROM (SELECT DISTINCT ON (case_id) case_id, kind FROM casework_custodyevent
                 ORDER BY case_id, occurred_on DESC, id DESC) AS l
         WHERE l.case_id = c.id
        """,
    )
    timed(
        "custody obligations",
        """
        INSERT INTO casework_custodyobligations
            (case_id, capture_card_sent_on, capture_card_received_on, icrc_registered_on,
             dependent_power, dependent_power_confirmation, updated_at)
        SELECT r.case_id, r.captured_on + (r.id %% 10)::int,
               CASE WHEN r.id %% 5 > 0 THEN r.captured_on + (r.id %% 40)::int END,
               CASE WHEN r.id %% 7 > 0 THEN r.captured_on + (r.id %% 200)::int END, '', '', %(now)s
          FROM casework_recruitment r
         WHERE r.captured_on IS NOT NULL AND r.id %% 10 < 8
        """,
        {"now": now},
    )
    timed(
        "ways home",
        """
        INSERT INTO casework_wayhome
            (case_id, travel_documents, handed_over_to, arrived_on, updated_at)
        SELECT e.case_id, '', '', e.occurred_on + 3, %(now)s
          FROM casework_custodyevent e
         WHERE e.kind IN ('repatriated', 'exchanged')
        """,
        {"now": now},
    )
    timed(
        "legal proceedings",
        """
        INSERT INTO casework_legalproceeding
            (case_id, charge, court, lawyer, outcome, recorded_before_tracking, recorded_at)
        SELECT r.case_id, '', '', '',
               (ARRAY['pending', 'convicted', 'acquitted', 'dropped', 'pardoned'])[1 + (r.id %% 5)],
               false, %(now)s
          FROM casework_recruitment r
         WHERE r.captured_on IS NOT NULL AND r.id %% 10 = 1
        """,
        {"now": now},
    )


def fill_facts():
    """The statistics facts of the cases just written (bulk writes send no signals)."""
    from casework.stats import facts as statsfacts

    started = time.perf_counter()
    written = statsfacts.refresh_all()
    elapsed = time.perf_counter() - started
    print(f"  statistics facts: {written:,} rows in {elapsed:.1f} s", flush=True)


def maintenance():
    """What keeping the facts true costs: one case's refresh (what every save of case
    data adds), and the nightly recomputation of every case when nothing changed."""
    from django.db import transaction

    from casework.models import Case
    from casework.stats import facts as statsfacts

    case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True)[:200])
    one = []
    for case_id in case_ids:
        with transaction.atomic():
            started = time.perf_counter()
            statsfacts.refresh([case_id])
            one.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    started = time.perf_counter()
    written = statsfacts.refresh_all()
    nightly = time.perf_counter() - started
    print()
    print(
        f"Facts upkeep: one case's refresh {statistics.median(one) * 1000:.1f} ms median "
        f"(of {len(one)}); nightly recomputation of every case {nightly:.1f} s "
        f"({written:,} rows changed)",
        flush=True,
    )


def organisation_ids():
    from accounts.models import Organisation

    return list(Organisation.objects.order_by("pk").values_list("pk", flat=True))


def counts():
    """What was seeded, in one line."""
    figures = {
        "cases": "SELECT count(*) FROM casework_case",
        "persons": "SELECT count(*) FROM casework_person",
        "nationalities": "SELECT count(*) FROM casework_nationality",
        "dual nationals": """SELECT count(*) FROM (SELECT person_id FROM casework_nationality
                              GROUP BY person_id HAVING count(*) > 1) AS d""",
        "countries": "SELECT count(DISTINCT country) FROM casework_nationality",
        "recruitments": "SELECT count(*) FROM casework_recruitment",
        "means of control": "SELECT count(*) FROM casework_controlmeans",
        "statistics consents given": """SELECT count(*) FROM casework_consent
            WHERE scope = 'include_in_statistics' AND status = 'given'""",
        "withdrawn": """SELECT count(*) FROM casework_consent
            WHERE scope = 'include_in_statistics' AND status = 'withdrawn'""",
        "other consents": """SELECT count(*) FROM casework_consent
            WHERE scope <> 'include_in_statistics'""",
    }
    return ", ".join(f"{name} {scalar(sql):,}" for name, sql in figures.items())


# Memory ------------------------------------------------------------------------------


def _status_kib(field):
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def reset_peak_rss() -> bool:
    """Reset the kernel's peak RSS of this process (VmHWM); False if not allowed."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def peak_rss_mib():
    """VmHWM: the peak resident set size since the last reset (or since the start)."""
    kib = _status_kib("VmHWM")
    return kib / 1024 if kib is not None else float("nan")


def rss_mib():
    kib = _status_kib("VmRSS")
    return kib / 1024 if kib is not None else float("nan")


def maxrss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# Measurements ------------------------------------------------------------------------


def dashboard(orgs):
    from casework import stats
    from casework.stats.custody import custody_release
    from casework.stats.inquiries import inquiry_release

    release = stats.build_release(orgs, stats.MAIN_TABLES, k=K)
    # The dashboard shows the inquiry and custody tables beside the case tables.
    inquiry_release(orgs, k=K)
    custody_release(orgs, k=K)
    return release, None


def export(orgs):
    from casework import stats
    from casework.stats import exports

    release = stats.build_release(orgs, [*stats.MAIN_TABLES, *CROSS_TABS], k=K)
    content, rows = exports.render_release(release, "json")
    return release, (len(content), rows)


def measure(name, build, orgs, runs):
    """Timed runs (with queries counted), peak RSS over them, one tracemalloc run."""
    import gc

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gc.collect()
    resettable = reset_peak_rss()
    rss_before = rss_mib()
    times, queries = [], []
    for _run in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            release, extra = build(orgs)
            times.append(time.perf_counter() - started)
        queries.append(
            sum(query["sql"] not in ("BEGIN", "COMMIT") for query in captured.captured_queries)
        )
        del release, extra
    peak_rss = peak_rss_mib()
    maxrss = maxrss_mib()

    gc.collect()
    tracemalloc.start()
    release, extra = build(orgs)
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    cells = sum(len(table.cells) for table in release.tables)
    suppressed = sum(cell.suppressed for table in release.tables for cell in table.cells)
    rolled_up = sum(
        1
        for table in release.tables
        if table.dimensions == ("nationality",)
        for cell in table.cells
        if cell.values["nationality"].startswith("m49:")
    )
    result = {
        "name": name,
        "times": times,
        "median": statistics.median(times),
        "queries": queries,
        "rss_before": rss_before,
        "peak_rss": peak_rss if resettable else float("nan"),
        "maxrss": maxrss,
        "traced_peak": traced_peak / 2**20,
        "tables": len(release.tables),
        "cells": cells,
        "suppressed": suppressed,
        "rolled_up": rolled_up,
        "excluded": release.excluded_opt_outs,
        "total": _grand_total(release),
        "json_bytes": extra[0] if extra else None,
        "json_rows": extra[1] if extra else None,
    }
    print(
        f"  {name}: {', '.join(f'{t:.2f}' for t in times)} s (median {result['median']:.2f} s), "
        f"{queries[0]} statements; {result['tables']} tables, {cells:,} cells, "
        f"{suppressed:,} suppressed, {rolled_up} rolled-up nationality groups",
        flush=True,
    )
    return result


def _grand_total(release):
    """The one-way nationality table's Total (the number of eligible cases)."""
    for table in release.tables:
        if table.dimensions == ("nationality",):
            for cell in table.cells:
                if cell.values["nationality"] == "Total":
                    return cell.count
    return None


def explain_release(orgs):
    """EXPLAIN (ANALYZE, BUFFERS) every SELECT of one export release."""
    from django.db import connection

    from casework import stats

    def explain(execute_sql, sql, params, many, context):
        if not many and sql.lstrip().upper().startswith("SELECT"):
            with context["cursor"].cursor.connection.cursor() as raw:
                raw.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = [row[0] for row in raw.fetchall()]
            # The last line is "Execution Time: N ms". Quick statements get that line only.
            milliseconds = float(plan[-1].split()[-2])
            statement = " ".join(sql.split())
            if milliseconds < EXPLAIN_MIN_MS:
                print(f"  {milliseconds:8.1f} ms  {statement[:120]}")
            else:
                lines = "\n".join(f"    {line}" for line in plan)
                print(f"\n  {milliseconds:8.1f} ms  {statement[:900]}\n{lines}\n")
        return execute_sql(sql, params, many, context)

    print("\n=== EXPLAIN ANALYZE, one export release (MAIN_TABLES and the cross-tabulations)")
    with connection.execute_wrapper(explain):
        stats.build_release(orgs, [*stats.MAIN_TABLES, *CROSS_TABS], k=K)


def report(results):
    dash, exp = results
    rows = [
        ("seconds, median", "median", "{:.2f}"),
        ("seconds, each run", "times", None),
        ("SQL statements", "queries", None),
        ("tables", "tables", "{}"),
        ("published figures (cells)", "cells", "{:,}"),
        ("suppressed figures", "suppressed", "{:,}"),
        ("rolled-up nationality groups", "rolled_up", "{}"),
        ("eligible cases (Total)", "total", "{:,}"),
        ("excluded (no active consent)", "excluded", "{:,}"),
        ("JSON bytes", "json_bytes", "{:,}"),
        ("RSS before, MiB", "rss_before", "{:.0f}"),
        ("peak RSS during runs, MiB", "peak_rss", "{:.0f}"),
        ("ru_maxrss after (lifetime), MiB", "maxrss", "{:.0f}"),
        ("tracemalloc peak, MiB", "traced_peak", "{:.1f}"),
    ]
    print()
    print(f"{'':<34}{'dashboard':>30}{'JSON export':>30}")
    for label, key, fmt in rows:
        values = []
        for result in (dash, exp):
            value = result[key]
            if value is None:
                values.append("-")
            elif key == "times":
                values.append(" ".join(f"{t:.2f}" for t in value))
            elif key == "queries":
                values.append(" ".join(str(q) for q in sorted(set(value))))
            else:
                values.append(fmt.format(value))
        print(f"{label:<34}" + "".join(f"{v:>30}" for v in values))

    peak = max(dash["maxrss"], exp["maxrss"])
    checks = [
        (
            f"dashboard under {TARGET_DASHBOARD_SECONDS:.0f} s",
            dash["median"] < TARGET_DASHBOARD_SECONDS,
            f"{dash['median']:.2f} s",
        ),
        (
            f"export under {TARGET_EXPORT_SECONDS:.0f} s",
            exp["median"] < TARGET_EXPORT_SECONDS,
            f"{exp['median']:.2f} s",
        ),
        (f"peak memory under {TARGET_PEAK_MIB:.0f} MiB", peak < TARGET_PEAK_MIB, f"{peak:.0f} MiB"),
    ]
    print()
    for label, met, figure in checks:
        print(f"Target: {label:<32} {figure:>10}  {'met' if met else 'MISSED'}")
    return all(met for _label, met, _figure in checks)


def main(argv=None):
    args = parse_args(argv)
    configure(args.database_url)
    from django.core.management import call_command
    from django.db import connections

    reuse = args.reuse and seeded_cases(args.database_url) == args.cases
    if not reuse:
        recreate_database(args.database_url)
    call_command("migrate", verbosity=0, interactive=False)
    if reuse:
        vacuum_analyse()
        print(f"Reused the database: {counts()}", flush=True)
    else:
        started = time.perf_counter()
        seed(args.cases)
        seeded = time.perf_counter() - started
        fill_facts()
        vacuum_analyse()
        print(
            f"Seeded {args.cases:,} cases in {seeded:.1f} s "
            f"({time.perf_counter() - started:.1f} s with VACUUM ANALYZE): {counts()}",
            flush=True,
        )

    orgs = organisation_ids()
    if args.explain:
        explain_release(orgs)
    print(f"\nMeasuring, {args.runs} runs each, k={K}, organisations {orgs}:", flush=True)
    results = [
        measure("dashboard", dashboard, orgs, args.runs),
        measure("JSON export", export, orgs, args.runs),
    ]
    met = report(results)
    if not args.no_upkeep:
        maintenance()
    connections.close_all()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
