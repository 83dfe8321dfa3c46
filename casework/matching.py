"""Finding people across scripts and spellings (SPEC section 7).

A name is transliterated to ASCII (`normalise`), folded so that common transliteration
variants meet, and reduced to a consonant skeleton (`skeleton`): the first letter, then
the consonants. Every person has NameKey rows (one skeleton per whole spelling, one per
name part), kept by `refresh_name_keys` and searched with indexed equality and prefix
lookups. Identity-document numbers are encrypted, so a keyed digest of each number
(DocumentDigest) lets registration find the same document without decrypting anything.

The folding, applied to each name part after `normalise`:

- "dzh", "dj", "zh", "jh" -> "j"; "sch", "sh" -> "s" (š loses its hook in
  transliteration: Šarma is Sarma); "z" -> "s"
- "kh", "ch", "tch", "tsch", "cz" -> "h", one sound class with "h": Рахмонов is
  Rakhmonov, Rachmonov or Rahmonov, and Чернов is Chernov, Tchernov or Tschernow
- "ph" -> "f", "th" -> "t", "dh" -> "d", "bh" -> "b", "gh" -> "g"
- "w" -> "v", "q" and "ck" -> "k", "c" -> "s" before e/i/y else "k"; "x" -> "ks", but
  "h" at the start of a part (Uzbek Latin Xasanov is Khasanov)
- "ou", "oo" -> "u", "ee" -> "i", "y" after a letter -> "i"; double letters -> single
- the skeleton keeps the first letter (any vowel, y included, becomes "a": Oleksandr and
  Aleksandr meet) and drops every later vowel: Mohammed, Muhammad, Mukhammad -> "mhmd".

The suffixes -ov/-ev stay. The skeleton favours recall: duplicate warnings score the
candidates it finds with rapidfuzz before showing them.
"""

import base64
import hashlib
import hmac
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from anyascii import anyascii
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from rapidfuzz import fuzz

from casework.models import (
    NAME_KEY_LENGTH,
    Alias,
    Case,
    DocumentDigest,
    NameKey,
    NameKind,
    Person,
)

SIMILAR_NAME_SCORE = 85  # rapidfuzz token_sort_ratio, 0 to 100
BIRTH_YEAR_TOLERANCE = 2
MAX_NAME_CANDIDATES = 200
# A name search filters cases by the ids of at most this many matching persons.
MAX_RESOLVED_PERSONS = 1000
KEY_LENGTH = NAME_KEY_LENGTH


# --- Normalisation -----------------------------------------------------------------

# Indic consonants that anyascii writes without their "h" (च -> c, श -> s), while Latin
# spellings of the same names write "ch" and "sh" (Chaudhary, Sharma).
_INDIC = {
    "\u091a": "ch",  # Devanagari ca
    "\u091b": "chh",  # Devanagari cha
    "\u0936": "sh",  # Devanagari sha
    "\u0937": "sh",  # Devanagari ssa
    "\u099a": "ch",  # Bengali ca
    "\u099b": "chh",  # Bengali cha
    "\u09b6": "sh",  # Bengali sha
    "\u09b7": "sh",  # Bengali ssa
}
_INDIC_TABLE = str.maketrans(_INDIC)


def _is_syllabic(char):
    # Chinese characters and Hangul syllables: one syllable each, family name first.
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xAC00 <= code <= 0xD7A3


def _transliterate(text):
    # anyascii runs syllables together (王小明 -> WangXiaoMing): write a run of them as
    # family name, then the rest in one word, as the names are written in Latin script.
    out, run = [], []
    for char in text + " ":
        if _is_syllabic(char):
            run.append(char)
            continue
        if run:
            head, rest = anyascii(run[0]), anyascii("".join(run[1:])).lower()
            out.append(f" {head} {rest} ")
            run = []
        out.append(anyascii(char.translate(_INDIC_TABLE)))
    return "".join(out)


