"""Identifier recognisers: positives and negatives side by side, through the whole Presidio path."""
from __future__ import annotations

import pymupdf
import pytest
from conftest import SHARED

from woo_redact.errors import RulesError
from woo_redact.nlp import build_analyzer
from woo_redact.recognizers import build_identifier_recognizers, elfproef, iban_mod97, luhn
from woo_redact.rules import load_rules


@pytest.fixture(scope="module")
def analyzer(rules):
    return build_analyzer(build_identifier_recognizers(rules))


def found(analyzer, text, entity):
    return [text[r.start:r.end] for r in analyzer.analyze(text=text, language="nl") if r.entity_type == entity]


CASES = [
    # (entity, text, expected matches)
    ("EMAIL_ADDRESS", "Mail naar jan.jansen@voorbeeld.nl.", ["jan.jansen@voorbeeld.nl"]),
    ("EMAIL_ADDRESS", "Plus: info+woo@overheid.nl en h.van-der-berg@gemeente-utrecht.nl", ["info+woo@overheid.nl", "h.van-der-berg@gemeente-utrecht.nl"]),
    ("EMAIL_ADDRESS", "Van: Haddou, N. <noor.haddou@minjenv.nl>", ["noor.haddou@minjenv.nl"]),
    ("EMAIL_ADDRESS", "Geen adres: jan@ of @voorbeeld.nl of jan.jansen", []),
    ("PHONE_NUMBER", "T 070 123 4567 | M 06-12345678", ["070 123 4567", "06-12345678"]),
    ("PHONE_NUMBER", "bel 070-1234567, 0612345678 of 06 1234 5678", ["070-1234567", "0612345678", "06 1234 5678"]),
    ("PHONE_NUMBER", "+31 6 12345678, +31612345678 en +31 (0)70 123 4567", ["+31 6 12345678", "+31612345678", "+31 (0)70 123 4567"]),
    ("PHONE_NUMBER", "vast 040 238 60 60 of +31 40 792 00 35", ["040 238 60 60", "+31 40 792 00 35"]),
    ("PHONE_NUMBER", "referentie 06-1234, KvK 12345678, datum 06-12-2024 12:43, 2019-2024", []),
    ("PHONE_NUMBER", "gratis 0800-1234567 of 0900-1234567", []),
    ("NL_BSN", "Mijn BSN is 111222333 en ook 123456782.", ["111222333", "123456782"]),
    ("NL_BSN", "dossiernummer 987654321, 999999999 en 1112223334", []),
    ("IBAN_CODE", "NL91ABNA0417164300, nl02rabo0123456789 en NL68 RABO 0338 1615 89", ["NL91ABNA0417164300", "nl02rabo0123456789", "NL68 RABO 0338 1615 89"]),
    ("IBAN_CODE", "DE89370400440532013000, BE68 5390 0754 7034 en NL91ABNA041716430", []),
    ("NL_ADDRESS", "Woonachtig aan de Morsstraat 14, 2312 AB Leiden.", ["Morsstraat 14, 2312 AB Leiden"]),
    ("NL_ADDRESS", "postcode 1234 AB of 1234AB", ["1234 AB", "1234AB"]),
    ("NL_ADDRESS", "Postbus 20018\n2500 EA Den Haag, en 1234ab, in 2024 om tien uur", []),
    ("DATE_OF_BIRTH", "geboren op 3 maart 1985, geboortedatum: 15-03-1985", ["3 maart 1985", "15-03-1985"]),
    ("DATE_OF_BIRTH", "vergadering van 21 februari 2024 en 15-03-2024", []),
    ("NL_LICENCE_PLATE", "AB-123-C, 1-ABC-23, AB-12-CD, 12-AB-34 en 12-ABC-3", ["AB-123-C", "1-ABC-23", "AB-12-CD", "12-AB-34", "12-ABC-3"]),
    ("NL_LICENCE_PLATE", "EZ-2024-456-A, ICT-2024-0118, PZH-2024-00456123, 2024-0000015519, 36410-V-27", []),
    ("CREDIT_CARD", "kaart 4532 0151 1283 0366", ["4532 0151 1283 0366"]),
    ("CREDIT_CARD", "kaart 1234 5678 9012 3456", []),
]


