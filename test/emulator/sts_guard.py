"""AssumeRole as AWS decides it, in front of moto.

moto's AssumeRole hands out credentials for any role ARN, existing or not, and evaluates no policy.
That is enough to move into another account, but it would let a cross-account test pass with a
member role that is missing, a trust policy that names the wrong principal, or a scanner policy
that does not allow sts:AssumeRole. This guard refuses AssumeRole the way STS does (403
AccessDenied, "User: … is not authorized to perform: sts:AssumeRole on resource: …") unless

- the role exists in the target account (IAM GetRole in that account, read from moto);
- its trust policy allows the caller: an Allow statement for sts:AssumeRole whose Principal names
  the caller's role ARN, its account ("123456789012" or "arn:…:root") or "*", and whose conditions
  hold, and no Deny statement that matches;
- when the caller is a role session, one of the caller role's policies (inline or attached) allows
  sts:AssumeRole on the target role ARN (with * and ? wildcards), and none denies it.

Conditions understood: StringEquals, StringLike, StringNotEquals, ArnEquals, ArnLike on the keys
aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID and sts:ExternalId. Anything else in a
trust policy is refused with a message naming it, so a test never passes on a condition the guard
did not check. Callers that are not role sessions (moto's default user, which setup code uses) are
not checked against identity policies: they stand for an administrator.
"""

from __future__ import annotations

import fnmatch
import json
import threading
import urllib.parse
from dataclasses import dataclass

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"
SUPPORTED_OPERATORS = {"StringEquals", "StringLike", "StringNotEquals", "ArnEquals", "ArnLike"}
SUPPORTED_KEYS = {"aws:principalarn", "aws:principalaccount", "aws:principalorgid", "sts:externalid"}


@dataclass(frozen=True)
class Caller:
    account: str
    partition: str
    arn: str  # the principal ARN as aws:PrincipalArn sees it: the role's ARN for a role session
    role_name: str | None  # set for role sessions


class Refusal(Exception):
    """AssumeRole is denied; the message is STS's."""


