import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def record_commit(record_testsuite_property):
    """Records the commit under test as a suite property, for shipgate's evidence.provenance.

    The signed-release example sets SHIPGATE_EXAMPLE_COMMIT; a pipeline would pass its own
    commit (e.g. GITHUB_SHA).
    """
    commit = os.environ.get("SHIPGATE_EXAMPLE_COMMIT")
    if commit:
        record_testsuite_property("git.commit", commit)
