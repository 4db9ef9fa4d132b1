#!/usr/bin/env python3
"""End to end across an organization: examples/organization applied to an emulated AWS Organization,
the deployed state machine run with the deployed package.

  python3 test/org/org_e2e.py [--keep-work-dir]      (or test/org/run.sh)

1. starts moto and the emulation layer (AssumeRole decided by roles and trust policies, the Step
   Functions calls the provider needs) on free loopback ports; always stops them;
2. seeds an organization in moto: the management account (moto's default) and five members:
   `payments` (OU prod, below OU workloads), `data` (OU workloads), `baseline` (root), `sandbox`
   (OU sandbox) and `legacy` (OU workloads, closed: SUSPENDED); a VPC and a subnet with a known
   number of addresses in use in each account and each of two Regions;
3. applies examples/organization with fan_out = "step-functions": the scanner, the member role
   StackSet for OU workloads (moto deploys its stacks into payments, data and legacy), and the member
   role from modules/member-role in `baseline`; sandbox gets no role;
4. checks the roles (the StackSet's and the module's) and the function's environment;
5. runs the deployed state machine definition with the deployed package (test/org/run-state-machine.ts):
   Plan, the Distributed Map over shards, Finish, in the order the definition gives; checks the
   per-account numbers the function published (a member account's free /28 prefixes, read through its
   role, among them), the notification, each member role assumed once, the
   suspended account skipped, the denied account named in each Region, and the scan partial;
6. runs the function once without Step Functions (the schedule's event) and checks it fails the same
   way and publishes the same counts;
7. expects an empty second plan, destroys, and checks nothing of the deployment is left.

Ends with "N passed, N failed"; exits 1 when any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO / "test" / "e2e"), str(REPO / "test" / "emulator")]

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

import emulator as lifecycle  # noqa: E402
import harness  # noqa: E402
import seed as seeder  # noqa: E402

NAME = f"ipam-org-e2e-{os.getpid()}"
REGIONS = ["us-east-1", "eu-west-1"]
MANAGEMENT = "123456789012"  # moto's default account
EXAMPLE = REPO / "examples" / "organization"
TSX = REPO / "lambda" / "node_modules" / ".bin" / "tsx"
NAMESPACE = "IPAMMonitor"
KEYS = {"aws_access_key_id": "emulator", "aws_secret_access_key": "emulator"}

# Addresses in use in each account's /24 subnet (251 usable), by Region; index = account number.
USED = {
    "management": (50, 50),
    "payments": (240, 100),  # 95.6% critical in us-east-1
    "data": (210, 20),  # 83.7% warning in us-east-1
    "baseline": (30, 30),
    "sandbox": (250, 250),  # would be critical, but the scanner cannot read it
}
ORDER = list(USED)


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, ok: bool, detail: object = "") -> bool:
        if ok:
            self.passed += 1
            print(f"  ok    {name}", flush=True)
        else:
            self.failed += 1
            text = detail if isinstance(detail, str) else json.dumps(detail, indent=2, default=str)
            print(f"  FAIL  {name}" + ("\n" + "\n".join(f"          {line}" for line in text.splitlines()) if text else ""), flush=True)
        return ok

    def equal(self, name: str, actual, expected) -> bool:
        return self.check(name, actual == expected, {"expected": expected, "actual": actual})


def client(moto: str, service: str, region: str = REGIONS[0], credentials: dict | None = None):
    return boto3.session.Session().client(
        service, endpoint_url=moto, region_name=region, config=Config(retries={"max_attempts": 2, "mode": "standard"}), **(credentials or KEYS)
    )


def session_in(moto: str, account: str, role: str = "OrganizationAccountAccessRole", session: str = "setup") -> dict:
    """Credentials of `account`, straight from moto (setup, not through the AssumeRole checks)."""
    answer = client(moto, "sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName=session)["Credentials"]
    return {"aws_access_key_id": answer["AccessKeyId"], "aws_secret_access_key": answer["SecretAccessKey"], "aws_session_token": answer["SessionToken"]}


# ------------------------------------------------------------------ the organization


def seed_organization(moto: str) -> dict:
    orgs = client(moto, "organizations")
    organization = orgs.create_organization(FeatureSet="ALL")["Organization"]
    root = orgs.list_roots()["Roots"][0]["Id"]
    workloads = orgs.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    prod = orgs.create_organizational_unit(ParentId=workloads, Name="prod")["OrganizationalUnit"]["Id"]
    sandbox_ou = orgs.create_organizational_unit(ParentId=root, Name="sandbox")["OrganizationalUnit"]["Id"]
    accounts = {"management": MANAGEMENT}
    for name, parent in (("payments", prod), ("data", workloads), ("baseline", root), ("sandbox", sandbox_ou), ("legacy", workloads)):
        status = orgs.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        accounts[name] = status["AccountId"]
        if parent != root:
            orgs.move_account(AccountId=accounts[name], SourceParentId=root, DestinationParentId=parent)
    orgs.close_account(AccountId=accounts["legacy"])
    return {"id": organization["Id"], "root": root, "workloads": workloads, "prod": prod, "sandbox": sandbox_ou, "accounts": accounts}


def seed_networks(moto: str, accounts: dict) -> dict:
    """A VPC 10.<n>.0.0/16 and a subnet 10.<n>.<r>.0/24 per account n and Region r, tagged team=<account name>."""
    subnets = {}
    for number, name in enumerate(ORDER, start=1):
        credentials = None if name == "management" else session_in(moto, accounts[name])
        for index, region in enumerate(REGIONS):
            ec2 = client(moto, "ec2", region, credentials)
            tags = [{"Key": "team", "Value": name}, {"Key": "e2e", "Value": "yes"}]
            vpc = ec2.create_vpc(CidrBlock=f"10.{number}.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": tags}])["Vpc"]["VpcId"]
            cidr = f"10.{number}.{index}.0/24"
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, TagSpecifications=[{"ResourceType": "subnet", "Tags": tags}])["Subnet"]["SubnetId"]
            used = USED[name][index]
            seeder.set_subnet_used(ec2, subnet, used)
            subnets[(name, region)] = {"id": subnet, "cidr": cidr, "used": used}
    return subnets


def rules(accounts: dict) -> str:
    scopes = []
    for name in ORDER:
        scopes.append(
            f"  - name: {name}\n"
            f"    match: {{ accounts: [\"{accounts[name]}\"], resourceTypes: [subnet], tags: {{ e2e: \"yes\" }} }}\n"
        )
    # Allocatable capacity of a member account's subnets, read through its member role (the StackSet's).
    scopes.append(
        "  - name: data-capacity\n"
        f"    match: {{ accounts: [\"{accounts['data']}\"], resourceTypes: [subnet], tags: {{ e2e: \"yes\" }} }}\n"
        "    capacity: true\n"
        "    thresholds: { minFreePrefixesCritical: 2 }\n"
    )
    scopes.append("  - name: all-subnets\n    match: { resourceTypes: [subnet], tags: { e2e: \"yes\" } }\n")
    scopes.append("  - name: eu-west-1\n    match: { regions: [eu-west-1], resourceTypes: [subnet], tags: { e2e: \"yes\" } }\n")
    return "version: 1\ndefaults:\n  thresholds: { warning: 80, critical: 90 }\nscopes:\n" + "".join(scopes)


# ------------------------------------------------------------------ terraform


class Root:
    """A working copy of examples/organization pointed at this checkout and the emulator."""

    def __init__(self, work: Path, moto: str, proxy: str, variables: dict) -> None:
        self.dir = work / "root"
        self.work = work
        self.moto = moto
        self.proxy = proxy
        self.variables = variables
        self.dir.mkdir(parents=True)
        # Relative sources, as in the example: Terraform copies a module given by an absolute path
        # on its own, without the files around it that it reads (lambda/iam-actions.json).
        to_repo = os.path.relpath(REPO, self.dir)
        for path in EXAMPLE.iterdir():
            if path.is_file() and path.suffix in (".tf", ".yaml"):
                text = path.read_text().replace('"../../modules/member-role"', f'"{to_repo}/modules/member-role"')
                text = text.replace('source = "../.."', f'source = "{to_repo}"')
                (self.dir / path.name).write_text(text)
        shutil.copy(HERE / "emulator_override.tf", self.dir / "emulator_override.tf")

    def env(self) -> dict:
        env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        # Step Functions, CloudFormation and S3 through the emulation layer, which answers what moto
        # lacks or keeps wrong (test/emulator/README.md); the rest straight to moto.
        env.update(
            AWS_ENDPOINT_URL=self.moto,
            AWS_ENDPOINT_URL_SFN=self.proxy,
            AWS_ENDPOINT_URL_CLOUDFORMATION=self.proxy,
            AWS_ENDPOINT_URL_S3=self.proxy,
        )
        env.update(TF_DATA_DIR=str(self.work / "terraform-data"), TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")
        return env

    def run(self, *args: str, check: bool = True):
        var_args = [f"-var={k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in self.variables.items()] if args[0] in ("apply", "plan", "destroy") else []
        completed = harness.run_process(["terraform", *args, *var_args], env=self.env(), cwd=self.dir, timeout=600, what=f"terraform {args[0]}")
        with (self.work / "terraform.log").open("a") as log:
            log.write(f"$ terraform {' '.join(args)}\n{completed.stdout}{completed.stderr}\n")
        if check and completed.returncode != 0:
            raise harness.HarnessError(f"terraform {args[0]} failed:\n{harness.tail(completed.stdout + completed.stderr)}")
        return completed


# ------------------------------------------------------------------ the function


def function_env(moto: str, proxy: str, function: dict, task_root: Path) -> dict:
    """The deployed function's environment, with the credentials of a session of its role, as Lambda gives it."""
    role = function["Role"]
    credentials = session_in(moto, role.split(":")[4], role.split("/")[-1], session=function["FunctionName"])
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(function.get("Environment", {}).get("Variables", {}))
    env.update(
        AWS_ENDPOINT_URL=proxy,
        AWS_REGION=function["FunctionArn"].split(":")[3],
        AWS_ACCESS_KEY_ID=credentials["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=credentials["aws_secret_access_key"],
        AWS_SESSION_TOKEN=credentials["aws_session_token"],
        LAMBDA_TASK_ROOT=str(task_root),
        # The runner script lives outside lambda/; its SDK imports resolve there.
        NODE_PATH=str(REPO / "lambda" / "node_modules"),
    )
    return env


def metric_values(moto: str, since: datetime) -> dict[tuple[str, str], float]:
    """(scope, metric) -> value of every per-scope datum published since `since`."""
    cloudwatch = client(moto, "cloudwatch")
    values = {}
    for metric in cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]:
        scope = next((d["Value"] for d in metric.get("Dimensions", []) if d["Name"] == "Scope"), None)
        if scope is None or len(metric.get("Dimensions", [])) != 1:
            continue
        points = cloudwatch.get_metric_statistics(
            Namespace=NAMESPACE, MetricName=metric["MetricName"], Dimensions=metric["Dimensions"],
            StartTime=since, EndTime=datetime.now(timezone.utc) + timedelta(minutes=5), Period=60, Statistics=["Maximum"],
        )["Datapoints"]
        if points:
            values[(scope, metric["MetricName"])] = max(p["Maximum"] for p in points)
    return values


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep-work-dir", action="store_true")
    args = parser.parse_args(argv)
    checks = Checks()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=f"{NAME}-"))
    emulator = lifecycle.start(REGIONS, str(work / "emulator"))
    root: Root | None = None
    applied = False
    packages_before = set((REPO / "dist").glob(f"{NAME}-*.zip"))
    try:
        moto, proxy = emulator.moto.url, emulator.proxy.url
        print("==> seeding an organization of six accounts in two Regions", flush=True)
        org = seed_organization(moto)
        accounts = org["accounts"]
        subnets = seed_networks(moto, accounts)

        print("==> terraform apply examples/organization (fan_out = step-functions)", flush=True)
        root = Root(work, moto, proxy, {"name": NAME, "regions": REGIONS, "member_ou_ids": [org["workloads"]], "baseline_account_id": accounts["baseline"], "fan_out": "step-functions"})
        (root.dir / "ipam-rules.yaml").write_text(rules(accounts))
        root.run("init", "-input=false", "-no-color", *([f"-plugin-dir={d}"] if (d := os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins")) and Path(d).is_dir() else []))
        applied = True
        root.run("apply", "-auto-approve", "-input=false", "-no-color")
        outputs = {k: v["value"] for k, v in json.loads(root.run("output", "-json").stdout).items()}

        # ---- what was deployed
        checks.equal("the module runs scans on Step Functions", outputs["fan_out"], "step-functions")
        roles = {}
        for name in ("payments", "data", "baseline", "sandbox"):
            try:
                roles[name] = client(moto, "iam", credentials=session_in(moto, accounts[name])).get_role(RoleName="ipam-monitor-member")["Role"]["Arn"]
            except ClientError:
                roles[name] = None
        checks.equal(
            "the StackSet put the member role into the OU's accounts, the module into baseline, nothing into sandbox",
            {k: v is not None for k, v in roles.items()},
            {"payments": True, "data": True, "baseline": True, "sandbox": False},
        )
        function = client(moto, "lambda").get_function(FunctionName=outputs["lambda_function_name"])["Configuration"]
        variables = function["Environment"]["Variables"]
        checks.equal(
            "the function reads the organization in both Regions on Step Functions",
            {k: variables.get(k) for k in ("SOURCE", "ORGANIZATION", "REGIONS", "MEMBER_ROLE_NAME", "FAN_OUT", "SCAN_BUCKET")},
            {"SOURCE": "ec2", "ORGANIZATION": "true", "REGIONS": ",".join(REGIONS), "MEMBER_ROLE_NAME": "ipam-monitor-member", "FAN_OUT": "step-functions", "SCAN_BUCKET": outputs["scan_bucket_name"]},
        )
        rule_targets = client(moto, "events").list_targets_by_rule(Rule=f"{NAME}-schedule")["Targets"]
        checks.equal("the schedule starts the state machine", [t["Arn"] for t in rule_targets], [outputs["state_machine_arn"]])

        package = harness.find_package(function["CodeSha256"], name=NAME)
        task_root = work / "package"
        with zipfile.ZipFile(package) as archive:
            archive.extractall(task_root)
        env = function_env(moto, proxy, function, task_root)
        definition = client(moto, "stepfunctions").describe_state_machine(stateMachineArn=outputs["state_machine_arn"])["definition"]
        (work / "definition.json").write_text(definition)

        # ---- the sharded scan
        print("==> the state machine, run with the deployed package", flush=True)
        urlopen_reset(proxy)
        since = datetime.now(timezone.utc) - timedelta(minutes=1)
        run = harness.run_process(
            [str(TSX), str(HERE / "run-state-machine.ts"), str(work / "definition.json"), function["Handler"], function["FunctionArn"], "scan-1", str(work / "run-1.json")],
            env=env, cwd=task_root, timeout=300, what="the state machine",
        )
        if run.returncode != 0:
            raise harness.HarnessError(f"the state machine runner failed:\n{harness.tail(run.stdout + run.stderr)}")
        record = json.loads((work / "run-1.json").read_text())
        calls = stats(proxy)
        checks.equal(
            "the definition runs Plan, one shard per Distributed Map item, then Finish",
            record["states"],
            ["Plan", "OneInvocationOrShards", "CollectShards", "CollectShards[0]/CollectShard", "Finish"],
        )
        plan = next((i for i in record["invocations"] if i.get("action") == "plan"), None)
        plan_line = next((line for line in record["logs"] if line.get("action") == "plan"), {})
        checks.equal(
            "the plan reads five ACTIVE accounts in two Regions and skips the suspended one",
            {k: plan_line.get(k) for k in ("accounts", "accountRegions", "skippedAccounts", "shards")},
            {"accounts": 5, "accountRegions": 10, "skippedAccounts": 1, "shards": 1},
        )
        checks.check("the plan step was asked with the execution's name", plan == {"action": "plan", "scanId": "scan-1"}, plan)
        denied = {(region, accounts["sandbox"]) for region in REGIONS}
        cause = (record.get("error") or {}).get("cause", "")
        checks.check(
            "the scan ends partial, naming the denied account in each Region",
            (record.get("error") or {}).get("error") == "ScanError"
            and all(f"account {a} (sandbox) region {r}: AssumeRole of arn:aws:iam::{a}:role/ipam-monitor-member was denied (AccessDenied)" in cause for r, a in denied),
            record.get("error"),
        )
        checks.equal(
            "each member role is assumed once by the shards (and the denied one once), data's once more by Finish for its capacity",
            calls.get("AssumeRole"),
            5,
        )
        values = metric_values(moto, since)
        expected = {}
        for name in ORDER:
            if name == "sandbox":
                continue
            # Each account's scope lists only that account, read in both Regions: complete, every count published.
            expected[(name, "ResourceCount")] = 2
            expected[(name, "CriticalCount")] = sum(1 for r in range(2) if USED[name][r] * 100 / 251 >= 90)
            expected[(name, "WarningCount")] = sum(1 for r in range(2) if 80 <= USED[name][r] * 100 / 251 < 90)
            expected[(name, "UnknownCount")] = 0
        # data-capacity: data's subnets, read through its member role. Addresses are filled from the first
        # usable one up, so us-east-1's 210 (10.3.0.4-213) leave one aligned /28 (.224) free: critical below 2.
        expected[("data-capacity", "ResourceCount")] = 2
        expected[("data-capacity", "CriticalCount")] = 1
        expected[("data-capacity", "WarningCount")] = 0
        expected[("data-capacity", "UnknownCount")] = 0
        # sandbox, all-subnets and eu-west-1 could hold the denied account's subnets: only non-zero counts.
        expected[("all-subnets", "CriticalCount")] = 1
        expected[("all-subnets", "WarningCount")] = 1
        checks.equal(
            "the partial scan publishes every count of the scopes the denied account cannot touch, only non-zero ones of the others",
            {f"{k[0]}/{k[1]}": v for k, v in sorted(values.items()) if k[1] in ("CriticalCount", "WarningCount", "UnknownCount", "ResourceCount")},
            {f"{k[0]}/{k[1]}": v for k, v in sorted(expected.items())},
        )
        checks.equal(
            "a member account's capacity: free /28 prefixes and assignable addresses of data's subnets, through its role",
            {m: values.get(("data-capacity", m)) for m in ("MinFreePrefixes", "MinAssignableAddresses")},
            {"MinFreePrefixes": 1, "MinAssignableAddresses": 251 - USED["data"][0]},
        )
        checks.check("no ScanSuccess after a partial scan", not any(m == "ScanSuccess" for _, m in values), sorted(values))

        # ---- the same organization in one invocation
        print("==> one invocation, as the schedule runs it without Step Functions", flush=True)
        time.sleep(1)
        single = harness.run_process(
            ["node", str(REPO / "test" / "e2e" / "invoke.cjs"), function["Handler"], function["FunctionArn"], str(work / "single.json")],
            env=env, cwd=task_root, timeout=300, what="the function",
        )
        single_error = next((line for line in map(json_or_none, single.stdout.splitlines()) if line and line.get("message") == "scan incomplete"), None)
        finish_error = next((line for line in record["logs"] if line.get("message") == "scan incomplete"), None)
        checks.check("one invocation also fails: the scan is partial", single.returncode == 1 and single_error is not None, harness.tail(single.stdout + single.stderr))
        checks.equal(
            "one invocation finds what the shards found",
            strip(single_error),
            strip(finish_error),
        )

        # ---- the plan is stable, and everything goes away
        code = root.run("plan", "-detailed-exitcode", "-input=false", "-no-color", check=False).returncode
        checks.equal("a second plan is empty", code, 0)
        root.run("destroy", "-auto-approve", "-input=false", "-no-color")
        applied = False
        leftovers = {
            "state machines": client(moto, "stepfunctions").list_state_machines()["stateMachines"],
            "buckets": [b["Name"] for b in client(moto, "s3").list_buckets()["Buckets"]],
            # moto keeps deleted StackSets, with status DELETED, and ignores the Status filter.
            "stack sets": [s["StackSetName"] for s in client(moto, "cloudformation").list_stack_sets()["Summaries"] if s.get("Status") != "DELETED"],
            "functions": [f["FunctionName"] for f in client(moto, "lambda").list_functions()["Functions"]],
        }
        checks.equal("nothing of the deployment is left", {k: v for k, v in leftovers.items() if v}, {})
    except harness.HarnessError as error:
        checks.check("the test ran to its end", False, str(error))
    finally:
        if applied and root is not None:
            try:
                root.run("destroy", "-auto-approve", "-input=false", "-no-color")
            except harness.HarnessError as error:
                print(f"  destroy failed (the emulator is stopped anyway): {error}")
        lifecycle.stop(emulator)
        for path in set((REPO / "dist").glob(f"{NAME}-*.zip")) - packages_before:
            path.unlink(missing_ok=True)
        if not args.keep_work_dir:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work directory kept: {work}")
    # Reported, not asserted: the duration is a property of the machine's load (scripts/bench measures speed).
    print(f"\nthe end-to-end test across an organization took {time.monotonic() - started:.0f} s")
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


def json_or_none(line: str):
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def strip(line: dict | None) -> dict | None:
    """The parts of a "scan incomplete" line that describe what was found, not when or how fast."""
    if line is None:
        return None
    return {"summary": line.get("summary"), "errors": sorted(e["target"] + ": " + e["message"] for e in line.get("errors", []))}


def stats(proxy: str) -> dict:
    """Calls by action that went through the emulation layer since the last reset."""
    with harness.urllib.request.urlopen(f"{proxy}/_stats", timeout=10) as response:
        return json.loads(response.read())["calls"]


def urlopen_reset(proxy: str) -> None:
    harness.urllib.request.urlopen(harness.urllib.request.Request(f"{proxy}/_stats/reset", method="POST", data=b""), timeout=10).read()


if __name__ == "__main__":
    harness.install_signal_handlers()
    sys.exit(main(sys.argv[1:]))
