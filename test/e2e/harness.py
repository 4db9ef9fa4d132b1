"""The deployment that the end-to-end test and scripts/demo share.

The AWS emulator (moto plus the IPAM layer, test/emulator), a seeded network, examples/demo applied
with Terraform against the emulator, an SQS queue subscribed to the module's topic, and the deployed
function run locally.

moto stores a Lambda function and reports the SHA-256 of its code, but can neither hand the zip
back nor run it on these machines. So the package that runs is the build output whose SHA-256 equals
the deployed CodeSha256, with exactly the deployed environment plus what Lambda itself provides
(region, task root, credentials) and the emulator's address.

Everything lives in one temporary directory (Terraform's working copy, state and plugins link, the
emulator's logs, the unpacked package); close() destroys, stops the emulator and removes it, also
after a failure or Ctrl-C. A second deployment of examples/demo with other variables (the EC2
source) can share the emulator and the seeded network: sibling() makes one, with its own name and
working copy inside the first one's directory; its close() destroys it and leaves the emulator. The only file written into the checkout is the package the module builds
under dist/ (git ignores it), and close() removes the ones this run created.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

sys.dont_write_bytecode = True

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO / "test" / "emulator"))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

import emulator as lifecycle  # noqa: E402
import seed as seeder  # noqa: E402

EXAMPLE_DIR = REPO / "examples" / "demo"
# The module writes the package it builds to <module>/dist/<name>-<hash>.zip.
DIST_DIR = REPO / "dist"
OVERRIDE_FILE = "emulator_override.tf"
# The first region is the IPAM home region and where examples/demo deploys (its default).
REGIONS = ["us-east-1", "eu-west-1"]
# The emulator accepts any keys; these match emulator_override.tf.
KEYS = {"AWS_ACCESS_KEY_ID": "emulator", "AWS_SECRET_ACCESS_KEY": "emulator"}
MODULE_SOURCE = re.compile(r'(source\s*=\s*)"\.\./\.\."')
TERRAFORM_TIMEOUT_S = 600
HANDLER_TIMEOUT_S = 120
CHILD_STOP_TIMEOUT_S = 60
LOG_TAIL_LINES = 40


class HarnessError(Exception):
    """A step failed; the message says which, why, and shows the end of its output."""


Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


# ---------------------------------------------------------------- prerequisites


def missing_prerequisites() -> list[str]:
    """What must be installed first, each with how to install it."""
    missing = []
    if shutil.which("terraform") is None:
        missing.append("Terraform 1.7 or newer: https://developer.hashicorp.com/terraform/install")
    if shutil.which("node") is None:
        missing.append("Node.js 20 or newer: https://nodejs.org")
    missing += [f"{what}: pip install -r test/requirements.txt" for what in lifecycle.missing_dependencies()]
    return missing


# ---------------------------------------------------------------- processes


def _stop_child(process: subprocess.Popen) -> None:
    """Asks a child to stop the way a terminal's Ctrl-C would (Terraform then stops gracefully and
    saves its state), and kills it when it does not within a minute."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=CHILD_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_process(command: list[str], *, env: dict[str, str], cwd: Path | None = None, timeout: float, what: str) -> subprocess.CompletedProcess:
    """Runs a child with its output captured, in a session of its own: Ctrl-C reaches only this
    process, which then stops the child itself (see _stop_child) before unwinding."""
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop_child(process)
        raise HarnessError(f"{what} did not finish within {timeout:.0f} s") from None
    except BaseException:
        _stop_child(process)
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    kept = text.rstrip("\n").splitlines()[-lines:]
    return "\n".join(f"    {line}" for line in kept)


# ---------------------------------------------------------------- packages


def code_sha256(path: Path) -> str:
    """Lambda's CodeSha256: the base64 of the zip's SHA-256."""
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def find_package(deployed_sha256: str, directory: Path | None = None, name: str | None = None) -> Path:
    """The zip under `directory` (dist/) whose CodeSha256 is the deployed one, one built for the
    deployment `name` first (two deployments of the same code build identical zips); fails naming
    every candidate."""
    directory = directory or DIST_DIR
    candidates = sorted(directory.glob("*.zip"), key=lambda path: (name is None or not path.name.startswith(f"{name}-"), path.name)) if directory.is_dir() else []
    hashes = {path: code_sha256(path) for path in candidates}
    for path, digest in hashes.items():
        if digest == deployed_sha256:
            return path
    listed = "\n".join(f"    {path.name}  {digest}" for path, digest in hashes.items()) or "    (no zip at all)"
    raise HarnessError(
        f"no package in {directory} has the deployed CodeSha256 {deployed_sha256}, so the code Lambda holds "
        f"is not the code the build wrote. Candidates and their CodeSha256:\n{listed}"
    )


