"""Finding people across scripts and spellings (SPEC section 7).

A name is transliterated to ASCII (`normalise`), folded so that common transliteration
variants meet, and reduced to a consonant skeleton (`skeleton`): the first letter, then
the consonants. Every person has NameKey rows (one skeleton per whole spelling, one per
name part, one per two parts of a longer spelling), kept by `refresh_name_keys` and
searched with indexed equality lookups. Identity-document numbers are encrypted, so a
keyed digest of each number (DocumentDigest) lets registration find the same document
without decrypting anything.

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
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from anyascii import anyascii
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as Case_
from django.db.models.expressions import RawSQL
from rapidfuzz import fuzz, process

from casework.models import (
    NAME_KEY_LENGTH,
    Alias,
    Case,
    DocumentDigest,
    NameKey,
    NameKind,
    NameWord,
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

# Devanagari letters with a nukta write borrowed sounds (ज़ z, फ़ f); anusvara and
# chandrabindu are a nasal that Latin spellings write "n" (मंडल Mandal).
_DEVANAGARI = [
    ("\u091c\u093c", "z"),
    ("\u095b", "z"),
    ("\u092b\u093c", "f"),
    ("\u095e", "f"),
    ("\u0921\u093c", "r"),
    ("\u095c", "r"),
    ("\u0922\u093c", "rh"),
    ("\u095d", "rh"),
    ("\u0915\u093c", "q"),
    ("\u0958", "q"),
    ("\u0916\u093c", "kh"),
    ("\u0959", "kh"),
    ("\u0917\u093c", "g"),
    ("\u095a", "g"),
    ("\u092f\u093c", "y"),
    ("\u095f", "y"),
    # Before ह and the labials the nasal is written as its neighbour says: सिंह Singh,
    # चंपा Champa.
    *[(nasal + "\u0939", "ng\u0939") for nasal in ("\u0902", "\u0901")],
    *[
        (nasal + lab, "m" + lab)
        for nasal in ("\u0902", "\u0901")
        for lab in "\u092a\u092b\u092c\u092d\u092e"
    ],
    ("\u0902", "n"),
    ("\u0901", "n"),
    ("\u093c", ""),
]
_ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff]+")
# Arabic script writes long vowels with consonant letters and drops short ones: inside
# a word, waw and ya are read as vowels, alef with hamza at the start as "a", ta
# marbuta and alef maqsura as "a". The article al- is left out (المدهون, Madhoun).
_ARABIC_INITIAL = str.maketrans({"\u0627": "a", "\u0623": "a", "\u0625": "i", "\u0622": "a"})
_ARABIC_INNER = str.maketrans(
    {
        "\u0648": "u",
        "\u064a": "i",
        "\u06cc": "i",
        "\u0629": "a",
        "\u0649": "a",
        "\u0624": "u",
        "\u0626": "i",
        "\u0621": "",
        "\u0627": "a",
        "\u0623": "a",
        "\u0625": "i",
        "\u0622": "a",
    }
)


def _arabic_word(match: re.Match) -> str:
    word = match.group()
    if word.startswith("\u0627\u0644") and len(word) > 4:
        word = word[2:]
    head, rest = word[:1].translate(_ARABIC_INITIAL), word[1:].translate(_ARABIC_INNER)
    if rest.endswith("uf"):  # -ov, as Russian surnames are written: رحمانوف Rakhmonov
        rest = rest[:-2] + "ov"
    return f"{head}{rest}"


_LATIN_FIXES = str.maketrans({"č": "ch", "ć": "ch", "Č": "Ch", "Ć": "Ch"})


def _script_fixes(text: str) -> str:
    """Spell Devanagari and Arabic-script letters the way Latin spellings of names do.

    Also Slavic č and ć, which anyascii writes "c" where Cyrillic has ч (Čop, Чоп).
    """
    text = text.translate(_LATIN_FIXES)
    for native, latin in _DEVANAGARI:
        text = text.replace(native, latin)
    return _ARABIC_LETTERS.sub(_arabic_word, text)


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


@lru_cache(maxsize=65536)  # the same names come back: every candidate, every night
def normalise(name: str) -> str:
    """The name in lowercase ASCII letters, words separated by single spaces."""
    text = _script_fixes(unicodedata.normalize("NFKC", name or ""))
    text = _transliterate(text).lower()
    # Apostrophes (O'Brien, the soft sign of Natal'ya) join; other punctuation separates.
    text = re.sub(r"['`\u2019]", "", text)
    text = re.sub(r"[^a-z]+", " ", text)
    return " ".join(text.split())


# One pass, longest first; each maps straight to its final letter.
_DIGRAPHS = [
    ("tsch", "h"),
    ("tsh", "h"),
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


@lru_cache(maxsize=65536)
def _fold_word(word):
    if word.startswith("x"):
        word = "h" + word[1:]
    word = _DIGRAPH_RE.sub(lambda m: _DIGRAPH_MAP[m.group()], word)
    word = re.sub(r"c(?=[eiy])", "s", word)
    word = word.replace("c", "k").replace("q", "k").replace("x", "ks")
    # "w" closing a syllable is a vowel: Chowdhury is Choudhury, Farrow is Фэрроу.
    # Not -ow at the end, which is German for -ov (Tschernow).
    word = re.sub(r"(?<=[aeiou])w(?=[^aeiouy])|(?<=[aeiu])w$", "u", word)
    word = word.replace("w", "v").replace("z", "s")
    # "-vf" is how Arabic script writes -ov (رحمانوف -> rhmnwf).
    word = word.replace("vf", "v")
    word = word[:1] + word[1:].replace("y", "i")
    return re.sub(r"(.)\1+", r"\1", word)


def fold(name: str) -> str:
    """The normalised name with transliteration variants folded together (vowels kept)."""
    return " ".join(_fold_word(word) for word in normalise(name).split())


@lru_cache(maxsize=65536)
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


def pair_key(a: str, b: str) -> str:
    """The key of two name parts held together, in either order."""
    return " ".join(sorted((a, b)))[:KEY_LENGTH]


def _keys_of_spellings(spellings):
    keys, pairs = set(), set()
    for spelling in spellings:
        words = normalise(spelling).split()
        parts = [_skeleton_word(_fold_word(w)) for w in words]
        keys.add((" ".join(sorted(parts))[:KEY_LENGTH], NameKind.FULL.value))
        tokens = sorted(
            {part[:KEY_LENGTH] for word, part in zip(words, parts, strict=True) if len(word) >= 2}
        )
        keys.update((token, NameKind.TOKEN.value) for token in tokens)
        pairs.update(pair_key(a, b) for n, a in enumerate(tokens) for b in tokens[n + 1 :])
    # A two-part spelling's whole-name key already is its pair: searches look up a key
    # whatever its kind.
    full = {key for key, kind in keys if kind == NameKind.FULL}
    keys.update((pair, NameKind.PAIR.value) for pair in pairs - full)
    return keys


def _person_spellings(person, aliases=None) -> list[str]:
    """The person's names, name in own script and aliases (theirs unless given)."""
    if aliases is None:
        aliases = [a.name for a in person.aliases.all()]
    return _spellings(person.given_name, person.family_name, person.native_name, aliases)


