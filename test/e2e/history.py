#!/usr/bin/env python3
"""End-to-end test of the scan history, the forecast and the pull-request workflow, on the emulator.

  python3 test/e2e/history.py [--keep-work-dir]      (scripts/test runs it)

1. starts the emulator, seeds the network of test/emulator/seed.py and applies examples/demo with
   test/e2e/history-rules.yaml (dev subnets also watched by their forecast);
2. checks the history bucket the module made: encryption, public access block, lifecycle, TLS-only
   policy; the function's HISTORY_URI and the S3 permissions of its role;
3. backfills six days with `ipam-monitor scan --history s3://…` under IPAM_MONITOR_NOW, the subnet
   dev-a growing by 12 addresses a day, then runs the deployed function today: its result and its
   MinDaysToFull metric (timestamped with the scan) give dev-a's days to full at that growth, the
   forecast counts in WarningCount, and every S3 call it made is granted by its role;
4. runs the validate, base, preview, comment and verdict steps of
   examples/github-actions/.github/workflows/ipam-rules-preview.yml as written, in a repository
   whose pull request changes the rules to test/e2e/history-rules-head.yaml, against the history in
   the emulator and a stand-in `gh` (fake_gh.py): one comment posted, the check failed for exactly
   the conditions the change meets; a second push updates the same comment;
5. destroys, and checks that nothing is left, the history bucket included.

Ends with "N passed, N failed"; exits 1 when any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml  # noqa: E402

import harness  # noqa: E402
from e2e import Checks, Stopped, policy_actions, run_step, step, ungranted_calls  # noqa: E402

HERE = Path(__file__).resolve().parent
NAME = f"ipam-monitor-hist-{os.getpid()}"
RULES = HERE / "history-rules.yaml"
HEAD_RULES = HERE / "history-rules-head.yaml"
WORKFLOW = harness.REPO / "examples" / "github-actions" / ".github" / "workflows" / "ipam-rules-preview.yml"
CLI = harness.REPO / "scripts" / "ipam-monitor"
GROWING = "dev-a"  # 10.20.0.0/24, 251 usable, seeded with 30 in use
START_USED = 30
GROWTH = 12  # addresses a day
BACKFILL_DAYS = 6  # plus today: 7 daily points over 6 days, the least a forecast takes
WORKFLOW_STEPS = ["validate", "base", "preview", "comment", "verdict"]
MARKER = "<!-- ipam-monitor-preview -->"
CLI_TIMEOUT_S = 600  # only a bound against hangs: a loaded shared machine can be slow


def used_on(day: int) -> int:
    """dev-a's addresses in use `day` days into the backfill (0 = the first day, BACKFILL_DAYS = today)."""
    return START_USED + GROWTH * day


