#!/usr/bin/env python3
"""End-to-end test: the module deployed into the AWS emulator, its deployed package run against it.

  python3 test/e2e/e2e.py [--keep-work-dir]      (or test/e2e/run.sh)

1. starts moto and the IPAM layer on free loopback ports (always stopped, also on failure);
2. seeds the network of test/emulator/seed.py;
3. applies examples/demo (the module at ../.., the provider pointed at moto) and subscribes an
   SQS queue to the module's topic;
4. reads the deployed function back from Lambda (environment, CodeSha256, the role's policy), finds
   the built zip with that SHA-256 and runs its handler locally with exactly that environment;
5. checks the per-scope metrics against expectations.py (the capacity scope's MinFreePrefixes,
   MinAssignableAddresses and MinZoneFreeAddresses included), the notification received through
   SQS (the subnet with no free /28 and the zone in trouble), the alarms of every scope (the zone
   alarms on MinZoneFreeAddresses included) and the ScanSuccess heartbeat;
6. fills a subnet past critical (the notification names it), runs with nothing changed (nothing is
   sent), empties the subnet (the notification reports the recovery);
7. expects an empty plan, destroys, and checks that nothing of the deployment is left;
8. applies examples/demo again, under another name, with scan_source = "ec2" and regions = the
   seeded Regions, into the same emulator and network; checks the function's environment and that
   its policy grants the EC2 describe actions and no IPAM action;
9. runs the deployed package once and checks the metrics against the EC2 view of the network
   (expectations.ec2_view), the EC2 calls it made, the notification and the ScanSuccess heartbeat;
10. expects an empty plan, destroys, and checks that nothing of that deployment is left.

Steps 8 to 10 run also when an earlier step failed, as long as the network was seeded.
Ends with "N passed, N failed" over both deployments; exits 1 when any check failed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import zipfile
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import expectations as expect  # noqa: E402
import harness  # noqa: E402

# Unique per run: the name is in every resource and in the package the build writes under dist/,
# so test runs on one machine at the same time never share or remove each other's package.
NAME = f"ipam-monitor-e2e-{os.getpid()}"
# The EC2-source deployment; neither name is a prefix of the other, so the leftover checks (which
# look for names starting with the deployment's) never see the other deployment.
NAME_EC2 = f"ipam-monitor-e2e-ec2-{os.getpid()}"
EC2_VARIABLES = {"scan_source": "ec2", "regions": harness.REGIONS}
# What each source may read, as the issue and docs/architecture.md name them.
IPAM_READS = {"ec2:DescribeIpams", "ec2:DescribeIpamScopes", "ec2:GetIpamResourceCidrs"}
EC2_READS = {"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeAddresses"}
# The demo has a scope with capacity: true, so both sources also read interfaces and reservations.
CAPACITY_READS = {"ec2:DescribeNetworkInterfaces", "ec2:GetSubnetCidrReservations"}
FILLED = "prod-edge-a"  # ok before (16.9% used); 100% once filled: new in trouble in prod-subnets
QUIET_WAIT_S = 3  # how long an unchanged run is given to (wrongly) send something
ALARM_PERIOD_S = 3600  # examples/demo runs every hour


class Stopped(Exception):
    """A check failed that the remaining steps depend on; it has been reported."""


class Checks:
    """Named checks, printed as they happen, counted at the end."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"  ok    {name}")
        else:
            self.failed += 1
            print(f"  FAIL  {name}" + (f"\n{_indent(detail)}" if detail else ""))
        return ok

    def equal(self, name: str, actual, expected) -> bool:
        if isinstance(actual, dict) and isinstance(expected, dict):
            keys = sorted({*actual, *expected} - {k for k in actual if k in expected and actual[k] == expected[k]}, key=str)
            detail = "\n".join(f"{k!r}: expected {expected.get(k, '(absent)')!r}, got {actual.get(k, '(absent)')!r}" for k in keys)
        else:
            detail = f"expected {expected!r}\n     got {actual!r}"
        return self.check(name, actual == expected, detail)


