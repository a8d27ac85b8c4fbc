"""Grouping similar unanswered questions for the office page.

Character n-grams (TF-IDF, within word boundaries) tolerate typos, word
endings and compounds ("Wohnsitz anmelden" / "Wohnung anmelden" /
"anmeldung wohnsitz") and work for every script. Groups come from
agglomerative clustering with average linkage on cosine distances: two
groups join while their questions are on average closer than
:data:`DISTANCE_THRESHOLD`.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Average cosine distance below which questions form one group (0: identical, 1: nothing shared).
DISTANCE_THRESHOLD = 0.75


def group_questions(
    texts: Sequence[str], distance_threshold: float = DISTANCE_THRESHOLD
) -> list[list[int]]:
    """Indices of ``texts`` grouped by similarity, biggest group first.

    Within a group the indices keep their order; groups of the same size keep
    the order of their first text. Empty input gives no groups; one text, one group.
    """
    if len(texts) == 0:
        return []
    if len(texts) == 1:
        return [[0]]
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    prepared = [" ".join(text.casefold().split()) or "·" for text in texts]
    vectors = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True
    ).fit_transform(prepared)
    distances = cosine_distances(vectors)
    labels = AgglomerativeClustering(
        n_clusters=None,
        affinity="precomputed",
        linkage="average",
        distance_threshold=distance_threshold,
    ).fit_predict(distances)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    return sorted(groups.values(), key=lambda group: (-len(group), group[0]))
