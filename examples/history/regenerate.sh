#!/usr/bin/env sh
# Regenerates records/: six releases of the example app in ../app, each a real pytest run gated
# with release-gate.yaml by `shipgate check --report-dir`, as a pipeline would at each release.
# Needs `pip install pytest` and a built shipgate (SHIPGATE, default target/debug/shipgate).
#
#   1.0.0  the suite passes
#   1.1.0  the statement e-mail test fails (SMTP sandbox down): 1 failure, 95.8% pass
#   1.2.0  the refund regression: a payment test fails and a login test is skipped
#   1.3.0  the suite passes
#   1.4.0  the SMTP sandbox is down again
#   1.5.0  the suite passes
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shipgate=${SHIPGATE:-$root/target/debug/shipgate}
work="$here/workspace"
rm -rf "$work" "$here/records"
mkdir -p "$work/reports" "$here/records"
cp "$here/release-gate.yaml" "$work/shipgate.yaml"
release() { # release <version> <commit> <date> <VAR=value or -> <pytest paths...>
  version=$1 commit=$2 date=$3 knob=$4
  shift 4
  [ "$knob" = - ] && knob=SHIPGATE_EXAMPLE_NONE=1
  rm -f "$work/reports/"*.xml
  (cd "$root/examples/app" && env SHIPGATE_EXAMPLE_COMMIT="$commit" "$knob" \
    python3 -m pytest -q -p no:cacheprovider --rootdir . --junitxml="$work/reports/pytest.xml" \
    -o junit_suite_name=payments-api "$@" >/dev/null) || true
  (cd "$work" && RELEASE_VERSION=$version RELEASE_COMMIT=$commit "$shipgate" check \
    --policy shipgate.yaml --now "$date" --report-dir "../records/$version" >/dev/null) || true
}
release 1.0.0 5d2c8a1f0e9b7c6d5a4b3c2d1e0f9a8b7c6d5e4f 2026-07-01T10:00:00Z - tests
release 1.1.0 6e3d9b2a1f0c8d7e6b5c4d3e2f1a0b9c8d7e6f5a 2026-07-29T10:00:00Z SHIPGATE_EXAMPLE_SMTP=down tests flaky_tests
release 1.2.0 7f4e0c3b2a1d9e8f7c6d5e4f3a2b1c0d9e8f7a6b 2026-08-26T10:00:00Z SHIPGATE_EXAMPLE_REGRESSION=1 tests
release 1.3.0 8a5f1d4c3b2e0f9a8d7e6f5a4b3c2d1e0f9a8b7c 2026-09-23T10:00:00Z - tests
release 1.4.0 9b6a2e5d4c3f1a0b9e8f7a6b5c4d3e2f1a0b9c8d 2026-10-21T10:00:00Z SHIPGATE_EXAMPLE_SMTP=down tests flaky_tests
release 1.5.0 0c7b3f6e5d4a2b1c0f9a8b7c6d5e4f3a2b1c0d9e 2026-11-18T10:00:00Z - tests
rm -rf "$work"
