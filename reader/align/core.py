"""Passages, counterpart scoring and the monotone alignment (see ``reader.align``)."""
from __future__ import annotations

import bisect
import dataclasses
import gc
import hashlib
import math
import threading

import regex
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from collections.abc import Callable, Sequence
from functools import cached_property, partial
from itertools import chain
from typing import cast

from reader.align.facts import STRONG, WEAK, WEIGHTS, Fact, FactKey, passages_facts, reason
from reader.align.fuzzy import near_sounds
from reader.align.split import in_parts_many
from reader.lang.language import split_paragraphs
from reader.lang.sentences import sentence_spans

LONG_PARAGRAPH = 400  # characters: a longer paragraph is split into sentences
MIN_SCORE = 1.0  # a pair scoring less (facts by rarity, position, length) is not a counterpart
ANCHOR_EVIDENCE = 2.0  # independent evidence a counterpart needs (see evidence())
HINT_EVIDENCE = 1.0  # a pair with less (one name, one number) is no counterpart, but it may
HINT_SHARE = 0.5  # steer the alignment (sync) between counterparts, at this share of its score
PROMOTE_ON_CHAIN = True  # a hint on the monotone chain of the alignment is a counterpart (see align())
RARE = 2  # a strong fact stated in at most this many passages of each document is rare (a news
# story restates its key figure in the headline)
WEIGHT_OF_WORDS = 0.5  # all the words a pair shares (kind "word") together
TOPIC_SHARE = 0.3  # a fact stated in more of a document's passages than this is its topic
COMMON = 40  # a fact stated in more passages than this is too common to find candidates by
POSITION_WEIGHT = 0.8
LENGTH_WEIGHT = 0.3
GALE_CHURCH_CELLS = 40_000  # larger gaps between anchors are interpolated, not length-aligned


_FactFields = tuple[str, FactKey, str, int, int, int, bool]


class _PlainFacts:
    """How the facts of a chunk of passages travel back from a forked worker (``split.Transfer``): each
    passage's facts as plain tuples of their seven fields, made a ``Fact`` again by ``tuple.__new__``.
    Pickling a ``Fact`` calls Python code once per fact (its ``__getnewargs__``, and its ``__new__`` when
    read back); a plain tuple is pickled and read by C code alone (issue 19 item 9)."""

    @staticmethod
    def pack(results: list[dict[FactKey, Fact]]) -> object:
        return [tuple([tuple(f) for f in found.values()]) for found in results]

    @staticmethod
    def unpack(packed: object) -> list[dict[FactKey, Fact]]:
        new = tuple.__new__
        return [{fields[1]: new(Fact, fields) for fields in found} for found in cast("list[tuple[_FactFields, ...]]", packed)]



@dataclass(frozen=True, init=False)
class Passage:
    index: int
    start: int
    end: int

    def __init__(self, index: int, start: int, end: int) -> None:
        # what the generated __init__ does, without its object.__setattr__ per field (frozen), as
        # Counterpart's: 40k passages for the bench's 20k pair, made before the workers start
        d = self.__dict__
        d["index"], d["start"], d["end"] = index, start, end


def passages(text: str, long_paragraph: int = LONG_PARAGRAPH, lang: str | None = None) -> list[Passage]:
    """Paragraphs of ``text``; a paragraph longer than ``long_paragraph`` becomes its sentences
    (pysbd, in ``lang``: ``reader.lang.sentences``)."""
    spans: list[tuple[int, int]] = []
    for s, e in split_paragraphs(text):
        if e - s <= long_paragraph:
            spans.append((s, e))
            continue
        spans += [(a, b) for a, b in sentence_spans(text, s, e, lang) if b > a]
    return [Passage(i, s, e) for i, (s, e) in enumerate(spans)]


@dataclass
class DocumentFacts:
    """One document cut into passages, with the facts each passage states."""

    doc_id: str
    lang: str | None
    length: int
    passages: list[Passage]
    facts: list[dict[FactKey, Fact]]  # per passage: fact key -> first fact with that key
    df: Counter[FactKey] = field(default_factory=Counter)  # fact key -> passages stating it

    @cached_property
    def passage_starts(self) -> list[int]:
        """Where each passage starts, in order."""
        return [p.start for p in self.passages]

    def passage_at(self, offset: int) -> Passage | None:
        """The passage containing ``offset``, or the nearest one before it (None before the first).
        A binary search (``suggest --links`` asks once per annotation of long documents)."""
        i = bisect.bisect_right(self.passage_starts, offset) - 1
        return self.passages[i] if i >= 0 else (self.passages[0] if self.passages else None)


