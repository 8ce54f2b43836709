"""Presidio's analyzer for Dutch without a spaCy pipeline (no model to download, no tokeniser to build).

Presidio needs tokens only for context words: a recogniser's score rises when one of its context words
stands among the few words before a match. Those words are found by a plain pattern: runs of letters and
digits joined by hyphens, dots, apostrophes, slashes, "@" or "&" ("e-mail", "tel.nr", "j.devries@minbzk.nl",
"070-123") and single punctuation marks. spaCy's Dutch tokeniser, with its thousands of special cases, cost
a second and a half to build at every start and as much again to run over a hundred pages, for context
words that Presidio matches as substrings anyway. Each token's lemma is its lower-cased text; stop words
and punctuation are spaCy's Dutch lists and rule, so the keywords are what Presidio would make of the
same lemmas.

Presidio's context enhancer looks up each result's token with a scan over all tokens and its keywords
in a list, which grows with the square of the text; here both are lookups, so a 60-page text costs
about as much as 60 single pages.
"""
from __future__ import annotations

import copy
import re
from bisect import bisect_right

import presidio_analyzer.context_aware_enhancers.lemma_context_aware_enhancer as _lemma_module
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.lang.lex_attrs import is_punct
from spacy.lang.nl.stop_words import STOP_WORDS

LANGUAGE = "nl"

TOKEN = re.compile(r"\w+(?:[-.'’/@&]\w+)*|[^\w\s]")


def tokens(text: str) -> tuple[list[str], list[int]]:
    """The tokens of `text` and where each starts: every character but white space lies in one."""
    found = [(m.group(), m.start()) for m in TOKEN.finditer(text)]
    return [t for t, _ in found], [s for _, s in found]


class _Keywords(list):
    """Presidio's keyword list with set-speed `in`."""

    def __init__(self, words):
        super().__init__(words)
        self._set = frozenset(self)

    def __contains__(self, word) -> bool:
        return word in self._set


class DutchNlpEngine(SpacyNlpEngine):
    """An NLP engine of tokens and lemmas only, for "nl" (no NER, no spaCy pipeline). The artifacts'
    tokens are strings (Presidio's enhancer needs only their text and length)."""

    def __init__(self):
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": "tokens"}],
                         ner_model_configuration=NerModelConfiguration())
        self.nlp = {LANGUAGE: None}  # loaded: there is nothing to load
        self._keyword: dict[str, tuple[str, ...]] = {}  # lemma → the keywords it gives (none for stop words)

    def load(self) -> None:  # never download a model
        pass

    def is_stopword(self, word: str, language: str) -> bool:
        return word.lower() in STOP_WORDS

    def is_punct(self, word: str, language: str) -> bool:
        return is_punct(word)

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        words, starts = tokens(text)
        lemmas = [t.lower() for t in words]
        artifacts = NlpArtifacts(entities=[], tokens=words, tokens_indices=starts, lemmas=lemmas,
                                 nlp_engine=None, language=language, scores=[])
        artifacts.nlp_engine = self
        artifacts.keywords = _Keywords(k for lemma in lemmas for k in self._keywords(lemma, language))
        return artifacts

    def _keywords(self, lemma: str, language: str) -> tuple[str, ...]:
        """What Presidio's NlpArtifacts.set_keywords makes of one lemma, remembered per lemma."""
        out = self._keyword.get(lemma)
        if out is None:
            skip = self.is_stopword(lemma, language) or self.is_punct(lemma, language) or lemma in ("-PRON-", "be")
            out = () if skip else tuple(lemma.split(":"))
            if len(self._keyword) < 200_000:
                self._keyword[lemma] = out
        return out


class _AlreadyCopied:
    """Stands in for the `copy` module inside Presidio's enhancer for one call (see below)."""

    @staticmethod
    def deepcopy(results):
        return results


def _copied(result: RecognizerResult) -> RecognizerResult:
    """A copy of a result with its own explanation and metadata: all the enhancer changes."""
    out = copy.copy(result)
    if result.analysis_explanation is not None:
        out.analysis_explanation = copy.copy(result.analysis_explanation)
    if result.recognition_metadata is not None:
        out.recognition_metadata = dict(result.recognition_metadata)
    return out


class FastLemmaContextAwareEnhancer(LemmaContextAwareEnhancer):
    """Presidio's lemma context enhancer with the match's token found by bisection, and without its
    deep copy of every result (a third of the enhancer's time on a dossier page): the results are
    copied as deep as the enhancer writes."""

    def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        results = [_copied(r) for r in raw_results]
        module_copy = _lemma_module.copy
        _lemma_module.copy = _AlreadyCopied
        try:
            return super().enhance_using_context(text, results, nlp_artifacts, recognizers, context)
        finally:
            _lemma_module.copy = module_copy

    @staticmethod
    def _find_index_of_match_token(word, start, tokens, tokens_indices) -> int:
        # the first token that ends after `start` (as Presidio's scan finds it)
        i = max(bisect_right(tokens_indices, start) - 1, 0)
        if i < len(tokens) and start >= tokens_indices[i] + len(tokens[i]):
            i += 1
        if i >= len(tokens):
            raise ValueError(f"Did not find word '{word}' in the list of tokens although it is expected to be found")
        return i


def build_analyzer(recognizers: list[EntityRecognizer]) -> AnalyzerEngine:
    """An analyzer for "nl" that runs exactly these recognisers (none of Presidio's defaults)."""
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for r in recognizers:
        registry.add_recognizer(r)
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=DutchNlpEngine(),
        supported_languages=[LANGUAGE],
        context_aware_enhancer=FastLemmaContextAwareEnhancer(context_similarity_factor=0.35,
                                                             min_score_with_context_similarity=0.4),
    )
    registry.recognizers = list(recognizers)  # AnalyzerEngine fills an empty registry with Presidio's own
    return engine