def _listify(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _matches(pattern: str, value: str) -> bool:
    # IAM wildcards: * any run of characters, ? one character; no character classes.
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


class StsGuard:
    def __init__(self, moto_url: str):
        self.moto_url = moto_url
        self._lock = threading.Lock()
        self._clients: dict[tuple, object] = {}
        # One session for every client: a new session reads botocore's data files again (slow).
        self._session = boto3.session.Session()

    # ---- moto, read as a given account
    def _client(self, service: str, account: str | None = None, region: str = "us-east-1"):
        key = (service, account, region)
        with self._lock:
            if key in self._clients:
                return self._clients[key]
        credentials = {"aws_access_key_id": "guard", "aws_secret_access_key": "guard"}
        if account is not None:
            sts = self._client("sts")
            answer = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/emulator-sts-guard", RoleSessionName="sts-guard")["Credentials"]
            credentials = {
                "aws_access_key_id": answer["AccessKeyId"],
                "aws_secret_access_key": answer["SecretAccessKey"],
                "aws_session_token": answer["SessionToken"],
            }
        with self._lock:
            client = self._session.client(
                service, endpoint_url=self.moto_url, region_name=region, config=Config(retries={"max_attempts": 1}), **credentials
            )
        with self._lock:
            self._clients[key] = client
        return client

    def caller_of(self, authorization: str, security_token: str | None) -> Caller:
        """Who signed the request, from moto's GetCallerIdentity for the same access key."""
        access_key = authorization.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in authorization else "guard"
        with self._lock:
            client = self._clients.get(("caller", access_key))
            if client is None:
                client = self._session.client(
                    "sts",
                    endpoint_url=self.moto_url,
                    region_name="us-east-1",
                    aws_access_key_id=access_key,
                    aws_secret_access_key="unused",
                    aws_session_token=security_token,
                    config=Config(retries={"max_attempts": 1}),
                )
                self._clients[("caller", access_key)] = client
        identity = client.get_caller_identity()
        arn = identity["Arn"]
        partition = arn.split(":")[1]
        account = identity["Account"]
        parts = arn.split(":", 5)[5].split("/")
        if parts[0] == "assumed-role":
            try:
                role = self._client("iam", account).get_role(RoleName=parts[1])["Role"]
            except ClientError:
                # moto issues sessions for roles that do not exist; AWS never would.
                raise Refusal(f"User: {arn} is a session of a role that does not exist in account {account}") from None
            return Caller(account, partition, role["Arn"], parts[1])
        return Caller(account, partition, arn, None)

    def _organization_of(self, account: str) -> str | None:
        try:
            return self._client("organizations", account).describe_organization()["Organization"]["Id"]
        except ClientError:
            return None

    # ---- policy evaluation
    def _context(self, caller: Caller, external_id: str | None) -> dict[str, str | None]:
        return {
            "aws:principalarn": caller.arn,
            "aws:principalaccount": caller.account,
            "aws:principalorgid": self._organization_of(caller.account),
            "sts:externalid": external_id,
        }

    @staticmethod
    def _conditions_hold(conditions: dict, context: dict[str, str | None], where: str) -> bool:
        for operator, entries in (conditions or {}).items():
            if operator not in SUPPORTED_OPERATORS:
                raise Refusal(f"the emulator's AssumeRole guard does not evaluate the condition operator {operator} ({where})")
            for key, expected in entries.items():
                if key.lower() not in SUPPORTED_KEYS:
                    raise Refusal(f"the emulator's AssumeRole guard does not evaluate the condition key {key} ({where})")
                actual = context.get(key.lower())
                values = [str(v) for v in _listify(expected)]
                if operator in ("StringEquals", "ArnEquals"):
                    ok = actual is not None and actual in values
                elif operator == "StringNotEquals":
                    ok = actual is None or actual not in values
                else:
                    ok = actual is not None and any(_matches(v, actual) for v in values)
                if not ok:
                    return False
        return True

    @staticmethod
    def _principal_matches(principal, caller: Caller) -> bool:
        if principal == "*":
            return True
        for value in _listify((principal or {}).get("AWS") if isinstance(principal, dict) else None):
            if value in ("*", caller.account, f"arn:{caller.partition}:iam::{caller.account}:root", caller.arn):
                return True
        return False

    @staticmethod
    def _action_matches(actions) -> bool:
        return any(_matches(a.lower(), "sts:assumerole") for a in _listify(actions))

    def _trust_allows(self, document: dict, caller: Caller, external_id: str | None, role_arn: str) -> bool:
        context = self._context(caller, external_id)
        allowed = False
        for index, statement in enumerate(_listify(document.get("Statement"))):
            if not self._action_matches(statement.get("Action")) or not self._principal_matches(statement.get("Principal"), caller):
                continue
            if not self._conditions_hold(statement.get("Condition"), context, f"statement {index} of the trust policy of {role_arn}"):
                continue
            if statement.get("Effect") == "Deny":
                return False
            allowed = True
        return allowed

    def _caller_policies(self, caller: Caller) -> list[dict]:
        iam = self._client("iam", caller.account)
        documents = []
        for name in iam.list_role_policies(RoleName=caller.role_name)["PolicyNames"]:
            document = iam.get_role_policy(RoleName=caller.role_name, PolicyName=name)["PolicyDocument"]
            documents.append(json.loads(urllib.parse.unquote(document)) if isinstance(document, str) else document)
        for attached in iam.list_attached_role_policies(RoleName=caller.role_name)["AttachedPolicies"]:
            policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
            version = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"])["PolicyVersion"]
            document = version["Document"]
            documents.append(json.loads(urllib.parse.unquote(document)) if isinstance(document, str) else document)
        return documents

    def _identity_allows(self, caller: Caller, role_arn: str) -> bool:
        allowed = False
        for document in self._caller_policies(caller):
            for statement in _listify(document.get("Statement")):
                if not self._action_matches(statement.get("Action")):
                    continue
                if not any(_matches(r, role_arn) for r in _listify(statement.get("Resource"))):
                    continue
                if statement.get("Effect") == "Deny":
                    return False
                allowed = True
        return allowed

    def check(self, params: dict[str, str], authorization: str, security_token: str | None) -> None:
        """Raises Refusal with STS's message when AWS would deny this AssumeRole."""
        role_arn = params.get("RoleArn", "")
        caller = self.caller_of(authorization, security_token)
        denied = f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        parts = role_arn.split(":")
        if len(parts) != 6 or not parts[5].startswith("role/"):
            raise Refusal(denied)
        account, role_name = parts[4], parts[5].split("/")[-1]
        try:
            role = self._client("iam", account).get_role(RoleName=role_name)["Role"]
        except ClientError:
            raise Refusal(denied) from None
        document = role["AssumeRolePolicyDocument"]
        if isinstance(document, str):
            document = json.loads(urllib.parse.unquote(document))
        if not self._trust_allows(document, caller, params.get("ExternalId"), role_arn):
            raise Refusal(denied)
        if caller.role_name is not None and not self._identity_allows(caller, role_arn):
            raise Refusal(denied)


def render_refusal(message: str, request_id: str) -> bytes:
    from xml.sax.saxutils import escape

    return (
        f'<ErrorResponse xmlns="{STS_XMLNS}"><Error><Type>Sender</Type><Code>AccessDenied</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