def normalise(name: str) -> str:
    """The name in lowercase ASCII letters, words separated by single spaces."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _transliterate(text).lower()
    # Apostrophes (O'Brien, the soft sign of Natal'ya) join; other punctuation separates.
    text = re.sub(r"['`\u2019]", "", text)
    text = re.sub(r"[^a-z]+", " ", text)
    return " ".join(text.split())


# One pass, longest first; each maps straight to its final letter.
_DIGRAPHS = [
    ("tsch", "h"),
    ("tch", "h"),
    ("sch", "s"),
    ("cz", "h"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("jh", "j"),
    ("kh", "h"),
    ("ch", "h"),
    ("sh", "s"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("bh", "b"),
    ("gh", "g"),
    ("ck", "k"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
]
_DIGRAPH_RE = re.compile("|".join(a for a, _b in _DIGRAPHS))
_DIGRAPH_MAP = dict(_DIGRAPHS)
_VOWELS = frozenset("aeiouy")


def _fold_word(word):
    if word.startswith("x"):
        word = "h" + word[1:]
    word = _DIGRAPH_RE.sub(lambda m: _DIGRAPH_MAP[m.group()], word)
    word = re.sub(r"c(?=[eiy])", "s", word)
    word = word.replace("c", "k").replace("q", "k").replace("x", "ks")
    word = word.replace("w", "v").replace("z", "s")
    # "-vf" is how Arabic script writes -ov (رحمانوف -> rhmnwf).
    word = word.replace("vf", "v")
    word = word[:1] + word[1:].replace("y", "i")
    return re.sub(r"(.)\1+", r"\1", word)


def fold(name: str) -> str:
    """The normalised name with transliteration variants folded together (vowels kept)."""
    return " ".join(_fold_word(word) for word in normalise(name).split())


def _skeleton_word(folded):
    head = "a" if folded[0] in _VOWELS else folded[0]
    return head + "".join(c for c in folded[1:] if c not in _VOWELS)


def skeleton(name: str) -> str:
    """The folded key of each name part, in order: "Mukhammad Rakhmonov" -> "mhmd rhmnv"."""
    return " ".join(_skeleton_word(word) for word in fold(name).split())


# --- Keys of a person ----------------------------------------------------------------


def _spellings(given_name="", family_name="", native_name="", aliases=()):
    latin = " ".join(part for part in (given_name, family_name) if part)
    return [s for s in (latin, native_name, *aliases) if s and normalise(s)]


def _keys_of_spellings(spellings):
    keys = set()
    for spelling in spellings:
        words = normalise(spelling).split()
        parts = [_skeleton_word(_fold_word(w)) for w in words]
        keys.add((" ".join(sorted(parts))[:KEY_LENGTH], NameKind.FULL.value))
        for word, part in zip(words, parts, strict=True):
            if len(word) >= 2:
                keys.add((part[:KEY_LENGTH], NameKind.TOKEN.value))
    return keys


def keys_for_person(person, aliases=None) -> set[tuple[str, str]]:
    """Every (key, kind) of the person: names, name in own script and every alias."""
    if aliases is None:
        aliases = [a.name for a in person.aliases.all()]
    return _keys_of_spellings(
        _spellings(person.given_name, person.family_name, person.native_name, aliases)
    )


def refresh_name_keys(person):
    """Rewrite the person's name keys; call after saving the person or one of its aliases."""
    refresh_name_keys_bulk([person])


def refresh_name_keys_bulk(persons):
    """Rewrite the name keys of many persons: one alias query, one delete, one insert."""
    persons = list(persons)
    if not persons:
        return
    ids = [p.pk for p in persons]
    aliases = defaultdict(list)
    for person_id, name in Alias.objects.filter(person_id__in=ids).values_list("person_id", "name"):
        aliases[person_id].append(name)
    rows = [
        NameKey(person_id=p.pk, organisation_id=p.organisation_id, key=key, kind=kind)
        for p in persons
        # Sorted: the same persons always give the same rows in the same order.
        for key, kind in sorted(keys_for_person(p, aliases[p.pk]))
    ]
    with transaction.atomic():
        NameKey.objects.filter(person_id__in=ids).delete()
        NameKey.objects.bulk_create(rows, batch_size=5000)


# --- Document digests ------------------------------------------------------------------


# Cyrillic capitals that look like Latin ones: a number typed on a Cyrillic keyboard
# layout (АВ for AB) is the same number. anyascii would read them by sound (В -> V).
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХІЈЅ", "ABEKMHOPCTYXIJS")


def normalise_document_number(number: str) -> str:
    """Uppercase Latin letters and digits only: spaces, dashes and case do not count."""
    text = (number or "").upper().translate(_LOOKALIKES)
    return re.sub(r"[^0-9A-Z]", "", anyascii(text).upper())


@cache
def _digest_key(first_key):
    try:
        material = base64.urlsafe_b64decode(first_key.encode())
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds a malformed key.") from exc
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"homeward document digest")
    return hkdf.derive(material)


def document_digest(number: str) -> str:
    """HMAC-SHA256 of the normalised number, keyed from the first field-encryption key.

    Empty for a number with no letters or digits. Rotating the first key of
    FIELD_ENCRYPTION_KEYS changes every digest: run `manage.py rebuild_name_index`.
    """
    normalised = normalise_document_number(number)
    if not normalised:
        return ""
    if not settings.FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is not set.")
    key = _digest_key(settings.FIELD_ENCRYPTION_KEYS[0])
    return hmac.new(key, normalised.encode("ascii"), hashlib.sha256).hexdigest()