def keys_for_person(person, aliases=None) -> set[tuple[str, str]]:
    """Every (key, kind) of the person: names, name in own script and every alias."""
    return _keys_of_spellings(_person_spellings(person, aliases))


def refresh_name_keys(person):
    """Rewrite the person's name keys; call after saving the person or one of its aliases."""
    refresh_name_keys_bulk([person])


def refresh_name_keys_bulk(persons):
    """Rewrite the name keys of many persons: one alias query, one delete, one insert,
    and one insert of the name parts new to the vocabulary (NameWord)."""
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
    words = sorted({row.key for row in rows if row.kind == NameKind.TOKEN})
    with transaction.atomic():
        NameKey.objects.filter(person_id__in=ids).delete()
        NameKey.objects.bulk_create(rows, batch_size=5000)
        NameWord.objects.bulk_create(
            [NameWord(key=key, loose=loose_key(key)) for key in words],
            batch_size=5000,
            ignore_conflicts=True,
        )


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


# --- Ranked name search -----------------------------------------------------------------
#
# A name part typed in any script becomes a key (skeleton); the vocabulary of every key a
# person holds (NameWord) gives its nearest keys, each with a similarity from 0 to 1; the
# persons holding them are scored by the mean, over the typed parts, of their best
# similarity. PostgreSQL finds the nearest words with a trigram GiST index (KNN on the
# loose key); other databases compare with every word in Python.
#
# At a million persons a family name is held by thousands, so the work must not grow with
# the holders: a name of two parts is looked up as pairs of near keys (NameKind.PAIR: the
# persons holding both, one index probe each), one part as its near keys, and of each key
# only the first MAX_RANKED holders in the order of the ranking (newest first for a search)
# are read, from an index on (organisation, key, person) alone. A longer name is looked
# up by a pair of its longest parts, whose holders are then scored on every part.

NEAREST_WORDS = 100  # vocabulary words looked at per typed part
WORD_KEYS = 50  # of which at most this many, the most similar, are searched for
MIN_WORD_SIMILARITY = 0.5
# Matching a description looks for fewer, and none this far behind the part's closest
# word: each is held by thousands of persons in a large deployment, and a person holding
# only them would rank far behind. (A search prunes exactly instead: see score_names.)
MATCH_WORD_KEYS = 20
MATCH_WORD_MARGIN = 0.3
PROBE_MARGIN = 0.1  # score_names ranks first on the keys this close to the closest
MAX_LOOKUPS = 300  # keys (or pairs of keys) looked up per group, the most promising first
ANCHOR_HOLDERS = 5000  # holders read per pair of a longer name, then scored on every part
# Past this many, only the persons found by every pair of a longer name are scored (with
# score_names's `every_part`); below, anyone found by one of them.
RESCORED_HOLDERS = 2000
MAX_ANCHOR_PAIRS = 3  # pairs looked up per name: its six longest parts
SEARCH_MIN_SCORE = 0.7  # mean similarity of the typed parts
SEARCH_MARGIN = 0.12  # a search shows the persons scoring within this of the best
MAX_RANKED = 200
RANK = "search_rank"  # the annotation search_persons orders by, best first
# Name words as spelt (rapidfuzz ratio, vowels kept) at least this close are as close as
# two transliterations of one word get (सिंह is "sinh" for Singh): not ranked apart.
SPELLING_CLOSE = 85

_LOOSE = str.maketrans({"p": "b", "v": "b", "f": "b", "w": "b", "j": "g", "q": "k", "h": None})


