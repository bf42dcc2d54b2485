"""Berth's deployment checks: what CloudFormation, Step Functions and API
Gateway will do with the stacks (template.yaml and the nested stacks it
names), checked offline on each as `sam deploy` sends it (see transform.py)."""