def _indent(text: str) -> str:
    return "\n".join(f"        {line}" for line in str(text).splitlines())


def step(title: str) -> None:
    print(f"\n== {title}")


# ---------------------------------------------------------------- notification text

CHANGE_SECTION = re.compile(r"^(In trouble|New or worse|Improved|Recovered) \((\d+)\):$")
CHANGE_LINE = re.compile(r"^  (CRITICAL|WARNING|UNKNOWN|OK)\s+\[([^\]]+)\] (zone [^\s:]+|\S+)")
RESOURCE_ID = re.compile(r"\b(?:subnet|vpc|eipalloc)-[0-9a-f]+\b")


def what_changed(message: str) -> dict[str, dict[tuple[str, str], tuple[str, str]]]:
    """The WHAT CHANGED part of a notification: section -> {(scope, resource id): (status, line)}."""
    lines = message.splitlines()
    if "WHAT CHANGED" not in lines or "SCOPES, WORST FIRST" not in lines:
        return {}
    sections: dict[str, dict[tuple[str, str], tuple[str, str]]] = {}
    current = None
    for line in lines[lines.index("WHAT CHANGED") + 1 : lines.index("SCOPES, WORST FIRST")]:
        header = CHANGE_SECTION.match(line)
        if header:
            current = sections.setdefault(header.group(1), {})
            continue
        entry = CHANGE_LINE.match(line)
        if entry and current is not None:
            current[(entry.group(2), entry.group(3))] = (entry.group(1).lower(), line)
    return sections


def all_trouble(report: dict[str, expect.ScopeReport]) -> dict[tuple[str, str], str]:
    return {(scope, rid): status for scope, r in report.items() for rid, status in r.trouble.items()}


def changes(before: dict[str, expect.ScopeReport], after: dict[str, expect.ScopeReport]) -> dict[str, dict[tuple[str, str], str]]:
    """What a notification must say changed between two expected reports."""
    old, new = all_trouble(before), all_trouble(after)
    result: dict[str, dict[tuple[str, str], str]] = {"New or worse": {}, "Improved": {}, "Recovered": {}}
    for key, status in new.items():
        if key not in old or expect.STATUS_RANK[status] < expect.STATUS_RANK[old[key]]:
            result["New or worse"][key] = status
        elif expect.STATUS_RANK[status] > expect.STATUS_RANK[old[key]]:
            result["Improved"][key] = status
    for key in old.keys() - new.keys():
        result["Recovered"][key] = "ok"
    return {section: entries for section, entries in result.items() if entries}


# ---------------------------------------------------------------- checks on one run


def check_run(
    checks: Checks, deployment: harness.Deployment, run: harness.MonitorRun, label: str, report: dict[str, expect.ScopeReport] | None = None
) -> dict[str, expect.ScopeReport]:
    """The result and every metric of one run against `report`, by default the expectations for the
    current manifest (the IPAM view)."""
    report = report if report is not None else expect.expected_report(deployment.manifest)
    result = run.result
    checks.check(f"{label}: the scan is complete, without errors", result["complete"] is True and result["errors"] == [], str(result.get("errors")))
    namespace = run.env["METRICS_NAMESPACE"]
    for name, scope in report.items():
        readings = {metric: deployment.metric(namespace, metric, {"Scope": name}, run.scanned_at) for metric in scope.metrics}
        actual = {metric: (r.maximum if r.samples == 1 and r.maximum == r.minimum else ("none" if r.samples == 0 else r)) for metric, r in readings.items()}
        wanted = {metric: ("none" if value is None else value) for metric, value in scope.metrics.items()}
        checks.equal(f"{label}: metrics of scope {name}", actual, wanted)
    heartbeat = deployment.metric(namespace, "ScanSuccess", {}, run.scanned_at)
    checks.equal(f"{label}: ScanSuccess heartbeat published once with value 1", (heartbeat.samples, heartbeat.maximum), (1, 1.0))
    finished = [line for line in run.logs if line.get("message") == "scan finished"]
    checks.check(f"{label}: the function logged one 'scan finished' line", len(finished) == 1, "\n".join(map(str, run.logs)))
    return report