@lru_cache(maxsize=65536)
def loose_key(key: str) -> str:
    """A coarser key: letters that scripts write differently (b p v f, j g, h) alike.

    Cyrillic writes H as Г or not at all (Hervé is Эрве), Arabic has no p or v and
    writes ج for both j and g: the loose key of "hrv" and of "arv" is "rv".
    """
    body = key[1:] if key[:1] == "a" else key
    loose = re.sub(r"(.)\1+", r"\1", body.replace("ts", "s").translate(_LOOSE))
    return loose or key


@lru_cache(maxsize=262144)  # pairs recur across candidates and descriptions
def word_similarity(query: str, key: str) -> float:
    """How close a stored key is to a typed one, 0 to 1; a typed beginning counts too."""
    if query == key:
        return 1.0
    best = max(fuzz.ratio(query, key), 0.95 * fuzz.ratio(loose_key(query), loose_key(key)))
    best /= 100
    if len(query) >= 2 and key.startswith(query):  # "Rahm" for Rakhmonov
        best = max(best, 0.75 + 0.15 * len(query) / len(key))
    return best


def query_keys(text: str) -> list[str]:
    """The keys of the typed name parts of two letters or more, in order, no repeats."""
    return list(_query_keys(text))


@lru_cache(maxsize=65536)
def _query_keys(text: str) -> tuple[str, ...]:
    keys: list[str] = []
    for word in normalise(text).split():
        key = _skeleton_word(_fold_word(word))
        if len(word) >= 2 and key not in keys:
            keys.append(key)
    return tuple(keys)


# --- Other readings of a typed word ------------------------------------------------------
#
# Russian practical transcription and Hindi spelling write names of other languages in
# ways a letter-by-letter transliteration misreads. A typed word in those scripts is also
# searched as these readings, a little behind its usual one (READING_WEIGHT): only the
# typed side, so stored keys stay one per spelling.

READING_WEIGHT = 0.95
_VOWEL_CYR = "аеёиоуэюяы"
# A Japanese name in Cyrillic (Polivanov): open syllables, н, doubled consonants, no л.
_JAPANESE_CYR = re.compile(
    rf"(?:(?:дз|[бвгдзйкмнпрстфхц])?[{_VOWEL_CYR}]|н(?![{_VOWEL_CYR}])|([кпст])(?=\1))+"
)
_JAPANESE_READING = [
    ("дзи", "ji"), ("дзя", "ja"), ("дзю", "ju"), ("дзё", "jo"), ("дзе", "je"), ("дз", "z"),
    ("ти", "chi"), ("тя", "cha"), ("тю", "chu"), ("тё", "cho"),
]  # fmt: skip
# The J of German, Scandinavian and Slavic names (Jung Юнг, Jodl Йодль), the W of English
# ones (Wall Уолл), the H of older loans (Hermogenes Гермоген), at the start of a word.
_INITIAL_READING = re.compile(rf"^(?:й|ю|я|е|ё|у(?=[{_VOWEL_CYR}])|г)")
_INITIAL_LATIN = {"й": "j", "ю": "ju", "я": "ja", "е": "je", "ё": "jo", "у": "w", "г": "h"}
_DEVANAGARI_JA = "\u091c"
_DEVANAGARI_CHHA = "\u091b"


def _readings(word: str) -> list[str]:
    """Other readings of one typed word, written half in Latin letters for normalise."""
    lower = word.lower()
    found = []
    if _JAPANESE_CYR.fullmatch(lower) and ("дз" in lower or "т" in lower):
        japanese = lower
        for cyrillic, latin in _JAPANESE_READING:
            japanese = japanese.replace(cyrillic, latin)
        found.append(japanese)
    if _INITIAL_READING.match(lower):
        found.append(_INITIAL_LATIN[lower[0]] + lower[1:])
    if "х" in lower:  # the Spanish J and G before e, i: Javier Хавьер, Gines Хинес
        found.append(lower.replace("х", "j"))
    if "ч" in lower:  # Italian and Romanian ci, ce: Cinzia Чинция, Ciobanu Чобану
        found.append(lower.replace("ч", "ci"))
    # Hindi writes the z of Persian and Arabic names as ज without its dot (Reza रेजा), and
    # Bengali and Assamese spellings the s as छ (Islam इछलाम).
    if _DEVANAGARI_JA in word:
        found.append(word.replace(_DEVANAGARI_JA, "z"))
    if _DEVANAGARI_CHHA in word:
        found.append(word.replace(_DEVANAGARI_CHHA, "s"))
    return found