def emulator_env(deployment: harness.Deployment) -> dict[str, str]:
    """What a CLI run needs to talk to the emulator as the function does, and nothing of the caller's AWS settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_") and key != "IPAM_MONITOR_NOW"}
    env.update(harness.KEYS, AWS_ENDPOINT_URL=deployment.proxy_url, AWS_REGION=deployment.region, PYTHONDONTWRITEBYTECODE="1")
    return env


def cli(deployment: harness.Deployment, *args: str, now: datetime | None = None) -> subprocess.CompletedProcess:
    env = emulator_env(deployment)
    if now is not None:
        env["IPAM_MONITOR_NOW"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return harness.run_process([str(CLI), *args], env=env, timeout=CLI_TIMEOUT_S, what=f"ipam-monitor {args[0]}")


# ---------------------------------------------------------------- the bucket


def check_bucket(checks: Checks, deployment: harness.Deployment) -> str:
    outputs = deployment.outputs
    bucket = outputs.get("history_bucket_name") or ""
    checks.check("the module outputs its history bucket", bucket.startswith(f"{NAME}-history-"), bucket)
    checks.equal("history_uri names the bucket", outputs.get("history_uri"), f"s3://{bucket}/")
    s3 = deployment.client("s3")
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    checks.equal("the history bucket is encrypted by default", encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    checks.check("public access to the history bucket is blocked", all(block.values()), str(block))
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    checks.equal("days of history expire after 400 days", [(r["Filter"].get("Prefix"), r["Expiration"]["Days"]) for r in rules], [("days/", 400)])
    function = deployment.deployed_function()
    checks.equal("the function's HISTORY_URI is the bucket", function.environment.get("HISTORY_URI"), f"s3://{bucket}/")
    granted = policy_actions(deployment.role_policy())
    checks.equal("the role may list, read and write the history, nothing more of S3", sorted(a for a in granted if a.startswith("s3:")), ["s3:GetObject", "s3:ListBucket", "s3:PutObject"])
    return bucket


# ---------------------------------------------------------------- backfill and forecast


def backfill(checks: Checks, deployment: harness.Deployment, uri: str, today: datetime) -> None:
    subnet_id = harness.seeder.resolve(deployment.manifest, GROWING)
    ec2 = harness.seeder.ec2_client(deployment.moto_url, harness.seeder.region_of(deployment.manifest, subnet_id))
    for day in range(BACKFILL_DAYS):
        harness.seeder.set_subnet_used(ec2, subnet_id, used_on(day))
        when = today - timedelta(days=BACKFILL_DAYS - day)
        completed = cli(deployment, "scan", "--rules", str(RULES), "--history", uri, "--namespace", "IPAMMonitorBackfill", "--format", "json", now=when)
        result = json.loads(completed.stdout) if completed.returncode == 0 else {}
        checks.check(
            f"backfill {when:%Y-%m-%d}: the scan is recorded in the history",
            (result.get("history") or {}).get("recorded") is True and result.get("scannedAt", "").startswith(f"{when:%Y-%m-%d}"),
            harness.tail(completed.stdout + completed.stderr),
        )
    harness.seeder.set_subnet_used(ec2, subnet_id, used_on(BACKFILL_DAYS))


def check_forecast(checks: Checks, deployment: harness.Deployment, bucket: str) -> None:
    deployment.reset_proxy_stats()
    run = deployment.run_monitor()
    result = run.result
    subnet_id = harness.seeder.resolve(deployment.manifest, GROWING)
    free = 251 - used_on(BACKFILL_DAYS)
    expected_days = round(free / GROWTH, 1)
    trouble = [t for t in result.get("resourcesInTrouble", []) if t["resourceId"] == subnet_id and t["scope"] == "dev-subnets"]
    checks.check(
        f"the function forecasts {GROWING}: +{GROWTH} a day, full in {expected_days} days, at warning for it",
        len(trouble) == 1
        and trouble[0].get("growthPerDay") == GROWTH
        and trouble[0].get("daysToFull") == expected_days
        and trouble[0].get("status") == "warning"
        and trouble[0].get("reason", "").startswith(f"full in about {int(expected_days)} days < warning 30 days"),
        json.dumps(trouble),
    )
    history = result.get("history") or {}
    checks.check("the function read the backfilled days and recorded today", history.get("daysRead") == BACKFILL_DAYS and history.get("recorded") is True, json.dumps(history))
    namespace = run.env["METRICS_NAMESPACE"]
    minimum = deployment.metric(namespace, "MinDaysToFull", {"Scope": "dev-subnets"}, run.scanned_at)
    checks.equal("MinDaysToFull of dev-subnets, stamped with the scan time, is dev-a's days to full", (minimum.samples, minimum.maximum), (1, expected_days))
    warnings = deployment.metric(namespace, "WarningCount", {"Scope": "dev-subnets"}, run.scanned_at)
    checks.equal("the forecast counts in the scope's WarningCount", warnings.maximum, 1.0)
    others = deployment.metric(namespace, "MinDaysToFull", {"Scope": "prod-subnets"}, run.scanned_at)
    checks.equal("a scope with nothing filling up publishes no MinDaysToFull", others.samples, 0)
    days = sorted(o["Key"] for o in deployment.client("s3").list_objects_v2(Bucket=bucket, Prefix="days/").get("Contents", []))
    checks.equal("the history holds one object per day", len(days), BACKFILL_DAYS + 1)
    stats = deployment.proxy_stats()["calls"]
    checks.check("the function read and wrote the history through S3", all(stats.get(a, 0) > 0 for a in ("ListObjectsV2", "GetObject", "PutObject")), str(stats))
    checks.equal("every call the function made is granted by its role's policy", ungranted_calls(stats, policy_actions(deployment.role_policy())), [])


# ---------------------------------------------------------------- the workflow


class Workflow:
    """The example workflow's steps, run with bash as GitHub runs them (-eo pipefail), with the
    ${{ }} expressions of their env given the values a pull request would have."""

    def __init__(self, work: Path, deployment: harness.Deployment, uri: str):
        self.work = work
        self.deployment = deployment
        document = yaml.safe_load(WORKFLOW.read_text())
        self.env: dict[str, str] = {key: str(value) for key, value in document["env"].items()}
        self.env.update(HISTORY_URI=uri, IPAM_MONITOR_DIR=str(harness.REPO), AWS_REGION=deployment.region)
        self.steps = {s["id"]: s for s in document["jobs"]["preview"]["steps"] if "id" in s}
        self.expressions = {
            "github.base_ref": "main",
            "github.token": "token-for-the-stand-in",
            "github.event.pull_request.number": "7",
            "github.repository": "your-org/network",
        }
        self.bin = work / "bin"
        self.bin.mkdir()
        gh = self.bin / "gh"
        gh.write_text(f'#!/bin/sh\nexec "{sys.executable}" -B "{HERE / "fake_gh.py"}" "$@"\n')
        gh.chmod(0o755)
        self.state = work / "gh-state.json"
        self.repo = work / "repo"

    def pull_request(self) -> None:
        """A repository whose main branch has the deployed rules and whose working tree has the change."""
        self.repo.mkdir()
        git = lambda *args: subprocess.run(["git", *args], cwd=self.repo, check=True, capture_output=True, text=True)  # noqa: E731
        git("init", "-q", "-b", "main")
        rules_file = self.repo / self.env["RULES_FILE"]
        rules_file.write_text(RULES.read_text())
        git("add", ".")
        git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "rules")
        git("update-ref", "refs/remotes/origin/main", "HEAD")
        git("checkout", "-q", "-b", "change")
        rules_file.write_text(HEAD_RULES.read_text())

    def _expand(self, value: str, outputs: dict[str, str]) -> str:
        def replace(match: re.Match) -> str:
            expression = match.group(1).strip()
            if expression.startswith("steps."):
                _, step_id, _, name = expression.split(".")
                return outputs.get(f"{step_id}.{name}", "")
            if expression.startswith("env."):
                return self.env[expression[4:]]
            return self.expressions[expression]

        return re.sub(r"\$\{\{(.*?)\}\}", replace, value)

    def run(self) -> dict[str, subprocess.CompletedProcess]:
        runner_temp = self.work / f"runner-temp-{time.monotonic_ns()}"
        runner_temp.mkdir()
        outputs: dict[str, str] = {}
        done: dict[str, subprocess.CompletedProcess] = {}
        for step_id in WORKFLOW_STEPS:
            spec = self.steps[step_id]
            output_file = runner_temp / f"output-{step_id}"
            output_file.touch()
            env = {
                **emulator_env(self.deployment),
                **self.env,
                **{key: self._expand(str(value), outputs) for key, value in (spec.get("env") or {}).items()},
                "RUNNER_TEMP": str(runner_temp),
                "GITHUB_OUTPUT": str(output_file),
                "FAKE_GH_STATE": str(self.state),
            }
            env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
            script = runner_temp / f"{step_id}.sh"
            script.write_text(self._expand(spec["run"], outputs))
            done[step_id] = harness.run_process(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], env=env, cwd=self.repo, timeout=CLI_TIMEOUT_S, what=f"workflow step {step_id}"
            )
            for line in output_file.read_text().splitlines():
                name, _, value = line.partition("=")
                outputs[f"{step_id}.{name}"] = value
            if done[step_id].returncode != 0:
                break  # a failed step ends the job, as on GitHub
        return done

    def comments(self) -> list[dict]:
        return json.loads(self.state.read_text())["comments"] if self.state.exists() else []

    def calls(self) -> list[dict]:
        return json.loads(self.state.read_text())["calls"] if self.state.exists() else []


def check_workflow(checks: Checks, deployment: harness.Deployment, uri: str) -> None:
    assert deployment.work_dir is not None
    work = deployment.work_dir / "workflow"
    work.mkdir()
    workflow = Workflow(work, deployment, uri)
    checks.check("the workflow has the steps the test runs", set(WORKFLOW_STEPS) <= set(workflow.steps), str(sorted(workflow.steps)))
    workflow.pull_request()

    first = workflow.run()
    for step_id in ["validate", "base", "preview", "comment"]:
        completed = first.get(step_id)
        checks.check(f"workflow step {step_id} succeeds", completed is not None and completed.returncode == 0, harness.tail((completed.stdout + completed.stderr) if completed else "not run"))
    verdict = first.get("verdict")
    checks.check("the verdict step fails the check: the change meets --fail-on", verdict is not None and verdict.returncode == 1, str(verdict and verdict.returncode))
    preview = first.get("preview")
    stderr = preview.stderr if preview else ""
    checks.check("the preview names each condition met: new critical, no match, uncovered", all(
        f"(--fail-on {condition})" in stderr for condition in ("new-critical", "no-match", "uncovered")), stderr)
    comments = workflow.comments()
    checks.equal("one comment is posted on the pull request", [(c["issue"], c["body"].splitlines()[0]) for c in comments], [(7, MARKER)])
    body = comments[0]["body"] if comments else ""
    dev_a = harness.seeder.resolve(deployment.manifest, GROWING)
    checks.check("the comment shows dev-a newly critical in dev-subnets", re.search(rf"\| `{dev_a}` dev-a \| .* \| dev-subnets \| WARNING \| 🔺 CRITICAL \|", body) is not None, body)
    checks.check("the comment names the scope that matches nothing and the removed scope's alarms", "staging-subnets" in body and "scope removed: alarms destroyed" in body, body)

    # Exactly the changes, from the JSON the same command prints.
    completed = cli(deployment, "preview", "--base", str(RULES), "--head", str(HEAD_RULES), "--history", uri, "--format", "json")
    data = json.loads(completed.stdout) if completed.returncode == 0 else {}
    eips = sorted(r["resourceId"] for r in deployment.manifest["resources"] if r["resourceType"] == "eip")
    spare = harness.seeder.resolve(deployment.manifest, "eip-spare")
    checks.equal(
        "preview JSON: exactly dev-a becoming critical and the idle Elastic IP leaving its scope",
        [(c["resourceId"], c["scope"], c["from"], c["to"]) for c in data.get("changes", [])],
        [(dev_a, "dev-subnets", "warning", "critical"), (spare, "idle-elastic-ips", "warning", None)],
    )
    checks.equal(
        "preview JSON: scopes added and removed, coverage, no match",
        (data.get("scopesAdded"), data.get("scopesRemoved"), data.get("coverage", {}).get("newlyUncovered"), data.get("noMatch")),
        (["staging-subnets"], ["idle-elastic-ips"], eips, ["staging-subnets"]),
    )

    second = workflow.run()
    checks.check("a second push runs the workflow to the same verdict", second.get("verdict") is not None and second["verdict"].returncode == 1)
    checks.equal("the second run updates the comment instead of adding one", len(workflow.comments()), 1)
    checks.equal("the stand-in saw list, create, list, update", [(c["method"], c["path"].rsplit("/", 1)[-1]) for c in workflow.calls()], [
        ("GET", "comments"), ("POST", "comments"), ("GET", "comments"), ("PATCH", str(comments[0]["id"]) if comments else "?")])


# ---------------------------------------------------------------- the test


def run_test(checks: Checks, deployment: harness.Deployment) -> None:
    step("1. emulator, network, terraform apply")
    deployment.seed()
    started = time.monotonic()
    deployment.deploy()
    print(f"  (applied in {time.monotonic() - started:.0f} s)")

    step("2. the history bucket and the function's access to it")
    bucket = check_bucket(checks, deployment)
    uri = f"s3://{bucket}/"

    step(f"3. backfill {BACKFILL_DAYS} days with IPAM_MONITOR_NOW, then run the function today")
    today = datetime.now(timezone.utc)
    backfill(checks, deployment, uri, today)
    try:
        check_forecast(checks, deployment, bucket)
    except harness.HarnessError as error:
        checks.check("the function ran", False, str(error))
        raise Stopped from error

    step("4. the pull-request workflow of examples/github-actions")
    check_workflow(checks, deployment, uri)

    step("5. terraform destroy")
    deployment.destroy()
    leftovers = deployment.leftovers()
    checks.equal("terraform destroy leaves nothing of the deployment, the history bucket included", {w: f for w, f in leftovers.items() if f}, {})


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep-work-dir", action="store_true", help="keep the temporary directory and print its path")
    args = parser.parse_args(argv)
    harness.install_signal_handlers()
    checks = Checks()
    started = time.monotonic()
    missing = harness.missing_prerequisites()
    if checks.check("prerequisites are installed", not missing, "missing:\n" + "\n".join(missing)):
        deployment = harness.Deployment(NAME, keep_work_dir=args.keep_work_dir, rules=RULES)
        try:
            deployment.start()
            run_step(checks, "the history test", run_test, deployment)
        except KeyboardInterrupt:
            checks.check("the test ran to the end", False, "interrupted")
        except Exception as error:  # noqa: BLE001 — the emulator did not start
            checks.check("the test ran to the end", False, f"{type(error).__name__}: {error}")
        finally:
            for problem in deployment.close():
                checks.check("cleanup", False, problem)
            if args.keep_work_dir and deployment.work_dir is not None:
                print(f"\nwork directory kept: {deployment.work_dir}")
        # Not a check: on a shared machine the time says more about the load than about the module.
        print(f"\nthe history end-to-end test took {time.monotonic() - started:.0f} s")
    print(f"\n{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
