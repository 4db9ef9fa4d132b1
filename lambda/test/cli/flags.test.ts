import { expect } from "chai";
import { flagOfVariable, parseScanFlags, SCAN_FLAGS, scanFlagsHelp, variablesFromFlags } from "../../src/cli/flags";
import { readConfig } from "../../src/config";
import { ConfigError } from "../../src/errors";

describe("scan flags", () => {
  it("parses every flag of the table", () => {
    const { values } = parseScanFlags(["--rules", "r.yaml", "--dry-run", "-h", "--scope-types", "private"]);

    expect(values).to.deep.equal({ rules: "r.yaml", "dry-run": true, help: true, "scope-types": "private" });
  });

  it("refuses a flag the table does not have", () => {
    expect(() => parseScanFlags(["--rule", "r.yaml"])).to.throw(TypeError, /--rule/);
  });

  it("turns the flags into the configuration variables they set, a boolean flag as true", () => {
    const { values } = parseScanFlags(["--rules", "r.yaml", "--region", "eu-west-1", "--dry-run", "--format", "json"]);

    const variables = variablesFromFlags(values);

    expect(variables).to.include({ RULES_FILE: "r.yaml", IPAM_REGION: "eu-west-1", DRY_RUN: "true" });
    expect(variables.SOURCE).to.equal(undefined);
    expect(Object.values(variables)).not.to.include("json");
  });

  it("names the flag of a configuration variable, and none for a variable without one", () => {
    expect(flagOfVariable("IPAM_REGION")).to.equal("--region");
    expect(flagOfVariable("SNS_TOPIC_ARN")).to.equal("--topic");
    expect(flagOfVariable("LOG_LEVEL")).to.equal(undefined);
  });

  it("gives every flag its help, naming the environment variable that can replace it", () => {
    const help = scanFlagsHelp();

    expect(help.split("\n").filter((line) => /^ {2}-/.test(line))).to.have.length(SCAN_FLAGS.length);
    expect(help).to.include("  --source ipam|ec2       where to read resource CIDRs (env SOURCE, default ipam)\n");
    expect(help).to.include("  --rules FILE            rules file (required)\n");
    expect(help).to.include("  -h, --help              this help\n");
  });

  it("wraps long help at 100 columns under the help column, and puts a long flag's help on the next line", () => {
    const lines = scanFlagsHelp().split("\n");

    expect(lines.every((line) => line.length <= 100)).to.equal(true);
    const units = lines.indexOf("  --organizational-units OU1,OU2");
    expect(units).to.be.greaterThan(-1);
    expect(lines[units + 1]).to.match(/^ {26}only the accounts in these OUs/);
  });

  it("sets only variables the configuration reads: a wrong value is refused naming the variable", () => {
    const checked = ["SOURCE", "IPAM_REGION", "REGIONS", "IPAM_ID", "SCOPE_TYPES", "DRY_RUN", "SNS_TOPIC_ARN"];
    for (const variable of checked) {
      expect(flagOfVariable(variable), variable).to.be.a("string");
      expect(() => readConfig({ AWS_REGION: "eu-west-1" }, { [variable]: "not valid!" }), variable).to.throw(
        ConfigError,
        new RegExp(`^${variable}: `),
      );
    }
  });
});