@lru_cache(maxsize=65536)
def typed_parts(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each typed part of two letters or more, in order, no repeats: its key, and the keys
    of the part's other readings."""
    readings: dict[str, set[str]] = defaultdict(set)
    for raw in text.split():
        words = normalise(raw).split()
        if len(words) != 1 or len(words[0]) < 2:
            continue
        key = _skeleton_word(_fold_word(words[0]))
        for reading in _readings(raw):
            other = normalise(reading).split()
            if len(other) == 1 and len(other[0]) >= 2:
                readings[key].add(_skeleton_word(_fold_word(other[0])))
    return tuple((key, tuple(sorted(readings[key] - {key}))) for key in _query_keys(text))


def typed_similarity(part: tuple[str, tuple[str, ...]], key: str) -> float:
    """How close a stored key is to a typed part, read as usual or in another reading."""
    typed, others = part
    best = word_similarity(typed, key)
    for other in others:
        best = max(best, READING_WEIGHT * word_similarity(other, key))
    return best


def nearest_to_parts(parts_of_names) -> list[list[dict[str, float]]]:
    """For each name (a list of typed parts), for each part its closest held keys, read in
    any of its readings: one query."""
    flat = sorted({k for parts in parts_of_names for key, others in parts for k in (key, *others)})
    near = dict(zip(flat, nearest_words(flat), strict=True))
    result = []
    for parts in parts_of_names:
        merged = []
        for key, others in parts:
            words = dict(near[key])
            for other in others:
                for word, sim in near[other].items():
                    if READING_WEIGHT * sim > words.get(word, 0.0):
                        words[word] = READING_WEIGHT * sim
            kept = sorted(
                (item for item in words.items() if item[1] >= MIN_WORD_SIMILARITY),
                key=lambda item: (-item[1], item[0]),
            )
            merged.append(dict(kept[:WORD_KEYS]))
        result.append(merged)
    return result


def _closest(query: str, keys) -> dict[str, float]:
    scored = {key: word_similarity(query, key) for key in keys}
    kept = sorted(
        (item for item in scored.items() if item[1] >= MIN_WORD_SIMILARITY),
        key=lambda item: (-item[1], item[0]),
    )
    return dict(kept[:WORD_KEYS])


def _fewer(query: str, near: dict[str, float]) -> dict[str, float]:
    """The MATCH_WORD_KEYS closest of the typed key's nearest keys (closest first), none
    more than MATCH_WORD_MARGIN behind the closest other than the typed key (which
    nearest_words adds, whether anyone holds it or not)."""
    top = max((sim for key, sim in near.items() if key != query), default=1.0)
    kept = [(key, sim) for key, sim in near.items() if sim >= top - MATCH_WORD_MARGIN]
    return dict(kept[:MATCH_WORD_KEYS])


def nearest_in(vocabulary: list[tuple[str, str]], queries: list[str]) -> list[dict[str, float]]:
    """For each typed key, its closest keys in (key, loose key) pairs: the Python path."""
    looses = [loose for _key, loose in vocabulary]
    result = []
    for query in queries:
        near = process.extract(
            loose_key(query), looses, scorer=fuzz.ratio, limit=NEAREST_WORDS, score_cutoff=50
        )
        keys = {vocabulary[index][0] for _loose, _score, index in near}
        keys |= {key for key, _loose in vocabulary if len(query) >= 2 and key.startswith(query)}
        result.append(_closest(query, keys))
    return result


def nearest_words(queries: list[str]) -> list[dict[str, float]]:
    """For each typed key, the closest keys that some person holds: one query."""
    if not queries:
        return []
    if connection.vendor != "postgresql":
        vocabulary = list(NameWord.objects.values_list("key", "loose"))
        return nearest_in(vocabulary, queries)
    table = NameWord._meta.db_table
    parts, params = [], []
    for index, query in enumerate(queries):
        # Model table name and integers only; the keys are parameters.
        nearest = f"ORDER BY loose <-> %s LIMIT {NEAREST_WORDS}"
        parts.append(f"(SELECT {index} AS i, key FROM {table} {nearest})")  # noqa: S608
        prefixed = f"WHERE key LIKE %s LIMIT {NEAREST_WORDS}"
        parts.append(f"(SELECT {index}, key FROM {table} {prefixed})")  # noqa: S608
        params += [loose_key(query), query + "%"]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = defaultdict(set)
        for index, key in cursor.fetchall():
            found[index].add(key)
    return [_closest(query, found[index] | {query}) for index, query in enumerate(queries)]


def score_names(
    names: list[list[dict[str, float]]],
    *,
    organisation_id=None,
    persons=None,
    limit=MAX_RANKED,
    every_part=False,
    recent_first=False,
    min_score=SEARCH_MIN_SCORE,
    floor_of: Callable[[list[tuple[int, float]]], float | None] | None = None,
) -> list[tuple[int, float]]:
    """(person id, score) of the persons whose names come closest to one of the typed
    names (each a list of typed parts: key -> similarity), best first; one query, always
    two with `floor_of`.

    A person's score is their best name's: the mean, over its typed parts, of the best
    similarity of one of their keys to the part. Persons scoring below `min_score` (at
    least 0.5) are not found. With `every_part`, only persons holding a key close to
    every typed part. Equal scores go by lowest person id, or with `recent_first` newest
    person first, and only the first `limit` of them are read, wherever they stand in a
    key's holders: the work does not grow with the number of persons sharing a name.

    `floor_of` gives, from a first ranking on the closest keys only, a score below which
    the caller wants no one (or None); keys too far to reach it are then not looked up.
    """
    if not any(names):
        return []

    def ranked(chosen_names, floor):
        sql, params = _score_sql(
            chosen_names, floor, organisation_id, persons, limit, every_part, recent_first
        )
        if sql is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(person_id, float(score)) for person_id, score in cursor.fetchall()]

    if floor_of is None:
        return ranked(names, min_score)
    closest = [
        [
            {key: sim for key, sim in near.items() if sim >= max(near.values()) - PROBE_MARGIN}
            for near in words
            if near
        ]
        for words in names
    ]
    floor = floor_of(ranked(closest, min_score))
    # Always a second query, even when it could be skipped: a page's query count must not
    # depend on the data.
    return ranked(names, min_score if floor is None else max(min_score, floor))


