"""Rules are data, validated at load: a broken file stops the tool with the file and the line."""
from __future__ import annotations

import shutil

import pytest
from conftest import REPO

from woo_redact.errors import RulesError
from woo_redact.rules import load_rules


@pytest.fixture
def rules_copy(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(REPO / "rules", d)
    return d


def test_shipped_rules_load():
    rules = load_rules(REPO / "rules")
    assert rules.grounds["5.1.2e"].label == "Bescherming persoonlijke levenssfeer"
    assert rules.ground_for("NL_BSN") == "5.1.1e" and rules.ground_for("PERSON") == "5.1.2e"
    assert "minister" in rules.titles


@pytest.mark.parametrize("file, content, message", [
    ("grounds.yaml", "default: 5.1.2e\ngrounds:\n  5.1.2e: {label: x\n", "line"),
    ("grounds.yaml", "default: 5.1.9z\ngrounds:\n  5.1.2e: {label: x}\n", "not defined"),
    ("header_fields.yaml", "fields:\n  - {label: Aan, kind: iets}\n", "kind"),
    ("officials.yaml", "titles: [minister]\nsignatory_lines: ['(unclosed']\noffice_holders: []\n", "regular expression"),
    ("keep.yaml", "functional_mailboxes: info\n", "functional_mailboxes"),
])
def test_broken_rules_are_refused(rules_copy, file, content, message):
    (rules_copy / file).write_text(content)
    with pytest.raises(RulesError) as e:
        load_rules(rules_copy)
    assert file in str(e.value) and message in str(e.value)


def test_missing_rules_file_is_refused(rules_copy):
    (rules_copy / "officials.yaml").unlink()
    with pytest.raises(RulesError, match="officials.yaml: rules file missing"):
        load_rules(rules_copy)


def test_checksum_changes_with_the_rules(rules_copy):
    a = load_rules(rules_copy).checksum
    with open(rules_copy / "officials.yaml", "a") as fh:
        fh.write("\n# changed\n")
    assert load_rules(rules_copy).checksum != a
