"""The coordinator's runs: one document through every stage (`pipeline`), a folder of them (`run`, with
its SQLite `state`, `workers` and a Dask cluster in `remote`), inputs made PDF (`convert`, `archive`),
the review page (`overview`), a reviewer's decisions applied (`review`) and the gate on any PDF
(`verify_gate`)."""