def _lookups(names, floor, every_part, limit):
    """The keys to look up: (name, key, best score its holders can reach, holders to read,
    exact, group, groups needed). A name of one or two parts is looked up as its near keys
    or pairs of near keys, whose holders score exactly that (exact). A longer name as pairs
    of its parts, longest first, each part in a pair (a group per pair); the persons found
    in one group (in every group with `every_part` when they are many: RESCORED_HOLDERS;
    without it a person scoring 0.7 holds all but a few parts) are then scored on every
    part. Of each group the MAX_LOOKUPS most
    promising."""
    groups: dict[tuple[int, int], dict[str, tuple[float, int, bool]]] = defaultdict(dict)
    need: dict[int, int] = {}
    for n, words in enumerate(names):
        parts = [
            sorted(((key, round(sim, 4)) for key, sim in near.items()), key=lambda kv: -kv[1])
            for near in words
        ]
        count = len(parts)
        need[n] = 1
        if count == 1:
            for key, sim in parts[0]:
                if sim >= floor - 1e-9:
                    groups[n, 0][key] = (sim, limit, True)
            continue
        # The longest typed keys are the rarest: pairs of them have the fewest holders.
        order = sorted(range(count), key=lambda i: -len(parts[i][0][0]) if parts[i] else 0)
        anchors = [(order[j], order[j + 1]) for j in range(0, count - 1, 2)]
        if count % 2:
            anchors.append((order[0], order[-1]))
        anchors = anchors[:MAX_ANCHOR_PAIRS]  # the rest of a very long name is rescored only
        if every_part:
            need[n] = len(anchors)
        for group, (first, second) in enumerate(anchors):
            for a, sim_a in parts[first]:
                for b, sim_b in parts[second]:
                    bound = round((sim_a + sim_b + count - 2) / count, 4)
                    if a == b or bound < floor - 1e-9:
                        continue
                    key = pair_key(a, b)
                    entry = (bound, limit if count == 2 else ANCHOR_HOLDERS, count == 2)
                    groups[n, group][key] = max(groups[n, group].get(key, entry), entry)
    rows = []
    for (n, group), keys in sorted(groups.items()):
        best = sorted(keys.items(), key=lambda item: (-item[1][0], item[0]))[:MAX_LOOKUPS]
        rows += [(n, key, *entry, group, need[n]) for key, entry in best]
    return rows


def _score_sql(names, floor, organisation_id, persons, limit, every_part, recent_first):
    """The ranking query of score_names and its parameters; (None, []) if nothing to look up."""
    lookups = _lookups(names, floor, every_part, limit)
    if not lookups:
        return None, []
    rescored_names = {row[0] for row in lookups if not row[4]}
    parts = [
        (n, i, key, round(sim, 4), len(names[n]))
        for n in sorted(rescored_names)
        for i, near in enumerate(names[n])
        for key, sim in near.items()
        # A part this far cannot be in a score of `floor` or more.
        if sim >= len(names[n]) * floor - (len(names[n]) - 1) - 1e-3
    ]
    table = NameKey._meta.db_table
    where, where_params = _holders_scope(organisation_id, persons)
    direction = "DESC" if recent_first else ""
    lookup_values, lookup_params, part_values, part_params, hits = _value_tables(
        lookups, parts, table, where, direction
    )
    having = "HAVING COUNT(*) = MAX(parts)" if every_part else ""
    sql = f"""
        WITH c(n, key, bound, holders, exact, g, need) AS ({lookup_values}),
        q(n, i, key, sim, parts) AS ({part_values}),
        hits AS ({hits}),
        -- Materialised: each person's keys read once by person, then matched to the parts
        -- (not every part's keys probed for every person).
        held AS MATERIALIZED (
            SELECT a.n, a.person_id, k.key
            FROM (
                SELECT n, person_id FROM hits WHERE NOT exact
                GROUP BY n, person_id HAVING COUNT(DISTINCT g) >= CASE
                    WHEN (SELECT COUNT(*) FROM hits WHERE NOT exact) > {RESCORED_HOLDERS}
                    THEN MAX(need) ELSE 1 END
            ) AS a
            JOIN {table} k ON k.person_id = a.person_id
        ),
        rescored AS (
            SELECT person_id, ROUND(CAST(SUM(best) / MAX(parts) AS NUMERIC), 4) AS score
            FROM (
                SELECT h.person_id, q.n, q.i, MAX(q.sim) AS best, MAX(q.parts) AS parts
                FROM held h JOIN q ON q.n = h.n AND q.key = h.key
                GROUP BY h.person_id, q.n, q.i
            ) AS t
            GROUP BY person_id, n {having}
        ),
        s AS (
            SELECT person_id, MAX(score) AS score FROM (
                SELECT person_id, CAST(bound AS NUMERIC) AS score FROM hits WHERE exact
                UNION ALL SELECT person_id, score FROM rescored
            ) AS u
            GROUP BY person_id
        )
        SELECT person_id, score FROM s WHERE score >= %s
        ORDER BY score DESC, person_id {direction} LIMIT {int(limit)}
    """  # noqa: S608 - model names, numbers and ORM-compiled SQL; keys are parameters
    params = [*lookup_params, *part_params, *where_params, round(floor, 4) - 1e-4]
    return sql, params


def _holders_scope(organisation_id, persons) -> tuple[str, list]:
    """The SQL condition (and its parameters) on a name key `k` for the persons in scope."""
    where, where_params = "", []
    if organisation_id is not None:
        where, where_params = "AND k.organisation_id = %s", [organisation_id]
    if persons is not None:
        subquery, sub_params = persons.values("pk").query.sql_with_params()
        where += f" AND k.person_id IN ({subquery})"
        where_params += list(sub_params)
    return where, where_params


