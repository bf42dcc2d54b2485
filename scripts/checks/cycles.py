"""No dependency cycle among the resources of a CloudFormation template.

CloudFormation orders creation, update and deletion by each resource's
dependencies: the explicit `DependsOn` attribute and the implicit ones of
every `Ref`, `Fn::GetAtt` and `Fn::Sub` (`${X}`, `${X.Attr}`) the resource
holds (AWS CloudFormation Template Reference, "DependsOn attribute"). That
includes resource attributes beyond Properties: an `AWS::Lambda::Alias`
whose `UpdatePolicy.CodeDeployLambdaAliasUpdate` names a deployment group
depends on that group (AWS CloudFormation Template Reference, "UpdatePolicy
attribute", CodeDeployLambdaAliasUpdate). A cycle makes CloudFormation
reject the whole change set ("Circular dependency between resources"),
while `sam validate --lint` and cfn-lint do not count those references.
Conditions are not evaluated: a reference in either branch of an Fn::If
counts, as it does for some parameter values.

    python scripts/checks/cycles.py [target/transformed/<stack>.json ...]

Runs on every stack transform.py wrote unless given some. On the root
(template.json) the resources are the nested stacks and a reference is
a `Fn::GetAtt <Stack>.Outputs.<Name>` passed as a parameter: a cycle there
is a cycle between stacks, which CloudFormation refuses the same way.
Prints one cycle per stack with the reference behind each step, and exits
1, if there is any.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks import cfn  # noqa: E402
from checks.transform import OUT_DIR  # noqa: E402

# Resource attributes that are not references (DependsOn is read apart).
NOT_REFERENCES = {"Type", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "DependsOn"}

Graph = dict[str, dict[str, str]]


def dependency_graph(template: dict[str, Any]) -> Graph:
    """For each resource, the resources it depends on and why (the first
    reference found, e.g. `UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName`)."""
    resources = template.get("Resources", {})
    graph: Graph = {}
    for logical_id, resource in resources.items():
        edges: dict[str, str] = {}
        depends_on = resource.get("DependsOn", [])
        for name in [depends_on] if isinstance(depends_on, str) else depends_on:
            edges.setdefault(name, "DependsOn")
        for key, value in resource.items():
            if key in NOT_REFERENCES:
                continue
            for name, where in cfn.references(value, key):
                if name in resources:
                    edges.setdefault(name, where)
        graph[logical_id] = edges
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None. Iterative depth-first search."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    for start in sorted(graph):
        if colour[start] != WHITE:
            continue
        path = [start]
        pending = [iter(sorted(graph[start]))]
        colour[start] = GREY
        while pending:
            successor = next(pending[-1], None)
            if successor is None:
                colour[path.pop()] = BLACK
                pending.pop()
            elif colour.get(successor, BLACK) == GREY:
                return path[path.index(successor) :] + [successor]
            elif colour.get(successor) == WHITE:
                colour[successor] = GREY
                path.append(successor)
                pending.append(iter(sorted(graph[successor])))
    return None


def describe(cycle: list[str], graph: Graph) -> str:
    steps = [
        f"  {a} -> {b}  (by {a}.{graph[a][b]})" if graph[a][b] != "DependsOn" else f"  {a} -> {b}  (DependsOn)"
        for a, b in zip(cycle, cycle[1:])
    ]
    return "\n".join(steps)


def check(template: dict[str, Any]) -> list[str]:
    """The problems found: empty when there is no cycle."""
    graph = dependency_graph(template)
    cycle = find_cycle(graph)
    if cycle is None:
        return []
    return [f"dependency cycle of {len(cycle) - 1} resources:\n{describe(cycle, graph)}"]


def main(argv: list[str]) -> int:
    failed = False
    for name, template in cfn.load_stacks([Path(a) for a in argv[1:]], OUT_DIR).items():
        for problem in check(template):
            print(f"cycles: {name}: {problem}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
