"""Dutch person names: deduce's lookup lists and name patterns, wrapped as a Presidio recogniser.

deduce builds its lookup structures on first use (about 90 s) and caches them; later loads take about
10 s. Load it once per process (`load_deduce`) with a writable cache folder, never per document.
"""
from __future__ import annotations

import functools
import gc
import json
import logging
import os
import pickle
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

# the name annotators of deduce's base configuration, and the post-processing that merges their output
NAME_PROCESSORS = {
    "names", "prefix_with_initial", "prefix_with_interfix", "prefix_with_name", "interfix_with_name",
    "initial_with_name", "initial_interfix", "first_name_lookup", "surname_lookup", "name_context",
    "person_annotation_converter", "post_processing", "overlap_resolver", "merge_adjacent_annotations",
}


def cache_dir() -> Path:
    """Where deduce's lookup cache lives: WOO_REDACT_CACHE, else XDG_CACHE_HOME or ~/.cache."""
    base = os.environ.get("WOO_REDACT_CACHE")
    if base:
        return Path(base) / "deduce"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "woo-redact" / "deduce"


# deduce's lookup structures that name detection does not use; street and healthcare-institution lists
# alone take most of deduce's ~1 GB in memory
_UNUSED_STRUCTS = ("street", "healthcare_institution", "hospital", "hospital_abbr", "eponymous_disease", "medical_term")


def _names_config() -> dict:
    """deduce's base configuration with only the name annotators."""
    import deduce

    base = json.loads((Path(deduce.__file__).parent / "base_config.json").read_text(encoding="utf-8"))
    base["annotators"] = {k: v for k, v in base["annotators"].items()
                          if v.get("group") == "names" and k != "eponymous_disease"}
    return base


def _trim_cache(full: Path, trimmed: Path) -> None:
    """Write a copy of deduce's lookup cache without the structures name detection never uses."""
    with open(full / "cache" / "lookup_structs.pickle", "rb") as fh:
        cache = pickle.load(fh)
    for key in _UNUSED_STRUCTS:
        if key in cache["lookup_structs"]:
            del cache["lookup_structs"][key]
    (trimmed / "cache").mkdir(parents=True, exist_ok=True)
    tmp = trimmed / "cache" / "lookup_structs.pickle.tmp"
    with open(tmp, "wb") as fh:
        pickle.dump(cache, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, trimmed / "cache" / "lookup_structs.pickle")
    (trimmed / "version").write_text(cache["deduce_version"], encoding="utf-8")


def _cache_version(path: Path) -> str | None:
    try:
        with open(path / "cache" / "lookup_structs.pickle", "rb") as fh:
            return pickle.load(fh).get("deduce_version")
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None


_said = [0.0]


def _stderr_progress(seconds: float | None) -> None:
    """Say that the name cache is being built, and how long it has taken: on a terminal one line that
    counts up every second, otherwise a line every 10 s."""
    tty = sys.stderr.isatty()
    if seconds is None:
        print("\r" if tty else "", "Building the name lookup cache, once (about 90 s; later runs load it in "
              "seconds)... done", sep="", file=sys.stderr, flush=True)
    elif tty:
        print(f"\rBuilding the name lookup cache, once (about 90 s; later runs load it in seconds)... "
              f"{seconds:.0f} s", end="", file=sys.stderr, flush=True)
    elif seconds == 0 or seconds // 10 > _said[0] // 10:  # the first tick past each 10 s
        _said[0] = seconds
        print(f"Building the name lookup cache, once (about 90 s; later runs load it in seconds)... "
              f"{10 * (seconds // 10):.0f} s", file=sys.stderr, flush=True)


# called with the seconds so far (0 first, then every second) while the cache is built, and with None
# when it is done; None: silent (`--quiet`)
build_progress = _stderr_progress


