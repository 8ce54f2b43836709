"""Package and publish stages: the publication bundle of a batch, and where it goes from there.

Each module has one job; imports point down this list, never up:

    bundle        writes the bundle (and its zip): the `package` command's work
    publish, gpp  a checked bundle out to a static web root, or to a GPP-Woo publicatiebank
    check         the check of a bundle: manifest, inventory, completeness, schemas, redacted strings
    leesmij       LEESMIJ.txt
    inventory     inventaris.xlsx and .csv
    sitemaps      Woo-index sitemaps and robots.txt
    diwoo         DiWoo metadata, and schema validation
    plan          one row per input: ID, judgement, the paths of its files
    describe      title, date, reference, document type and organisation of a document
    textversions  the redacted text version
    items         what the stage needs of each input (BundleItem)
    vocabularies  the standards' namespaces, value lists and information categories
    times         Amsterdam time
    folders       file lists, permissions a web server can read
    redacted      the redacted strings: found, scrubbed, replaced by labels
"""
