"""Detection: Presidio's analyzer for Dutch (`nlp`), the identifier recognisers from rules/
(`recognizers`), deduce's names (`names`), the structure rules of real documents (`structure`), and the
engine that runs them over a document's text (`engine`). Findings leave this stage as candidates."""