class _Ticker:
    """Calls `build_progress` every second in a thread while the block runs."""

    def __enter__(self):
        self._stop = threading.Event()
        self._thread = None
        report = build_progress
        if report is not None:
            start = time.monotonic()
            report(0)

            def tick():
                while not self._stop.wait(1.0):
                    report(time.monotonic() - start)

            self._thread = threading.Thread(target=tick, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            if exc[0] is None:
                build_progress(None)


@lru_cache(maxsize=1)
def load_deduce():
    """deduce.Deduce with its name annotators only, loaded once per process.

    The first run builds deduce's full lookup cache (about 90 s) in a writable folder and writes a
    trimmed copy without the lists name detection does not use; later runs load the trimmed copy."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    import deduce  # importing it points the root logger at stdout on DEBUG: undo that at once (its
    # English "Please wait 1-2 minutes" is said in our own words by build_progress)
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    root.setLevel(level)

    full = cache_dir()
    trimmed = full / "names"
    try:
        # the trimmed cache's version is kept beside it: reading it must not unpickle the cache twice
        version_file = trimmed / "version"
        trimmed_version = version_file.read_text(encoding="utf-8").strip() if version_file.exists() else None
        if trimmed_version != deduce.__version__:
            full.mkdir(parents=True, exist_ok=True)
            with _Ticker():
                if _cache_version(full) != deduce.__version__:
                    deduce.Deduce(cache_path=full)  # builds and caches the full lookup structures
                _trim_cache(full, trimmed)
            gc.collect()
        engine = deduce.Deduce(load_base_config=False, config=_names_config(), cache_path=trimmed)
    finally:
        for h in list(root.handlers):
            if h not in handlers:
                root.removeHandler(h)
        root.setLevel(level)
    return engine


class Lookups:
    """Questions about words that deduce's lists answer."""

    def __init__(self, engine):
        self._ls = engine.lookup_structs

    def is_first_name(self, word: str) -> bool:
        return [word] in self._ls["first_name"]

    def is_surname(self, word: str) -> bool:
        return [word] in self._ls["surname"]

    def is_common_word(self, word: str) -> bool:
        w = word.lower()
        return w in self._ls["common_word"] or w in self._ls["whitelist"] or w in self._ls["stop_word"]

    def is_placename(self, text: str) -> bool:
        tokens = [t for t in re.split(r"(\s+|-)", text) if t and not t.isspace()]
        return tokens in self._ls["placename"]


class DeduceNameRecognizer(EntityRecognizer):
    """PERSON spans found by deduce's name patterns and lookup lists."""

    def __init__(self, engine, score: float = 0.6):
        self._engine = engine
        self._score = score
        super().__init__(supported_entities=["PERSON"], name="DeduceNameRecognizer", supported_language="nl")

    def load(self) -> None:  # deduce is loaded by load_deduce
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        if entities and "PERSON" not in entities:
            return []
        doc = self._engine.deidentify(text, enabled=NAME_PROCESSORS)
        results = []
        for a in doc.annotations:
            if a.tag not in ("persoon", "patient"):
                continue
            expl = AnalysisExplanation(
                recognizer=self.name, original_score=self._score,
                textual_explanation=f"deduce name pattern ({a.tag})",
            )
            results.append(RecognizerResult("PERSON", a.start_char, a.end_char, self._score, expl,
                                             recognition_metadata={
                                                 RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                                 RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
        return results


# ------------------------------------------------------------------------------------------ name parsing

PARTICLES = {
    "van", "de", "der", "den", "het", "ten", "ter", "te", "in", "'t", "t", "op", "la", "le", "du", "da",
    "di", "del", "della", "dos", "das", "el", "al", "bin", "ben", "von", "zu", "vd", "v.d.", "v/d", "d'", "l'",
    "uit", "aan", "onder", "tot", "over", "voor", "bij",
    # abbreviated particles as minutes write them: "Joris vd Berg", "M. vden Akker", "v.d. Wal", "v Dam"
    "vd.", "v.d", "vdr", "vder", "vden", "v.", "v", "'s", "s", "’t", "’s",
}
# the particles above as a regex, for text that follows a first name or initials
PARTICLE_RX = (r"(?:[vV]an|[dD]e|[dD]er|[dD]en|[tT]en|[tT]er|[tT]e|[hH]et|[iI]n|[oO]p|[vV]on|[dD]u|[dD]a|[lL]a|[lL]e"
               r"|['’][tsTS]|vd\.?|v\.d\.?|v/d|vdr|vder|vden|v\.?|[dD]['’])")
HONORIFICS = {"dhr", "mw", "mevr", "mevrouw", "heer", "mr", "dr", "drs", "ir", "ing", "prof", "ds", "bc", "ms", "mrs"}
_GLUED_INITIALS = re.compile(r"(?<![\w.])((?:[A-Z]\.){1,4})(?=(?:[a-z]{1,3}\s)?[A-ZÀ-Þ][a-zà-ÿ])")
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.){1,5}$|^(?:[A-Z]\.\s?){1,5}$")
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’À-ÿ]*(?:-[A-ZÀ-ÖØ-Þa-zà-ÿ][\w'’À-ÿ]*)*$")


@dataclass
class PersonName:
    """A person's name split into its parts."""

    first: list[str] = field(default_factory=list)
    initials: str = ""
    particles: str = ""  # "van den", "de"
    surname: str = ""  # "Berg-Mulder" (without particles)

    @property
    def full_surname(self) -> str:
        return f"{self.particles} {self.surname}".strip()

    @property
    def key(self) -> str:
        """Identity of the person within a document: surname plus first initial where known."""
        first = (self.first[0][0] if self.first else self.initials[:1]).upper()
        return f"{self.full_surname.lower()}|{first}"

    def display(self) -> str:
        return " ".join([*self.first, self.initials, self.full_surname]).strip()


def parse_name(text: str) -> PersonName | None:
    """Split "Iris Çelik", "A. van Leeuwen", "Meijer, I. (Iris)", "Dhr. Kees de Kok" into parts.

    Returns None when `text` is not shaped like a person's name. A dossier names the same people
    thousands of times: the parse is cached, each caller gets its own copy."""
    name = _parse_name(text)
    return None if name is None else PersonName(list(name.first), name.initials, name.particles, name.surname)


@lru_cache(maxsize=8192)
def _parse_name(text: str) -> PersonName | None:
    text = re.sub(r"<[^>]*>", " ", text)  # "Naam <adres>"
    text = re.sub(r"\s+", " ", text).strip(" ,;:-–")
    if not text or any(ch.isdigit() for ch in text):
        return None
    # initials glued to the surname, as tables write them: "A.Kroeze", "J.P.de Wit"
    text = _GLUED_INITIALS.sub(r"\1 ", text)
    m = re.match(r"^(?P<sur>[^,()]+?),\s*(?P<first>[A-ZÀ-Þ][a-zà-ÿ]+(?:-[A-ZÀ-Þ][a-zà-ÿ]+)?)$", text)
    if m:  # "Kroeze, Anna": surname first, then the first name (attendee lists, address books)
        name = _split_surname(m.group("sur").split())
        if name is not None:
            name.first = [m.group("first")]
            return name
    m = re.match(r"^(?P<sur>[^,()]+?),\s*(?P<ini>(?:[A-Z][a-z]?\.\s?)+)\s*(?:\((?P<first>[^)]+)\))?$", text)
    if m:  # "Achternaam, I. (Voornaam)" / "van den Berg, F. (Femke)"
        name = _split_surname(m.group("sur").split())
        if name is None:
            return None
        name.initials = m.group("ini").replace(" ", "")
        if m.group("first"):
            name.first = m.group("first").split()
        return name
    text = re.sub(r"\([^)]*\)", " ", text).strip()
    tokens = strip_honorifics(text.split())
    if not tokens:
        return None
    first: list[str] = []
    initials = ""
    i = 0
    while i < len(tokens) and _INITIALS.match(tokens[i]):
        initials += tokens[i]
        i += 1
    if not initials:
        while i < len(tokens) - 1 and _NAME_WORD.match(tokens[i]) and tokens[i].lower() not in PARTICLES:
            first.append(tokens[i])
            i += 1
    name = _split_surname(tokens[i:])
    if name is None:
        if not initials and len(first) == 0 and len(tokens) == 1 and _NAME_WORD.match(tokens[0]):
            return PersonName(surname=tokens[0])
        return None
    name.first, name.initials = first, initials
    return name


def strip_honorifics(tokens: list[str]) -> list[str]:
    """Drop "Dhr.", "mw.", "de heer", "drs." and the like from the front of a name."""
    while len(tokens) > 1:
        low = tokens[0].lower().rstrip(".")
        if low == "de" and tokens[1].lower() == "heer":
            tokens = tokens[2:]
        elif low in HONORIFICS:
            tokens = tokens[1:]
        else:
            break
    return tokens


def _split_surname(tokens: list[str]) -> PersonName | None:
    particles = []
    i = 0
    while i < len(tokens) - 1 and tokens[i].lower() in PARTICLES:
        particles.append(tokens[i])
        i += 1
    rest = tokens[i:]
    if not rest or not all(_NAME_WORD.match(t) for t in rest) or len(rest) > 2:
        return None
    return PersonName(particles=" ".join(particles), surname=" ".join(rest))


def _flex(s: str) -> str:
    """A regex for `s` that allows any whitespace between words and a line break after a hyphen."""
    parts = []
    for ch in s:
        if ch == " ":
            parts.append(r"\s+")
        elif ch == "-":
            parts.append(r"-\s*")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


_ABBREVIATED = r"(?:vd\.?|v\.\s?d\.?|v/d|vdr|vder|vden|v\.?)"


def _particles_rx(particles: str) -> str:
    """Particles match with either case of their first letter ("van Leeuwen" / "Van Leeuwen"); "van der",
    "van den" and "van de" also as minutes abbreviate them ("vd Stok", "v.d. Stok", "vder Molen")."""
    if not particles:
        return ""
    first = particles[0]
    exact = f"[{first.lower()}{first.upper()}]" + _flex(particles[1:])
    if particles.lower().split()[0] in ("van", "vd", "v.d.", "vder", "vden", "v.", "v", "vd.", "v/d", "vdr"):
        return rf"(?:{exact}|{_ABBREVIATED})\s*"
    return exact + r"\s+"


def mention_patterns(name: PersonName, with_first_alone: bool) -> list[tuple[str, MentionPattern]]:
    """Regexes for every written form of this person: full name, initials form, "Surname, I. (First)",
    surname alone and, if asked, the first name alone. Longest forms first."""
    sur = _particles_rx(name.particles) + _flex(name.surname) if name.surname else ""
    out: list[tuple[str, str]] = []
    lead = r"(?<![\w@.])"
    tail = r"(?![\w@])"
    if sur:
        firsts = [_flex(" ".join(name.first))] if name.first else []
        if name.first:
            firsts.append(re.escape(name.first[0]))
        first_rx = "|".join(firsts) if firsts else ""
        ini = r"(?:(?!(?:Mw|Mr|Dr|Ir|Ds|St)\.)[A-Z][a-z]?\.\s?){1,5}"
        out.append(("surname, initials", rf"{lead}{sur},\s*{ini}(?:\s*\((?:[^)]{{1,40}})\))?"))
        if first_rx:
            out.append(("full name", rf"{lead}(?:{first_rx})\s+{sur}{tail}"))
            out.append(("surname, first name", rf"{lead}{sur},\s*(?:{first_rx}){tail}"))
        out.append(("initials and surname", rf"{lead}{ini}\s*{sur}{tail}"))
        out.append(("surname", rf"{lead}{sur}{tail}"))
        if first_rx:
            # "Berend T.", "Joris vd S.", "Sanne v.H.", "Gijs G.R.": the first name with the surname's
            # initial, as minutes and action lists shorten a known person
            cap = name.surname[0].upper()
            out.append(("first name and surname initial",
                        rf"{lead}(?:{first_rx})\s+(?:[a-z]{{1,4}}\.?\s?){{0,2}}{cap}(?:\.|(?![\w'’]))"
                        rf"(?:\s?[A-Z]\.)?"))
    if sur and name.first and name.particles:
        # "JvdB", "WvG", "A.vK": initials with the particles' small letters, as minutes shorten a person
        small = "".join(w[0].lower() for w in re.findall(r"[A-Za-z]+", name.particles))
        if small:
            f0, s0 = re.escape(name.first[0][0].upper()), re.escape(name.surname[0].upper())
            out.append(("initials with particles", rf"{lead}{f0}\.?\s?{small}(?:r|en|er)?\.?\s?{s0}\.?(?![\w@])"))
    if with_first_alone and name.first:
        out.append(("first name", rf"{lead}{re.escape(name.first[0])}{tail}"))
    return [(kind, MentionPattern(rx)) for kind, rx in out]


class MentionPattern:
    """A mention regex compiled when first used: most forms are never tried (their anchor word or the
    first name before it is not in the text), and compiling them all took longer than the search. Once
    compiled it is kept for the process: documents ask for the same people's forms again and again."""

    __slots__ = ("pattern", "_rx")

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._rx: re.Pattern | None = None

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        if self._rx is None:
            self._rx = _compiled(self.pattern)
        return self._rx.finditer(text, pos, endpos)


@functools.lru_cache(maxsize=8192)
def _compiled(rx: str) -> re.Pattern:
    return re.compile(rx)
