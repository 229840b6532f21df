import pytest

from golden import load_cases, run_case, case_ids

CASES = load_cases("smoke")


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_smoke_golden(case):
    run_case(case)
