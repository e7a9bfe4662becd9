"""Label search: query words to weighted ImageNet classes, and photos ranked by their labels.

A query word selects classes three ways, strongest first (weights below):

1. **Name**: the word is a class's name or synonym ("golden retriever", "taxi").
2. **Ancestor**: the word names a WordNet hypernym of the class ("dog" -> every breed, "vehicle"
   -> cars, scooters, boats...). A word with several meanings ("car": automobile, railway car,
   cable car...) matches fully only through its most common meaning among the ancestors the 1000
   classes have (WordNet's sense order), and the others at :data:`OTHER_SENSE_FACTOR`: "car"
   finds sports cars and cabs first and passenger (railway) cars far below; "cat" finds tabbies
   and Persians first and lions and tigers (WordNet's "big cat, cat") below.
3. **Keyword**: the word occurs in the class's description ("beach" -> seashore, sandbar).

Plurals ("dogs", "mice") are reduced to their singular; a query of several words is split into
the longest known phrases ("golden retriever puppy" -> "golden retriever" + "puppy"), each
scored on its own. A photo's score for a phrase is the sum, over its stored top labels, of the
label's probability times the class's weight; photos matching more phrases rank first, then by
the summed score.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photofind.errors import KnownError
from photofind.resources import resource_path

if TYPE_CHECKING:
    from photofind.catalog.labels import LabelledPhoto, LabelStore, StoredLabel

NAME_WEIGHT = 1.0
# Below a name match, so "tiger" ranks the tiger above what merely descends from a matched word.
ANCESTOR_WEIGHT = 0.8
# A less common meaning of the word still counts, but well behind its usual one.
OTHER_SENSE_FACTOR = 0.4
# Generated descriptions mention context ("seen at beaches") as well as the thing itself.
KEYWORD_WEIGHT = 0.3
MAX_PHRASE_WORDS = 5  # the longest class names and WordNet lemmas people type
STOPWORDS = frozenset({"a", "an", "and", "at", "in", "of", "on", "or", "the", "with", "photo"})
# WordNet's detachment rules for noun plurals (suffix -> replacement), irregulars aside.
_PLURAL_SUFFIXES = (
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
    ("s", ""),
)

Weights = Mapping[str, float]  # wnid -> match weight


@dataclass(frozen=True, slots=True)
class TermMatch:
    """One phrase of a query and the classes it selects."""

    text: str
    weights: Weights


@dataclass(frozen=True, slots=True)
class QueryMatch:
    """What a whole query selects: its matched phrases and the words nothing matched."""

    terms: tuple[TermMatch, ...]
    unknown: tuple[str, ...]

    @property
    def wnids(self) -> set[str]:
        """Every class any phrase selects."""
        return {wnid for term in self.terms for wnid in term.weights}


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A photo found by label search, its score and the labels that matched."""

    path: Path
    score: float
    terms_matched: int
    labels: tuple[StoredLabel, ...]


