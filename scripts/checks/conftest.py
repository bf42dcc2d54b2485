"""Lets the tests import the checkers as `checks.*` (scripts/ on the path)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def stacks():
    """Every stack as `sam deploy` sends it (transformed afresh): "template"
    (the root) and each nested stack by its file's name."""
    from checks import transform

    return transform.transform_all("prod")


@pytest.fixture(scope="session")
def transformed(stacks):
    """The nested stacks' resources as one template (checks about functions,
    wherever they live)."""
    from checks import cfn

    return cfn.merged(stacks)