def check_alarms(checks: Checks, deployment: harness.Deployment, topic_arn: str, namespace: str) -> None:
    alarms = {alarm["AlarmName"]: alarm for alarm in deployment.alarms()}
    for scope in expect.SCOPES:
        for level, metric, terms in (("critical", "CriticalCount", scope.critical_terms), ("warning", "WarningCount", scope.warning_terms)):
            if level == "warning" and not terms:
                continue
            name = f"{NAME}-{scope.name}-{level}"
            alarm = alarms.get(name)
            if not checks.check(f"alarm {name} exists", alarm is not None, f"alarms: {sorted(alarms)}"):
                continue
            shape = {
                "namespace": alarm["Namespace"],
                "metric": alarm["MetricName"],
                "dimensions": alarm.get("Dimensions"),
                "statistic": alarm.get("Statistic"),
                "condition": (alarm["ComparisonOperator"], alarm["Threshold"]),
                "period": alarm["Period"],
                "actions": (alarm.get("AlarmActions"), alarm.get("OKActions")),
            }
            checks.equal(
                f"alarm {name} watches {metric} > 0 of its scope and notifies the topic",
                shape,
                {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": [{"Name": "Scope", "Value": scope.name}],
                    "statistic": "Maximum",
                    "condition": ("GreaterThanThreshold", 0.0),
                    "period": ALARM_PERIOD_S,
                    "actions": ([topic_arn], [topic_arn]),
                },
            )
            description = alarm.get("AlarmDescription", "")
            checks.check(
                f"alarm {name} names the scope's {level} thresholds {list(terms)}",
                all(term in description for term in terms),
                f"description: {description!r}",
            )
    for scope in expect.SCOPES:
        for kind, threshold in scope.zone_alarms:
            name = f"{NAME}-{scope.name}-{kind}"
            alarm = alarms.get(name)
            if not checks.check(f"alarm {name} exists", alarm is not None, f"alarms: {sorted(alarms)}"):
                continue
            checks.equal(
                f"alarm {name} watches MinZoneFreeAddresses < {threshold:g} of its scope and notifies the topic",
                {
                    "namespace": alarm["Namespace"],
                    "metric": alarm["MetricName"],
                    "dimensions": alarm.get("Dimensions"),
                    "statistic": alarm.get("Statistic"),
                    "condition": (alarm["ComparisonOperator"], alarm["Threshold"]),
                    "missing": alarm.get("TreatMissingData"),
                    "actions": (alarm.get("AlarmActions"), alarm.get("OKActions")),
                },
                {
                    "namespace": namespace,
                    "metric": "MinZoneFreeAddresses",
                    "dimensions": [{"Name": "Scope", "Value": scope.name}],
                    "statistic": "Minimum",
                    "condition": ("LessThanThreshold", threshold),
                    "missing": "ignore",
                    "actions": ([topic_arn], [topic_arn]),
                },
            )
    heartbeat = alarms.get(f"{NAME}-heartbeat")
    checks.check(
        "the heartbeat alarm fires when ScanSuccess stops",
        heartbeat is not None
        and (heartbeat["MetricName"], heartbeat["ComparisonOperator"], heartbeat["Threshold"], heartbeat.get("TreatMissingData"))
        == ("ScanSuccess", "LessThanThreshold", 1.0, "breaching"),
        str(heartbeat),
    )


def resource_ids(trouble: dict[tuple[str, str], str]) -> set[str]:
    """The resource ids among the keys in trouble (zones in trouble are keyed by zone, not resource)."""
    return {rid for _scope, rid in trouble if not rid.startswith(expect.ZONE_KEY)}


