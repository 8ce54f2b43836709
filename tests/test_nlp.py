"""The analyzer for "nl": tokens and lemmas without a spaCy pipeline, only our recognisers, context words that work."""
from __future__ import annotations

import pytest
from presidio_analyzer import Pattern, PatternRecognizer
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

from woo_redact.detect.nlp import DutchNlpEngine, FastLemmaContextAwareEnhancer, build_analyzer, tokens


def reference_recogniser(context=("kenmerk",)) -> PatternRecognizer:
    """A test recogniser: "ZK-" and four digits, score 0.3."""
    return PatternRecognizer(supported_entity="CASE_REF", name="CaseRef", supported_language="nl",
                             patterns=[Pattern("ref", r"\bZK-\d{4}\b", 0.3)], context=list(context))


def test_tokens_cover_every_character_but_white_space_and_lemmas_are_lower_cased():
    text = "Het Burgerservicenummer van Mw. De Vries: 111222333.\n  T 070-123 45 67 (j.devries@minbzk.nl)"
    artifacts = DutchNlpEngine().process_text(text, "nl")
    assert artifacts.tokens == ["Het", "Burgerservicenummer", "van", "Mw", ".", "De", "Vries", ":", "111222333",
                                ".", "T", "070-123", "45", "67", "(", "j.devries@minbzk.nl", ")"]
    assert all(text[s:s + len(t)] == t for t, s in zip(artifacts.tokens, artifacts.tokens_indices))
    covered = {i for t, s in zip(artifacts.tokens, artifacts.tokens_indices) for i in range(s, s + len(t))}
    assert covered == {i for i, c in enumerate(text) if not c.isspace()}
    assert artifacts.lemmas == [t.lower() for t in artifacts.tokens]
    assert DutchNlpEngine().process_text("", "nl").tokens == []
    assert tokens("e-mail: tel.nr. 070") == (["e-mail", ":", "tel.nr", ".", "070"], [0, 6, 8, 14, 16])


def test_no_spacy_pipeline_is_built():
    engine = DutchNlpEngine()
    assert engine.is_loaded() and engine.get_supported_languages() == ["nl"]
    assert engine.is_stopword("Het", "nl") and not engine.is_stopword("kenmerk", "nl")
    assert engine.is_punct("),", "nl") and not engine.is_punct("a.", "nl")


def test_keywords_are_presidios():
    """The keywords made per lemma are those Presidio's own artifacts make from the same lemmas."""
    from presidio_analyzer.nlp_engine import NlpArtifacts

    engine = DutchNlpEngine()
    text = "Het kenmerk van de zaak is ZK-1234: zie ook tel.nr. 070 en mail:info, want het moet."
    ours = engine.process_text(text, "nl")
    theirs = NlpArtifacts([], ours.tokens, ours.tokens_indices, ours.lemmas, engine, "nl")
    assert list(ours.keywords) == list(theirs.keywords)
    assert "info" in ours.keywords and "mail" in ours.keywords


def test_engine_keywords_leave_out_stopwords_and_punctuation():
    artifacts = DutchNlpEngine().process_text("Het kenmerk van de zaak is ZK-1234.", "nl")
    assert artifacts.lemmas[:2] == ["het", "kenmerk"]
    assert "kenmerk" in artifacts.keywords and "zaak" in artifacts.keywords
    assert "het" not in artifacts.keywords and "." not in artifacts.keywords


def test_context_words_raise_the_score():
    analyzer = build_analyzer([reference_recogniser()])

    def score(text):
        (r,) = analyzer.analyze(text=text, language="nl")
        return r.score

    assert score("Zie ZK-1234 hierboven.") == pytest.approx(0.3)
    assert score("Ons Kenmerk: ZK-1234") == pytest.approx(0.65)
    assert score("Kenmerk\nZK-1234") == pytest.approx(0.65)  # a label on the line above counts too


