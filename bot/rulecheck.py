"""``moments rules check``: look the language rules over for entries that do nothing or clash.

    moments rules check [--template NAME ...] [--data CSV ...] [--strict] [--verbose]
    python -m bot.rulecheck ...

It reads the shipped templates (``bot/templates/*.toml``) and cue words (``bot/data/*.toml``)
with the filer's own tokeniser and stemmer (:mod:`bot.textnorm`) and reports:

- a keyword listed for two touchpoints of one template, unless the template declares it in
  ``shared_keywords`` (the filer then splits it between them, as it is meant to);
- stems that collide: two different keywords the stemmer reduces to the same words, across
  touchpoints (a share nobody declared) or within one (a redundant word form: harmless, counted);
  and two cue phrases that do (the first weight listed wins);
- with ``--data``: keywords that no row of the given labelled CSV(s) ever hits, matched as the
  filer matches (longest phrase first). A CSV is checked against the templates named with
  ``--template``, else against each template whose touchpoints cover its labels. The data is only
  read, never copied or written anywhere;
- misspelt cue words and shorthand that the kind cues' tolerant match would already read, with
  the same weight, from the correctly spelt cue (touchpoint keywords are matched exactly, so a
  misspelling listed there is needed).

Exit 0 with a summary; with ``--strict``, 1 when any problem (not a redundant word form) is found.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from bot.domain import JourneyTemplate, Touchpoint
from bot.filing import compile_catalogue
from bot.journeys import load_template, template_names
from bot.kindcues import misspelling_of
from bot.kindwords import CUES
from bot.textnorm import BOUNDARIES, SHORTHAND, stems, tokenize

Key = tuple[str, ...]


@dataclass
class Report:
    """What the checks found; each entry is one line to show."""

    duplicates: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)  # shares a template declares: no problem
    collisions: list[str] = field(default_factory=list)
    redundant: list[str] = field(default_factory=list)  # word forms of one touchpoint: no problem
    unused: list[str] = field(default_factory=list)
    typos: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return len(self.duplicates) + len(self.collisions) + len(self.unused) + len(self.typos)


def key_of(text: str) -> Key:
    """A keyword or cue as the filer matches it: its stemmed words, without clause marks."""
    return tuple(t for t in stems(tokenize(text)) if t not in BOUNDARIES)


def _spelling(text: str) -> str:
    return " ".join(text.lower().split())


def check_duplicates(template: JourneyTemplate, shared: Iterable[str], report: Report) -> None:
    """A keyword (as written, case and spacing aside) listed for two touchpoints, or twice."""
    declared = {_spelling(k) for k in shared}
    owners: dict[str, list[str]] = {}
    for tp in template.touchpoints:
        for keyword in tp.keywords:
            owners.setdefault(_spelling(keyword), []).append(tp.slug)
    for keyword, slugs in owners.items():
        if len(slugs) < 2:
            continue
        line = f"{template.name}: {keyword!r} listed for {', '.join(slugs)}"
        if len(set(slugs)) > 1 and keyword in declared:
            report.declared.append(line)
        else:
            report.duplicates.append(line)


def check_stems(template: JourneyTemplate, shared: Iterable[str], report: Report) -> None:
    """Different keywords (or a keyword and a touchpoint's name) with the same stemmed words
    (a form of a declared shared keyword only repeats the share)."""
    declared = {key_of(k) for k in shared}
    by_key: dict[Key, dict[str, set[str]]] = {}
    for tp in template.touchpoints:
        for text in (*tp.keywords, tp.name):
            key = key_of(text)
            if key:
                by_key.setdefault(key, {}).setdefault(_spelling(text), set()).add(tp.slug)
    for key, spellings in by_key.items():
        if len(spellings) < 2:
            continue
        slugs = set().union(*spellings.values())
        listed = "; ".join(f"{s!r} ({', '.join(sorted(o))})" for s, o in spellings.items())
        line = f"{template.name}: {listed} -> {' '.join(key)!r}"
        (report.collisions if len(slugs) > 1 and key not in declared
         else report.redundant).append(line)


def check_cue_stems(cues: Mapping[float, Sequence[str]], report: Report) -> None:
    """Different cue phrases with the same stemmed words: one weight wins, the other is unread."""
    by_key: dict[Key, list[tuple[str, float]]] = {}
    for weight, phrases in cues.items():
        for phrase in phrases:
            key = key_of(phrase)
            if key and all(p != phrase for p, _ in by_key.get(key, ())):
                by_key.setdefault(key, []).append((phrase, weight))
    for key, entries in by_key.items():
        if len(entries) < 2:
            continue
        listed = "; ".join(f"{p!r} ({w:+g})" for p, w in entries)
        line = f"cues: {listed} -> {' '.join(key)!r}"
        if len({w for _, w in entries}) > 1:
            report.collisions.append(line + f": only {entries[0][1]:+g} is read")
        else:
            report.redundant.append(line)


def check_typos(cues: Mapping[float, Sequence[str]], shorthand: Mapping[str, Sequence[str]],
                report: Report) -> None:
    """Misspellings listed as cues (or as shorthand for one) that the tolerant match reads anyway."""
    weights = {p: w for w, phrases in cues.items() for p in phrases}
    for weight, phrases in cues.items():
        for phrase in phrases:
            found = misspelling_of(phrase, cues)
            if found is not None and found[0] == weight:
                report.typos.append(f"cues: {phrase!r} ({weight:+g}) is read as {found[1]!r} anyway")
    for written, meant in shorthand.items():
        if len(meant) != 1 or meant[0] not in weights:
            continue
        found = misspelling_of(written, cues)
        if found is not None and found[0] == weights[meant[0]]:
            report.typos.append(f"shorthand: {written!r} is read as {found[1]!r} anyway "
                                f"(as a cue; the shorthand also feeds the lexicon and learning)")


@dataclass(frozen=True)
class Labelled:
    path: Path
    texts: tuple[str, ...]
    slugs: frozenset[str]


def read_labelled(path: Path) -> Labelled:
    """A labelled CSV's texts and the touchpoint slugs it is labelled with."""
    texts: list[str] = []
    slugs: set[str] = set()
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            texts.append(row.get("text") or "")
            slugs.update(s for s in (row.get("touchpoints") or "").split("|") if s)
    return Labelled(path, tuple(texts), frozenset(slugs))


def hit_keys(template: JourneyTemplate, texts: Iterable[str]) -> set[Key]:
    """The stemmed keywords some text hits, matched as the filer matches them: at each word the
    longest phrase that fits, the words it covers consumed (bot.filing._keyword_scores)."""
    touchpoints = [Touchpoint(0, 0, tp.slug, tp.name, tp.description, tp.keywords)
                   for tp in template.touchpoints]
    phrases = compile_catalogue(touchpoints).phrases
    hit: set[Key] = set()
    for text in texts:
        stemmed = stems(tokenize(text))
        i, n = 0, len(stemmed)
        while i < n:
            for key, _ in phrases.get(stemmed[i], ()):
                end = i + len(key)
                if end <= n and tuple(stemmed[i:end]) == key:
                    hit.add(key)
                    i = end
                    break
            else:
                i += 1
    return hit


def check_unused(template: JourneyTemplate, data: Sequence[Labelled], report: Report) -> None:
    """Keywords that no text of the labelled data hits."""
    hit = hit_keys(template, (t for labelled in data for t in labelled.texts))
    files = ", ".join(labelled.path.name for labelled in data)
    for tp in template.touchpoints:
        unused = [k for k in tp.keywords if key_of(k) and key_of(k) not in hit]
        if unused:
            report.unused.append(f"{template.name}/{tp.slug}: {len(unused)} of {len(tp.keywords)} "
                                 f"never hit in {files}: {', '.join(unused)}")


def shared_keywords(name: str) -> tuple[str, ...]:
    """The keywords a shipped template declares as meant for several touchpoints."""
    text = resources.files("bot.templates").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    value = tomllib.loads(text).get("shared_keywords", [])
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def covers(template: JourneyTemplate, labelled: Labelled) -> bool:
    return bool(labelled.slugs) and labelled.slugs <= {tp.slug for tp in template.touchpoints}


def run(templates: Sequence[tuple[JourneyTemplate, Sequence[str]]], *,
        cues: Mapping[float, Sequence[str]] = CUES,
        shorthand: Mapping[str, Sequence[str]] = SHORTHAND,
        data: Sequence[Labelled] = (), data_for_all: bool = False) -> Report:
    """Every check over ``templates`` (each with its declared shared keywords) and ``cues``.
    Each labelled file is checked against the templates that cover its labels, or against all of
    them with ``data_for_all``."""
    report = Report()
    for template, shared in templates:
        check_duplicates(template, shared, report)
        check_stems(template, shared, report)
        mine = [d for d in data if data_for_all or covers(template, d)]
        if mine:
            check_unused(template, mine, report)
    for labelled in data:
        if not data_for_all and not any(covers(t, labelled) for t, _ in templates):
            report.notes.append(f"{labelled.path.name}: its labels fit no template checked; "
                                f"name one with --template")
    check_cue_stems(cues, report)
    check_typos(cues, shorthand, report)
    return report


_SECTIONS = (
    ("duplicates", "keywords listed for two touchpoints (or twice)"),
    ("collisions", "stem collisions across touchpoints, or between cue weights"),
    ("unused", "touchpoints with keywords no labelled row hits"),
    ("typos", "misspellings the tolerant match reads anyway"),
    ("declared", "declared shared keywords (fine)"),
    ("redundant", "redundant word forms within one touchpoint or cue weight (fine)"),
)


def render(report: Report, *, verbose: bool = False) -> str:
    lines: list[str] = []
    for name, title in _SECTIONS:
        found: list[str] = getattr(report, name)
        lines.append(f"{title}: {len(found)}")
        if found and (verbose or name not in ("declared", "redundant")):
            lines.extend(f"  {line}" for line in found)
    lines.extend(f"note: {note}" for note in report.notes)
    lines.append(f"{report.problems} problem(s)")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options, for ``python -m bot.rulecheck`` and ``moments rules check``."""
    parser.add_argument("--template", action="append", default=[], metavar="NAME",
                        help="check this shipped template (again for more; default: all)")
    parser.add_argument("--data", action="append", default=[], type=Path, metavar="CSV",
                        help="labelled CSV (id,text,kind,touchpoints,...): report keywords no row hits")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a problem is found")
    parser.add_argument("--verbose", action="store_true", help="list the fine findings too")


def check(args: argparse.Namespace) -> int:
    """Run the checks the parsed options ask for, print the report; the exit status."""
    names = args.template or template_names()
    try:
        templates = [(load_template(name), shared_keywords(name.strip().lower())) for name in names]
        data = [read_labelled(path) for path in args.data]
    except (ValueError, OSError) as exc:
        print(f"moments rules check: {exc}", file=sys.stderr)
        return 2
    report = run(templates, data=data, data_for_all=bool(args.template))
    print(f"Checked {len(templates)} template(s) ({', '.join(t.name for t, _ in templates)}), "
          f"{sum(len(p) for p in CUES.values())} cue phrases, {len(SHORTHAND)} shorthand words"
          + (f", against {len(data)} labelled file(s)" if data else ""))
    print(render(report, verbose=args.verbose))
    return 1 if args.strict and report.problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.rulecheck",
                                     description=__doc__.splitlines()[0])
    add_arguments(parser)
    return check(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