def check_headline(checks: Checks, message: str, manifest: dict, label: str) -> None:
    """The demo's headline: the subnet about half used with no free /28, and who blocks it."""
    subnet = manifest["ids"]["eks-nodes-a"]
    line = next((line for line in message.splitlines() if subnet in line and "free /28" in line), "")
    checks.check(f"{label}: the notification says eks-nodes-a has 0 free /28 prefixes of 131 assignable", "0 free /28 prefixes" in line and "131 assignable" in line, line)
    checks.check(
        f"{label}: the notification names the load balancer's interface first among the blockers, freeing four /28s",
        re.search(r"Blocking /28 prefixes most.*\n +eni-[0-9a-f]+ \([^)]*ELB app/prod-web[^)]*\): frees 4 /28s, in 4 /28s\n", message) is not None,
        message,
    )


def check_package(checks: Checks, run: harness.MonitorRun, label: str = "") -> None:
    with zipfile.ZipFile(run.package) as archive:
        names = sorted(archive.namelist())
        rules = archive.read("rules.yaml") if "rules.yaml" in names else b""
    checks.equal(f"{label}the deployed package holds index.js and rules.yaml only", names, ["index.js", "rules.yaml"])
    checks.check(f"{label}the deployed rules.yaml is examples/demo/ipam-rules.yaml byte for byte", rules == (harness.EXAMPLE_DIR / "ipam-rules.yaml").read_bytes())


def policy_actions(documents: dict[str, dict]) -> set[str]:
    """Every action an Allow statement of these policy documents grants."""
    actions: set[str] = set()
    for document in documents.values():
        statements = document.get("Statement", [])
        for statement in [statements] if isinstance(statements, dict) else statements:
            if statement.get("Effect") == "Allow":
                granted = statement.get("Action", [])
                actions.update([granted] if isinstance(granted, str) else granted)
    return actions


# API actions that an IAM action of another name authorizes.
IAM_ACTION_OF_CALL = {"ListObjectsV2": "ListBucket"}


def ungranted_calls(calls: dict[str, int], granted: set[str]) -> list[str]:
    """The actions among `calls` (named without their service, as the IPAM layer counts them) that
    no granted action (service:Action, possibly with a trailing *) covers."""
    names = {action.split(":", 1)[-1] for action in granted}

    def covered(call: str) -> bool:
        needed = IAM_ACTION_OF_CALL.get(call, call)
        return any(needed == name or (name.endswith("*") and needed.startswith(name[:-1])) for name in names)

    return sorted(call for call in calls if not covered(call))


def check_policy(checks: Checks, deployment: harness.Deployment, label: str, reads: set[str]) -> set[str]:
    """The role's policy grants exactly `reads` of the ec2 service's actions (IPAM's are ec2 actions
    too); returns every action it grants."""
    granted = policy_actions(deployment.role_policy())
    checks.equal(f"{label}: the role's policy grants exactly the ec2 actions {sorted(reads)}", sorted(a for a in granted if a.lower().startswith("ec2:")), sorted(reads))
    if not any("ipam" in action.lower() for action in reads):
        checks.equal(f"{label}: the role's policy grants no IPAM action", sorted(a for a in granted if "ipam" in a.lower()), [])
    return granted


def check_notification(
    checks: Checks,
    deployment: harness.Deployment,
    run: harness.MonitorRun,
    label: str,
    section_expected: dict[str, dict[tuple[str, str], str]],
) -> harness.Notification | None:
    received = deployment.receive_notifications()
    if not checks.equal(f"{label}: exactly one notification arrived through SQS", len(received), 1):
        return None
    notification = received[0]
    sent = run.result.get("notification") or {}
    checks.check(f"{label}: the function reports it sent that notification", sent.get("sent") is True and sent.get("subject") == notification.subject, str(sent))
    checks.equal(f"{label}: it came from the module's topic", notification.topic_arn, deployment.outputs["sns_topic_arn"])
    checks.check(f"{label}: the subject starts with 'IPAM monitor:' and fits SNS (under 100 characters)", notification.subject.startswith("IPAM monitor:") and len(notification.subject) < 100, notification.subject)
    actual = {section: {key: status for key, (status, _line) in entries.items()} for section, entries in what_changed(notification.message).items()}
    checks.equal(f"{label}: WHAT CHANGED names exactly the expected resources", actual, section_expected)
    return notification