def normalise(text: str) -> str:
    """Return the matching key of a text: lowercase ASCII words, hyphens and ``_`` as spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9']+", plain.replace("_", " ")))


class LabelMatcher:
    """Maps query words to weighted ImageNet classes (see the module docstring for the rules).

    Thread affinity: immutable after construction; any thread may use it.
    """

    def __init__(self, classes: Sequence[Mapping[str, Any]], hierarchy: Mapping[str, Any]) -> None:
        """Index the classes of ``imagenet1k.json`` and the ``imagenet1k_hierarchy.json`` document.

        Args:
            classes: ``{"wnid", "name", "synonyms"}`` objects, one per class.
            hierarchy: ``nodes`` (wnid -> ``[lemmas, senses, parents]``), ``keywords`` (wnid ->
                words) and ``plurals`` (irregular plural -> singular).
        """
        nodes: Mapping[str, list[list[str]]] = hierarchy["nodes"]
        self._plurals: dict[str, str] = {
            normalise(k): normalise(v) for k, v in hierarchy["plurals"].items()
        }
        self._names = _name_index(classes, nodes)
        self._senses = _sense_index(nodes)
        self._descendants = _descendants({str(c["wnid"]) for c in classes}, nodes)
        self._keywords = _keyword_index(hierarchy["keywords"])

    @classmethod
    def bundled(cls) -> LabelMatcher:
        """Return the matcher for the bundled label files (built once per process)."""
        return _bundled()

    def match(self, query: str) -> QueryMatch:
        """Split ``query`` into known phrases and weight the classes each selects."""
        words = normalise(query).split()
        terms: list[TermMatch] = []
        unknown: list[str] = []
        start = 0
        while start < len(words):
            length, weights = self._longest_phrase(words, start)
            phrase = " ".join(words[start : start + length])
            if weights:
                terms.append(TermMatch(phrase, weights))
            elif phrase not in STOPWORDS:
                unknown.append(phrase)
            start += length
        return QueryMatch(tuple(terms), tuple(unknown))

    def term_weights(self, phrase: str) -> dict[str, float]:
        """Return wnid -> weight for one phrase (plural reduced if need be); empty if unknown."""
        for form in self._forms(normalise(phrase)):
            weights = self._weights(form)
            if weights:
                return weights
        return {}

    def _longest_phrase(self, words: Sequence[str], start: int) -> tuple[int, dict[str, float]]:
        for length in range(min(MAX_PHRASE_WORDS, len(words) - start), 0, -1):
            phrase = " ".join(words[start : start + length])
            if length == 1 and phrase in STOPWORDS:
                return 1, {}
            weights = self.term_weights(phrase)
            if weights:
                return length, weights
        return 1, {}

    def _forms(self, phrase: str) -> list[str]:
        """The phrase as typed, then with its last word made singular."""
        head, _, last = phrase.rpartition(" ")
        prefix = f"{head} " if head else ""
        forms = [phrase]
        if last in self._plurals:
            forms.append(prefix + self._plurals[last])
        for suffix, replacement in _PLURAL_SUFFIXES:
            if last.endswith(suffix) and len(last) > len(suffix) + 1:
                forms.append(prefix + last[: -len(suffix)] + replacement)
        return forms

    def _weights(self, key: str) -> dict[str, float]:
        weights: dict[str, float] = {}
        for wnid in self._keywords.get(key, ()):
            weights[wnid] = KEYWORD_WEIGHT
        senses = self._senses.get(key, [])
        best = min((sense for _, sense in senses), default=0)
        for node, sense in senses:
            weight = ANCESTOR_WEIGHT * (1.0 if sense == best else OTHER_SENSE_FACTOR)
            for wnid in self._descendants.get(node, ()):
                weights[wnid] = max(weights.get(wnid, 0.0), weight)
        for wnid in self._names.get(key, ()):
            weights[wnid] = NAME_WEIGHT
        return weights


def _name_index(
    classes: Sequence[Mapping[str, Any]], nodes: Mapping[str, list[list[str]]]
) -> dict[str, set[str]]:
    """Return key -> wnids whose name, synonyms or own WordNet lemmas it is."""
    index: dict[str, set[str]] = defaultdict(set)
    for label in classes:
        wnid = str(label["wnid"])
        names = [label["name"], *label["synonyms"], *nodes.get(wnid, [[]])[0]]
        for name in names:
            index[normalise(str(name))].add(wnid)
    return dict(index)


def _sense_index(nodes: Mapping[str, list[list[str]]]) -> dict[str, list[tuple[str, int]]]:
    """Return key -> ``(node wnid, WordNet sense number)`` of every node with that lemma."""
    index: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for wnid, (lemmas, senses, _) in nodes.items():
        for lemma, sense in zip(lemmas, senses, strict=True):
            index[normalise(lemma)].append((wnid, int(sense)))
    return dict(index)


def _descendants(classes: set[str], nodes: Mapping[str, list[list[str]]]) -> dict[str, set[str]]:
    """Return node wnid -> the classes below it (every hypernym path; a class is its own)."""
    below: dict[str, set[str]] = defaultdict(set)
    for wnid in classes:
        for ancestor in _ancestors(wnid, nodes):
            below[ancestor].add(wnid)
    return dict(below)


def _ancestors(wnid: str, nodes: Mapping[str, list[list[str]]]) -> set[str]:
    seen: set[str] = set()
    todo = [wnid]
    while todo:
        current = todo.pop()
        if current not in seen and current in nodes:
            seen.add(current)
            todo.extend(nodes[current][2])
    return seen


def _keyword_index(keywords: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    index: dict[str, set[str]] = defaultdict(set)
    for wnid, words in keywords.items():
        for word in words:
            index[normalise(word)].add(wnid)
    return dict(index)


@cache
def _bundled() -> LabelMatcher:
    return LabelMatcher(_load_json("imagenet1k.json"), _load_json("imagenet1k_hierarchy.json"))


def _load_json(name: str) -> Any:
    path = resource_path("labels", name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KnownError(f"cannot read PhotoFind's label file {path}: {exc}") from exc


def rank(photos: Iterable[LabelledPhoto], query: QueryMatch, k: int) -> list[SearchHit]:
    """Score ``photos`` against ``query`` and return the best ``k`` (score > 0 only).

    Photos matching more of the query's phrases come first, then higher scores, then paths.
    """
    hits = [hit for hit in (_score(photo, query) for photo in photos) if hit.score > 0]
    hits.sort(key=lambda hit: (-hit.terms_matched, -hit.score, str(hit.path)))
    return hits[:k]


def _score(photo: LabelledPhoto, query: QueryMatch) -> SearchHit:
    total, matched = 0.0, 0
    for term in query.terms:
        score = sum(label.score * term.weights.get(label.wnid, 0.0) for label in photo.labels)
        total += score
        matched += score > 0
    used = tuple(label for label in photo.labels if label.wnid in query.wnids)
    return SearchHit(photo.path, total, matched, used)


def search(
    store: LabelStore, query: str, k: int, matcher: LabelMatcher | None = None
) -> tuple[QueryMatch, list[SearchHit]]:
    """Find the ``k`` photos of the catalogue whose labels best match ``query``.

    Args:
        store: The catalogue (its label queries).
        query: What the user typed.
        k: How many photos at most.
        matcher: The matcher to use; the bundled label files' by default.

    Returns:
        How the query was understood, and the hits, best first (none if nothing matched).
    """
    understood = (matcher or LabelMatcher.bundled()).match(query)
    if not understood.terms:
        return understood, []
    return understood, rank(store.photos_with_labels(understood.wnids), understood, k)