def test_context_words_only_count_before_the_match_and_nearby():
    analyzer = build_analyzer([reference_recogniser()])
    far = "kenmerk " + "een twee drie vier vijf zes zeven acht " + "ZK-1234"
    after = "ZK-1234 is het kenmerk"
    assert [r.score for r in analyzer.analyze(text=far, language="nl")] == [pytest.approx(0.3)]
    assert [r.score for r in analyzer.analyze(text=after, language="nl")] == [pytest.approx(0.3)]


def test_only_the_given_recognisers_run():
    rec = reference_recogniser()
    analyzer = build_analyzer([rec])
    assert analyzer.supported_languages == ["nl"]
    assert analyzer.registry.recognizers == [rec]
    text = "Mail jan@example.com, bel +1 212 555 0100, kaart 4532 0151 1283 0366, ZK-1234 in New York."
    assert {r.entity_type for r in analyzer.analyze(text=text, language="nl")} == {"CASE_REF"}


def test_no_recognisers_means_none_of_presidios_either():
    analyzer = build_analyzer([])
    assert analyzer.registry.recognizers == []


def test_fast_token_lookup_agrees_with_presidio():
    text = "  Van: J. de Vries <j.devries@minbzk.nl>\nT 070-123 45 67,  kenmerk ZK-1234.\n\nGroet, Jan  "
    artifacts = DutchNlpEngine().process_text(text, "nl")
    tokens, starts = artifacts.tokens, artifacts.tokens_indices
    last_end = starts[-1] + len(tokens[-1])
    for start in range(last_end):
        assert (FastLemmaContextAwareEnhancer._find_index_of_match_token("w", start, tokens, starts)
                == LemmaContextAwareEnhancer._find_index_of_match_token("w", start, tokens, starts)), start
    with pytest.raises(ValueError):
        FastLemmaContextAwareEnhancer._find_index_of_match_token("w", last_end + 1, tokens, starts)


# a dense page: 27 references among some 400 words
PAGE = ("Onderwerp: voortgang dossier ZK-{n:04d}\n"
        + "De projectgroep heeft het voorstel ZK-1{n:03d} besproken en stemt in met de planning voor het kwartaal. " * 25
        + "\nKenmerk: ZK-{n:04d}, contact via het secretariaat.\n")


def test_sixty_pages_at_once_find_what_each_page_finds():
    """A long text in one call (the enhancer's token lookups are by bisection, not a scan per result)
    scores each match as the page on its own does."""
    analyzer = build_analyzer([reference_recogniser()])
    text = "".join(PAGE.format(n=n) for n in range(60))
    found = analyzer.analyze(text=text, language="nl")
    assert len(found) == 60 * 27 and sum(r.score > 0.6 for r in found) == 60
    one = sorted(r.score for r in analyzer.analyze(text=PAGE.format(n=0), language="nl"))
    assert sorted(r.score for r in found) == sorted(one * 60)


def test_enhancer_leaves_the_results_it_is_given_alone_and_agrees_with_presidio():
    """Our enhancer skips Presidio's deep copy and copies only what it changes: the raw results keep their
    scores, and the enhanced ones equal what Presidio's own enhancer makes."""
    rec = reference_recogniser()
    text = "Ons kenmerk: ZK-1234. Zie ook ZK-5678 verderop."
    artifacts = DutchNlpEngine().process_text(text, "nl")

    def raw():
        out = rec.analyze(text, ["CASE_REF"], artifacts)
        for r in out:
            r.recognition_metadata = {"recognizer_identifier": rec.id, "recognizer_name": rec.name}
        return out

    given = raw()
    ours = FastLemmaContextAwareEnhancer(0.35, 0.4).enhance_using_context(text, given, artifacts, [rec])
    theirs = LemmaContextAwareEnhancer(0.35, 0.4).enhance_using_context(text, raw(), artifacts, [rec])
    assert [r.score for r in given] == [pytest.approx(0.3)] * 2
    assert [(r.start, round(r.score, 3)) for r in ours] == [(r.start, round(r.score, 3)) for r in theirs]
    assert ours[0].score == pytest.approx(0.65)
    assert ours[0].analysis_explanation is not given[0].analysis_explanation
    assert ours[0].analysis_explanation.supportive_context_word == "kenmerk"
