#!/usr/bin/env sh
# Regenerates the examples' JUnit reports with a real pytest run (pip install pytest).
# The quickstart is the suite as it is; the blocked example reproduces a refund regression
# (SHIPGATE_EXAMPLE_REGRESSION=1) and a skipped login test. The signed-release example's run
# records its commit as a `git.commit` suite property (tests/conftest.py); after regenerating
# it, update the `--now` of that example, whose tests may be at most 7 days old.
# The flaky example is six runs of the suite plus flaky_tests/, whose statement e-mail test fails
# when the SMTP sandbox is down (SHIPGATE_EXAMPLE_SMTP=down): five earlier runs in
# history/<run>@<commit>/, then this run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
python3 -m pytest -q -p no:cacheprovider --junitxml="$here/../quickstart/reports/pytest.xml" -o junit_suite_name=payments-api tests || true
SHIPGATE_EXAMPLE_REGRESSION=1 python3 -m pytest -q -p no:cacheprovider --junitxml="$here/../blocked/reports/pytest.xml" -o junit_suite_name=payments-api tests || true
SHIPGATE_EXAMPLE_COMMIT=3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39 python3 -m pytest -q -p no:cacheprovider --junitxml="$here/../signed-release/reports/pytest.xml" -o junit_suite_name=payments-api tests || true
# The defects example adds the regression tests of escaped defects; `defect` properties need the
# xunit1 JUnit family (pytest leaves record_property out of xunit2).
python3 -m pytest -q -p no:cacheprovider --junitxml="$here/../defects/reports/pytest.xml" -o junit_suite_name=payments-api -o junit_family=xunit1 tests regressions || true
flaky="$here/../flaky"
run() { # run <report> <smtp: up|down>
  SHIPGATE_EXAMPLE_SMTP=$2 python3 -m pytest -q -p no:cacheprovider --junitxml="$1" -o junit_suite_name=payments-api tests flaky_tests || true
}
run "$flaky/history/1201@a1b2c3d/pytest.xml" up
run "$flaky/history/1202@a1b2c3d/pytest.xml" down
run "$flaky/history/1203@c4d5e6f/pytest.xml" up
run "$flaky/history/1204@c4d5e6f/pytest.xml" down
run "$flaky/history/1205@9f8e7d6/pytest.xml" up
run "$flaky/reports/pytest.xml" down
