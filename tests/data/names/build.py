"""Build eval.tsv, the name-matching evaluation set, from the public sources in README.md.

    python tests/data/names/build.py SOURCES_DIR > tests/data/names/eval.tsv

SOURCES_DIR holds wd_russian_80, wd_russian_20, wd_arabic_80, wd_arabic_20 (Merhav and
Ash, COLING 2018, CC0), affidavits.csv and players_with_hindi_names.json (in-rolls/indicate,
MIT). Deterministic: the same sources give the same file.
"""

import csv
import hashlib
import json
import random
import sys
from pathlib import Path

PER_SPLIT = 400  # persons per script and split
MIN_COUNT = 3  # Wikidata token pairs seen at least this often (fewer one-off errors)


def held_out(key: str) -> bool:
    return hashlib.sha256(key.encode()).digest()[0] % 2 == 1


def tokens(path: Path) -> list[tuple[str, str]]:
    """(latin, native) token pairs of one Merhav-Ash slice, common ones only."""
    pairs, seen = [], set()
    for line in path.read_text(encoding="utf-8").splitlines():
        latin, native, count = line.split("\t")
        native = native.replace(" ", "")
        if int(count) >= MIN_COUNT and latin.isalpha() and len(latin) > 2 and latin not in seen:
            seen.add(latin)
            pairs.append((latin.title(), native))
    return pairs


def paired(script: str, split: str, pairs, rng) -> list[list[str]]:
    """Persons made of two token pairs: a given name and a family name."""
    rng.shuffle(pairs)
    rows = []
    for i in range(0, min(len(pairs) - 1, 2 * PER_SPLIT), 2):
        (g, ng), (f, nf) = pairs[i], pairs[i + 1]
        rows.append([split, script, g, f, f"{ng} {nf}", nf])
    return rows


def devanagari(sources: Path, rng) -> list[list[str]]:
    """Indian election candidates and cricketers: whole names in Latin and Devanagari."""
    names = {}
    with open(sources / "affidavits.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names[row["name_english"]] = row["name_hindi"]
    players = json.loads((sources / "players_with_hindi_names.json").read_text(encoding="utf-8"))
    for p in players:
        names[p["slug"].replace("-", " ")] = p["hindi_long_name"]
    rows = {"dev": [], "heldout": []}
    for latin, native in sorted(names.items()):
        words, nwords = latin.split(), native.split()
        if not 2 <= len(words) <= 4 or len(words) != len(nwords):
            continue
        if any(len(w) < 2 or not w.isalpha() for w in words):
            continue
        if not all("\u0900" <= c <= "\u097f" for w in nwords for c in w):
            continue
        words = [w.title() for w in words]
        split = "heldout" if held_out(" ".join(words)) else "dev"
        rows[split].append(
            [split, "devanagari", " ".join(words[:-1]), words[-1], " ".join(nwords), nwords[-1]]
        )
    out = []
    for split in ("dev", "heldout"):
        rng.shuffle(rows[split])
        out += sorted(rows[split][:PER_SPLIT], key=lambda r: r[2:4])
    return out


def main(sources: Path) -> None:
    rng = random.Random(12)
    rows = devanagari(sources, rng)
    for script, name in (("cyrillic", "russian"), ("arabic", "arabic")):
        for split, part in (("dev", "80"), ("heldout", "20")):
            rows += paired(script, split, tokens(sources / f"wd_{name}_{part}"), rng)
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    writer.writerow(
        ["split", "script", "given_name", "family_name", "native_name", "native_family"]
    )
    writer.writerows(rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
