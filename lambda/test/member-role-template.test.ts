/**
 * The CloudFormation template of the member role (modules/member-role/member-role.cfn.yaml), rendered
 * for each combination of its optional parameters by a small evaluator of the intrinsic functions it
 * uses, and compared with what the Terraform module of the same role creates.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { IAM_ACTIONS_BY_FEATURE } from "../src/permissions";

const TEMPLATE_PATH = join(__dirname, "..", "..", "modules", "member-role", "member-role.cfn.yaml");
const NO_VALUE = Symbol("AWS::NoValue");

type Json = unknown;
interface Template {
  Parameters: Record<string, { Default?: string; AllowedPattern?: string }>;
  Conditions: Record<string, Json>;
  Resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
}

function loadTemplate(): Template {
  return parse(readFileSync(TEMPLATE_PATH, "utf8")) as Template;
}

/** Evaluates the intrinsic functions the template uses, as CloudFormation would, for the given parameters. */
function render(template: Template, parameters: Record<string, string>): Record<string, Json> {
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(template.Parameters)) {
    const value = parameters[name] ?? spec.Default;
    if (value === undefined) throw new Error(`parameter ${name} has no value`);
    if (spec.AllowedPattern !== undefined && !new RegExp(spec.AllowedPattern).test(value)) {
      throw new Error(`parameter ${name} = "${value}" does not match ${spec.AllowedPattern}`);
    }
    values[name] = value;
  }
  const conditions = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    const known = conditions.get(name);
    if (known !== undefined) return known;
    const result = evaluate(template.Conditions[name]);
    if (typeof result !== "boolean") throw new Error(`condition ${name} is not a boolean`);
    conditions.set(name, result);
    return result;
  };
  function evaluate(node: Json): Json {
    if (Array.isArray(node)) return node.map(evaluate).filter((item) => item !== NO_VALUE);
    if (node === null || typeof node !== "object") return node;
    const entries = Object.entries(node as Record<string, Json>);
    if (entries.length === 1) {
      const [key, arg] = entries[0] as [string, Json];
      const args = arg as Json[];
      switch (key) {
        case "Ref":
          if (arg === "AWS::NoValue") return NO_VALUE;
          if (typeof arg !== "string" || !(arg in values)) throw new Error(`Ref to unknown ${String(arg)}`);
          return values[arg];
        case "Condition":
          return condition(arg as string);
        case "Fn::If":
          return evaluate(condition(args[0] as string) ? args[1] : args[2]);
        case "Fn::Not":
          return !(evaluate(args[0]) as boolean);
        case "Fn::Or":
          return args.some((a) => evaluate(a) === true);
        case "Fn::Equals":
          return evaluate(args[0]) === evaluate(args[1]);
        case "Fn::Join":
          return (evaluate(args[1]) as string[]).join(args[0] as string);
        case "Fn::Select":
          return (evaluate(args[1]) as Json[])[args[0] as number];
        case "Fn::Split":
          return (evaluate(args[1]) as string).split(args[0] as string);
        case "Fn::Sub":
          return (arg as string).replace(/\$\{([A-Za-z0-9:]+)\}/g, (_, name: string) => values[name] ?? "");
        case "Fn::GetAtt":
          return `<${(args as string[]).join(".")}>`;
      }
    }
    const out: Record<string, Json> = {};
    for (const [key, value] of entries) {
      const result = evaluate(value);
      if (result !== NO_VALUE) out[key] = result;
    }
    return out;
  }
  return evaluate(template.Resources.MemberRole?.Properties) as Record<string, Json>;
}

const SCANNER = "arn:aws:iam::111122223333:role/ipam-monitor";

describe("the member role's CloudFormation template", () => {
  it("allows exactly the EC2 source's actions and its capacity reads from lambda/iam-actions.json", () => {
    const role = render(loadTemplate(), { ScannerRoleArn: SCANNER });

    const policies = role.Policies as Array<{
      PolicyDocument: { Statement: Array<{ Action: string[]; Resource: string }> };
    }>;
    const statements = policies.flatMap((p) => p.PolicyDocument.Statement);

    expect(statements).to.have.length(1);
    expect([...(statements[0]?.Action ?? [])].sort()).to.deep.equal(
      [...IAM_ACTIONS_BY_FEATURE.ec2, ...IAM_ACTIONS_BY_FEATURE.capacity].sort(),
    );
    expect(statements[0]?.Action).to.include.members([
      "ec2:DescribeNetworkInterfaces",
      "ec2:GetSubnetCidrReservations",
    ]);
    expect(statements[0]?.Resource).to.equal("*");
  });

  it("trusts only the scanner role, through its account and an ArnEquals condition", () => {
    const role = render(loadTemplate(), { ScannerRoleArn: SCANNER });

    expect(role.RoleName).to.equal("ipam-monitor-member");
    expect(role.AssumeRolePolicyDocument).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ScannerRoleAssumesRole",
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { AWS: "arn:aws:iam::111122223333:root" },
          Condition: { ArnEquals: { "aws:PrincipalArn": SCANNER } },
        },
      ],
    });
  });

  it("adds the organization and the external id conditions when they are given", () => {
    const role = render(loadTemplate(), {
      ScannerRoleArn: "arn:aws-us-gov:iam::111122223333:role/platform/ipam-monitor",
      OrganizationId: "o-a1b2c3d4e5",
      ExternalId: "ipam-monitor-7f3a",
    });

    const statement = (role.AssumeRolePolicyDocument as { Statement: Array<Record<string, Json>> }).Statement[0];
    expect(statement?.Principal).to.deep.equal({ AWS: "arn:aws-us-gov:iam::111122223333:root" });
    expect(statement?.Condition).to.deep.equal({
      ArnEquals: { "aws:PrincipalArn": "arn:aws-us-gov:iam::111122223333:role/platform/ipam-monitor" },
      StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5", "sts:ExternalId": "ipam-monitor-7f3a" },
    });
  });

  it("adds only the external id condition when no organization is given", () => {
    const role = render(loadTemplate(), { ScannerRoleArn: SCANNER, ExternalId: "ipam-monitor-7f3a" });

    const statement = (role.AssumeRolePolicyDocument as { Statement: Array<Record<string, Json>> }).Statement[0];
    expect(statement?.Condition).to.deep.equal({
      ArnEquals: { "aws:PrincipalArn": SCANNER },
      StringEquals: { "sts:ExternalId": "ipam-monitor-7f3a" },
    });
  });

  it("refuses a scanner ARN that is not a role, as the Terraform module does", () => {
    expect(() => render(loadTemplate(), { ScannerRoleArn: "arn:aws:iam::111122223333:user/alice" })).to.throw(
      /ScannerRoleArn/,
    );
  });

  it("has the same default role name and parameter patterns as the Terraform module", () => {
    const template = loadTemplate();
    const variables = readFileSync(join(__dirname, "..", "..", "modules", "member-role", "variables.tf"), "utf8");

    expect(variables).to.include(`default     = "${template.Parameters.RoleName?.Default}"`);
    expect(variables).to.include(
      `"${template.Parameters.ScannerRoleArn?.AllowedPattern?.replace(/\\/g, "\\\\")}", var.scanner_role_arn`,
    );
    expect(variables).to.include(`"${template.Parameters.RoleName?.AllowedPattern}", var.role_name`);
  });
});
