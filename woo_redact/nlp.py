"""Presidio's analyzer for Dutch on a blank spaCy pipeline (no model to download).

A blank pipeline has empty lemmas, and Presidio's context enhancer compares lemmas with the context
words of a recogniser: without lemmas no context word would ever fire. A one-line pipeline component
sets each token's lemma to its lower-cased text.
"""
from __future__ import annotations

import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from spacy.language import Language

LANGUAGE = "nl"


@Language.component("woo_lower_lemma")
def _lower_lemma(doc):
    for token in doc:
        token.lemma_ = token.lower_
    return doc


def blank_pipeline() -> Language:
    nlp = spacy.blank(LANGUAGE)
    nlp.add_pipe("woo_lower_lemma")
    return nlp


class BlankDutchNlpEngine(SpacyNlpEngine):
    """SpacyNlpEngine over `spacy.blank("nl")` with lemmas: tokens and lemmas, no NER model."""

    def __init__(self):
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": "blank"}],
                         ner_model_configuration=NerModelConfiguration())
        self.nlp = {LANGUAGE: blank_pipeline()}

    def load(self) -> None:  # already built; never download a model
        pass


def build_analyzer(recognizers: list[EntityRecognizer]) -> AnalyzerEngine:
    """An analyzer for "nl" that runs exactly these recognisers (none of Presidio's defaults)."""
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for r in recognizers:
        registry.add_recognizer(r)
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=BlankDutchNlpEngine(),
        supported_languages=[LANGUAGE],
        context_aware_enhancer=LemmaContextAwareEnhancer(context_similarity_factor=0.35,
                                                         min_score_with_context_similarity=0.4),
    )
