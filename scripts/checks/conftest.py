"""Lets the tests import the checkers as `checks.*` (scripts/ on the path)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def transformed():
    """template.yaml as `sam deploy` sends it (transformed afresh)."""
    from checks import transform

    region, parameters = transform.deploy_parameters("prod", transform.ROOT / "samconfig.toml")
    return transform.transform(transform.load_template(transform.ROOT / "template.yaml"), parameters, region)
