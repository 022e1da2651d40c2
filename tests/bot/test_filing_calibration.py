"""The confidence signal: how much the template's agreement with the learned model is worth."""

from __future__ import annotations

import random

from bot.learned import agreement_weight


def _records(agreement_helps: bool, n: int = 400) -> list[tuple[float, bool, bool]]:
    rnd = random.Random(n)
    records = []
    for _ in range(n):
        margin = rnd.uniform(0.0, 6.0)
        agree = rnd.random() < 0.7
        logit = -1.0 + 0.8 * margin + (2.0 if agree and agreement_helps else 0.0)
        right = rnd.random() < 1.0 / (1.0 + 2.718281828 ** -logit)
        records.append((margin, agree, right))
    return records


def test_agreement_that_predicts_rightness_is_worth_margin() -> None:
    assert 1.5 < agreement_weight(_records(True)) < 4.0  # 2.0 / 0.8 = 2.5 in margin units


def test_agreement_that_says_nothing_is_worth_little() -> None:
    assert agreement_weight(_records(False)) < 0.5


def test_no_weight_from_too_few_or_all_right_records() -> None:
    assert agreement_weight([(1.0, True, True)] * 3) == 0.0
    # every record right: agreement tells right from wrong no better than margin does, and the
    # fit must not run off to its cap (the regularisation holds it)
    weight = agreement_weight([(m / 10, m % 2 == 0, True) for m in range(50)])
    assert weight < 1.0