def refresh_document_digest(identity_document):
    """Rewrite the digest of one identity document; call after saving it."""
    refresh_document_digests_bulk([identity_document])


def refresh_document_digests_bulk(identity_documents):
    """Rewrite the digests of many identity documents in a fixed number of queries."""
    documents = list(identity_documents)
    if not documents:
        return
    organisations = dict(
        Person.objects.filter(pk__in={d.person_id for d in documents}).values_list(
            "pk", "organisation_id"
        )
    )
    rows = []
    for document in documents:
        digest = document_digest(document.number)
        if digest:
            rows.append(
                DocumentDigest(
                    identity_document_id=document.pk,
                    organisation_id=organisations[document.person_id],
                    digest=digest,
                )
            )
    with transaction.atomic():
        DocumentDigest.objects.filter(identity_document_id__in=[d.pk for d in documents]).delete()
        DocumentDigest.objects.bulk_create(rows, batch_size=5000)


# --- Search ------------------------------------------------------------------------------

_REFERENCE_RE = re.compile(r"HW[-\s]*([0-9A-Z]{4})[-\s]*([0-9A-Z]{4})")
# Crockford's base32 reads O as 0 and I, L as 1 (see casework.models.REFERENCE_ALPHABET).
_REFERENCE_TYPOS = str.maketrans("OIL", "011")


def as_reference(text: str) -> str | None:
    """The case reference the text spells (any case, dashes optional), or None."""
    match = _REFERENCE_RE.fullmatch(text.strip().upper())
    if not match:
        return None
    chars = "".join(match.groups()).translate(_REFERENCE_TYPOS)
    if "U" in chars:
        return None
    return f"HW-{chars[:4]}-{chars[4:]}"


def search_persons(cases, text: str, organisation_id=None):
    """The cases of `cases` whose reference or person's name matches the text.

    Stays a queryset: it composes with access-scoped querysets, ordering and pagination.
    Given the organisation whose cases `cases` holds, a name search first looks up the
    matching persons in that organisation's keys (one query) and, unless there are more
    than MAX_RESOLVED_PERSONS, filters the cases by their ids: PostgreSQL then fetches
    the few cases by index, where it estimated a semi-join on a name prefix at a thousand
    persons and scanned every case of the organisation (tests/bench/pages.py).
    """
    text = (text or "").strip()
    if not text:
        return cases
    reference = as_reference(text)
    if reference:
        return cases.filter(reference=reference)
    words = normalise(text).split()
    parts = [_skeleton_word(_fold_word(w)) for w in words]
    if not parts:
        return cases.none()

    def keys(**lookups):
        return NameKey.objects.filter(
            organisation_id=OuterRef("organisation_id"), person_id=OuterRef("person_id"), **lookups
        )

    # Initials ("M.") would match half the organisation: prefixes need two letters.
    prefixes = sorted({part for word, part in zip(words, parts, strict=True) if len(word) >= 2})
    if prefixes:
        # A whole-name match is also a match of every part, so no OR is needed: without
        # one, PostgreSQL turns each EXISTS into a semi-join that carries the queryset's
        # organisation into the (organisation_id, key) index.
        lookups = [{"kind": NameKind.TOKEN, "key__startswith": prefix} for prefix in prefixes]
    else:
        lookups = [{"kind": NameKind.FULL, "key": " ".join(sorted(parts))[:KEY_LENGTH]}]
    if organisation_id is not None:
        person_ids = _matching_person_ids(organisation_id, lookups)
        if person_ids is not None:
            return cases.filter(person_id__in=person_ids)
    return cases.filter(*(Exists(keys(**lookup)) for lookup in lookups))


def _matching_person_ids(organisation_id, lookups):
    """Ids of the organisation's persons with a key for every lookup; None if too many."""
    persons = None
    for lookup in lookups:
        keys = NameKey.objects.filter(organisation_id=organisation_id, **lookup).values("person_id")
        persons = keys if persons is None else persons.filter(person_id__in=keys)
    ids = list(persons.values_list("person_id", flat=True).distinct()[: MAX_RESOLVED_PERSONS + 1])
    return ids if len(ids) <= MAX_RESOLVED_PERSONS else None


# --- Duplicate check ---------------------------------------------------------------------


SAME_DOCUMENT = "same document number"
SIMILAR_NAME = "similar name"


