"""Renders the search service's manifests for one stack.

The manifests in this folder are templates: every account-, region- and
stack-specific value is a ${NAME} filled from the stack's outputs (what
`aws cloudformation describe-stacks --query 'Stacks[0].Outputs'` prints)
and the image tag. Nothing else is substituted, and a ${NAME} left without a
value is an error, as is an output the manifests need that the stack lacks.

    python3 deploy/k8s/render.py OUTPUTS.json IMAGE_TAG OUT_DIR
"""

import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
PLACEHOLDER = re.compile(r"\$\{([A-Z0-9_]+)\}")
# Manifest value <- stack output.
FROM_OUTPUTS = {
    "SEARCH_EVENTS_STREAM_ARN": "SearchEventsStreamArn",
    "SEARCH_SNAPSHOT_BUCKET": "SearchSnapshotBucketName",
    "SEARCH_IMAGE_REPOSITORY": "SearchImageRepositoryUri",
}
# An image tag, as ECR takes it.
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def values(outputs, tag):
    found = {o["OutputKey"]: o["OutputValue"] for o in outputs}
    missing = sorted(k for k in FROM_OUTPUTS.values() if not found.get(k))
    if missing:
        raise SystemExit(f"the stack's outputs lack {', '.join(missing)}")
    if not TAG.match(tag) or tag == "latest":
        raise SystemExit(f"image tag {tag!r}: give the immutable tag that was pushed")
    named = {name: found[key] for name, key in FROM_OUTPUTS.items()}
    arn = named["SEARCH_EVENTS_STREAM_ARN"].split(":")
    if len(arn) < 6 or arn[2] != "kinesis":
        raise SystemExit(f"SearchEventsStreamArn is not a Kinesis stream ARN: {named['SEARCH_EVENTS_STREAM_ARN']}")
    named["AWS_REGION"] = arn[3]
    named["SEARCH_IMAGE"] = f"{named['SEARCH_IMAGE_REPOSITORY']}:{tag}"
    return named


def render(text, named, source):
    def fill(match):
        name = match.group(1)
        if name not in named:
            raise SystemExit(f"{source}: nothing fills ${{{name}}}")
        return named[name]

    return PLACEHOLDER.sub(fill, text)


def main(argv):
    if len(argv) != 4:
        raise SystemExit(__doc__)
    outputs = json.loads(pathlib.Path(argv[1]).read_text())
    named = values(outputs, argv[2])
    out = pathlib.Path(argv[3])
    out.mkdir(parents=True, exist_ok=True)
    for manifest in sorted(HERE.glob("*.yaml")):
        (out / manifest.name).write_text(render(manifest.read_text(), named, manifest.name))
        print(out / manifest.name)


if __name__ == "__main__":
    main(sys.argv)
