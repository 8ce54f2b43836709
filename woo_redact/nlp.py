"""Presidio's analyzer for Dutch on a blank spaCy pipeline (no model to download).

Only spaCy's tokeniser runs. A blank pipeline has empty lemmas, and Presidio's context enhancer compares
lemmas with the context words of a recogniser: without lemmas no context word would ever fire. The
engine gives each token its lower-cased text as lemma. It builds Presidio's artifacts from the token
offsets spaCy keeps in arrays, with plain strings as tokens: making a spaCy Token object per token (and
looking up each word's stop-word flag in the vocabulary) took longer than tokenising.

Presidio's context enhancer looks up each result's token with a scan over all tokens and its keywords
in a list, which grows with the square of the text; here both are lookups, so a 60-page text costs
about as much as 60 single pages.
"""
from __future__ import annotations

import copy
from bisect import bisect_right

import presidio_analyzer.context_aware_enhancers.lemma_context_aware_enhancer as _lemma_module
import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.attrs import IDX, LENGTH
from spacy.language import Language

LANGUAGE = "nl"


def blank_pipeline() -> Language:
    """`spacy.blank("nl")`: the tokeniser only."""
    nlp = spacy.blank(LANGUAGE)
    nlp.max_length = 20_000_000  # no parser or NER: a long text costs little memory
    return nlp


class _Keywords(list):
    """Presidio's keyword list with set-speed `in`."""

    def __init__(self, words):
        super().__init__(words)
        self._set = frozenset(self)

    def __contains__(self, word) -> bool:
        return word in self._set


class BlankDutchNlpEngine(SpacyNlpEngine):
    """SpacyNlpEngine over an already built pipeline (default `blank_pipeline()`): tokens and lemmas, no NER.
    The artifacts' tokens are strings (Presidio's enhancer needs only their text and length)."""

    def __init__(self, nlp: Language | None = None):
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": "blank"}],
                         ner_model_configuration=NerModelConfiguration())
        self.nlp = {LANGUAGE: nlp if nlp is not None else blank_pipeline()}
        self._keyword: dict[str, tuple[str, ...]] = {}  # lemma → the keywords it gives (none for stop words)

    def load(self) -> None:  # already built; never download a model
        pass

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        nlp = self.nlp[language]
        doc = nlp.make_doc(text)
        starts, lengths = doc.to_array([IDX, LENGTH]).T.tolist() if len(doc) else ([], [])
        tokens = [text[s:s + n] for s, n in zip(starts, lengths)]
        lemmas = [t.lower() for t in tokens]
        artifacts = NlpArtifacts(entities=[], tokens=tokens, tokens_indices=starts, lemmas=lemmas,
                                 nlp_engine=None, language=language, scores=[])
        artifacts.nlp_engine = self
        artifacts.keywords = _Keywords(k for lemma in lemmas for k in self._keywords(lemma, language))
        return artifacts

    def _keywords(self, lemma: str, language: str) -> tuple[str, ...]:
        """What Presidio's NlpArtifacts.set_keywords makes of one lemma, remembered per lemma."""
        out = self._keyword.get(lemma)
        if out is None:
            lexeme = self.nlp[language].vocab[lemma]
            out = () if lexeme.is_stop or lexeme.is_punct or lemma in ("-PRON-", "be") else tuple(lemma.split(":"))
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
        nlp_engine=BlankDutchNlpEngine(),
        supported_languages=[LANGUAGE],
        context_aware_enhancer=FastLemmaContextAwareEnhancer(context_similarity_factor=0.35,
                                                             min_score_with_context_similarity=0.4),
    )
    registry.recognizers = list(recognizers)  # AnalyzerEngine fills an empty registry with Presidio's own
    return engine