# ---------------------------------------------------------------- the test


def preflight(checks: Checks) -> bool:
    # The lambda/ dependencies need no check: the module's build installs them when missing.
    missing = harness.missing_prerequisites()
    return checks.check("prerequisites are installed", not missing, "missing:\n" + "\n".join(missing))


def run_test(checks: Checks, deployment: harness.Deployment) -> None:
    step("1. emulator")
    checks.check("moto and the IPAM layer run on loopback ports", deployment.moto_url.startswith("http://127.0.0.1:") and deployment.proxy_url.startswith("http://127.0.0.1:"))

    step("2. seed the network")
    manifest = deployment.seed()
    report = expect.expected_report(manifest)
    checks.equal("the seeded network is in trouble where the expectations say", expect.trouble_by_key(report, manifest), expect.INITIAL_TROUBLE)

    step("3. terraform apply examples/demo")
    started = time.monotonic()
    outputs = deployment.deploy()
    print(f"  (applied in {time.monotonic() - started:.0f} s)")
    checks.equal("the module's scopes are the rules file's, in order", outputs["scope_names"], expect.SCOPE_NAMES)
    deployment.subscribe_queue()

    step("4. run the deployed function")
    function = deployment.deployed_function()
    checks.equal("the function's handler is index.handler", function.handler, "index.handler")
    checks.equal(
        "the function's environment names the source, the module's topic, table and namespace",
        {key: function.environment.get(key) for key in ("SOURCE", "REGIONS", "SNS_TOPIC_ARN", "STATE_TABLE", "METRICS_NAMESPACE", "RULES_FILE", "DRY_RUN")},
        {
            "SOURCE": "ipam",
            "REGIONS": None,
            "SNS_TOPIC_ARN": outputs["sns_topic_arn"],
            "STATE_TABLE": outputs["state_table_name"],
            "METRICS_NAMESPACE": "IPAMMonitor",
            "RULES_FILE": "rules.yaml",
            "DRY_RUN": "false",
        },
    )
    granted = check_policy(checks, deployment, "IPAM source", IPAM_READS | CAPACITY_READS)
    try:
        package = harness.find_package(function.code_sha256, name=deployment.name)
        checks.check(f"a built package has the deployed CodeSha256 ({package.name})", True)
    except harness.HarnessError as error:
        checks.check("a built package has the deployed CodeSha256", False, str(error))
        raise Stopped from error
    first = deployment.run_monitor()
    check_package(checks, first)

    step("5. metrics, notification, alarms")
    report = check_run(checks, deployment, first, "first run")
    stats = deployment.proxy_stats()
    checks.check("the scan read the network through the IPAM layer", stats["calls"].get("GetIpamResourceCidrs", 0) > 0, str(stats["calls"]))
    checks.equal("every call the function made is granted by its role's policy", ungranted_calls(stats["calls"], granted), [])
    in_trouble = {key: status for key, status in all_trouble(report).items()}
    notification = check_notification(checks, deployment, first, "first run", {"In trouble": in_trouble})
    if notification is not None:
        ids = set(RESOURCE_ID.findall(notification.message))
        checks.equal("the notification names no resource that is not in trouble", ids, resource_ids(in_trouble))
        check_headline(checks, notification.message, deployment.manifest, "first run")
    check_alarms(checks, deployment, outputs["sns_topic_arn"], first.env["METRICS_NAMESPACE"])

    step(f"6a. fill {FILLED} past critical")
    record = deployment.fill_subnet(FILLED)
    print(f"  ({FILLED}: {record['used']} of {record['usable']} addresses used)")
    second = deployment.run_monitor()
    after_fill = check_run(checks, deployment, second, "after filling")
    expected_changes = changes(report, after_fill)
    checks.equal(
        f"the expected change is {FILLED} new at critical",
        expected_changes,
        {"New or worse": {("prod-subnets", deployment.manifest["ids"][FILLED]): "critical"}},
    )
    notification = check_notification(checks, deployment, second, "after filling", expected_changes)
    if notification is not None:
        line = what_changed(notification.message).get("New or worse", {}).get(("prod-subnets", deployment.manifest["ids"][FILLED]), ("", ""))[1]
        checks.check(f"the change line names {FILLED} and says it is new", f'"{FILLED}"' in line and line.endswith("(new)"), line)
        checks.check("the subject counts the new resource as the body does", "(1 new or worse)" in notification.subject, notification.subject)

    step("6b. run again with nothing changed")
    third = deployment.run_monitor()
    check_run(checks, deployment, third, "unchanged")
    sent = third.result.get("notification") or {}
    checks.equal("the function says nothing changed and sent nothing", (sent.get("sent"), sent.get("reason")), (False, "nothing changed since the last notification"))
    quiet = deployment.receive_notifications(wait_s=QUIET_WAIT_S)
    checks.equal(f"the queue stays empty for {QUIET_WAIT_S} s", [n.subject for n in quiet], [])

    step(f"6c. empty {FILLED}")
    record = deployment.empty_subnet(FILLED)
    print(f"  ({FILLED}: {record['used']} of {record['usable']} addresses used)")
    fourth = deployment.run_monitor()
    after_empty = check_run(checks, deployment, fourth, "after emptying")
    expected_changes = changes(after_fill, after_empty)
    checks.equal(
        f"the expected change is {FILLED} recovered", expected_changes, {"Recovered": {("prod-subnets", deployment.manifest["ids"][FILLED]): "ok"}}
    )
    notification = check_notification(checks, deployment, fourth, "after emptying", expected_changes)
    if notification is not None:
        line = what_changed(notification.message).get("Recovered", {}).get(("prod-subnets", deployment.manifest["ids"][FILLED]), ("", ""))[1]
        checks.check(f"the recovery line says {FILLED} is ok now and was critical", "now ok (was critical)" in line, line)
        checks.check("the subject counts the recovery", "1 recovered" in notification.subject, notification.subject)

    verdicts = {v.name: v.state for v in deployment.judge_alarms()}
    wanted = {f"{NAME}-heartbeat": "OK", f"{NAME}-errors": "OK"}
    for name, scope in after_empty.items():
        wanted[f"{NAME}-{name}-critical"] = "ALARM" if scope.metrics["CriticalCount"] else "OK"
        spec = next(s for s in expect.SCOPES if s.name == name)
        if spec.warning_terms:
            wanted[f"{NAME}-{name}-warning"] = "ALARM" if scope.metrics["WarningCount"] else "OK"
        for kind, threshold in spec.zone_alarms:
            wanted[f"{NAME}-{name}-{kind}"] = "ALARM" if scope.metrics["MinZoneFreeAddresses"] < threshold else "OK"
        if spec.unknown_alarm:
            wanted[f"{NAME}-{name}-unknown"] = "ALARM" if scope.metrics["UnknownCount"] else "OK"
    checks.equal("alarms judged on their latest values fire exactly where resources are in trouble", verdicts, wanted)

    step("7. plan and destroy")
    code, output = deployment.plan_exit_code()
    checks.check("terraform plan -detailed-exitcode finds nothing to change (exit 0)", code == 0, f"exit {code}\n{harness.tail(output)}")
    deployment.destroy()
    leftovers = deployment.leftovers()
    checks.equal("terraform destroy leaves nothing of the deployment", {what: found for what, found in leftovers.items() if found}, {})


