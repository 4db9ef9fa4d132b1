#!/usr/bin/env python3
"""What an apply may and may not change, on the AWS emulator: examples/demo deployed, then

1. upgrade: the state as an earlier release of the module left it (one alarm resource per level,
   `aws_cloudwatch_metric_alarm.critical["<scope>"]`) plans as moves only: no alarm is replaced;
2. a failed build: a scope renamed in the rules file, applied where Node.js is broken, so the
   package build fails during apply. The apply fails, and the function (code and environment), every
   alarm (names and settings, the renamed scope's old ones included) and the dashboard are exactly as
   they were;
3. the repair: the same apply with Node.js working renames the scope's alarms, updates the function
   and the dashboard, and a second plan is empty;
4. plan refuses a rules file the validator refuses, naming the scope and the field, and leaves the
   deployment alone;

then destroys. No network is seeded and the function is never run: only Terraform's work is judged.

  python3 test/e2e/deploy_safety.py [--keep-work-dir]

Ends with "N passed, N failed"; exits 1 when any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import expectations as expect  # noqa: E402
import harness  # noqa: E402
from e2e import Checks, Stopped, run_step, step  # noqa: E402

NAME = f"ipam-monitor-safety-{os.getpid()}"
RULES = "ipam-rules.yaml"
RENAMED_FROM = "dev-subnets"
RENAMED_TO = "dev-networks"
# Alarm fields CloudWatch changes by itself (state, timestamps); everything else is configuration.
VOLATILE_ALARM_FIELDS = {"StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp", "StateTransitionedTimestamp", "AlarmConfigurationUpdatedTimestamp"}
BROKEN_NODE = "#!/bin/sh\necho 'node: cannot execute: the runtime is broken on this runner' >&2\nexit 126\n"


def alarm_configurations(deployment: harness.Deployment) -> dict[str, dict]:
    return {alarm["AlarmName"]: {k: v for k, v in alarm.items() if k not in VOLATILE_ALARM_FIELDS} for alarm in deployment.alarms()}


def dashboard_body(deployment: harness.Deployment) -> dict:
    return json.loads(deployment.client("cloudwatch").get_dashboard(DashboardName=NAME)["DashboardBody"])


def function_facts(deployment: harness.Deployment) -> dict:
    function = deployment.deployed_function()
    return {"code": function.code_sha256, "environment": function.environment}


def snapshot(deployment: harness.Deployment) -> dict:
    return {"function": function_facts(deployment), "alarms": alarm_configurations(deployment), "dashboard": dashboard_body(deployment)}


def planned_changes(deployment: harness.Deployment, *extra: str) -> list[dict]:
    """The resource changes of a saved plan (terraform show -json)."""
    plan_file = "safety.tfplan"
    deployment.terraform("plan", "-input=false", "-no-color", f"-out={plan_file}", *deployment._var_args(), *extra)
    shown = deployment.terraform("show", "-json", plan_file, what="terraform show -json")
    return json.loads(shown.stdout).get("resource_changes", [])


def legacy_address(address: str) -> str | None:
    """Where an earlier release kept a scope alarm: one resource per level in the module's root."""
    match = re.fullmatch(r'module\.ipam_monitor\.module\.scope_alarms\["(critical|warning)"\]\.aws_cloudwatch_metric_alarm\.this\[("[^"]+")\]', address)
    return f"module.ipam_monitor.aws_cloudwatch_metric_alarm.{match.group(1)}[{match.group(2)}]" if match else None


def rewrite_state_to_legacy(deployment: harness.Deployment) -> int:
    """Moves every critical and warning alarm in the state to its earlier address, as `terraform
    state mv` would, in one pull and push (other kinds are new). Returns how many instances moved."""
    state = json.loads(deployment.terraform("state", "pull", what="terraform state pull").stdout)
    moved = 0
    for resource in state["resources"]:
        level = re.fullmatch(r'module\.ipam_monitor\.module\.scope_alarms\["(critical|warning)"\]', resource.get("module", ""))
        if level and resource["type"] == "aws_cloudwatch_metric_alarm":
            level = level.group(1)
            resource["module"] = "module.ipam_monitor"
            resource["name"] = level
            moved += len(resource["instances"])
    state["serial"] += 1
    path = deployment.terraform_dir / "legacy.tfstate"
    path.write_text(json.dumps(state))
    deployment.terraform("state", "push", str(path), what="terraform state push")
    return moved