_LOWER_LATIN = regex.compile(r"(?<![\p{L}\p{M}])\p{Ll}[\p{Latin}\p{M}]*")
_BEFORE_SENTENCE = regex.compile(r"(?:\A|[.!?…:;\n])[\s\"“”«»‘’'(\-–—]*\Z")


_NAME_KINDS = frozenset({"name", "sound"})  # the kinds _sentence_word can reject


def _sentence_word(text: str, f: Fact, lower: LowerWords) -> bool:
    """Is ``f`` a capitalised word that starts a sentence and that the document also writes in
    lower case ("Also", "Pressure")? Then the capital says nothing: it is no name."""
    if f.kind not in ("name", "sound") or not f.latin or f.start != f.group_id:
        return False
    if not _BEFORE_SENTENCE.search(text, max(0, f.start - 8), f.start):
        return False
    return text[f.start:f.end].casefold() in lower


class LowerWords:
    """The words a document writes in lower case (``_LOWER_LATIN``), asked word by word: ``w in
    LowerWords(text)`` is ``w in set(_LOWER_LATIN.findall(text))``, found only for the words asked
    about (the capitalised first words of sentences), each once. Reading every lower-case word of the
    bench's 20k pair took 0.18 s before the workers could start (issue 19 item 9); most documents ask
    about a few hundred words, and the bench's about none ("The", "Il" are stop words).

    Exact: a match of the pattern starts where the character before is no letter or mark, and a match
    covering a later position has a Latin letter or mark just before it, so the matches of ``findall``
    are exactly the positions where the pattern matches; ``w`` is one of them when it matches at an
    occurrence of ``w`` and ends with it (hypothesis test in ``tests/unit/test_align_facts.py``)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._known: dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        known = self._known.get(word)
        if known is None:
            known = self._known[word] = self._find(word)
        return known

    def _find(self, word: str) -> bool:
        text, n = self._text, len(word)
        if not n:
            return False
        p = text.find(word)
        while p >= 0:
            if not (p and text[p - 1].isalpha()):  # isalpha is \p{L}: the lookbehind fails there
                m = _LOWER_LATIN.match(text, p)
                if m is not None and m.end() == p + n:
                    return True
            p = text.find(word, p + 1)
        return False


#: facts of the last documents read, by (content hash, language): comparing the same documents again
#: (the compare screen reopened, a second ``suggest --links``) does not extract their facts again
FACTS_CACHE_SIZE = 16
_facts_cache: OrderedDict[tuple[str, str | None], DocumentFacts] = OrderedDict()
_facts_lock = threading.Lock()


def document_facts(text: str, lang: str | None = None, doc_id: str = "") -> DocumentFacts:
    """The passages of ``text`` and the facts each states (cached by content; the result is shared:
    callers read it, never change it)."""
    found = documents_facts([(text, lang, doc_id)])
    assert found is not None  # nothing can stop it
    return found[0]


def documents_facts(docs: Sequence[tuple[str, str | None, str]],
                    progress: Callable[[int, int], None] | None = None,
                    should_stop: Callable[[], bool] | None = None) -> list[DocumentFacts] | None:
    """``document_facts`` of each ``(text, lang, doc_id)`` of ``docs``, the ones not cached found
    together: the passages of long documents are shared among processes as one piece of work
    (``reader.align.split.in_parts_many``), so no CPU waits between one document and the next.
    ``progress(done, total)`` counts passages; None when ``should_stop`` says to stop."""
    keys = [(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), lang) for text, lang, _ in docs]
    out: list[DocumentFacts | None] = []
    with _facts_lock:
        for key, (_, _, doc_id) in zip(keys, docs, strict=True):
            cached = _facts_cache.get(key)
            if cached is not None:
                _facts_cache.move_to_end(key)
            out.append(dataclasses.replace(cached, doc_id=doc_id) if cached is not None else None)
    todo = [i for i, found in enumerate(out) if found is None]
    new = _documents_facts([docs[i] for i in todo], progress, should_stop) if todo else []
    if new is None:
        return None
    with _facts_lock:
        for i, found in zip(todo, new, strict=True):
            out[i] = found
            _facts_cache[keys[i]] = found
            while len(_facts_cache) > FACTS_CACHE_SIZE:
                _facts_cache.popitem(last=False)
    return [found for found in out if found is not None]


class _GCPause:
    """The cyclic garbage collector paused while facts are extracted: a long document makes
    hundreds of thousands of facts (no cycles among them, refcounting frees the rest), and each
    full collection would walk them all again (0.8 s of 5.8 s CPU for the 40k passages of
    bench_align_scale). Nested and threaded uses count: the last one out restores the collector.

    What the pause made leaves it in the oldest generation (``gc.freeze()`` then ``gc.unfreeze()``
    moves every tracked object there, without walking any, as mypy does after loading its graph):
    left young, the first allocations after the pause walked them all, once per generation (1.9 s
    of CPU after the facts and the alignment of the bench's 20k pair). They are walked again only
    by the next full collection, which comes when enough other objects have grown old (it also
    collects any cycle among them)."""

    _lock = threading.Lock()
    _depth = 0
    _was_enabled = False

    def __enter__(self) -> None:
        with _GCPause._lock:
            if _GCPause._depth == 0:
                _GCPause._was_enabled = gc.isenabled()
                gc.disable()
            _GCPause._depth += 1

    def __exit__(self, *exc: object) -> None:
        with _GCPause._lock:
            _GCPause._depth -= 1
            if _GCPause._depth == 0 and _GCPause._was_enabled:
                gc.freeze()  # unfreeze() also thaws what the app froze (its next heap settle freezes again)
                gc.unfreeze()
                gc.enable()


def _document_facts(text: str, lang: str | None, doc_id: str) -> DocumentFacts:
    found = _documents_facts([(text, lang, doc_id)])
    assert found is not None  # nothing can stop it
    return found[0]


def _documents_facts(docs: Sequence[tuple[str, str | None, str]],
                     progress: Callable[[int, int], None] | None = None,
                     should_stop: Callable[[], bool] | None = None) -> list[DocumentFacts] | None:
    with _GCPause():
        cut = [passages(text, lang=lang) for text, lang, _ in docs]
        jobs = []
        for (text, lang, _), ps in zip(docs, cut, strict=True):
            jobs.append((partial(_kept_facts, text, lang, LowerWords(text)), [(p.start, p.end) for p in ps]))
        # the passages of long documents are shared among processes (reader.align.split): the same facts
        # how many passages state each key, counted piece by piece as the facts come (Counter counts
        # an iterable in C): meanwhile, not in one go after them (0.09 s for the 20k pair)
        dfs: list[Counter[FactKey]] = [Counter() for _ in docs]
        found = in_parts_many(jobs, progress=progress, should_stop=should_stop, transfer=_PlainFacts(),
                              each=lambda part, facts: dfs[part].update(chain.from_iterable(facts)))
        if found is None:
            return None
        return [DocumentFacts(doc_id, lang, len(text), ps, facts, df)
                for (text, lang, doc_id), ps, facts, df in zip(docs, cut, found, dfs, strict=True)]


def _kept_facts(text: str, lang: str | None, lower: LowerWords, spans: list[tuple[int, int]]) -> list[dict[FactKey, Fact]]:
    """The facts each passage of ``spans`` keeps: by key, the first one, sentence words left out."""
    facts: list[dict[FactKey, Fact]] = []
    for p_facts in passages_facts(text, spans, lang):
        found: dict[FactKey, Fact] = {}
        for f in p_facts:
            if f.kind in _NAME_KINDS and _sentence_word(text, f, lower):
                continue
            found.setdefault(f.key, f)
        facts.append(found)
    return facts


@dataclass(frozen=True, init=False)
class Counterpart:
    """Passage ``a`` of one document and passage ``b`` of another, with the facts they share.
    Its ``reasons`` are told when first read: of the 20,400 counterparts of two documents of
    20k paragraphs, a reader looks at a few (0.1 s of the alignment's 1.0 s, issue 19 item 9)."""

    a: Passage
    b: Passage
    score: float
    shared: tuple[tuple[Fact, Fact], ...] = ()  # (fact in a, fact in b), strongest first
    evidence: float = ANCHOR_EVIDENCE  # independent evidence (see core.evidence)
    position: float = 0.0  # what the place of the two passages adds to the score (for the reasons)
    flip: bool = False  # a and b swapped since the reasons were told (they keep the first a's words)

    def __init__(self, a: Passage, b: Passage, score: float, shared: tuple[tuple[Fact, Fact], ...] = (),
                 evidence: float = ANCHOR_EVIDENCE, position: float = 0.0, flip: bool = False) -> None:
        # what the generated __init__ does, without its object.__setattr__ per field (frozen), as
        # Fact's: one counterpart per pair of passages of two long documents
        d = self.__dict__
        d["a"], d["b"], d["score"], d["shared"], d["evidence"], d["position"], d["flip"] = \
            a, b, score, shared, evidence, position, flip

    def flipped(self) -> "Counterpart":
        return Counterpart(self.b, self.a, self.score, tuple((y, x) for x, y in self.shared), self.evidence,
                           self.position, not self.flip)

    @cached_property
    def reasons(self) -> tuple[str, ...]:
        """What the two passages share, strongest first ("both state 300,000–900,000 USD"), and
        "at about the same place" when their places add to the score."""
        return _reasons(tuple((y, x) for x, y in self.shared) if self.flip else self.shared, self.position)

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)


def _reasons(shared: Sequence[tuple[Fact, Fact]], position: float) -> tuple[str, ...]:
    ranges = [(fa.key[1], fa.key[2]) for fa, _ in shared if fa.kind == "range"]
    out: list[str] = []
    words = [fa.shown for fa, _ in shared if fa.kind == "word"]
    for fa, fb in shared:
        if fa.kind == "word":
            if words:
                out.append(reason("word", ", ".join(words[:4])))
                words = []
            continue
        if fa.kind == "amount" and any(fa.key[1] in r for r in ranges):
            continue  # "both state 300,000–900,000 USD" says it already
        # show the form that carries a currency or the longer name; a name in Latin script
        shown = fb.shown if len(fb.shown) > len(fa.shown) and fa.kind in ("range", "amount", "name") else fa.shown
        if fa.kind == "sound" and fa.latin and fb.latin:
            continue  # the name says it
        if fa.kind == "sound":
            shown = fa.shown if fa.latin or not fb.latin else fb.shown
            shown = f"{shown} ({fb.shown if shown == fa.shown else fa.shown})"
        r = reason(fa.kind, shown)
        if r not in out:
            out.append(r)
    if position >= POSITION_WEIGHT / 2:
        out.append("at about the same place")
    return tuple(out)


def idf(df_a: int, df_b: int) -> float:
    """How much one shared fact counts for its rarity: 1 for a fact each document states
    once, less the more passages state it (as in IDF: logarithmic, never zero)."""
    return 1.0 / (1.0 + 0.5 * math.log(max(1, df_a * df_b)))


def _kind(fa: Fact, fb: Fact) -> str:
    """The kind a shared fact counts as, the same both ways: the weaker of the two kinds
    ("200 USD" meets a bare "200": a number); a sound shared by two non-Latin words is a word.
    (``_Scorer.score`` decides the same, inline; this and ``_points`` are its reference.)"""
    if fa.kind == "sound" and not fa.latin and not fb.latin:
        return "word"
    return fa.kind if WEIGHTS[fa.kind] <= WEIGHTS[fb.kind] else fb.kind


def _points(kind: str, rare: bool, common: bool) -> float:
    if kind in STRONG:
        return 2.0 if rare else 1.0
    return 0.5 if kind in WEAK or common else 1.0


def _common(df: int, n: int) -> bool:
    """Is a fact stated in ``df`` of ``n`` passages the document's topic rather than a detail
    (the company every paragraph names)? More than ``TOPIC_SHARE`` of them, and more than 2."""
    return df > 2 and df > TOPIC_SHARE * n


def evidence(shared: list[tuple[float, Fact, Fact, str, float]]) -> float:
    """Pieces of independent evidence in ``shared`` ((weight, fact a, fact b, kind, points)):
    a rare strong fact (money, a date, a percentage) is 2, another strong or a medium fact
    (a name, a number, a quote) 1, a weak one (a month, a weekday, a small count, a word) or
    one the whole document keeps stating 0.5; facts of one phrase count once, on each side, and
    the words two passages share count as one weak fact, however many (two documents in one
    language share many). (``_Scorer.score`` counts the same, inline.)"""
    side_a: dict[int, float] = {}
    side_b: dict[int, float] = {}
    words = 0.0
    for _, x, y, kind, pts in shared:
        if kind == "word":  # shared vocabulary, however much, is one weak fact
            words = WEIGHT_OF_WORDS
            continue
        side_a[x.group_id] = max(side_a.get(x.group_id, 0.0), pts)
        side_b[y.group_id] = max(side_b.get(y.group_id, 0.0), pts)
    return min(sum(side_a.values()), sum(side_b.values())) + words


def score_pair(fa: DocumentFacts, i: int, fb: DocumentFacts, j: int, need: float = 0.0) -> Counterpart | None:
    """The counterpart of passage ``i`` of ``fa`` and ``j`` of ``fb``, or None when their shared
    facts are not enough: an anchor needs two independent facts, or one rare strong fact
    (``ANCHOR_EVIDENCE``); a single name or month is never enough. The score weighs each
    shared fact by its kind and rarity (``idf``), plus position and length. ``need``: the
    evidence asked for (default ``ANCHOR_EVIDENCE``; the alignment also takes weaker hints)."""
    return _Scorer(fa, fb).score(i, j, need)


class _Scorer:
    """``score_pair`` for many pairs of passages of two documents (``counterparts`` scores
    every candidate pair: 21k for two documents of 20k paragraphs). The same arithmetic, in
    the same order, as ``evidence``, ``idf``, ``_kind`` and ``_points`` spell it out, with what
    depends only on how many passages state a key (its rarity) found once per pair of counts, and no
    function call per shared fact (``tests/unit/test_align_frozen.py``; a hypothesis test
    against the general code in ``tests/unit/test_align_scoring.py``)."""

    def __init__(self, fa: DocumentFacts, fb: DocumentFacts) -> None:
        self.fa, self.fb = fa, fb
        self.la, self.lb = max(fa.length, 1), max(fb.length, 1)
        # (passages of a stating a key, of b) -> (idf, rare, common): a handful of pairs of counts
        self.rarity: dict[tuple[int, int], tuple[float, bool, bool]] = {}

    def _rarity(self, df: tuple[int, int]) -> tuple[float, bool, bool]:
        da, db = df
        found = (idf(da, db), da <= RARE and db <= RARE,
                 _common(da, len(self.fa.passages)) or _common(db, len(self.fb.passages)))
        self.rarity[df] = found
        return found

    def score(self, i: int, j: int, need: float = 0.0) -> Counterpart | None:
        need = need or ANCHOR_EVIDENCE
        A, B = self.fa.facts[i], self.fb.facts[j]
        rarity, df_a, df_b, kinds = self.rarity, self.fa.df, self.fb.df, _KINDS
        # (-weight, start in a, rank, x, y, phrase of x)
        shared: list[tuple[float, int, int, Fact, Fact, int]] = []
        side_a: dict[int, float] = {}  # evidence(): the points of each phrase, on each side
        side_b: dict[int, float] = {}
        words = 0.0
        anchoring = False  # a kind not in WEAK
        k = 0  # the rank of x in a: ties of the sort below never depend on string hashes
        for key, x in A.items():
            y = B.get(key)
            if y is None:
                k += 1
                continue
            kx, ky = x.kind, y.kind
            if kx == "sound" and not x.latin and not y.latin:  # _kind()
                kind = "word"
            else:
                kind = kx if kx == ky or WEIGHTS[kx] <= WEIGHTS[ky] else ky
            df = (df_a[key], df_b[key])
            weight, rare, common = rarity.get(df) or self._rarity(df)
            kind_weight, strong, weak = kinds[kind]
            ga = x.start if x.group < 0 else x.group
            shared.append((-(kind_weight * weight), x.start, k, x, y, ga))
            k += 1
            if kind == "word":  # evidence(): shared vocabulary, however much, is one weak fact
                words = WEIGHT_OF_WORDS
                continue
            if strong:  # _points()
                pts = 2.0 if rare else 1.0
            else:
                pts = 0.5 if weak or common else 1.0
            if not weak:
                anchoring = True
            if pts > side_a.get(ga, 0.0):
                side_a[ga] = pts
            g = y.start if y.group < 0 else y.group
            if pts > side_b.get(g, 0.0):
                side_b[g] = pts
        if not shared:
            return None
        in_a, in_b = sum(side_a.values()), sum(side_b.values())
        found = (in_a if in_a <= in_b else in_b) + words  # min(): the first of equal values, as here
        if found < need or not anchoring:
            return None
        # sorted by weight, heaviest first, then by place in a; the rank keeps the sort stable
        # and the facts themselves are never compared
        shared.sort()
        best: dict[int, float] = {}  # one weight per phrase of a (a name's words, a range's ends)
        for w, _, _, _, _, g in shared:
            if -w > best.get(g, 0.0):
                best[g] = -w
        fa, fb = self.fa, self.fb
        pa, pb = fa.passages[i], fb.passages[j]
        mid_a = (pa.start + pa.end) / 2 / self.la
        mid_b = (pb.start + pb.end) / 2 / self.lb
        position = POSITION_WEIGHT * max(0.0, 1 - abs(mid_a - mid_b) / 0.25)
        la = (pa.end - pa.start) / self.la
        lb = (pb.end - pb.start) / self.lb
        length = LENGTH_WEIGHT * (min(la, lb) / max(la, lb) if max(la, lb) > 0 else 0)
        score = sum(best.values()) + position + length
        return Counterpart(pa, pb, round(score, 3), tuple([(x, y) for _, _, _, x, y, _ in shared]), found, position)


#: a kind's weight, and whether it is strong and weak (``_points``), read once per shared fact
_KINDS = {kind: (weight, kind in STRONG, kind in WEAK) for kind, weight in WEIGHTS.items()}


def with_near_names(fa: DocumentFacts, fb: DocumentFacts) -> DocumentFacts:
    """``fb`` with each name's sound that nearly equals one of ``fa``'s (``reader.align.fuzzy``:
    "Цукерберг" ~ "Zuckerberg") keyed as that one, so that the two count as one shared fact;
    ``fb`` itself when none does."""
    ours = {str(k[1]) for k in fa.df if k[0] == "sound"}
    theirs = {str(k[1]) for k in fb.df if k[0] == "sound"}
    near = near_sounds(ours, theirs)
    if not near:
        return fb
    facts: list[dict[FactKey, Fact]] = []
    df: Counter[FactKey] = Counter()
    for found in fb.facts:
        moved: dict[FactKey, Fact] = {}
        for key, f in found.items():
            if key[0] == "sound" and key[1] in near:
                key = ("sound", near[str(key[1])])
                f = f._replace(key=key)
            moved.setdefault(key, f)
        facts.append(moved)
        df.update(moved.keys())
    return dataclasses.replace(fb, facts=facts, df=df)


def counterparts(fa: DocumentFacts, fb: DocumentFacts, min_score: float = MIN_SCORE,
                 need: float = ANCHOR_EVIDENCE) -> list[Counterpart]:
    """Every pair of passages that share enough facts (``score_pair``) and score at least
    ``min_score``, by passage of ``fa`` then best first. Candidates come from an index of the
    facts of ``fb``: only passages sharing a fact are scored (linear in the shared facts).
    Names that sound nearly alike count as shared (``with_near_names``)."""
    fb = with_near_names(fa, fb)
    # the keys that find candidates: stated in both documents, in at most COMMON passages of each (a
    # key only one of them states finds nothing, and is left out of the index and of the lookups)
    df_a, df_b = fa.df, fb.df
    usable = {key for key, n in df_b.items() if n <= COMMON and 0 < df_a.get(key, 0) <= COMMON}
    index: dict[FactKey, list[int]] = {key: [] for key in usable}
    for j, found in enumerate(fb.facts):
        for key in usable.intersection(found):
            index[key].append(j)
    out: list[Counterpart] = []
    scorer = _Scorer(fa, fb)
    for i, found in enumerate(fa.facts):
        candidates = {j for key in usable.intersection(found) for j in index[key]}
        if len(candidates) == 1:  # nearly every passage of a long pair: no list of one to sort
            c = scorer.score(i, candidates.pop(), need)
            if c is not None and c.score >= min_score:
                out.append(c)
            continue
        mine = []
        for j in sorted(candidates):
            c = scorer.score(i, j, need)
            if c is not None and c.score >= min_score:
                mine.append(c)
        # by passage of a, then best first: the passages come in order, so each one's are sorted alone
        mine.sort(key=lambda c: (-c.score, c.b.index))
        out += mine
    return out


def _chain(pairs: list[Counterpart]) -> list[Counterpart]:
    """The heaviest chain of counterparts increasing in both documents (a weighted LIS),
    in O(n log n): pairs by passage of a, a Fenwick tree of the best chain ending below
    each passage of b. The tree holds (weight, pair) as two flat lists, compared as the tuples
    they stand for (the heavier, then the later pair), in loops written out: the 21k pairs of the bench's 20k
    paragraphs in 0.095 s instead of 0.13 s with a tuple per node and a function per step (the same chain:
    ``tests/unit/test_align_scoring.py`` against that version)."""
    if not pairs:
        return []
    pairs = sorted(pairs, key=lambda c: (c.a.index, c.b.index))
    at_a = [c.a.index for c in pairs]
    at_b = [c.b.index for c in pairs]
    size = max(at_b) + 2
    tree_w: list[float] = [0.0] * (size + 1)  # node -> best chain weight below it ...
    tree_m: list[int] = [-1] * (size + 1)  # ... and the pair it ends with (-1: none)
    n = len(pairs)
    best: list[float] = [0.0] * n
    back: list[int] = [-1] * n
    k = 0
    while k < n:
        same = k + 1
        while same < n and at_a[same] == at_a[k]:
            same += 1
        for m in range(k, same):  # pairs of one passage of a never chain with each other
            i, w, at = at_b[m], 0.0, -1  # the best (weight, pair) below passage at_b[m] of b
            while i > 0:
                if tree_w[i] > w or (tree_w[i] == w and tree_m[i] > at):
                    w, at = tree_w[i], tree_m[i]
                i -= i & -i
            best[m], back[m] = w + pairs[m].score, at
        for m in range(k, same):
            i, w = at_b[m] + 1, best[m]
            while i <= size:
                if w > tree_w[i] or (w == tree_w[i] and m > tree_m[i]):
                    tree_w[i], tree_m[i] = w, m
                i += i & -i
        k = same
    k = max(range(n), key=lambda x: best[x])
    out = []
    while k >= 0:
        out.append(pairs[k])
        k = back[k]
    return out[::-1]


def _length_beads(fa: DocumentFacts, ia: list[int], fb: DocumentFacts, ib: list[int]) -> list[tuple[list[int], list[int]]]:
    """Gale–Church beads for the passages between two anchors (nltk's implementation)."""
    if not ia or not ib or len(ia) * len(ib) > GALE_CHURCH_CELLS:
        return []
    from nltk.translate.gale_church import align_blocks

    scale = fa.length / max(fb.length, 1)  # compare lengths in the same units
    la = [max(1, fa.passages[i].end - fa.passages[i].start) for i in ia]
    lb = [max(1, round((fb.passages[j].end - fb.passages[j].start) * scale)) for j in ib]
    try:
        links = align_blocks(la, lb)
    except (ValueError, IndexError, ZeroDivisionError):
        return []
    beads: list[tuple[list[int], list[int]]] = []
    for x, y in sorted(links):
        if beads and (x in beads[-1][0] or y in beads[-1][1]):
            if x not in beads[-1][0]:
                beads[-1][0].append(x)
            if y not in beads[-1][1]:
                beads[-1][1].append(y)
        else:
            beads.append(([x], [y]))
    return [([ia[x] for x in xs], [ib[y] for y in ys]) for xs, ys in beads]


class Alignment:
    """A monotone alignment of document ``a`` to document ``b``, and every counterpart pair."""

    def __init__(self, fa: DocumentFacts, fb: DocumentFacts, pairs: list[Counterpart],
                 anchors: list[Counterpart], points: list[tuple[int, int]],
                 hints: list[Counterpart] | None = None) -> None:
        self.a, self.b = fa, fb
        self.pairs = pairs  # every counterpart, in and out of order
        self.anchors = anchors  # the monotone chain (counterparts and hints)
        self.hints = hints or []  # pairs with too little evidence to be counterparts (HINT_EVIDENCE)
        self.points = points  # (offset in a, offset in b), increasing in both
        self._xs = [p[0] for p in points]
        self._ys = [p[1] for p in points]

    @staticmethod
    def _interpolate(xs: list[int], ys: list[int], x: int) -> int:
        if not xs:
            return 0
        k = bisect.bisect_right(xs, x) - 1
        if k < 0:
            return ys[0]
        if k >= len(xs) - 1:
            return ys[-1]
        x0, x1, y0, y1 = xs[k], xs[k + 1], ys[k], ys[k + 1]
        if x1 == x0:
            return y1
        return round(y0 + (y1 - y0) * (x - x0) / (x1 - x0))

    def to_b(self, offset: int) -> int:
        """The offset in ``b`` aligned with ``offset`` in ``a``: exact at anchors, interpolated between."""
        return self._interpolate(self._xs, self._ys, offset)

    def to_a(self, offset: int) -> int:
        return self._interpolate(self._ys, self._xs, offset)

    def anchor_in(self, lo: int, hi: int) -> int | None:
        """The first offset in ``[lo, hi)`` of ``a`` that is an alignment point (a passage edge or a
        shared fact), or None: a screen row holding one lines up on it exactly."""
        k = bisect.bisect_left(self._xs, lo)
        return self._xs[k] if k < len(self._xs) and self._xs[k] < hi else None

    def flipped(self) -> "Alignment":
        pairs = sorted((c.flipped() for c in self.pairs), key=lambda c: (c.a.index, -c.score, c.b.index))
        hints = sorted((c.flipped() for c in self.hints), key=lambda c: (c.a.index, -c.score, c.b.index))
        return Alignment(self.b, self.a, pairs, [c.flipped() for c in self.anchors],
                         [(y, x) for x, y in self.points], hints)

    @cached_property
    def _pairs_by_passage(self) -> dict[int, list[Counterpart]]:
        out: dict[int, list[Counterpart]] = {}
        for c in self.pairs:
            out.setdefault(c.a.index, []).append(c)
        for found in out.values():
            found.sort(key=lambda c: -c.score)  # stable: as sorted() over the pairs gave
        return out

    def counterparts_of(self, offset: int) -> list[Counterpart]:
        """Counterparts in ``b`` of the passage of ``a`` at ``offset``, best first."""
        p = self.a.passage_at(offset)
        if p is None:
            return []
        return list(self._pairs_by_passage.get(p.index, ()))

    def hints_of(self, offset: int) -> list[Counterpart]:
        """Weaker candidates in ``b`` for the passage of ``a`` at ``offset`` (one name, one
        number: not counterparts), best first."""
        p = self.a.passage_at(offset)
        if p is None:
            return []
        return sorted((c for c in self.hints if c.a.index == p.index), key=lambda c: -c.score)

    def best_guess(self, offset: int) -> Passage | None:
        """The passage of ``b`` most likely to say what the passage of ``a`` at ``offset`` says:
        its best counterpart, else its best hint, else the passage synchronised scrolling shows."""
        found = self.counterparts_of(offset) or self.hints_of(offset)
        if found:
            return found[0].b
        p = self.a.passage_at(offset)
        return None if p is None else self.b.passage_at(self.to_b((p.start + p.end) // 2))

    def aligned_passages(self, offset: int) -> list[Passage]:
        """The passages of ``b`` aligned with the passage of ``a`` at ``offset`` (anchor or length bead)."""
        p = self.a.passage_at(offset)
        if p is None:
            return []
        lo, hi = self.to_b(p.start), self.to_b(max(p.start, p.end - 1))
        # passages are in order and do not overlap: from the one holding lo (or the first after it)
        # up to the last that starts at or before hi
        first = max(0, bisect.bisect_right(self.b.passage_starts, lo) - 1)
        last = bisect.bisect_right(self.b.passage_starts, hi)
        return [q for q in self.b.passages[first:last] if q.start <= hi and q.end > lo]


def align(fa: DocumentFacts, fb: DocumentFacts, pairs: list[Counterpart] | None = None) -> Alignment:
    """Align ``fa`` to ``fb``: the heaviest monotone chain of counterparts, gaps filled by Gale–Church."""
    with _GCPause():  # candidates and counterparts of long documents: as many objects as their facts
        return _align(fa, fb, pairs)


def _align(fa: DocumentFacts, fb: DocumentFacts, pairs: list[Counterpart] | None) -> Alignment:
    hints: list[Counterpart] = []
    weak: dict[tuple[int, int], Counterpart] = {}
    if pairs is None:
        found = counterparts(fa, fb, need=HINT_EVIDENCE)
        pairs = [c for c in found if c.evidence >= ANCHOR_EVIDENCE]
        weak = {(c.a.index, c.b.index): c for c in found if c.evidence < ANCHOR_EVIDENCE}
        hints = [dataclasses.replace(c, score=c.score * HINT_SHARE) for c in weak.values()]
    anchors = _chain(pairs + hints)
    if PROMOTE_ON_CHAIN and weak and any((c.a.index, c.b.index) not in weak for c in anchors):
        # a hint the monotone chain keeps (it agrees in order with the counterparts of the chain)
        # is a counterpart: one shared name or number, and the place the alignment expects. A
        # chain of hints alone proves nothing: a single name or number is never enough by itself
        kept = [weak[(c.a.index, c.b.index)] for c in anchors if (c.a.index, c.b.index) in weak]
        if kept:
            pairs = sorted(pairs + kept, key=lambda c: (c.a.index, -c.score, c.b.index))
            moved = {(c.a.index, c.b.index) for c in kept}
            hints = [c for c in hints if (c.a.index, c.b.index) not in moved]
    # inside an anchor pair, the shared facts line up too (figure with figure)
    points = [(0, 0)] + [(x.start, y.start) for c in anchors for x, y in c.shared]
    # each bead's edges: an anchor's passages (a bead of one passage each), and the length-aligned beads
    # of the passages between two anchors
    beads: list[tuple[list[int], list[int]]] = []
    prev_a, prev_b = -1, -1
    for c in anchors:
        pa, pb = c.a, c.b
        if pa.index > prev_a + 1 and pb.index > prev_b + 1:  # (no beads where either side of the gap is empty)
            beads += _length_beads(fa, list(range(prev_a + 1, pa.index)), fb, list(range(prev_b + 1, pb.index)))
        points += [(pa.start, pb.start), (pa.end, pb.end)]
        prev_a, prev_b = pa.index, pb.index
    if len(fa.passages) > prev_a + 1 and len(fb.passages) > prev_b + 1:
        beads += _length_beads(fa, list(range(prev_a + 1, len(fa.passages))), fb, list(range(prev_b + 1, len(fb.passages))))
    for xs, ys in beads:
        pa0, pa1 = fa.passages[xs[0]], fa.passages[xs[-1]]
        pb0, pb1 = fb.passages[ys[0]], fb.passages[ys[-1]]
        points += [(pa0.start, pb0.start), (pa1.end, pb1.end)]
    points.append((fa.length, fb.length))
    mono: list[tuple[int, int]] = []
    last_x = last_y = -1  # offsets are never negative: the first point is always kept
    for p in sorted(points):
        if p[0] >= last_x and p[1] >= last_y:
            mono.append(p)
            last_x, last_y = p
    return Alignment(fa, fb, pairs, anchors, mono, sorted(hints, key=lambda c: (c.a.index, -c.score, c.b.index)))
