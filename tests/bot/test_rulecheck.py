"""`moments rules check`: each check finds a problem planted in small invented rules and stays
quiet on clean ones; the shipped templates list no keyword for two touchpoints by accident."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.domain import JourneyTemplate
from bot.journeys import load_template, parse_template, template_names
from bot.rulecheck import (
    Report,
    check_cue_stems,
    check_duplicates,
    check_stems,
    check_typos,
    main,
    read_labelled,
    run,
    shared_keywords,
)


def template(**touchpoints: list[str]) -> JourneyTemplate:
    return parse_template({
        "name": "test", "title": "Test",
        "touchpoints": [{"slug": slug, "name": slug.title(), "keywords": keywords}
                        for slug, keywords in touchpoints.items()],
    })


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "kind", "touchpoints", "kind_confidence",
                         "touchpoint_confidence"])
        for i, (text, slug) in enumerate(rows):
            writer.writerow([i, text, "ow", slug, "", ""])
    return path


def test_a_keyword_listed_for_two_touchpoints_is_reported_unless_declared() -> None:
    planted = template(desk=["queue", "counter"], gate=["Queue", "boarding"])
    report = Report()
    check_duplicates(planted, (), report)
    assert report.duplicates == ["test: 'queue' listed for desk, gate"]

    declared = Report()
    check_duplicates(planted, ("queue",), declared)
    assert declared.duplicates == [] and len(declared.declared) == 1

    clean = Report()
    check_duplicates(template(desk=["queue"], gate=["boarding"]), (), clean)
    assert clean.duplicates == [] and clean.declared == []


def test_keywords_the_stemmer_makes_one_are_reported_across_touchpoints() -> None:
    report = Report()
    check_stems(template(desk=["delays", "counter"], gate=["delayed", "boarding"]), (), report)
    assert len(report.collisions) == 1
    assert "'delays' (desk)" in report.collisions[0] and "'delayed' (gate)" in report.collisions[0]

    within = Report()
    check_stems(template(desk=["delays", "delayed"], gate=["boarding"]), (), within)
    assert within.collisions == [] and len(within.redundant) == 1

    clean = Report()
    check_stems(template(desk=["delay"], gate=["boarding"]), (), clean)
    assert clean.collisions == [] and clean.redundant == []


def test_cue_phrases_the_stemmer_makes_one_under_two_weights_are_reported() -> None:
    report = Report()
    check_cue_stems({-1.5: ("sucked",), -2.5: ("sucks",)}, report)
    assert len(report.collisions) == 1 and "only -1.5 is read" in report.collisions[0]

    clean = Report()
    check_cue_stems({-1.5: ("slow",), -2.5: ("sucks",)}, clean)
    assert clean.collisions == [] and clean.redundant == []


def test_a_listed_misspelling_the_tolerant_match_reads_anyway_is_reported() -> None:
    report = Report()
    check_typos({1.5: ("delicious", "delicous")}, {}, report)
    assert report.typos == ["cues: 'delicous' (+1.5) is read as 'delicious' anyway"]

    # a misspelling with a weight of its own changes what is read: it stays
    weighted = Report()
    check_typos({1.5: ("delicious",), 1.0: ("delicous",)}, {}, weighted)
    assert weighted.typos == []

    shorthand = Report()
    check_typos({-2.5: ("terrible",)}, {"terible": ("terrible",)}, shorthand)
    assert len(shorthand.typos) == 1 and "'terible'" in shorthand.typos[0]

    clean = Report()
    check_typos({1.5: ("delicious", "tasty")}, {"thx": ("thanks",)}, clean)
    assert clean.typos == []


def test_keywords_no_labelled_row_hits_are_reported(tmp_path: Path) -> None:
    planted = template(desk=["counter", "check-in desk"], gate=["boarding", "jet bridge"])
    data = read_labelled(write_csv(tmp_path / "labelled.csv", [
        ("Long queue at the counter", "desk"), ("Boarding was a mess", "gate"),
        ("The check-in desk was closed", "desk")]))
    report = run([(planted, ())], cues={}, shorthand={}, data=[data])
    assert report.unused == ["test/gate: 1 of 2 never hit in labelled.csv: jet bridge"]

    clean = run([(template(desk=["counter"], gate=["boarding"]), ())], cues={}, shorthand={},
                data=[data])
    assert clean.unused == [] and clean.problems == 0


def test_a_keyword_inside_a_longer_one_is_not_hit_by_it(tmp_path: Path) -> None:
    # the filer matches the longest phrase first: "desk" in "check-in desk" is that phrase's
    planted = template(desk=["check-in desk"], gate=["desk"])
    data = read_labelled(write_csv(tmp_path / "d.csv", [("The check-in desk was closed", "desk")]))
    report = run([(planted, ())], cues={}, shorthand={}, data=[data])
    assert report.unused == ["test/gate: 1 of 1 never hit in d.csv: desk"]


def test_labelled_data_is_checked_against_the_template_its_labels_fit(tmp_path: Path) -> None:
    data = read_labelled(write_csv(tmp_path / "other.csv", [("hello", "kitchen")]))
    report = run([(template(desk=["counter"]), ())], cues={}, shorthand={}, data=[data])
    assert report.unused == [] and report.notes and "--template" in report.notes[0]


def test_the_command_exits_non_zero_with_strict_only_when_problems_exist(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_csv(tmp_path / "d.csv", [("lost my bag", "baggage")])
    assert main(["--template", "airline", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "touchpoints with keywords no labelled row hits: 8" in out  # one row hits almost nothing
    assert main(["--template", "airline", "--data", str(data), "--strict"]) == 1
    assert main(["--template", "nowhere"]) == 2


def test_the_shipped_templates_list_no_keyword_for_two_touchpoints_undeclared() -> None:
    report = Report()
    for name in template_names():
        check_duplicates(load_template(name), shared_keywords(name), report)
    assert report.duplicates == []


def test_every_declared_shared_keyword_is_listed_for_two_touchpoints() -> None:
    for name in template_names():
        report = Report()
        check_duplicates(load_template(name), shared_keywords(name), report)
        assert len(report.declared) == len(shared_keywords(name)), name
