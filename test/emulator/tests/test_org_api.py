"""The layer's answers for cross-account scans and Step Functions: AssumeRole decided as AWS does
(role, trust policy, conditions, the caller's own policy), ValidateStateMachineDefinition and
ListStateMachineVersions."""

from __future__ import annotations

import json
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import emulator as lifecycle
import sfn_api

STATE: dict = {}
SESSION = boto3.session.Session()
SCANNER_ACCOUNT = "123456789012"
MEMBER = "222233334444"
SCANNER_ROLE = f"arn:aws:iam::{SCANNER_ACCOUNT}:role/scanner"


def setUpModule():
    STATE["emulator"] = lifecycle.start(["us-east-1"])


def tearDownModule():
    lifecycle.stop(STATE["emulator"])


def session_client(service: str, endpoint: str, credentials: dict | None = None, region: str = "us-east-1"):
    keys = credentials or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return SESSION.client(service, endpoint_url=endpoint, region_name=region, config=Config(retries={"max_attempts": 1}), **keys)


def keys_of(answer: dict) -> dict:
    c = answer["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"], "aws_session_token": c["SessionToken"]}


def moto() -> str:
    return STATE["emulator"].moto.url


def proxy() -> str:
    return STATE["emulator"].proxy.url


def in_account(account: str, service: str) -> object:
    """A client acting in `account`, set up straight at moto (no guard)."""
    answer = session_client("sts", moto()).assume_role(RoleArn=f"arn:aws:iam::{account}:role/setup", RoleSessionName="setup")
    return session_client(service, moto(), keys_of(answer))


def trust(conditions: dict | None = None, principal: str = f"arn:aws:iam::{SCANNER_ACCOUNT}:root") -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if conditions:
        statement["Condition"] = conditions
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


class AssumeRoleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        iam = session_client("iam", moto())
        iam.create_role(RoleName="scanner", AssumeRolePolicyDocument=trust(principal="*"))
        iam.put_role_policy(
            RoleName="scanner",
            PolicyName="assume-members",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/member-*"}]}
            ),
        )
        iam.create_role(RoleName="bystander", AssumeRolePolicyDocument=trust(principal="*"))
        member_iam = in_account(MEMBER, "iam")
        member_iam.create_role(RoleName="member-arn", AssumeRolePolicyDocument=trust({"ArnEquals": {"aws:PrincipalArn": SCANNER_ROLE}}))
        member_iam.create_role(
            RoleName="member-external",
            AssumeRolePolicyDocument=trust({"ArnEquals": {"aws:PrincipalArn": SCANNER_ROLE}, "StringEquals": {"sts:ExternalId": "ipam-7f3a"}}),
        )
        member_iam.create_role(RoleName="member-org", AssumeRolePolicyDocument=trust({"StringEquals": {"aws:PrincipalOrgID": "o-notmine0000"}}))
        member_iam.create_role(RoleName="member-unknown-key", AssumeRolePolicyDocument=trust({"StringEquals": {"aws:SourceIp": "10.0.0.1"}}))
        member_iam.create_role(RoleName="outside-scanner-policy", AssumeRolePolicyDocument=trust())

    callers: dict = {}

    def sts_as(self, name: str):
        """An STS client of the proxy signed as a session of the scanner account's role `name`; one per role."""
        if name not in self.callers:
            answer = session_client("sts", moto()).assume_role(RoleArn=f"arn:aws:iam::{SCANNER_ACCOUNT}:role/{name}", RoleSessionName=name)
            self.callers[name] = session_client("sts", proxy(), keys_of(answer))
        return self.callers[name]

    def assume(self, role: str, caller: str = "scanner", **extra) -> dict:
        sts = self.sts_as(caller)
        return sts.assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/{role}", RoleSessionName="scan", **extra)

    def refusal(self, role: str, caller: str = "scanner", **extra) -> str:
        with self.assertRaises(ClientError) as raised:
            self.assume(role, caller, **extra)
        self.assertEqual(raised.exception.response["Error"]["Code"], "AccessDenied")
        self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        return raised.exception.response["Error"]["Message"]

    def test_a_role_trusting_the_scanner_role_gives_credentials_of_the_member_account(self):
        answer = self.assume("member-arn")
        identity = session_client("sts", proxy(), keys_of(answer)).get_caller_identity()
        self.assertEqual((identity["Account"], identity["Arn"]), (MEMBER, f"arn:aws:sts::{MEMBER}:assumed-role/member-arn/scan"))

    def test_a_missing_role_is_denied_with_the_message_sts_gives(self):
        message = self.refusal("member-missing")
        self.assertEqual(
            message,
            f"User: {SCANNER_ROLE} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{MEMBER}:role/member-missing",
        )

    def test_another_role_of_the_scanner_account_is_denied_by_the_principal_arn_condition(self):
        self.refusal("member-arn", caller="bystander")

    def test_the_external_id_must_match(self):
        self.refusal("member-external")
        self.refusal("member-external", ExternalId="wrong-id")
        self.assertIn("Credentials", self.assume("member-external", ExternalId="ipam-7f3a"))

    def test_an_organization_condition_is_checked_against_the_callers_organization(self):
        self.refusal("member-org")

    def test_a_condition_key_the_guard_cannot_evaluate_is_refused_naming_it(self):
        self.assertIn("aws:SourceIp", self.refusal("member-unknown-key"))

    def test_the_callers_own_policy_must_allow_the_role(self):
        # Trusted by the member role, but the scanner's policy allows member-* roles only.
        self.refusal("outside-scanner-policy")


