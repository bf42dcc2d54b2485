"""Berth's deployment checks: what CloudFormation, Step Functions and API
Gateway will do with the template, checked offline on the template as
`sam deploy` sends it (see transform.py)."""
