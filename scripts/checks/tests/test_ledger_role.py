"""The ledger writer's role allows every RDS Data API call the ledger adapter
makes (shared/aws/src/ledger.rs): a batch of two or more SQS messages is
written with BatchExecuteStatement, and a role without it sends every such
batch to the dead-letter queue. (The general check, every adapter against
every role both ways, is the IAM parity test; this one pins the defect.)"""

import re

from checks import cfn
from checks.transform import ROOT

LEDGER = ROOT / "shared" / "aws" / "src" / "ledger.rs"
DATA_API_CALLS = ("execute_statement", "batch_execute_statement", "begin_transaction", "commit_transaction", "rollback_transaction")


def called_actions(source: str) -> set[str]:
    """`rds-data:<Operation>` for each Data API call in the source."""
    calls = set(re.findall(r"\.(" + "|".join(DATA_API_CALLS) + r")\(\)", source))
    return {"rds-data:" + "".join(word.capitalize() for word in call.split("_")) for call in calls}


def allowed_actions(template: dict, role_id: str) -> set[str]:
    actions = set()
    for policy in template["Resources"][role_id]["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement.get("Effect") == "Allow":
                action = statement["Action"]
                actions.update([action] if isinstance(action, str) else action)
    return actions


def test_the_adapter_calls_are_read():
    assert called_actions("x.batch_execute_statement().y.commit_transaction()") == {
        "rds-data:BatchExecuteStatement",
        "rds-data:CommitTransaction",
    }


def test_the_ledger_writer_may_make_every_call_of_the_ledger_adapter(transformed):
    called = called_actions(LEDGER.read_text())
    assert "rds-data:BatchExecuteStatement" in called
    role = cfn.references(transformed["Resources"]["RecordLedgerFunction"]["Properties"]["Role"])
    (role_id,) = {name for name, _ in role}
    missing = called - allowed_actions(transformed, role_id)
    assert not missing, f"RecordLedgerFunction's role does not allow {sorted(missing)}"