@pytest.mark.parametrize("entity, text, expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_recogniser(analyzer, entity, text, expected):
    assert sorted(found(analyzer, text, entity)) == sorted(expected)


def test_context_words_raise_the_score(analyzer):
    def score(text):
        return max(r.score for r in analyzer.analyze(text=text, language="nl") if r.entity_type == "NL_BSN")

    assert score("Het burgerservicenummer is 111222333.") > score("Het getal is 111222333.")


@pytest.mark.parametrize("value, ok", [("111222333", True), ("123456782", True), ("987654321", False),
                                       ("999999999", False), ("000000000", False)])
def test_elfproef(value, ok):
    assert elfproef(value) is ok


def test_iban_with_a_typo_is_still_found_but_less_sure(analyzer):
    good = found_scores(analyzer, "rekening NL91ABNA0417164300")
    typo = found_scores(analyzer, "rekening NL91ABNA0417164301")
    assert good == [1.0] and len(typo) == 1 and 0.3 <= typo[0] < 1.0


def found_scores(analyzer, text):
    return [r.score for r in analyzer.analyze(text=text, language="nl") if r.entity_type == "IBAN_CODE"]


def test_checksums():
    assert iban_mod97("NL91 ABNA 0417 1643 00") and not iban_mod97("NL91ABNA0417164301")
    assert luhn("4532 0151 1283 0366") and not luhn("1234 5678 9012 3456")


def test_woobuddy_identifier_sheet(analyzer):
    path = SHARED / "peer" / "woobuddy" / "tier1_all_identifiers.pdf"
    if not path.exists():
        pytest.skip("peer files not beside the repository")
    text = "\n".join(p.get_text() for p in pymupdf.open(path))
    hits = {text[r.start:r.end] for r in analyzer.analyze(text=text, language="nl")}
    for value in ("111222333", "123456782", "NL91ABNA0417164300", "nl02rabo0123456789", "NL68 RABO 0338 1615 89",
                  "06-12345678", "0612345678", "020-1234567", "040 2345678", "+31 6 12345678", "+31612345678",
                  "+31 40 792 00 35", "jan.jansen@voorbeeld.nl", "h.van-der-berg@gemeente-utrecht.nl", "1234 AB",
                  "1234AB", "AB-123-C", "1-ABC-23", "AB-12-CD", "12-AB-34", "12-ABC-3", "4532 0151 1283 0366"):
        assert value in hits, value
    for control in ("987654321", "999999999", "DE89370400440532013000", "BE68 5390 0754 7034", "06-1234",
                    "1234ab", "1234 5678 9012 3456"):
        assert control not in hits, control


@pytest.mark.parametrize("change, message", [
    (lambda spec: spec["recognizers"][0].update(validator="nope"), "unknown validator"),
    (lambda spec: spec["recognizers"][0]["patterns"][0].update(regex="(unclosed"), "bad regular expression"),
    (lambda spec: spec["recognizers"][0].pop("entity"), "'entity'"),
    (lambda spec: spec["recognizers"][0].update(patterns=[]), "no patterns"),
])
def test_broken_recogniser_spec_is_refused(change, message):
    import copy

    rules = load_rules()
    rules.recognizers = copy.deepcopy(rules.recognizers)
    change(rules.recognizers)
    with pytest.raises(RulesError) as e:
        build_identifier_recognizers(rules)
    assert "recognizers.yaml" in str(e.value) and message in str(e.value)


def test_identifiers_wrapping_over_a_line_break(analyzer):
    assert found(analyzer, "terug op rekening NL91 ABNA 0417 1643\n00 ten name van", "IBAN_CODE") == ["NL91 ABNA 0417 1643\n00"]
    assert found(analyzer, "bel mij op 070 123\n4567 of later", "PHONE_NUMBER") == ["070 123\n4567"]
