#!/usr/bin/env sh
# Regenerates the examples' JUnit reports with a real pytest run (pip install pytest).
# The quickstart is the suite as it is; the blocked example reproduces a refund regression
# (SHIPGATE_EXAMPLE_REGRESSION=1) and a skipped login test.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
python3 -m pytest -q -p no:cacheprovider --junitxml="$here/../quickstart/reports/pytest.xml" -o junit_suite_name=payments-api tests || true
SHIPGATE_EXAMPLE_REGRESSION=1 python3 -m pytest -q -p no:cacheprovider --junitxml="$here/../blocked/reports/pytest.xml" -o junit_suite_name=payments-api tests || true
# The defects example adds the regression tests of escaped defects; `defect` properties need the
# xunit1 JUnit family (pytest leaves record_property out of xunit2).
python3 -m pytest -q -p no:cacheprovider --junitxml="$here/../defects/reports/pytest.xml" -o junit_suite_name=payments-api -o junit_family=xunit1 tests regressions || true