class StepFunctionsTest(unittest.TestCase):
    DEFINITION = {
        "StartAt": "Plan",
        "States": {
            "Plan": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Shards"},
            "Shards": {
                "Type": "Map",
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "Collect", "States": {"Collect": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}},
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }

    def sfn(self):
        return session_client("stepfunctions", proxy())

    def test_a_valid_definition_is_ok(self):
        answer = self.sfn().validate_state_machine_definition(definition=json.dumps(self.DEFINITION), type="STANDARD")
        self.assertEqual((answer["result"], answer["diagnostics"]), ("OK", []))

    def test_a_transition_to_a_missing_state_fails_naming_it(self):
        broken = json.loads(json.dumps(self.DEFINITION))
        broken["States"]["Shards"]["ItemProcessor"]["States"]["Collect"] = {"Type": "Task", "Resource": "x", "Next": "Nowhere"}
        answer = self.sfn().validate_state_machine_definition(definition=json.dumps(broken))
        self.assertEqual(answer["result"], "FAIL")
        self.assertEqual([(d["code"], d["location"]) for d in answer["diagnostics"]], [
            ("MISSING_TRANSITION_TARGET", "/States/Shards/ItemProcessor/States/Collect"),
            ("NO_TERMINAL_STATE", "/States/Shards/ItemProcessor"),
        ])

    def test_text_that_is_not_json_fails(self):
        answer = self.sfn().validate_state_machine_definition(definition="{not json")
        self.assertEqual((answer["result"], answer["diagnostics"][0]["code"]), ("FAIL", "INVALID_JSON_DESCRIPTION"))

    def test_versions_are_listed_from_motos_state_newest_first(self):
        sfn = self.sfn()
        role = f"arn:aws:iam::{SCANNER_ACCOUNT}:role/sfn"
        plain = sfn.create_state_machine(name="plain", definition=json.dumps(self.DEFINITION), roleArn=role)["stateMachineArn"]
        published = sfn.create_state_machine(name="published", definition=json.dumps(self.DEFINITION), roleArn=role, publish=True)["stateMachineArn"]
        sfn.update_state_machine(stateMachineArn=published, definition=json.dumps(self.DEFINITION), publish=True)

        self.assertEqual(sfn.list_state_machine_versions(stateMachineArn=plain)["stateMachineVersions"], [])
        listed = [v["stateMachineVersionArn"] for v in sfn.list_state_machine_versions(stateMachineArn=published)["stateMachineVersions"]]
        self.assertEqual(listed, [f"{published}:2", f"{published}:1"])

    def test_versions_of_a_missing_state_machine_are_an_error(self):
        with self.assertRaises(ClientError) as raised:
            self.sfn().list_state_machine_versions(stateMachineArn=f"arn:aws:states:us-east-1:{SCANNER_ACCOUNT}:stateMachine:missing")
        self.assertEqual(raised.exception.response["Error"]["Code"], "StateMachineDoesNotExist")

    def test_the_structural_check_needs_no_server(self):
        status, answer = sfn_api.validate({"definition": json.dumps({"StartAt": "A", "States": {"A": {"Type": "Wait"}}})})
        self.assertEqual((status, answer["result"], answer["diagnostics"][0]["code"]), (200, "FAIL", "SCHEMA_VALIDATION_FAILED"))


class StackSetTest(unittest.TestCase):
    TEMPLATE = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "stack-set-probe"}}}})

    def test_deleting_the_instances_of_an_ou_deletes_those_of_its_accounts(self):
        orgs = session_client("organizations", moto())
        try:
            orgs.create_organization(FeatureSet="ALL")
        except ClientError:
            pass  # another test of this module created it
        root = orgs.list_roots()["Roots"][0]["Id"]
        ou = orgs.create_organizational_unit(ParentId=root, Name="stack-set-targets")["OrganizationalUnit"]["Id"]
        account = orgs.create_account(AccountName="target", Email="target@example.com")["CreateAccountStatus"]["AccountId"]
        orgs.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)
        cfn = session_client("cloudformation", proxy())
        cfn.create_stack_set(StackSetName="probe", TemplateBody=self.TEMPLATE, PermissionModel="SERVICE_MANAGED", AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False})
        cfn.create_stack_instances(StackSetName="probe", DeploymentTargets={"OrganizationalUnitIds": [ou]}, Regions=["us-east-1"])
        created = [i["Account"] for i in cfn.list_stack_instances(StackSetName="probe")["Summaries"]]

        cfn.delete_stack_instances(StackSetName="probe", DeploymentTargets={"OrganizationalUnitIds": [ou]}, Regions=["us-east-1"], RetainStacks=False)

        self.assertEqual((created, cfn.list_stack_instances(StackSetName="probe")["Summaries"]), ([account], []))
        cfn.delete_stack_set(StackSetName="probe")

    def test_a_stack_sets_capabilities_and_automatic_deployment_are_described_as_they_were_set(self):
        cfn = session_client("cloudformation", proxy())
        cfn.create_stack_set(
            StackSetName="described", TemplateBody=self.TEMPLATE, PermissionModel="SERVICE_MANAGED", Capabilities=["CAPABILITY_NAMED_IAM"],
            AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False},
        )

        described = cfn.describe_stack_set(StackSetName="described")["StackSet"]

        self.assertEqual(
            (described["Capabilities"], described["AutoDeployment"]),
            (["CAPABILITY_NAMED_IAM"], {"Enabled": True, "RetainStacksOnAccountRemoval": False}),
        )


class BucketPolicyTest(unittest.TestCase):
    POLICY = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ],
    }

    def test_a_bucket_with_a_conditional_deny_stays_usable_and_its_policy_reads_back_as_written(self):
        s3 = session_client("s3", proxy())
        s3.create_bucket(Bucket="tls-only")
        s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps(self.POLICY))

        s3.put_object(Bucket="tls-only", Key="k", Body=b"v")

        self.assertEqual((json.loads(s3.get_bucket_policy(Bucket="tls-only")["Policy"]), s3.get_object(Bucket="tls-only", Key="k")["Body"].read()), (self.POLICY, b"v"))

    def test_moto_alone_refuses_every_request_to_such_a_bucket(self):
        # What the layer corrects; if moto is fixed, this fails and the correction can go.
        s3 = session_client("s3", moto())
        s3.create_bucket(Bucket="tls-only-direct")
        s3.put_bucket_policy(Bucket="tls-only-direct", Policy=json.dumps(self.POLICY).replace("tls-only", "tls-only-direct"))
        with self.assertRaises(ClientError) as raised:
            s3.put_object(Bucket="tls-only-direct", Key="k", Body=b"v")
        self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
