"""Label search: query words to weighted classes (real bundled label files), ranking, catalogue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from photofind.analysis.labels import (
    ANCESTOR_WEIGHT,
    KEYWORD_WEIGHT,
    NAME_WEIGHT,
    LabelMatcher,
    QueryMatch,
    TermMatch,
    normalise,
    rank,
    search,
)
from photofind.catalog.labels import LabelledPhoto, StoredLabel
from photofind.catalog.repo import Catalog, open_catalog
from photofind.resources import resource_path

CLASSES = json.loads(resource_path("labels", "imagenet1k.json").read_text(encoding="utf-8"))
WNID = {c["name"]: c["wnid"] for c in CLASSES}


@pytest.fixture(scope="module")
def matcher() -> LabelMatcher:
    return LabelMatcher.bundled()


def names(weights: dict[str, float], minimum: float = 0.0) -> set[str]:
    by_wnid = {c["wnid"]: c["name"] for c in CLASSES}
    return {by_wnid[w] for w, x in weights.items() if x >= minimum}


def test_dog_finds_the_breeds_through_the_hierarchy(matcher: LabelMatcher) -> None:
    weights = matcher.term_weights("dog")
    strong = names(weights, ANCESTOR_WEIGHT)
    assert {"Golden Retriever", "pug", "Chihuahua", "collie", "Siberian Husky"} <= strong
    assert len(strong) >= 110  # ImageNet-1k has 118 domestic dog breeds
    assert "hot dog" not in names(weights)
    assert "tabby cat" not in names(weights)


def test_plurals_match_like_the_singular(matcher: LabelMatcher) -> None:
    assert matcher.term_weights("dogs") == matcher.term_weights("dog")
    assert matcher.term_weights("cars") == matcher.term_weights("car")
    assert matcher.term_weights("Sports Cars") == matcher.term_weights("sports car")
    assert WNID["computer mouse"] in matcher.term_weights("mice")  # irregular, from WordNet


def test_car_prefers_automobiles_to_railway_cars(matcher: LabelMatcher) -> None:
    weights = matcher.term_weights("car")
    autos = {"sports car", "convertible", "taxicab", "minivan", "limousine", "jeep"}
    assert autos <= names(weights, ANCESTOR_WEIGHT)
    railway = weights[WNID["freight car"]]
    assert 0 < railway < weights[WNID["sports car"]]


def test_cat_finds_domestic_cats_first_and_big_cats_lower(matcher: LabelMatcher) -> None:
    weights = matcher.term_weights("cat")
    cats = {"tabby cat", "tiger cat", "Persian cat", "Siamese cat", "Egyptian Mau"}
    assert cats <= names(weights, ANCESTOR_WEIGHT)
    assert 0 < weights[WNID["lion"]] < weights[WNID["tabby cat"]]
    assert WNID["tiger shark"] not in weights


def test_a_class_name_outweighs_an_ancestor_and_a_keyword(matcher: LabelMatcher) -> None:
    tiger = matcher.term_weights("tiger")
    assert tiger[WNID["tiger"]] == NAME_WEIGHT
    assert all(w <= KEYWORD_WEIGHT for wnid, w in tiger.items() if wnid != WNID["tiger"])


def test_beach_finds_the_shore_classes(matcher: LabelMatcher) -> None:
    found = names(matcher.term_weights("beach"))
    assert {"beach", "sandbar"} <= found  # "beach" is imagenet1k.json's name for seashore


def test_multi_word_class_names_stay_whole(matcher: LabelMatcher) -> None:
    query = matcher.match("golden retriever")
    assert [t.text for t in query.terms] == ["golden retriever"]
    assert names(dict(query.terms[0].weights)) == {"Golden Retriever"}


def test_a_longer_query_splits_into_known_phrases(matcher: LabelMatcher) -> None:
    query = matcher.match("a Sports-Car on the BEACH, xyzzy")
    assert [t.text for t in query.terms] == ["sports car", "beach"]
    assert query.unknown == ("xyzzy",)


def test_unknown_words_match_nothing(matcher: LabelMatcher) -> None:
    assert matcher.term_weights("xyzzy") == {}
    query = matcher.match("xyzzy the")
    assert query.terms == ()
    assert query.unknown == ("xyzzy",)


def test_normalise_folds_case_accents_and_separators() -> None:
    assert normalise("  Consommé_Soup--Bowl ") == "consomme soup bowl"


def test_rank_scores_probability_times_weight_and_prefers_more_phrases() -> None:
    query = QueryMatch(
        (TermMatch("dog", {"n1": 0.8, "n2": 0.8}), TermMatch("beach", {"n3": 1.0})), ()
    )
    photos = [
        LabelledPhoto(
            Path("/p/dogs.jpg"), (StoredLabel("a", "n1", 0.6), StoredLabel("b", "n2", 0.3))
        ),
        LabelledPhoto(
            Path("/p/both.jpg"), (StoredLabel("a", "n1", 0.2), StoredLabel("c", "n3", 0.1))
        ),
        LabelledPhoto(Path("/p/none.jpg"), (StoredLabel("x", "n9", 0.9),)),
    ]
    hits = rank(photos, query, k=10)
    assert [h.path.name for h in hits] == ["both.jpg", "dogs.jpg"]
    assert hits[0].score == pytest.approx(0.2 * 0.8 + 0.1)
    assert hits[1].score == pytest.approx(0.9 * 0.8)
    assert [label.wnid for label in hits[0].labels] == ["n1", "n3"]
    assert len(rank(photos, query, k=1)) == 1


# -- the catalogue query ----------------------------------------------------------------------


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    with open_catalog(tmp_path / "catalog.db") as cat:
        yield cat


def _index(cat: Catalog, path: Path, fingerprint: str, labels: list[tuple[str, float]]) -> None:
    photo_id, _ = cat.upsert_seen(path, 100, 1)
    stored = [{"name": n, "wnid": WNID[n], "score": s} for n, s in labels]
    cat.record_indexed(photo_id, fingerprint, "m1", np.ones(4, dtype=np.float32), stored)


def test_catalog_returns_each_photo_of_a_shared_content_and_skips_offline(
    catalog: Catalog, tmp_path: Path
) -> None:
    online, offline = tmp_path / "online", tmp_path / "offline"
    catalog.add_folder(online)
    away = catalog.add_folder(offline)
    _index(catalog, online / "cat.jpg", "f1", [("tabby cat", 0.7), ("lynx", 0.1)])
    _index(catalog, online / "cat copy.jpg", "f1", [("tabby cat", 0.7), ("lynx", 0.1)])
    _index(catalog, online / "pug.jpg", "f2", [("pug", 0.9)])
    _index(catalog, offline / "cat.jpg", "f3", [("tabby cat", 0.9)])
    catalog.set_folder_online(away.id, False)

    found = catalog.photos_with_labels({WNID["tabby cat"], WNID["Persian cat"]})
    assert [p.path for p in found] == [online / "cat copy.jpg", online / "cat.jpg"]
    assert found[0].labels == (
        StoredLabel("tabby cat", WNID["tabby cat"], 0.7),
        StoredLabel("lynx", WNID["lynx"], 0.1),
    )
    assert catalog.photos_with_labels(set()) == []


def test_search_end_to_end_on_a_catalogue(catalog: Catalog, tmp_path: Path) -> None:
    catalog.add_folder(tmp_path)
    _index(catalog, tmp_path / "cat.jpg", "f1", [("tabby cat", 0.5), ("Egyptian Mau", 0.3)])
    _index(catalog, tmp_path / "lion.jpg", "f2", [("lion", 0.9)])
    _index(catalog, tmp_path / "car.jpg", "f3", [("sports car", 0.9)])
    understood, hits = search(catalog, "cats", k=5)
    assert [t.text for t in understood.terms] == ["cats"]
    assert [h.path.name for h in hits] == ["cat.jpg", "lion.jpg"]
    assert hits[0].score == pytest.approx(0.8 * ANCESTOR_WEIGHT)
    assert search(catalog, "xyzzy", k=5)[1] == []