def run(checks: Checks, deployment: harness.Deployment) -> None:
    step("1. deploy examples/demo")
    deployment.deploy()
    rules_path = deployment.terraform_dir / RULES
    rules = rules_path.read_text()
    if f"name: {RENAMED_FROM}\n" not in rules:
        checks.check(f"the demo's rules name a scope {RENAMED_FROM}", False)
        raise Stopped
    before = snapshot(deployment)
    checks.check(
        f"the {RENAMED_FROM} scope has its critical and warning alarms",
        {f"{NAME}-{RENAMED_FROM}-critical", f"{NAME}-{RENAMED_FROM}-warning"} <= set(before["alarms"]),
        ", ".join(sorted(before["alarms"])),
    )

    unknown = sorted(name.removeprefix(f"{NAME}-").removesuffix("-unknown") for name in before["alarms"] if name.endswith("-unknown"))
    checks.equal(
        "the scopes that hold only IPv4 resources, and only they, have an UnknownCount alarm",
        unknown,
        sorted(scope.name for scope in expect.SCOPES if scope.unknown_alarm),
    )

    step("2. upgrade from one alarm resource per level")
    moved = rewrite_state_to_legacy(deployment)
    changes = planned_changes(deployment)
    alarm_changes = [c for c in changes if c["type"] == "aws_cloudwatch_metric_alarm" and legacy_address(c["address"])]
    checks.equal("every scope alarm of the earlier layout is found at its new address", len(alarm_changes), moved)
    replaced = [f"{c['address']}: {c['change']['actions']}" for c in alarm_changes if c["change"]["actions"] != ["no-op"]]
    checks.check("no scope alarm is created, replaced or destroyed by the upgrade, only moved", moved > 0 and not replaced, "\n".join(replaced))
    checks.check(
        "each moved alarm comes from the earlier address",
        all(c.get("previous_address") == legacy_address(c["address"]) for c in alarm_changes),
        "\n".join(f"{c['address']} <- {c.get('previous_address')}" for c in alarm_changes),
    )
    others = [f"{c['address']}: {c['change']['actions']}" for c in changes if c["change"]["actions"] != ["no-op"]]
    checks.check("nothing else changes either", not others, "\n".join(others))
    deployment.terraform("apply", "-input=false", "-no-color", "-auto-approve", *deployment._var_args())

    step(f"3. rename {RENAMED_FROM} to {RENAMED_TO} and apply where Node.js is broken")
    rules_path.write_text(rules.replace(f"name: {RENAMED_FROM}\n", f"name: {RENAMED_TO}\n"))
    broken_bin = deployment.work_dir / "broken-node-bin"
    broken_bin.mkdir()
    node = broken_bin / "node"
    node.write_text(BROKEN_NODE)
    node.chmod(node.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    failed = deployment.terraform(
        "apply", "-input=false", "-no-color", "-auto-approve", *deployment._var_args(),
        check=False, extra_env={"PATH": f"{broken_bin}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    output = failed.stdout + failed.stderr
    checks.check("the apply fails", failed.returncode != 0, harness.tail(output))
    checks.check("it fails in the package build, saying Node.js does not run", "does not run" in output, harness.tail(output))
    after = snapshot(deployment)
    checks.equal("the function keeps its code and environment", after["function"], before["function"])
    checks.equal("every alarm keeps its name and settings, the renamed scope's included", after["alarms"], before["alarms"])
    checks.check(f"no alarm of {RENAMED_TO} exists yet", not any(RENAMED_TO in name for name in after["alarms"]))
    checks.check("the dashboard is unchanged", after["dashboard"] == before["dashboard"])

    step("4. the same apply with Node.js working")
    deployment.terraform("apply", "-input=false", "-no-color", "-auto-approve", *deployment._var_args())
    repaired = snapshot(deployment)
    names = set(repaired["alarms"])
    checks.check(
        f"{RENAMED_TO} has its alarms and {RENAMED_FROM} has none",
        {f"{NAME}-{RENAMED_TO}-critical", f"{NAME}-{RENAMED_TO}-warning"} <= names and not any(RENAMED_FROM in name for name in names),
        ", ".join(sorted(names)),
    )
    checks.check("the function runs new code", repaired["function"]["code"] != before["function"]["code"])
    titles = [w["properties"].get("title", "") for w in repaired["dashboard"]["widgets"]]
    checks.check(f"the dashboard shows {RENAMED_TO}, not {RENAMED_FROM}", any(t.startswith(f"{RENAMED_TO}:") for t in titles) and not any(t.startswith(f"{RENAMED_FROM}:") for t in titles))
    code, plan_output = deployment.plan_exit_code()
    checks.check("a second plan finds nothing to change (exit 0)", code == 0, f"exit {code}\n{harness.tail(plan_output)}")

    step("5. plan refuses what the validator refuses")
    good_rules = rules_path.read_text()
    rules_path.write_text(good_rules.replace("      warning: 85\n      critical: 95\n", "      warning: 97\n      critical: 95\n", 1))
    code, plan_output = deployment.plan_exit_code()
    flat = " ".join(plan_output.split())
    checks.check("plan fails (exit 1)", code == 1, harness.tail(plan_output))
    checks.check(
        f'its message names the scope and the field: scope "{RENAMED_TO}": thresholds.warning (97) must be below thresholds.critical (95)',
        f'scope "{RENAMED_TO}": thresholds.warning (97) must be below thresholds.critical (95)' in flat,
        harness.tail(plan_output),
    )
    rules_path.write_text(good_rules)
    checks.equal("the deployment is as the last apply left it", snapshot(deployment), repaired)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep-work-dir", action="store_true", help="keep the temporary directory (Terraform working copy, logs)")
    args = parser.parse_args(argv)
    harness.install_signal_handlers()
    checks = Checks()
    missing = harness.missing_prerequisites()
    if missing:
        checks.check("prerequisites are installed", False, "\n".join(missing))
    else:
        deployment = harness.Deployment(NAME, keep_work_dir=args.keep_work_dir)
        try:
            deployment.start()
            run_step(checks, "the deploy-safety test", run, deployment)
        except KeyboardInterrupt:
            checks.check("the test ran to the end", False, "interrupted")
        except Exception as error:  # the emulator did not start
            checks.check("the test ran to the end", False, f"{type(error).__name__}: {error}")
        finally:
            for problem in deployment.close():
                checks.check("cleanup", False, problem)
            if args.keep_work_dir and deployment.work_dir is not None:
                print(f"\nwork directory kept: {deployment.work_dir}")
    print(f"\n{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
