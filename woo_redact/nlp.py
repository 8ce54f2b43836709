"""Presidio's analyzer for Dutch on a blank spaCy pipeline (no model to download).

A blank pipeline has empty lemmas, and Presidio's context enhancer compares lemmas with the context
words of a recogniser: without lemmas no context word would ever fire. A one-line pipeline component
sets each token's lemma to its lower-cased text.

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
from spacy.language import Language
from spacy.tokens import Doc

LANGUAGE = "nl"


@Language.component("woo_lower_lemma")
def _lower_lemma(doc: Doc) -> Doc:
    for token in doc:
        token.lemma_ = token.lower_
    return doc


def blank_pipeline() -> Language:
    """`spacy.blank("nl")` (tokeniser only) plus the lemma component."""
    nlp = spacy.blank(LANGUAGE)
    nlp.add_pipe("woo_lower_lemma")
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
    """SpacyNlpEngine over an already built pipeline (default `blank_pipeline()`): tokens and lemmas, no NER."""

    def __init__(self, nlp: Language | None = None):
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": "blank"}],
                         ner_model_configuration=NerModelConfiguration())
        self.nlp = {LANGUAGE: nlp if nlp is not None else blank_pipeline()}

    def load(self) -> None:  # already built; never download a model
        pass

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        artifacts = super()._doc_to_nlp_artifact(doc, language)
        artifacts.keywords = _Keywords(artifacts.keywords)
        return artifacts


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
