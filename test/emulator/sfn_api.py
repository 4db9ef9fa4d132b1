"""The two Step Functions actions the AWS provider calls for every aws_sfn_state_machine and
moto's server lacks: ValidateStateMachineDefinition and ListStateMachineVersions. Without them the
provider retries for minutes on moto's 500 and the apply fails.

- ValidateStateMachineDefinition checks what a definition's structure must satisfy (JSON, StartAt
  naming a state, every state with a known Type, every Next/Default/Choices target a state of the
  same level, a terminal state, Map and Parallel branches checked the same way, recursively) and
  answers with the API's shape: result OK or FAIL, one diagnostic per problem (severity ERROR, a
  code, a message and the location). It does not check JSONPath or JSONata expressions: the
  project's unit tests validate its state machine with the asl-validator package.
- ListStateMachineVersions answers from moto's state: moto keeps published versions and describes
  them by their ARN (<state machine ARN>:<n>), so the versions are found by describing :1, :2, …
  until one does not exist. An unknown state machine answers StateMachineDoesNotExist, as AWS does.
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

SFN_ACTIONS = {"ValidateStateMachineDefinition", "ListStateMachineVersions"}
STATE_TYPES = {"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
TERMINAL_TYPES = {"Succeed", "Fail"}


def _diagnostic(code: str, message: str, location: str) -> dict:
    return {"severity": "ERROR", "code": code, "message": message, "location": location}


def _check_machine(machine, location: str) -> list[dict]:
    problems: list[dict] = []
    if not isinstance(machine, dict):
        return [_diagnostic("SCHEMA_VALIDATION_FAILED", "a state machine must be an object", location)]
    states = machine.get("States")
    if not isinstance(states, dict) or not states:
        return [_diagnostic("SCHEMA_VALIDATION_FAILED", "States must be a non-empty object", f"{location}/States")]
    start = machine.get("StartAt")
    if start not in states:
        problems.append(_diagnostic("MISSING_TRANSITION_TARGET", f"StartAt {start!r} is not a state", f"{location}/StartAt"))
    has_end = False
    for name, state in states.items():
        where = f"{location}/States/{name}"
        if not isinstance(state, dict) or state.get("Type") not in STATE_TYPES:
            problems.append(_diagnostic("SCHEMA_VALIDATION_FAILED", f"state {name} has no valid Type", f"{where}/Type"))
            continue
        kind = state["Type"]
        targets = [state.get("Next")] if "Next" in state else []
        if kind == "Choice":
            targets += [choice.get("Next") for choice in state.get("Choices", [])]
            if "Default" in state:
                targets.append(state["Default"])
            if not state.get("Choices"):
                problems.append(_diagnostic("SCHEMA_VALIDATION_FAILED", f"Choice state {name} has no Choices", f"{where}/Choices"))
        for catcher in state.get("Catch", []):
            targets.append(catcher.get("Next"))
        for target in targets:
            if target not in states:
                problems.append(_diagnostic("MISSING_TRANSITION_TARGET", f"state {name} moves to {target!r}, which is not a state", where))
        ends = state.get("End") is True or kind in TERMINAL_TYPES
        if kind not in TERMINAL_TYPES and kind != "Choice" and not ends and "Next" not in state:
            problems.append(_diagnostic("SCHEMA_VALIDATION_FAILED", f"state {name} has neither Next nor End", where))
        has_end = has_end or ends
        if kind == "Map":
            processor = state.get("ItemProcessor") or state.get("Iterator")
            problems += _check_machine(processor, f"{where}/ItemProcessor")
        if kind == "Parallel":
            for index, branch in enumerate(state.get("Branches", [])):
                problems += _check_machine(branch, f"{where}/Branches/{index}")
    if not has_end:
        problems.append(_diagnostic("NO_TERMINAL_STATE", "no state ends the execution", location))
    return problems


def validate(request: dict) -> tuple[int, dict]:
    try:
        machine = json.loads(request.get("definition", ""))
    except (TypeError, ValueError) as error:
        diagnostics = [_diagnostic("INVALID_JSON_DESCRIPTION", f"the definition is not JSON: {error}", "/")]
    else:
        diagnostics = _check_machine(machine, "")
    return 200, {"result": "FAIL" if diagnostics else "OK", "diagnostics": diagnostics, "truncated": False}


def _describe(upstream: str, headers, arn: str) -> tuple[int, dict]:
    target = urlsplit(upstream)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
    body = json.dumps({"stateMachineArn": arn}).encode()
    try:
        forwarded = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.DescribeStateMachine"}
        # moto reads the account from the access key in the signature, so the caller's stays.
        if headers.get("Authorization"):
            forwarded["Authorization"] = headers["Authorization"]
        connection.request("POST", "/", body, forwarded)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def list_versions(request: dict, headers, upstream: str) -> tuple[int, dict]:
    arn = request.get("stateMachineArn", "")
    status, answer = _describe(upstream, headers, arn)
    if status != 200:
        return status, answer
    versions = []
    number = 1
    while True:
        status, version = _describe(upstream, headers, f"{arn}:{number}")
        if status != 200:
            break
        versions.append({"stateMachineVersionArn": f"{arn}:{number}", "creationDate": version.get("creationDate")})
        number += 1
    # Newest first, as the API lists them.
    return 200, {"stateMachineVersions": list(reversed(versions))}


def handle(action: str, body: bytes, headers, upstream: str) -> tuple[int, bytes]:
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return 400, json.dumps({"__type": "SerializationException", "message": "the request body is not JSON"}).encode()
    if action == "ValidateStateMachineDefinition":
        status, answer = validate(request)
    else:
        status, answer = list_versions(request, headers, upstream)
    return status, json.dumps(answer).encode()