def _value_tables(lookups, parts, table, where, direction):
    """The lookups and parts as SQL tables, and the holders of each looked-up key (hits),
    in the backend's own way: arrays on PostgreSQL, VALUES elsewhere."""
    if connection.vendor == "postgresql":
        # Array parameters: psycopg takes long to parse hundreds of placeholders.
        lookup_values = (
            "SELECT * FROM unnest(%s::int[], %s::text[], %s::float8[], %s::int[], %s::bool[],"
            " %s::int[], %s::int[])"
        )
        lookup_params: list = [list(column) for column in zip(*lookups, strict=True)]
        part_values = (
            "SELECT * FROM unnest(%s::int[], %s::int[], %s::text[], %s::float8[], %s::int[])"
        )
        part_params: list = [list(column) for column in zip(*parts, strict=True)] or [[]] * 5
        # The newest (or first) holders of each key, read from the index alone.
        hits = f"""
            SELECT c.n, c.bound, c.exact, c.g, c.need, h.person_id FROM c CROSS JOIN LATERAL (
                SELECT k.person_id FROM {table} k WHERE k.key = c.key {where}
                ORDER BY k.person_id {direction} LIMIT c.holders
            ) AS h"""  # noqa: S608 - model names and ORM-compiled SQL
    else:
        lookup_values = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(lookups))
        lookup_params = [value for row in lookups for value in row]
        part_values = (
            "VALUES " + ", ".join(["(%s, %s, %s, %s, %s)"] * len(parts))
            if parts
            else "SELECT 0, 0, '', 0.0, 1 WHERE 1 = 0"
        )
        part_params = [value for row in parts for value in row]
        hits = f"""
            SELECT c.n, c.bound, c.exact, c.g, c.need, k.person_id
            FROM c JOIN {table} k ON k.key = c.key {where}"""  # noqa: S608 - as above
    return lookup_values, lookup_params, part_values, part_params, hits


def _shown_floor(ranked: list[tuple[int, float]]) -> float:
    """The lowest score `shown` keeps of these ranked persons (or of more, ranked alike)."""
    return max(SEARCH_MIN_SCORE, ranked[0][1] - SEARCH_MARGIN) if ranked else SEARCH_MIN_SCORE


