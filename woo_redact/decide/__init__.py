"""Decide stage: turn candidates into findings — what is redacted, on which ground, and what stays.

One module per step (rules/officials.yaml, rules/keep.yaml, rules/grounds.yaml hold the policy):

- `officials`: public officials, cited authors and places stay readable;
- `persons`: which PERSON candidates are persons, the owners of personal e-mail addresses, the
  reviewers' decisions about people;
- `identifiers`: identifiers are redacted, an organisation's mailbox, switchboard and address stay;
- `mentions`: every mention of every person found in the text, and whether it stays;
- `incoming`: what the incoming file already blacked out or marked for redaction;
- `grounds`: the Woo ground a finding gets; `merge`: one finding per span;
- `decider`: the steps in order; `boxes`: findings to page boxes (`map_boxes`);
- `people`: a reviewer's decision about a person, kept for the whole batch (people.yaml);
- `secrets`: what must not survive once the findings are decided: each redacted entity's forms.
"""
from .boxes import map_boxes
from .decider import Decider
from .identifiers import IDENTIFIER_MIN_SCORE
from .persons import PERSON_MIN_SCORE

__all__ = ["Decider", "IDENTIFIER_MIN_SCORE", "PERSON_MIN_SCORE", "map_boxes"]
