"""StackSets as AWS keeps them, where moto does not.

DeleteStackInstances for organizational units, which moto ignores.

A StackSet with service-managed permissions deploys to OUs: CreateStackInstances with
DeploymentTargets.OrganizationalUnitIds puts a stack into every account of those OUs (moto does
this, for the OUs given and their child OUs). Deleting the instances names the same OUs, without
accounts; moto reads only Accounts and deletes nothing, so DeleteStackSet then fails with
StackSetNotEmptyException and `terraform destroy` of a StackSet stops. The layer adds the accounts
of those OUs (read from moto's Organizations, as the caller), the accounts AWS would delete the
instances of, and forwards the request.

The capabilities and the automatic deployment of a StackSet, which moto drops: DescribeStackSet
then answers without them, and Terraform plans to replace the StackSet after every apply. The layer
remembers what CreateStackSet and UpdateStackSet were given, by Region and StackSet name, and adds
it to DescribeStackSet's answer.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qsl, urlencode
from xml.sax.saxutils import escape

import boto3
from botocore.config import Config

OU_TARGET = re.compile(r"^DeploymentTargets\.OrganizationalUnitIds\.member\.\d+$")


def _accounts_in(organizations, ou_ids: list[str]) -> list[str]:
    """Accounts of the OUs and of their direct child OUs, as moto's CreateStackInstances targets them."""
    parents = list(ou_ids)
    for ou in ou_ids:
        for page in organizations.get_paginator("list_organizational_units_for_parent").paginate(ParentId=ou):
            parents += [child["Id"] for child in page["OrganizationalUnits"]]
    accounts: list[str] = []
    for parent in parents:
        for page in organizations.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
            accounts += [a["Id"] for a in page["Accounts"] if a["Id"] not in accounts]
    return accounts


def with_ou_accounts(body: bytes, authorization: str, security_token: str | None, moto_url: str) -> bytes:
    """The DeleteStackInstances body with Accounts added for its OU targets; unchanged when it names accounts or no OU."""
    params = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    if any(key.startswith("Accounts.member.") for key, _ in params):
        return body
    ou_ids = [value for key, value in params if OU_TARGET.match(key)]
    if not ou_ids:
        return body
    access_key = authorization.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in authorization else "emulator"
    organizations = boto3.session.Session().client(
        "organizations",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key="unused",
        aws_session_token=security_token,
        config=Config(retries={"max_attempts": 1}),
    )
    accounts = _accounts_in(organizations, ou_ids)
    params += [(f"Accounts.member.{index}", account) for index, account in enumerate(accounts, start=1)]
    return urlencode(params).encode()


class StackSetSettings:
    """Capabilities and AutoDeployment of each StackSet, by (Region, name), as they were last set."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings: dict[tuple[str, str], dict] = {}

    def remember(self, region: str, params: dict[str, str]) -> None:
        name = params.get("StackSetName")
        if not name:
            return
        capabilities = [v for k, v in sorted(params.items()) if k.startswith("Capabilities.member.")]
        auto = {k.split(".", 1)[1]: v for k, v in params.items() if k.startswith("AutoDeployment.")}
        with self._lock:
            current = self._settings.setdefault((region, name), {})
            if capabilities or params.get("Action") == "CreateStackSet":
                current["capabilities"] = capabilities
            if auto:
                current["auto"] = auto

    def forget(self, region: str, params: dict[str, str]) -> None:
        with self._lock:
            self._settings.pop((region, params.get("StackSetName", "")), None)

    def describe(self, region: str, params: dict[str, str], xml: bytes) -> bytes:
        """DescribeStackSet's answer with what moto left out."""
        with self._lock:
            settings = dict(self._settings.get((region, params.get("StackSetName", "")), {}))
        if not settings or b"</StackSet>" not in xml:
            return xml
        added = ""
        if settings.get("capabilities") and b"<Capabilities>" not in xml:
            added += "<Capabilities>" + "".join(f"<member>{escape(c)}</member>" for c in settings["capabilities"]) + "</Capabilities>"
        if settings.get("auto") and b"<AutoDeployment>" not in xml:
            added += "<AutoDeployment>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in sorted(settings["auto"].items())) + "</AutoDeployment>"
        return xml.replace(b"</StackSet>", added.encode() + b"</StackSet>", 1)
