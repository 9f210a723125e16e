"""Erlang C against values worked out by hand, published tables, an exact rational computation,
and large loads; and `watchfloor capacity erlang`."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import cast

import numpy as np
import pytest

from watchfloor import erlang
from watchfloor.cli import main


def exact_p_wait(n: int, load: int) -> Fraction:
    """Erlang C from its textbook formula in exact rationals (integer load): an independent check."""
    terms = [Fraction(load) ** k / math.factorial(k) for k in range(n)]
    top = Fraction(load) ** n / math.factorial(n) * Fraction(n, n - load)
    return top / (sum(terms) + top)


def test_design_brief_textbook_check():
    # 200 arrivals an hour, AHT 180 s: A = 10 Erlangs; 80 % within 20 s.
    load = erlang.offered_load(200, 180)
    assert load == pytest.approx(10.0)
    thirteen = erlang.evaluate(13, load, 180, 20)
    fourteen = erlang.evaluate(14, load, 180, 20)
    assert round(float(thirteen.service_level) * 100, 1) == 79.6
    assert round(float(fourteen.service_level) * 100, 1) == 88.8
    assert int(erlang.required(load, 180, 20, 0.8).reviewers) == 14


def test_two_reviewers_one_erlang_by_hand():
    # B(1) = 1/2, B(2) = (1 · 1/2) / (2 + 1/2) = 1/5; P(wait) = 2 · 1/5 / (2 − 1 · 4/5) = 1/3.
    assert erlang.erlang_b(2, 1.0) == pytest.approx(0.2)
    s = erlang.evaluate(2, 1.0, 60, 0)
    assert float(s.p_wait) == pytest.approx(1 / 3)
    assert float(s.asa_seconds) == pytest.approx(20.0)  # 1/3 · 60 s / (2 − 1)
    assert float(s.service_level) == pytest.approx(2 / 3)  # nobody waits 0 s unless they wait at all
    assert float(s.occupancy) == pytest.approx(0.5)
    # SL(30 s) = 1 − 1/3 · e^(−1 · 30 / 60)
    assert float(erlang.evaluate(2, 1.0, 60, 30).service_level) == pytest.approx(1 - math.exp(-0.5) / 3)


def test_published_erlang_c_value():
    # The classic table entry: 2 Erlangs on 3 servers wait with probability 4/9.
    assert float(erlang.evaluate(3, 2, 300, 0).p_wait) == pytest.approx(4 / 9, rel=1e-12)


@pytest.mark.parametrize("n,load", [(5, 3), (10, 8), (12, 10), (25, 20)])
def test_agrees_with_the_textbook_formula_in_exact_rationals(n, load):
    assert float(erlang.evaluate(n, load, 300, 0).p_wait) == pytest.approx(float(exact_p_wait(n, load)), rel=1e-12)


def test_agrees_with_exact_rationals_at_moderate_loads():
    for n, load in [(60, 50), (110, 100), (230, 200)]:
        assert float(erlang.evaluate(n, load, 100, 0).p_wait) == pytest.approx(float(exact_p_wait(n, load)), rel=1e-9)


def test_large_loads_stay_exact_and_finite():
    load = 5000.0
    staff = erlang.required(load, 300, 20, 0.8, 1.0)
    n = int(staff.reviewers)
    assert n > load and math.isfinite(float(staff.p_wait)) and math.isfinite(float(staff.asa_seconds))
    assert float(staff.service_level) >= 0.8
    # the fewest: one reviewer less misses the goal
    assert float(erlang.evaluate(n - 1, load, 300, 20).service_level) < 0.8
    # square-root staffing puts N near A + β√A (β about 0.5 at 80 % / 20 s of 300 s): a sanity bound
    assert load < n < load + 3 * math.sqrt(load)
    # against the exact formula for a large integer load (lgamma-free: Fractions of 2000 terms)
    assert float(erlang.evaluate(2050, 2000, 300, 0).p_wait) == pytest.approx(float(exact_p_wait(2050, 2000)), rel=1e-9)


def test_occupancy_cap_and_no_load():
    # A long target is met by 11 reviewers, but at most 80 % busy needs N ≥ 10 / 0.8 = 12.5.
    assert int(erlang.required(10.0, 180, 3600, 0.8, 1.0).reviewers) == 11
    assert int(erlang.required(10.0, 180, 3600, 0.8, 0.8).reviewers) == 13
    none = erlang.required(0.0, 180, 20, 0.8, 0.85)
    assert int(none.reviewers) == 0 and float(none.service_level) == 1.0 and float(none.p_wait) == 0.0


def test_unstable_queue():
    s = erlang.evaluate(10, 10.0, 180, 20)
    assert float(s.p_wait) == 1.0 and float(s.service_level) == 0.0 and math.isinf(float(s.asa_seconds))


def test_vectorised_equals_one_by_one():
    loads = np.array([[0.0, 0.4, 3.2], [10.0, 57.5, 250.0]])
    targets = np.array([[900.0], [60.0]])
    many = erlang.required(loads, 240.0, targets, 0.8, 0.85)
    for i in range(2):
        for j in range(3):
            one = erlang.required(loads[i, j], 240.0, targets[i, 0], 0.8, 0.85)
            assert many.reviewers[i, j] == int(one.reviewers)
            assert many.service_level[i, j] == pytest.approx(float(one.service_level))


def test_scheduled_head_count_after_shrinkage():
    assert erlang.scheduled_head_count(14, 0.3) == 20  # 14 / 0.7 is 20, not 21
    assert erlang.scheduled_head_count(13, 0.3) == 19  # 18.57 rounds up
    assert erlang.scheduled_head_count(0, 0.3) == 0


def test_cli_json_has_the_textbook_answer(capsys):
    code = main(["capacity", "erlang", "--arrivals-per-hour", "200", "--aht-seconds", "180",
                 "--target-seconds", "20", "--service-level", "0.8", "--shrinkage", "0.3", "--json"])
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["reviewers"] == 14 and answer["scheduled"] == 20
    assert answer["service_level"] == pytest.approx(0.88835, abs=1e-5)
    assert answer["p_wait"] == pytest.approx(0.17413, abs=1e-5)
    assert answer["asa_seconds"] == pytest.approx(7.836, abs=1e-3)
    assert answer["occupancy"] == pytest.approx(10 / 14)


def test_cli_text_and_thousands_of_erlangs(capsys):
    assert main(["capacity", "erlang", "--arrivals-per-hour", "60000", "--aht-seconds", "300",
                 "--target-seconds", "20", "--service-level", "0.8", "--max-occupancy", "0.95", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["offered_load_erlangs"] == pytest.approx(5000.0)
    assert answer["reviewers"] >= 5000 / 0.95 and answer["service_level"] >= 0.8
    assert main(["capacity", "erlang", "--arrivals-per-hour", "200", "--aht-seconds", "180",
                 "--target-seconds", "20", "--service-level", "0.8"]) == 0
    text = capsys.readouterr().out
    assert "Reviewers on the floor: 14" in text and "Service level: 88.8%" in text


@pytest.mark.parametrize("args,message", [
    (["--arrivals-per-hour", "-5"], "must not be negative"),
    (["--aht-seconds", "0"], "--aht-seconds must be above 0"),
    (["--service-level", "1.5"], "between 0 and 1"),
    (["--service-level", "80"], "between 0 and 1"),
    (["--shrinkage", "1"], "--shrinkage"),
    (["--max-occupancy", "0"], "--max-occupancy"),
    (["--arrivals-per-hour", "nan"], "finite"),
    (["--arrivals-per-hour", "1e12"], "Erlangs"),
    (["--target-seconds", "abc"], "invalid float value"),
])
def test_cli_bad_values_give_one_line_and_exit_2(capsys, args, message):
    base = {"--arrivals-per-hour": "200", "--aht-seconds": "180", "--target-seconds": "20", "--service-level": "0.8"}
    argv = ["capacity", "erlang"]
    given = dict(zip(args[::2], args[1::2]))
    for key, value in {**base, **given}.items():
        argv += [key, value]
    assert exit_code(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err


def exit_code(argv: list[str]) -> int:
    """main's exit code, also when argparse itself refuses the arguments (SystemExit)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(cast(int, exc.code))  # argparse and main exit with a number; SystemExit allows any code