def shown(ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The ranked persons a search shows: good enough, and not far behind the best."""
    if not ranked:
        return []
    floor = _shown_floor(ranked)
    return [(person_id, score) for person_id, score in ranked if score >= floor - 1e-9]


def search_persons(cases, text: str, organisation_id=None):
    """The cases of `cases` whose reference or person's name matches the text, best first.

    Stays a queryset: it composes with access-scoped querysets and pagination; a name
    search annotates RANK (0 for the best) and orders by it. Given the organisation whose
    cases `cases` holds, persons are looked up in its keys only. Four queries before the
    queryset: the nearest words, two rankings of persons (at most MAX_RANKED), their names.
    Equal scores go by closer spelling, then by latest activity (the cut at MAX_RANKED
    keeps the newest persons of a tie).
    """
    text = (text or "").strip()
    if not text:
        return cases
    reference = as_reference(text)
    if reference:
        return cases.filter(reference=reference)
    keys = query_keys(text)
    if not keys:
        # Initials only ("M. R."): the whole-name key, exactly.
        parts = sorted(_skeleton_word(_fold_word(w)) for w in normalise(text).split())
        if not parts:
            return cases.none()
        full = NameKey.objects.filter(kind=NameKind.FULL, key=" ".join(parts)[:KEY_LENGTH])
        return cases.filter(person_id__in=full.values("person_id"))
    ranked = shown(
        score_names(
            nearest_to_parts([typed_parts(text)]),
            organisation_id=organisation_id,
            every_part=True,
            recent_first=True,
            floor_of=_shown_floor,
        )
    )
    if not ranked:
        return cases.none()
    return _ranked_cases(cases, _closer_spellings_first(ranked, text))


def _spelling_score(typed: list[str], spellings) -> float:
    """Mean over the typed words of their best rapidfuzz ratio to a word of the spellings,
    at most SPELLING_CLOSE."""
    words = {w for spelling in spellings for w in fold(spelling).split()}
    if not typed or not words:
        return 0.0
    best = [min(SPELLING_CLOSE, max(fuzz.ratio(t, w) for w in words)) for t in typed]
    return sum(best) / len(typed)


def _closer_spellings_first(ranked: list[tuple[int, float]], text: str):
    """Ranked persons with equal keys' scores reordered by how close their names are as
    spelt, vowels included (Rakhmonov before Rakhmanova for Рахмонов); else unchanged."""
    typed = fold(text).split()
    names = Person.objects.filter(pk__in=[pid for pid, _score in ranked]).values_list(
        "pk", "given_name", "family_name", "native_name"
    )
    closeness = {
        pk: round(_spelling_score(typed, [f"{given} {family}", native]))
        for pk, given, family, native in names
    }
    # A stable sort: persons as close keep the recency order of score_persons.
    return sorted(
        ((pid, score, closeness.get(pid, 0)) for pid, score in ranked),
        key=lambda item: (-item[1], -item[2]),
    )


class _TierOf(Func):
    """tiers[array_position(ids, person_id)]: the tier of the row's person (PostgreSQL)."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        (tiers, p1), (ids, p2), (person, p3) = map(compiler.compile, self.source_expressions)
        return f"({tiers})[array_position({ids}, {person})]", [*p1, *p2, *p3]


def _ranked_cases(cases, ranked: list[tuple[int, float, int]]):
    """The cases of these (person, score, closeness), best first, annotated with RANK: the
    same for persons as good, whose cases the list then orders by latest activity."""
    ids = [pid for pid, _score, _closeness in ranked]
    tiers, tier, previous = [], -1, None
    for _pid, score, closeness in ranked:
        tier += (score, closeness) != previous
        tiers.append(tier)
        previous = (score, closeness)
    if connection.vendor == "postgresql":
        # Array parameters, not one placeholder per person (see score_persons).
        array = Value(ids, output_field=ArrayField(BigIntegerField()))
        rank = _TierOf(Value(tiers, output_field=ArrayField(IntegerField())), array, F("person_id"))
        persons = RawSQL("SELECT unnest(%s::bigint[])", (ids,))  # noqa: S611 - one parameter
        order = (RANK, "-last_activity_at", "-id")
        return cases.filter(person_id__in=persons).annotate(**{RANK: rank}).order_by(*order)
    position = Case_(
        *[When(person_id=pid, then=Value(t)) for pid, t in zip(ids, tiers, strict=True)],
        default=Value(len(ids)),
        output_field=IntegerField(),
    )
    cases = cases.filter(person_id__in=ids).annotate(**{RANK: position})
    return cases.order_by(RANK, "-last_activity_at", "-id")


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
        score = _name_score(new_forms, _forms(_person_spellings(person)))
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


# --- Matching a described person (family inquiries) -------------------------------------
#
# Fellegi-Sunter: each field compared gives a level, and each level a weight
# log2(m / u), m the chance of that level for the same person, u for two different
# persons. The score is their sum; unknown fields weigh nothing. The m and u below are
# judgement, not fitted: no labelled pairs exist yet (splink would estimate them by EM).

MATCH_THRESHOLD: float = 10.0
MATCH_CANDIDATES = 100  # persons scored on names, before the other fields are compared
NAME_AGREE = 0.9  # name score (mean similarity of the name parts) for "agree"
NAME_CLOSE = 0.7

_M_U = {
    ("name", "agree"): (0.9, 0.002),
    ("name", "close"): (0.08, 0.02),
    ("name", "disagree"): (0.02, 0.978),
    ("birth_year", "agree"): (0.55, 0.03),
    ("birth_year", "close"): (0.35, 0.12),
    ("birth_year", "disagree"): (0.1, 0.85),
    ("nationality", "agree"): (0.92, 0.1),
    ("nationality", "disagree"): (0.08, 0.9),
    ("place", "agree"): (0.5, 0.01),
    ("place", "close"): (0.2, 0.05),
    ("place", "disagree"): (0.3, 0.94),
    ("sex", "agree"): (0.95, 0.5),
    ("sex", "disagree"): (0.05, 0.5),
    ("phone", "agree"): (0.4, 0.000001),
    ("document", "agree"): (0.5, 0.0000001),
}


def level_weight(field: str, level: str) -> float:
    """The Fellegi-Sunter weight of one comparison level: log2(m/u); 0 when unknown."""
    m, u = _M_U.get((field, level), (1.0, 1.0))
    return math.log2(m / u)


@dataclass(frozen=True)
class Description:
    """What is known of a sought person."""

    names: tuple[str, ...]  # whole names, any spelling, any script
    sex: str = ""  # vocabularies.Sex value or ""
    birth_year: int | None = None
    nationalities: tuple[str, ...] = ()  # ISO 3166 alpha-2
    place_of_origin: str = ""
    phone_digests: tuple[str, ...] = ()  # identifier_digest("phone", ...)
    document_digests: tuple[str, ...] = ()  # document_digest(number)


@dataclass(frozen=True)
class Comparison:
    """One field compared: its level and its weight in the score."""

    field: str  # "name" | "birth_year" | "nationality" | "place" | "sex" | "phone" | "document"
    level: str  # "agree" | "close" | "disagree" | "unknown"
    weight: float
    detail: str = ""  # e.g. the agreeing name parts, for display


@dataclass(frozen=True)
class Match:
    """A registered person who may be the one described, with why."""

    person_id: int
    organisation_id: int
    score: float
    comparisons: tuple[Comparison, ...]


def normalise_phone(value: str) -> str:
    """Digits only, international prefix (+ or 00) and trunk zeros dropped."""
    digits = re.sub(r"\D", "", value or "")
    return digits.lstrip("0")


def identifier_digest(kind: str, value: str) -> str:
    """Keyed digest of a phone number ("phone") or social-media handle ("handle").

    Phones keep their digits without leading zeros, so +977 98-123 and 0097798123 meet;
    handles are lower-cased without @. Keyed as document_digest; "" for empty input.
    """
    if kind == "phone":
        normalised = normalise_phone(value)
    else:
        normalised = (value or "").strip().lstrip("@").strip().lower()
    if not normalised:
        return ""
    if not settings.FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is not set.")
    key = _digest_key(settings.FIELD_ENCRYPTION_KEYS[0])
    return hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def _name_candidates(names, persons) -> dict[int, float]:
    """Person id -> best name score over the described names, NAME_CLOSE or more: three
    queries. (A name scoring less weighs too little for the threshold without a phone or
    document number, whose holders are candidates anyway.)"""
    per_name = [parts for parts in map(typed_parts, names) if parts]
    words = [
        [_fewer(key, near) for (key, _others), near in zip(parts, nearest, strict=True)]
        for parts, nearest in zip(per_name, nearest_to_parts(per_name), strict=True)
    ]

    def last_kept(ranked):  # no one scoring below the last of a full list is kept
        return ranked[-1][1] if len(ranked) >= MATCH_CANDIDATES else None

    return dict(
        score_names(
            words,
            persons=persons,
            limit=MATCH_CANDIDATES,
            min_score=NAME_CLOSE,
            floor_of=last_kept,
        )
    )


def _digest_holders(description, persons) -> tuple[set[int], set[int]]:
    """The persons holding one of the described phone numbers, and document numbers."""
    phones: set[int] = set()
    documents: set[int] = set()
    if description.phone_digests:
        from casework.models import PersonIdentifier

        held = PersonIdentifier.objects.filter(digest__in=description.phone_digests)
        if persons is not None:
            held = held.filter(person__in=persons)
        phones = set(held.values_list("person_id", flat=True))
    if description.document_digests:
        held_docs = DocumentDigest.objects.filter(
            # The index starts with the organisation: list them, there are few.
            organisation_id__in=Person.objects.values("organisation_id").distinct(),
            digest__in=description.document_digests,
        )
        if persons is not None:
            held_docs = held_docs.filter(identity_document__person__in=persons)
        documents = set(held_docs.values_list("identity_document__person_id", flat=True))
    return phones, documents


def _compare_names(names, person) -> Comparison:
    """Name level from the best whole-name score; detail: the person's agreeing parts."""
    spellings = _person_spellings(person)
    words = {w: _skeleton_word(_fold_word(w)) for s in spellings for w in normalise(s).split()}
    typed = [parts for parts in map(typed_parts, names) if parts]
    if not typed:
        return Comparison("name", "unknown", 0.0)
    best, agreeing = 0.0, []
    held = set(words.values())
    for parts in typed:
        if not words:
            continue
        # Once per (typed part, held key): word_similarity is cached across candidates.
        sims = {(p, key): typed_similarity(p, key) for p in parts for key in held}
        scores = [max(sims[p, key] for key in held) for p in parts]
        best = max(best, sum(scores) / len(scores))
        agreeing += [
            w for w, key in words.items() if any(sims[p, key] >= NAME_AGREE for p in parts)
        ]
    level = "agree" if best >= NAME_AGREE else "close" if best >= NAME_CLOSE else "disagree"
    detail = " ".join(dict.fromkeys(agreeing))
    return Comparison("name", level, level_weight("name", level), detail)


def _level(field, level, detail="") -> Comparison:
    return Comparison(field, level, level_weight(field, level), detail)


def _compare_fields(description, person) -> list[Comparison]:
    """Birth year, nationality, place of origin and sex of the person against the description."""
    found = []
    year, theirs = description.birth_year, person.birth_year
    if year and theirs:
        gap = abs(int(year) - int(theirs))
        found.append(
            _level(
                "birth_year",
                "agree" if gap == 0 else "close" if gap <= BIRTH_YEAR_TOLERANCE else "disagree",
                str(theirs),
            )
        )
    else:
        found.append(_level("birth_year", "unknown"))
    wanted = {c.upper() for c in description.nationalities if c}
    countries = {str(n.country.code) for n in person.nationalities.all()}
    if wanted and countries:
        common = sorted(wanted & countries)
        found.append(_level("nationality", "agree" if common else "disagree", " ".join(common)))
    else:
        found.append(_level("nationality", "unknown"))
    place, their_place = fold(description.place_of_origin), fold(person.place_of_origin)
    if place and their_place:
        ratio = fuzz.token_set_ratio(place, their_place)
        level = "agree" if ratio >= 90 else "close" if ratio >= 75 else "disagree"
        found.append(_level("place", level, person.place_of_origin if level != "disagree" else ""))
    else:
        found.append(_level("place", "unknown"))
    known = {"", "unknown"}
    if description.sex not in known and person.sex not in known:
        found.append(_level("sex", "agree" if description.sex == person.sex else "disagree"))
    else:
        found.append(_level("sex", "unknown"))
    return found


def match_persons(
    description: Description, *, persons: QuerySet[Person] | None = None, limit: int = 20
) -> list[Match]:
    """Registered persons who may be the one described, best first (score descending).

    Candidates come from every organisation (persons=None) or from `persons`: those whose
    names score best, and those holding a described phone or document number. Each is
    compared field by field (Fellegi-Sunter weights). A handful of queries in all.
    """
    by_name = _name_candidates(description.names, persons)
    best_named = sorted(by_name, key=lambda pid: (-by_name[pid], pid))[:MATCH_CANDIDATES]
    phones, documents = _digest_holders(description, persons)
    ids = set(best_named) | phones | documents
    if not ids:
        return []
    candidates = Person.objects.filter(pk__in=ids).prefetch_related("nationalities", "aliases")
    matches = []
    for person in candidates:
        comparisons = [_compare_names(description.names, person)]
        comparisons += _compare_fields(description, person)
        comparisons.append(_level("phone", "agree" if person.pk in phones else "unknown"))
        comparisons.append(_level("document", "agree" if person.pk in documents else "unknown"))
        score = round(sum(c.weight for c in comparisons), 3)
        matches.append(Match(person.pk, person.organisation_id, score, tuple(comparisons)))
    matches.sort(key=lambda m: (-m.score, m.person_id))
    return matches[:limit]
