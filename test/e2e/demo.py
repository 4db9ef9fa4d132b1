#!/usr/bin/env python3
"""The demo behind scripts/demo: the module deployed into a local AWS emulator, no account needed.

Starts moto and the IPAM layer, seeds a small network, applies examples/demo with Terraform, runs
the deployed function package once with its deployed environment, and prints the report, the
notification as it arrives in an SQS queue subscribed to the module's topic, and which alarms fire.
Then it destroys everything and stops the emulator, also after an error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

NAME = "ipam-monitor-demo"
STEPS = 5
RULE = "─" * 78


class Progress:
    """Numbered progress lines: "[2/5] Seeding a network … done in 7 s"."""

    def __init__(self) -> None:
        self.number = 0
        self.started = 0.0
        self.open = False

    def begin(self, text: str, number: int | None = None) -> None:
        self.number = number or self.number + 1
        self.started = time.monotonic()
        self.open = True
        print(f"[{self.number}/{STEPS}] {text} …", end="", flush=True)

    def end(self, detail: str = "") -> None:
        took = time.monotonic() - self.started
        self.open = False
        print(f" {detail + ', ' if detail else ''}{took:.0f} s", flush=True)

    def fail(self, how: str) -> None:
        """Ends the open line, if any, with what happened to its step."""
        if self.open:
            self.open = False
            print(f" {how}", flush=True)


def heading(title: str) -> None:
    print(f"\n{RULE}\n{title}\n{RULE}")


def relative(path: Path) -> str:
    try:
        return str(path.relative_to(harness.REPO))
    except ValueError:
        return str(path)


def seeded_summary(manifest: dict) -> str:
    seeded = [r for r in manifest["resources"] if r["seeded"]]
    count = {kind: len({r["resourceId"] for r in seeded if r["resourceType"] == kind}) for kind in ("vpc", "subnet", "eip")}
    return f"{count['vpc']} VPCs, {count['subnet']} subnets, {count['eip']} Elastic IPs in {' and '.join(manifest['regions'])}"


def print_report(run: harness.MonitorRun) -> None:
    """The function's result in the words of `ipam-monitor scan` (the same formatter)."""
    tsx = harness.REPO / "lambda" / "node_modules" / "tsx" / "dist" / "cjs" / "index.cjs"
    completed = subprocess.run(
        [shutil.which("node") or "node", "--require", str(tsx), str(harness.HERE / "format-report.cjs"), str(run.result_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise harness.HarnessError(f"formatting the report failed:\n{harness.tail(completed.stderr)}")
    heading("REPORT: what the deployed function returned, as `ipam-monitor scan` prints it")
    print(completed.stdout, end="")


def print_notification(deployment: harness.Deployment) -> None:
    received = deployment.receive_notifications()
    topic = deployment.outputs["sns_topic_arn"]
    heading(f"NOTIFICATION: as delivered by the topic {topic.split(':')[-1]} to an SQS queue subscribed to it")
    if not received:
        print("(nothing arrived)")
    for notification in received:
        print(f"Subject: {notification.subject}\n")
        print(notification.message)


def print_alarms(deployment: harness.Deployment) -> None:
    verdicts = sorted(deployment.judge_alarms(), key=lambda v: (v.state != "ALARM", v.name))
    heading("ALARMS: which would fire")
    print("moto stores CloudWatch alarms but never evaluates them, so the demo compares each alarm's")
    print("latest metric value with its threshold, as CloudWatch does at the end of each period.\n")
    rows = [("STATE", "ALARM", "METRIC", "LATEST", "FIRES WHEN")]
    for v in verdicts:
        latest = "no data" if v.latest is None else f"{v.latest:g}"
        missing = v.alarm.get("TreatMissingData", "missing")
        when = f"{v.comparison} {v.threshold:g}" + (f" (no data: {missing})" if v.latest is None else "")
        rows.append((v.state, v.name, f"{v.statistic}({v.metric})", latest, when))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.rjust(widths[i]) if i == 3 else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        print("  " + "  ".join(cells).rstrip())
    firing = sum(1 for v in verdicts if v.state == "ALARM")
    print(f"\n{firing} of {len(verdicts)} alarms would fire; each sends its change of state to the same topic.")


def print_real_account() -> None:
    example = relative(harness.EXAMPLE_DIR)
    override = relative(harness.EXAMPLE_DIR / harness.OVERRIDE_FILE)
    heading("ON A REAL ACCOUNT")
    print(f"{example} is an ordinary root module; one file points it at the emulator. The one-line change:\n")
    print(f"    rm {override}\n")
    print("Then, with your AWS credentials, the Region of your IPAM (variable region) and scopes that match")
    print(f"your tags ({example}/ipam-rules.yaml):\n")
    print(f"    cd {example} && terraform init && terraform apply\n")
    print(f"(To run the demo again: git checkout {override})")


def demo(deployment: harness.Deployment, progress: Progress) -> None:
    progress.begin("Starting the AWS emulator (moto + IPAM layer) on loopback ports")
    deployment.start()
    progress.end()

    progress.begin("Seeding a network")
    manifest = deployment.seed()
    progress.end(seeded_summary(manifest))

    progress.begin(f"terraform apply {relative(harness.EXAMPLE_DIR)} (builds the function package)")
    deployment.deploy()
    deployment.subscribe_queue()
    progress.end(f"{deployment.resource_count()} resources")

    progress.begin("Running the deployed package with its Lambda configuration")
    run = deployment.run_monitor()
    progress.end(f"{relative(run.package)} (matches the deployed CodeSha256)")

    print_report(run)
    print_notification(deployment)
    print_alarms(deployment)
    print_real_account()
    print()


def started_at() -> float:
    """When the demo started: scripts/demo's start (before its npm ci), else now."""
    text = os.environ.get("IPAM_MONITOR_DEMO_STARTED", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return time.time()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    missing = harness.missing_prerequisites()
    if missing:
        print("The demo needs these, which are missing:\n" + "\n".join(f"  - {m}" for m in missing), file=sys.stderr)
        return 1
    harness.install_signal_handlers()
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    print("IPAM monitor demo: the module deployed into a local AWS emulator. No AWS account is used.\n")
    started = started_at()
    progress = Progress()
    deployment = harness.Deployment(NAME)
    status = 0
    try:
        demo(deployment, progress)
    except KeyboardInterrupt:
        progress.fail("interrupted")
        status = 130
    except harness.HarnessError as error:
        progress.fail("failed")
        print(f"\ndemo: {error}\n", file=sys.stderr, flush=True)
        status = 1
    except Exception as error:  # an emulator or SDK error: say it, then clean up all the same
        progress.fail("failed")
        print(f"\ndemo: {type(error).__name__}: {error}\n", file=sys.stderr, flush=True)
        status = 1
    finally:
        progress.begin("Cleaning up: terraform destroy, stopping the emulator", number=STEPS)
        problems = deployment.close()
        progress.end()
        for problem in problems:
            print(f"demo: {problem}", file=sys.stderr)
    if status == 0:
        print(f"\nDone in {time.time() - started:.0f} s.")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
