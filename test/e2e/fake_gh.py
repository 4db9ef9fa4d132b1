#!/usr/bin/env python3
"""A stand-in for the GitHub CLI's `gh api`, enough for the pull-request workflow of
examples/github-actions: it keeps the issue comments of one repository in a JSON file
(FAKE_GH_STATE) and answers the calls the workflow makes.

  gh api [--paginate] [--method GET|POST|PATCH] PATH [--jq FILTER] [-F body=@FILE]

PATH is repos/OWNER/REPO/issues/N/comments (GET lists, POST creates) or
repos/OWNER/REPO/issues/comments/ID (PATCH updates). The only --jq filter it knows is the one the
workflow uses, `.[] | select(.body | startswith("PREFIX")) | .id`; anything else is refused rather
than guessed. Every call is appended to the state's "calls" list for the test to read.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

SELECT_BY_PREFIX = re.compile(r'^\.\[\] \| select\(\.body \| startswith\("(.*)"\)\) \| \.id$')
LIST_OR_CREATE = re.compile(r"^repos/[^/]+/[^/]+/issues/(\d+)/comments$")
UPDATE = re.compile(r"^repos/[^/]+/[^/]+/issues/comments/(\d+)$")


def fail(message: str) -> int:
    print(f"gh (test stand-in): {message}", file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    state_path = Path(os.environ["FAKE_GH_STATE"])
    state = json.loads(state_path.read_text()) if state_path.exists() else {"comments": [], "calls": [], "next_id": 1000}
    if not argv or argv[0] != "api":
        return fail(f"only `gh api` is available, not {argv[:1]}")
    if not os.environ.get("GH_TOKEN"):
        return fail("GH_TOKEN is not set; the workflow must pass github.token")
    method, path, jq, fields = "GET", None, None, {}
    args = iter(argv[1:])
    for arg in args:
        if arg == "--paginate":
            continue
        if arg == "--method":
            method = next(args)
        elif arg == "--jq":
            jq = next(args)
        elif arg == "-F":
            name, _, value = next(args).partition("=")
            fields[name] = Path(value[1:]).read_text() if value.startswith("@") else value
        elif path is None:
            path = arg
        else:
            return fail(f"unexpected argument {arg!r}")
    state["calls"].append({"method": method, "path": path})
    output = None
    if (match := LIST_OR_CREATE.match(path or "")) and method == "GET":
        output = [c for c in state["comments"] if c["issue"] == int(match.group(1))]
    elif match and method == "POST":
        comment = {"id": state["next_id"], "issue": int(match.group(1)), "body": fields["body"]}
        state["next_id"] += 1
        state["comments"].append(comment)
        output = comment
    elif (match := UPDATE.match(path or "")) and method == "PATCH":
        found = [c for c in state["comments"] if c["id"] == int(match.group(1))]
        if not found:
            return fail(f"no comment {match.group(1)}")
        found[0]["body"] = fields["body"]
        output = found[0]
    else:
        return fail(f"{method} {path} is not a call this stand-in answers")
    state_path.write_text(json.dumps(state, indent=2))
    if jq is None:
        print(json.dumps(output))
        return 0
    selected = SELECT_BY_PREFIX.match(jq)
    if selected is None or not isinstance(output, list):
        return fail(f"the --jq filter {jq!r} is not the one the workflow uses")
    prefix = selected.group(1).encode().decode("unicode_escape")
    for comment in output:
        if comment["body"].startswith(prefix):
            print(comment["id"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