def run_ec2_test(checks: Checks, deployment: harness.Deployment) -> None:
    """Steps 8 to 10: examples/demo with scan_source = "ec2", in the emulator and network of the first deployment."""
    step(f'8. terraform apply examples/demo with scan_source = "ec2", regions = {harness.REGIONS}')
    states = deployment.subnet_ipv6_states(harness.REGIONS)
    ipv6_cidrs = expect.subnet_ipv6_cidrs(deployment.manifest)
    associated = [states.get(key) == expect.ASSOCIATED for key in ipv6_cidrs]
    seen = sorted({str(states.get(key)) for key in ipv6_cidrs})
    print(f"  (EC2 returns the subnets' IPv6 association states as {seen}: the EC2 view has {'their' if all(associated) else 'none of their'} IPv6 CIDRs)")
    checks.check(
        "EC2 returns one association state for every subnet IPv6 CIDR of the network", bool(ipv6_cidrs) and len(set(associated)) == 1, str(states)
    )
    view = expect.ec2_view(deployment.manifest, harness.REGIONS, states)
    report = expect.expected_report(view)
    trouble, differences = (
        (expect.EC2_INITIAL_TROUBLE, expect.EC2_DIFFERENCES) if all(associated) else (expect.EC2_INITIAL_TROUBLE_WITHOUT_SUBNET_IPV6, expect.EC2_DIFFERENCES_WITHOUT_SUBNET_IPV6)
    )
    checks.equal("the EC2 view of the network is in trouble where the expectations say", expect.trouble_by_key(report, view), trouble)
    checks.equal(
        "the EC2 view's scope metrics differ from the IPAM view's exactly where the expectations say",
        expect.metric_differences(expect.expected_report(deployment.manifest), report),
        differences,
    )

    started = time.monotonic()
    outputs = deployment.deploy()
    print(f"  (applied in {time.monotonic() - started:.0f} s)")
    checks.equal("EC2 source: the module's scopes are the rules file's, in order", outputs["scope_names"], expect.SCOPE_NAMES)
    deployment.subscribe_queue()
    function = deployment.deployed_function()
    checks.equal(
        "EC2 source: the function's environment names the source, the Regions, the topic, table and namespace",
        {key: function.environment.get(key) for key in ("SOURCE", "REGIONS", "SNS_TOPIC_ARN", "STATE_TABLE", "METRICS_NAMESPACE", "RULES_FILE")},
        {
            "SOURCE": "ec2",
            "REGIONS": ",".join(harness.REGIONS),
            "SNS_TOPIC_ARN": outputs["sns_topic_arn"],
            "STATE_TABLE": outputs["state_table_name"],
            "METRICS_NAMESPACE": "IPAMMonitor",
            "RULES_FILE": "rules.yaml",
        },
    )
    granted = check_policy(checks, deployment, "EC2 source", EC2_READS | CAPACITY_READS)
    try:
        package = harness.find_package(function.code_sha256, name=deployment.name)
        checks.check(f"EC2 source: a built package has the deployed CodeSha256 ({package.name})", True)
    except harness.HarnessError as error:
        checks.check("EC2 source: a built package has the deployed CodeSha256", False, str(error))
        raise Stopped from error

    step("9. run the deployed function: metrics, EC2 calls, notification")
    deployment.reset_proxy_stats()
    run = deployment.run_monitor()
    calls = deployment.proxy_stats()["calls"]
    check_package(checks, run, "EC2 source: ")
    check_run(checks, deployment, run, "EC2 source", report)
    # The function's endpoint is the IPAM layer, which answers IPAM actions itself and hands every
    # other request to moto unchanged: these are moto's own DescribeVpcs, DescribeSubnets and
    # DescribeAddresses, one page each per Region.
    # Capacity: the two opted-in subnets are the whole of their VPC, so one DescribeNetworkInterfaces
    # filtered by that VPC, and one GetSubnetCidrReservations per subnet.
    reads = {action: count for action, count in calls.items() if action.startswith(("Describe", "GetSubnet")) or "Ipam" in action}
    checks.equal(
        "EC2 source: the scan read each Region once with DescribeVpcs, DescribeSubnets and DescribeAddresses, the capacity scope's "
        "interfaces with one call and its reservations with one call per subnet, and called no IPAM action",
        reads,
        {**{action.split(":")[1]: len(harness.REGIONS) for action in EC2_READS}, "DescribeNetworkInterfaces": 1, "GetSubnetCidrReservations": 2},
    )
    checks.equal("EC2 source: every call the function made is granted by its role's policy", ungranted_calls(calls, granted), [])
    checks.equal("EC2 source: the result names its source", run.result.get("source"), "ec2")
    in_trouble = all_trouble(report)
    notification = check_notification(checks, deployment, run, "EC2 source", {"In trouble": in_trouble})
    if notification is not None:
        ids = set(RESOURCE_ID.findall(notification.message))
        checks.equal("EC2 source: the notification names no resource that is not in trouble", ids, resource_ids(in_trouble))
        check_headline(checks, notification.message, deployment.manifest, "EC2 source")

    step("10. plan and destroy the EC2-source deployment")
    code, output = deployment.plan_exit_code()
    checks.check("EC2 source: terraform plan -detailed-exitcode finds nothing to change (exit 0)", code == 0, f"exit {code}\n{harness.tail(output)}")
    deployment.destroy()
    leftovers = deployment.leftovers()
    checks.equal("EC2 source: terraform destroy leaves nothing of the deployment", {what: found for what, found in leftovers.items() if found}, {})