# ---------------------------------------------------------------- results


@dataclass
class FunctionConfig:
    name: str
    arn: str
    region: str
    handler: str
    runtime: str
    code_sha256: str
    environment: dict[str, str]


@dataclass
class MonitorRun:
    result: dict
    logs: list[dict]
    package: Path
    env: dict[str, str]
    result_file: Path

    @property
    def scanned_at(self) -> datetime:
        return datetime.fromisoformat(self.result["scannedAt"].replace("Z", "+00:00"))


@dataclass
class Notification:
    subject: str
    message: str
    topic_arn: str


@dataclass
class MetricReading:
    """The datums of one series in one window: how many, and their extremes."""

    samples: int
    maximum: float | None
    minimum: float | None


@dataclass
class AlarmVerdict:
    name: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    latest: float | None
    state: str  # ALARM, OK or INSUFFICIENT_DATA
    why: str
    alarm: dict = field(repr=False, default_factory=dict)


COMPARISONS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "GreaterThanThreshold": (">", lambda value, limit: value > limit),
    "GreaterThanOrEqualToThreshold": (">=", lambda value, limit: value >= limit),
    "LessThanThreshold": ("<", lambda value, limit: value < limit),
    "LessThanOrEqualToThreshold": ("<=", lambda value, limit: value <= limit),
}


def judge_alarm(alarm: dict, latest: float | None) -> AlarmVerdict:
    """What CloudWatch would decide from the latest period alone: the value against the threshold, or
    the alarm's missing-data rule when the period has no value."""
    symbol, breaches = COMPARISONS[alarm["ComparisonOperator"]]
    threshold = float(alarm["Threshold"])
    if latest is None:
        missing = alarm.get("TreatMissingData", "missing")
        state = {"breaching": "ALARM", "notBreaching": "OK"}.get(missing, "INSUFFICIENT_DATA")
        why = f"no data, treated as {missing}"
    else:
        state = "ALARM" if breaches(latest, threshold) else "OK"
        why = f"{latest:g} {symbol} {threshold:g}" if state == "ALARM" else f"not {latest:g} {symbol} {threshold:g}"
    return AlarmVerdict(
        name=alarm["AlarmName"],
        metric=alarm["MetricName"],
        statistic=alarm.get("Statistic", "?"),
        comparison=symbol,
        threshold=threshold,
        latest=latest,
        state=state,
        why=why,
        alarm=alarm,
    )


# ---------------------------------------------------------------- the deployment


