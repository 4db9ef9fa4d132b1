import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { IAM_ACTIONS_BY_FEATURE, requiredActions } from "../src/permissions";

const SERVICE_BY_PACKAGE: Record<string, string> = {
  "@aws-sdk/client-ec2": "ec2",
  "@aws-sdk/client-cloudwatch": "cloudwatch",
  "@aws-sdk/client-sns": "sns",
  "@aws-sdk/client-dynamodb": "dynamodb",
  "@aws-sdk/client-s3": "s3",
  "@aws-sdk/client-organizations": "organizations",
  "@aws-sdk/client-sts": "sts",
};

/** Commands whose IAM action has another name than the command. */
const ACTION_OF_COMMAND: Record<string, string> = {
  "s3:ListObjectsV2": "s3:ListBucket",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Every `XxxCommand` imported from an AWS SDK client package, as the IAM action it needs. */
function actionsCalledBySource(): Set<string> {
  const called = new Set<string>();
  const importPattern = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"(@aws-sdk\/client-[a-z0-9-]+)"/g;
  for (const file of sourceFiles(join(__dirname, "..", "src"))) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(importPattern)) {
      const names = match[1] ?? "";
      const service = SERVICE_BY_PACKAGE[match[2] ?? ""];
      if (service === undefined) throw new Error(`${file} imports ${match[2]}, which the IAM list does not cover`);
      for (const raw of names.split(",")) {
        const name =
          raw
            .trim()
            .replace(/^type\s+/, "")
            .split(/\s+as\s+/)[0] ?? "";
        const command = /^([A-Z][A-Za-z0-9]*)Command$/.exec(name);
        if (command) {
          const action = `${service}:${command[1]}`;
          called.add(ACTION_OF_COMMAND[action] ?? action);
        }
      }
    }
  }
  return called;
}

describe("permissions", () => {
  it("lists exactly the AWS actions that the source code calls", () => {
    const listed = new Set(Object.values(IAM_ACTIONS_BY_FEATURE).flat());

    const called = actionsCalledBySource();

    expect([...called].sort()).to.deep.equal([...listed].sort());
  });

  it("gives the IPAM source no EC2 describe actions beyond IPAM's", () => {
    const actions = requiredActions("ipam");

    expect(actions).to.include("ec2:GetIpamResourceCidrs");
    expect(actions).not.to.include("ec2:DescribeSubnets");
  });

  it("gives the EC2 source no IPAM actions", () => {
    const actions = requiredActions("ec2");

    expect(actions.filter((a) => a.includes("Ipam"))).to.deep.equal([]);
  });

  it("adds the interface and reservation reads only when a scope measures capacity", () => {
    expect(requiredActions("ec2")).not.to.include("ec2:DescribeNetworkInterfaces");
    expect(requiredActions("ipam", { capacity: true })).to.include.members([
      "ec2:DescribeNetworkInterfaces",
      "ec2:GetSubnetCidrReservations",
    ]);
  });
});