@dataclass(frozen=True)
class Candidate:
    """A registered person who may be the one being registered."""

    person_id: int
    case_reference: str | None
    reason: str  # SAME_DOCUMENT or SIMILAR_NAME
    score: float  # 100 for the same document; else the name similarity, 0 to 100


def _years_compatible(a, b):
    return not a or not b or abs(int(a) - int(b)) <= BIRTH_YEAR_TOLERANCE


def _forms(spellings):
    return [(normalise(s), fold(s)) for s in spellings]


def _name_score(new_forms, forms):
    """The best token_sort_ratio over every pair of spellings, as written or folded."""
    best = 0.0
    for new_plain, new_folded in new_forms:
        for plain, folded in forms:
            best = max(
                best,
                fuzz.token_sort_ratio(new_plain, plain),
                fuzz.token_sort_ratio(new_folded, folded),
            )
    return best


def find_duplicates(
    organisation_id,
    *,
    given_name,
    family_name,
    native_name="",
    aliases=(),
    birth_year=None,
    nationalities=(),
    document_numbers=(),
    exclude_person_id=None,
    limit=10,
) -> list[Candidate]:
    """Persons of the organisation who may be this one: same document, or close name with
    compatible birth year (within two years) and nationality. Document matches first.

    Names are close when some pair of spellings (Latin, own script, aliases) scores at
    least SIMILAR_NAME_SCORE in token_sort_ratio, as normalised or as folded. At most
    five queries, whatever the size of the organisation.
    """
    same_document = _same_document_persons(organisation_id, document_numbers, exclude_person_id)
    new_spellings = _spellings(given_name, family_name, native_name, aliases)
    similar = _persons_sharing_name_parts(organisation_id, new_spellings, exclude_person_id)
    if not same_document and not similar:
        return []

    persons = _persons_with_latest_case(organisation_id, same_document | set(similar))
    wanted_countries = {str(getattr(c, "code", c)).upper() for c in nationalities if c}
    new_forms = _forms(new_spellings)
    found = []
    for person in persons:
        if person.pk in same_document:
            found.append(Candidate(person.pk, person.case_reference, SAME_DOCUMENT, 100.0))
            continue
        countries = {n.country.code for n in person.nationalities.all()}
        if not _years_compatible(birth_year, person.birth_year) or (
            wanted_countries and countries and not wanted_countries & countries
        ):
            continue
        spellings = _spellings(
            person.given_name,
            person.family_name,
            person.native_name,
            [a.name for a in person.aliases.all()],
        )
        score = _name_score(new_forms, _forms(spellings))
        if score >= SIMILAR_NAME_SCORE:
            found.append(Candidate(person.pk, person.case_reference, SIMILAR_NAME, float(score)))
    found.sort(key=lambda c: (c.reason != SAME_DOCUMENT, -c.score, c.person_id))
    return found[:limit]


def _same_document_persons(organisation_id, document_numbers, exclude_person_id) -> set[int]:
    """The persons of the organisation holding a document with one of these numbers."""
    digests = {d for d in map(document_digest, document_numbers) if d}
    if not digests:
        return set()
    return set(
        DocumentDigest.objects.filter(organisation_id=organisation_id, digest__in=digests)
        .exclude(identity_document__person_id=exclude_person_id)
        .values_list("identity_document__person_id", flat=True)
    )


def _persons_sharing_name_parts(organisation_id, spellings, exclude_person_id) -> list[int]:
    """The persons of the organisation sharing a name token with these spellings, the
    most shared first, at most MAX_NAME_CANDIDATES."""
    tokens = {key for key, kind in _keys_of_spellings(spellings) if kind == NameKind.TOKEN}
    if not tokens:
        return []
    return list(
        NameKey.objects.filter(organisation_id=organisation_id, kind=NameKind.TOKEN, key__in=tokens)
        .exclude(person_id=exclude_person_id)
        # The persons sharing the most name parts first, if there are too many.
        .values("person_id")
        .annotate(hits=Count("key", distinct=True))
        .order_by("-hits", "person_id")
        .values_list("person_id", flat=True)[:MAX_NAME_CANDIDATES]
    )


def _persons_with_latest_case(organisation_id, person_ids) -> QuerySet[Person]:
    """These persons of the organisation, each with the reference of its latest case
    (an open one first), aliases and nationalities prefetched."""
    latest_case = Case.objects.filter(person_id=OuterRef("pk")).order_by(
        F("closed_at").desc(nulls_first=True), "-created_at"
    )
    return (
        Person.objects.filter(organisation_id=organisation_id, pk__in=person_ids)
        .annotate(case_reference=Subquery(latest_case.values("reference")[:1]))
        .prefetch_related("aliases", "nationalities")
    )