class Deployment:
    """One emulator, one seeded network, one deployment of examples/demo. Use as a context manager.

    `variables` are examples/demo's inputs besides `name`, given to every plan, apply and destroy.
    `rules`, when given, is deployed instead of examples/demo/ipam-rules.yaml.
    """

    def __init__(
        self,
        name: str,
        progress: Progress = _quiet,
        keep_work_dir: bool = False,
        variables: dict[str, object] | None = None,
        rules: Path | None = None,
    ):
        self.name = name
        self.progress = progress
        self.keep_work_dir = keep_work_dir
        self.variables = dict(variables or {})
        self.rules = rules
        self.work_dir: Path | None = None
        self.emulator: lifecycle.Emulator | None = None
        self._owns_emulator = True
        self.manifest: dict = {}
        self.outputs: dict = {}
        self.queue_url: str | None = None
        self._applied = False
        self._destroyed = False
        self._packages_before: set[Path] = set()
        self._dist_existed = True
        self._runs = 0
        self._unpacked: dict[str, Path] = {}

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> "Deployment":
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def start(self) -> None:
        self.work_dir = Path(tempfile.mkdtemp(prefix=f"{self.name}-")).resolve()
        self.emulator = lifecycle.start(REGIONS, str(self.work_dir / "emulator"))

    def sibling(self, name: str, variables: dict[str, object]) -> "Deployment":
        """Another deployment of examples/demo into this one's emulator and seeded network (the
        manifest is shared, so changes to the network show in both), under its own name, with its
        own working copy and state in a directory inside this one's. Close it before this one: its
        close() destroys what it applied and leaves the emulator running."""
        assert self.work_dir is not None and self.emulator is not None, "start() first"
        other = Deployment(name, self.progress, keep_work_dir=self.keep_work_dir, variables=variables)
        other.emulator = self.emulator
        other.manifest = self.manifest
        other._owns_emulator = False
        # Inside this deployment's directory, which close() removes unless it is to be kept.
        other.work_dir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.work_dir))
        return other

    def close(self) -> list[str]:
        """Destroys what was applied, stops the emulator, removes the packages this run built and the
        work directory. Never raises: returns what went wrong, for the caller to show."""
        problems: list[str] = []
        try:
            if self._applied and not self._destroyed:
                self.destroy()
        except HarnessError as error:
            problems.append(f"terraform destroy failed (the emulator is stopped anyway, which discards everything): {error}")
        except KeyboardInterrupt:
            problems.append("terraform destroy was interrupted (the emulator is stopped anyway, which discards everything)")
        finally:
            # A second Ctrl-C must not leave the emulator running: these steps take a second or two.
            with _interrupts_ignored():
                if self.emulator is not None and self._owns_emulator:
                    lifecycle.stop(self.emulator)
                self.emulator = None
                for path in self.packages_built():
                    path.unlink(missing_ok=True)
                if self._applied and not self._dist_existed:
                    with contextlib.suppress(OSError):
                        DIST_DIR.rmdir()  # only when empty: another build may be using it
                if self.work_dir is not None and not self.keep_work_dir:
                    shutil.rmtree(self.work_dir, ignore_errors=True)
        return problems

    # ------------------------------------------------------------ clients

    @property
    def moto_url(self) -> str:
        assert self.emulator is not None, "the emulator is not running"
        return self.emulator.moto.url

    @property
    def proxy_url(self) -> str:
        assert self.emulator is not None, "the emulator is not running"
        return self.emulator.proxy.url

    @property
    def region(self) -> str:
        return REGIONS[0]

    def client(self, service: str, region: str | None = None):
        return boto3.session.Session().client(
            service,
            endpoint_url=self.moto_url,
            region_name=region or self.region,
            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
            config=Config(retries={"max_attempts": 2, "mode": "standard"}),
        )

    # ------------------------------------------------------------ network

    def seed(self) -> dict:
        self.manifest = seeder.seed(self.moto_url, REGIONS)
        return self.manifest

    def _subnet(self, key: str) -> tuple[str, object]:
        subnet_id = seeder.resolve(self.manifest, key)
        return subnet_id, seeder.ec2_client(self.moto_url, seeder.region_of(self.manifest, subnet_id))

    def subnet_ipv6_states(self, regions: list[str]) -> dict[tuple[str, str], str]:
        """The association state DescribeSubnets returns for each subnet IPv6 CIDR of these Regions:
        (subnet id, IPv6 CIDR) -> state."""
        states = {}
        for region in regions:
            for page in self.client("ec2", region).get_paginator("describe_subnets").paginate():
                for subnet in page["Subnets"]:
                    for association in subnet.get("Ipv6CidrBlockAssociationSet") or []:
                        cidr = str(ipaddress.ip_network(association["Ipv6CidrBlock"]))
                        states[(subnet["SubnetId"], cidr)] = str((association.get("Ipv6CidrBlockState") or {}).get("State"))
        return states

    def fill_subnet(self, key: str) -> dict:
        """Puts every usable address of the subnet in use; returns its updated manifest record."""
        subnet_id, ec2 = self._subnet(key)
        return seeder.record_usage(self.manifest, subnet_id, "subnet", seeder.fill_subnet(ec2, subnet_id))

    def empty_subnet(self, key: str) -> dict:
        """Removes every address the seeder added; returns the subnet's updated manifest record."""
        subnet_id, ec2 = self._subnet(key)
        return seeder.record_usage(self.manifest, subnet_id, "subnet", seeder.empty_subnet(ec2, subnet_id))

    # ------------------------------------------------------------ terraform

    @property
    def terraform_dir(self) -> Path:
        assert self.work_dir is not None
        return self.work_dir / "root"

    def _terraform_env(self) -> dict[str, str]:
        # Nothing from the caller's AWS settings (profiles, keys, endpoints) may reach Terraform:
        # it talks to the emulator only, through AWS_ENDPOINT_URL and emulator_override.tf.
        env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        assert self.work_dir is not None
        env.update(
            AWS_ENDPOINT_URL=self.moto_url,
            TF_DATA_DIR=str(self.work_dir / "terraform-data"),
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
            CHECKPOINT_DISABLE="1",
            PYTHONDONTWRITEBYTECODE="1",
        )
        return env

    def _var_args(self) -> list[str]:
        """-var options: the name, then each variable in Terraform's own syntax (JSON is valid HCL)."""
        values = {"name": self.name, **self.variables}
        return [f"-var={key}={value if isinstance(value, str) else json.dumps(value)}" for key, value in values.items()]

    def terraform(self, *args: str, check: bool = True, what: str | None = None, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Runs terraform in the working copy; extra_env overrides the environment (e.g. PATH, to
        break the build on purpose)."""
        command = ["terraform", *args]
        label = what or f"terraform {args[0]}"
        env = {**self._terraform_env(), **(extra_env or {})}
        completed = run_process(command, env=env, cwd=self.terraform_dir, timeout=TERRAFORM_TIMEOUT_S, what=label)
        assert self.work_dir is not None
        log = self.work_dir / "logs" / f"terraform-{args[0]}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a") as handle:
            handle.write(f"$ {' '.join(command)}\n{completed.stdout}{completed.stderr}\n")
        if check and completed.returncode != 0:
            raise HarnessError(f"{label} failed with exit status {completed.returncode}:\n{tail(completed.stdout + completed.stderr)}")
        return completed

    def _working_copy(self) -> None:
        """examples/demo as it is, in the work directory, its module source pointing at this checkout."""
        if not (EXAMPLE_DIR / OVERRIDE_FILE).is_file():
            raise HarnessError(f"{EXAMPLE_DIR / OVERRIDE_FILE} is missing: it is what points the example at the emulator")
        target = self.terraform_dir
        target.mkdir(parents=True)
        source = os.path.relpath(REPO, target)
        rewritten = 0
        for path in sorted(EXAMPLE_DIR.iterdir()):
            if not path.is_file() or path.name.startswith(".") or path.suffix not in (".tf", ".yaml", ".yml", ".json"):
                continue
            text = path.read_text()
            if path.suffix == ".tf":
                text, count = MODULE_SOURCE.subn(lambda m: f'{m.group(1)}"{source}"', text)
                rewritten += count
            if path.name == "ipam-rules.yaml" and self.rules is not None:
                text = self.rules.read_text()
            (target / path.name).write_text(text)
        if rewritten != 1:
            raise HarnessError(f'expected one module with source = "../.." in {EXAMPLE_DIR}, found {rewritten}')

    def _plugin_dir(self) -> str | None:
        directory = os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins")
        return directory if (Path(directory) / "registry.terraform.io" / "hashicorp" / "aws").is_dir() else None

    def deploy(self) -> dict:
        """terraform init and apply of the working copy; returns the outputs."""
        self._working_copy()
        self._dist_existed = DIST_DIR.is_dir()
        self._packages_before = set(DIST_DIR.glob(f"{self.name}-*.zip")) if self._dist_existed else set()
        plugin_dir = self._plugin_dir()
        self.terraform("init", "-input=false", "-no-color", *([f"-plugin-dir={plugin_dir}"] if plugin_dir else []))
        self._applied = True  # from here on, close() destroys: a failed apply may have created some resources
        self.terraform("apply", "-auto-approve", "-input=false", "-no-color", *self._var_args())
        self.outputs = {key: value["value"] for key, value in json.loads(self.terraform("output", "-json").stdout).items()}
        return self.outputs

    def resource_count(self) -> int:
        listed = self.terraform("state", "list").stdout.split()
        return sum(1 for address in listed if not address.startswith(("data.", "module.ipam_monitor.data.")))

    def plan_exit_code(self) -> tuple[int, str]:
        """terraform plan -detailed-exitcode: 0 no changes, 2 changes, 1 error; and its output."""
        completed = self.terraform("plan", "-detailed-exitcode", "-input=false", "-no-color", *self._var_args(), check=False)
        return completed.returncode, completed.stdout + completed.stderr

    def destroy(self) -> None:
        self.terraform("destroy", "-auto-approve", "-input=false", "-no-color", *self._var_args())
        self._destroyed = True

    def packages_built(self) -> list[Path]:
        """Packages under dist/ named after this deployment that were not there before it."""
        if not self._applied or not DIST_DIR.is_dir():
            return []
        return sorted(set(DIST_DIR.glob(f"{self.name}-*.zip")) - self._packages_before)

    # ------------------------------------------------------------ notifications

    def subscribe_queue(self) -> str:
        """An SQS queue subscribed to the module's topic: what a person's inbox would receive."""
        sqs = self.client("sqs")
        self.queue_url = sqs.create_queue(QueueName=f"{self.name}-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.client("sns").subscribe(TopicArn=self.outputs["sns_topic_arn"], Protocol="sqs", Endpoint=queue_arn)
        return self.queue_url

    def receive_notifications(self, wait_s: int = 2) -> list[Notification]:
        """Every message in the queue (long polling for up to wait_s), removed from it."""
        assert self.queue_url is not None, "subscribe_queue() first"
        sqs = self.client("sqs")
        received: list[Notification] = []
        while True:
            messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_s).get("Messages", [])
            if not messages:
                return received
            for message in messages:
                envelope = json.loads(message["Body"])  # the SNS envelope: raw delivery is off
                received.append(Notification(envelope.get("Subject", ""), envelope["Message"], envelope.get("TopicArn", "")))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
            wait_s = 1

    # ------------------------------------------------------------ the function

    def deployed_function(self) -> FunctionConfig:
        """The function's configuration as Lambda holds it."""
        configuration = self.client("lambda").get_function(FunctionName=self.outputs["lambda_function_name"])["Configuration"]
        arn = configuration["FunctionArn"]
        return FunctionConfig(
            name=configuration["FunctionName"],
            arn=arn,
            region=arn.split(":")[3],
            handler=configuration["Handler"],
            runtime=configuration.get("Runtime", ""),
            code_sha256=configuration["CodeSha256"],
            environment=dict((configuration.get("Environment") or {}).get("Variables") or {}),
        )

    def _unpack(self, package: Path, digest: str) -> Path:
        if digest not in self._unpacked:
            assert self.work_dir is not None
            directory = self.work_dir / f"package-{len(self._unpacked) + 1}"
            with zipfile.ZipFile(package) as archive:
                archive.extractall(directory)
            self._unpacked[digest] = directory
        return self._unpacked[digest]

    def run_monitor(self) -> MonitorRun:
        """One invocation of the deployed package with the deployed configuration."""
        function = self.deployed_function()
        package = find_package(function.code_sha256, name=self.name)
        task_root = self._unpack(package, function.code_sha256)
        # Exactly the function's environment, plus what Lambda provides and the emulator's address
        # (the IPAM layer, which forwards every other call to moto).
        env = {
            **function.environment,
            "AWS_ENDPOINT_URL": self.proxy_url,
            **KEYS,
            "AWS_REGION": function.region,
            "LAMBDA_TASK_ROOT": str(task_root),
        }
        node = shutil.which("node")
        if node is None:
            raise HarnessError("node is not on PATH; install Node.js 20 or newer")
        self._runs += 1
        assert self.work_dir is not None
        result_file = self.work_dir / f"result-{self._runs}.json"
        # Lambda's clock has millisecond timestamps; runs a second apart keep each run's metrics apart.
        _next_second()
        completed = run_process(
            [node, str(HERE / "invoke.cjs"), function.handler, function.arn, str(result_file)],
            env=env,
            cwd=task_root,
            timeout=HANDLER_TIMEOUT_S,
            what="the function",
        )
        logs = _json_lines(completed.stdout)
        if completed.returncode != 0:
            raise HarnessError(f"the function failed (exit status {completed.returncode}):\n{tail(completed.stdout + completed.stderr)}")
        return MonitorRun(json.loads(result_file.read_text()), logs, package, env, result_file)

    def proxy_stats(self) -> dict:
        """The IPAM layer's call counters (every request the function made went through it)."""
        with urllib.request.urlopen(f"{self.proxy_url}/_stats", timeout=10) as response:
            return json.loads(response.read())

    def reset_proxy_stats(self) -> None:
        """Zeroes the IPAM layer's call counters, so the next proxy_stats() counts from here."""
        request = urllib.request.Request(f"{self.proxy_url}/_stats/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def role_policy(self) -> dict:
        """The function role's inline policies as IAM holds them: policy name -> document."""
        iam = self.client("iam")
        role = self.outputs["lambda_role_name"]
        names = [name for page in iam.get_paginator("list_role_policies").paginate(RoleName=role) for name in page["PolicyNames"]]
        documents = {}
        for name in names:
            document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            # IAM returns the document URL-encoded; botocore decodes it to a dict, a raw string is JSON.
            documents[name] = json.loads(urllib.parse.unquote(document)) if isinstance(document, str) else document
        return documents

    # ------------------------------------------------------------ metrics and alarms

    def metric(self, namespace: str, name: str, dimensions: dict[str, str], at: datetime) -> MetricReading:
        """The datums of one series stamped within the second of `at` (one run's datums)."""
        start = at.replace(microsecond=0)
        points = self.client("cloudwatch").get_metric_statistics(
            Namespace=namespace,
            MetricName=name,
            Dimensions=[{"Name": key, "Value": value} for key, value in dimensions.items()],
            StartTime=start,
            EndTime=start + timedelta(seconds=1),
            Period=60,
            Statistics=["SampleCount", "Maximum", "Minimum"],
        )["Datapoints"]
        if not points:
            return MetricReading(0, None, None)
        return MetricReading(
            int(sum(p["SampleCount"] for p in points)), max(p["Maximum"] for p in points), min(p["Minimum"] for p in points)
        )

    def alarms(self) -> list[dict]:
        pages = self.client("cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"{self.name}-", AlarmTypes=["MetricAlarm"])
        return [alarm for page in pages for alarm in page["MetricAlarms"]]

    def latest_value(self, alarm: dict) -> float | None:
        """The alarm's statistic over its latest period that has data, within one period of now."""
        now = datetime.now(timezone.utc)
        period = int(alarm["Period"])
        points = self.client("cloudwatch").get_metric_statistics(
            Namespace=alarm["Namespace"],
            MetricName=alarm["MetricName"],
            Dimensions=alarm.get("Dimensions", []),
            StartTime=now - timedelta(seconds=period),
            EndTime=now + timedelta(minutes=1),
            Period=period,
            Statistics=[alarm["Statistic"]],
        )["Datapoints"]
        if not points:
            return None
        return max(points, key=lambda p: p["Timestamp"])[alarm["Statistic"]]

    def judge_alarms(self) -> list[AlarmVerdict]:
        """Each alarm's latest metric value against its threshold. moto stores alarms but never
        evaluates them, so this is the stand-in for CloudWatch's decision."""
        return [judge_alarm(alarm, self.latest_value(alarm)) for alarm in sorted(self.alarms(), key=lambda a: a["AlarmName"])]

    # ------------------------------------------------------------ after destroy

    def leftovers(self) -> dict[str, bool]:
        """For each kind of resource the module creates: whether any of this deployment's is still there."""
        name = self.name
        expected_missing = {
            "function": lambda: self.client("lambda").get_function(FunctionName=name),
            "role": lambda: self.client("iam").get_role(RoleName=name),
            "state table": lambda: self.client("dynamodb").describe_table(TableName=f"{name}-state"),
            "schedule rule": lambda: self.client("events").describe_rule(Name=f"{name}-schedule"),
        }
        found: dict[str, bool] = {}
        for what, call in expected_missing.items():
            try:
                call()
                found[what] = True
            except ClientError:
                found[what] = False
        topics = [t["TopicArn"] for page in self.client("sns").get_paginator("list_topics").paginate() for t in page["Topics"]]
        found["topic"] = any(arn.split(":")[-1].startswith(name) for arn in topics)
        found["alarms"] = bool(self.alarms())
        groups = self.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"]
        found["log group"] = bool(groups)
        dashboards = self.client("cloudwatch").list_dashboards(DashboardNamePrefix=name)["DashboardEntries"]
        found["dashboard"] = bool(dashboards)
        # The module names its history bucket with a prefix derived from the name (history.tf).
        prefix = f"{name.lower().replace('_', '-').strip('-')}-history-"[:37]
        found["history bucket"] = any(b["Name"].startswith(prefix) for b in self.client("s3").list_buckets().get("Buckets", []))
        return found


@contextlib.contextmanager
def _interrupts_ignored():
    """Ignores SIGINT, SIGTERM and SIGHUP for the block: the last steps of cleanup must finish."""
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            parsed = json.loads(line)
            if isinstance(parsed, dict):
                lines.append(parsed)
    return lines


def _next_second() -> None:
    """Waits for the start of the next wall-clock second."""
    time.sleep(1 - (time.time() % 1) + 0.01)


def install_signal_handlers() -> None:
    """SIGTERM and SIGHUP unwind like Ctrl-C, so cleanup runs for them too."""

    def interrupt(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)
