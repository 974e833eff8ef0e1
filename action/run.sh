#!/usr/bin/env bash
# Runs the gate for the GitHub Action and applies `fail-on`.
#
# Environment: INPUT_POLICY, INPUT_REPORT_DIR, INPUT_FAIL_ON, INPUT_ARGS (the action's inputs,
# passed as variables so that no value is ever shell code), GITHUB_OUTPUT.
set -uo pipefail

policy="${INPUT_POLICY:-shipgate.yaml}"
fail_on="${INPUT_FAIL_ON:-blocked}"
case "$fail_on" in
  blocked | never) ;;
  *)
    echo "::error title=shipgate::fail-on must be 'blocked' or 'never', got '${fail_on}'"
    exit 2
    ;;
esac

args=(check --policy "$policy")
if [ -n "${INPUT_REPORT_DIR:-}" ]; then
  args+=(--report-dir "$INPUT_REPORT_DIR")
fi
if [ -n "${INPUT_ARGS:-}" ]; then
  # Split on white space only (spaces, tabs and new lines: `read` without -d stopped at the
  # first line of a multi-line `args: |` and dropped the rest without a word): no globbing, no
  # quotes, no expansion of what the input holds.
  extra=()
  read -r -d '' -a extra <<<"$INPUT_ARGS" || true
  if [ "${#extra[@]}" -gt 0 ]; then
    args+=("${extra[@]}")
  fi
fi

shipgate "${args[@]}"
code=$?

# shipgate writes the outputs itself; if it could not (it crashed, was not found, or could not
# write them), write them from the code it ended with: 0 is ready, anything else blocked.
outputs="${GITHUB_OUTPUT:-/dev/null}"
if ! grep -q '^exit-code' "$outputs" 2>/dev/null; then
  decision=blocked
  if [ "$code" -eq 0 ]; then
    decision=ready
  fi
  {
    echo "decision=${decision}"
    echo "exit-code=${code}"
    echo "blocking="
    echo "report="
  } >>"$outputs"
fi

if [ "$code" -ne 0 ] && [ "$fail_on" = never ]; then
  echo "::warning title=shipgate::the gate exited ${code} (not ready); fail-on: never lets the job continue"
  exit 0
fi
exit "$code"