def run_step(checks: Checks, what: str, test, *args) -> bool:
    """Runs one deployment's steps; a failure ends them (later steps build on earlier ones) and is
    counted. Returns whether they ran to the end. Ctrl-C and SIGTERM end the whole test."""
    try:
        test(checks, *args)
        return True
    except Stopped:
        checks.check(f"{what} ran to the end", False, "stopped by the failure above")
    except KeyboardInterrupt:
        raise
    except Exception as error:  # noqa: BLE001 — reported as a failed check; cleanup follows
        checks.check(f"{what} ran to the end", False, f"{type(error).__name__}: {error}")
    return False


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep-work-dir", action="store_true", help="keep the temporary directory (Terraform working copy, logs) and print its path")
    args = parser.parse_args(argv)
    harness.install_signal_handlers()
    checks = Checks()
    started = time.monotonic()
    step("0. the test's own helpers")
    import test_helpers

    passed, failed = test_helpers.run()
    checks.passed += passed
    checks.failed += failed
    if preflight(checks):
        deployment = harness.Deployment(NAME, keep_work_dir=args.keep_work_dir)
        ec2_deployment: harness.Deployment | None = None
        try:
            deployment.start()
            run_step(checks, "the IPAM-source test", run_test, deployment)
            if deployment.manifest:
                ec2_deployment = deployment.sibling(NAME_EC2, EC2_VARIABLES)
                run_step(checks, "the EC2-source test", run_ec2_test, ec2_deployment)
            else:
                checks.check("the EC2-source test ran", False, "the network was not seeded")
        except KeyboardInterrupt:
            checks.check("the test ran to the end", False, "interrupted")
        except Exception as error:  # the emulator did not start
            checks.check("the test ran to the end", False, f"{type(error).__name__}: {error}")
        finally:
            # The EC2-source deployment first: it uses the emulator the other one stops.
            problems = (ec2_deployment.close() if ec2_deployment is not None else []) + deployment.close()
            for problem in problems:
                checks.check("cleanup", False, problem)
            if args.keep_work_dir and deployment.work_dir is not None:
                print(f"\nwork directory kept: {deployment.work_dir}")
        # Reported, not asserted: wall time depends on the machine's load, and how long the suite may
        # take is a budget for scripts/test as a whole, not a property of the module under test.
        print(f"\nthe end-to-end test took {time.monotonic() - started:.0f} s")
    print(f"\n{checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
