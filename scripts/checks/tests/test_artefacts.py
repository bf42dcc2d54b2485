"""artefacts.py refuses a pipeline whose deployed bootstrap files would lose
their executable bit between the build and the deploy job."""

import yaml

from checks import artefacts

BUILD_UPLOADS_THE_DIRECTORY = """
jobs:
  build:
    steps:
      - run: sam build
      - uses: actions/upload-artifact@v4
        with: {name: sam-build, path: .aws-sam/build}
"""
DEPLOY_USES_IT_AS_IS = """
jobs:
  deploy:
    steps:
      - uses: actions/download-artifact@v4
        with: {name: sam-build, path: .aws-sam/build}
      - run: sam deploy
"""
TARBALL_BOTH_WAYS = """
jobs:
  build:
    steps:
      - run: sam build && tar -C .aws-sam -czf sam-build.tar.gz build
      - uses: actions/upload-artifact@v4
        with: {name: sam-build, path: sam-build.tar.gz}
  deploy:
    steps:
      - uses: actions/download-artifact@v4
        with: {name: sam-build}
      - run: |
          mkdir -p .aws-sam
          tar -C .aws-sam -xzpf sam-build.tar.gz
"""


def test_uploading_the_build_directory_is_refused():
    problems = artefacts.check({"pipeline.yml": yaml.safe_load(BUILD_UPLOADS_THE_DIRECTORY)})
    assert problems == ["pipeline.yml: job build uploads ['.aws-sam/build']: artefacts lose file modes, upload a tarball"]


def test_deploying_a_download_without_unpacking_a_tarball_is_refused():
    problems = artefacts.check({"deploy.yml": yaml.safe_load(DEPLOY_USES_IT_AS_IS)})
    assert problems == ["deploy.yml: job deploy downloads an artefact but never unpacks a tarball (tar -x)"]


def test_a_tarball_both_ways_passes():
    assert artefacts.check({"pipeline.yml": yaml.safe_load(TARBALL_BOTH_WAYS)}) == []


def test_the_repository_workflows_pass():
    assert artefacts.check(artefacts.load(artefacts.ROOT / ".github" / "workflows")) == []
