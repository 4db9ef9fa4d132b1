import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { LEVEL_PAIRS_KEYWORD } from "../../src/rules/levels";
import {
  formatPath,
  RESOURCE_TYPE_NAMES,
  RULES_SCHEMA,
  suggestResourceType,
  TRANSLATED_KEYWORDS,
  validateRulesSchema,
} from "../../src/rules/schema";

const VALID_DIR = join(__dirname, "../fixtures/rules/valid");

type SchemaNode = Record<string, unknown>;

/** Every subschema with the JSON path that leads to it. */
function subschemas(node: unknown, path = "#"): [string, SchemaNode][] {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return [];
  const schema = node as SchemaNode;
  const found: [string, SchemaNode][] = [[path, schema]];
  for (const key of ["properties", "definitions"]) {
    const children = schema[key] as Record<string, unknown> | undefined;
    for (const [name, child] of Object.entries(children ?? {}))
      found.push(...subschemas(child, `${path}/${key}/${name}`));
  }
  for (const key of ["items", "additionalProperties"]) found.push(...subschemas(schema[key], `${path}/${key}`));
  return found;
}

/** The first message for a rules document, which must have exactly one problem. */
function onlyMessage(data: unknown): string {
  const issues = validateRulesSchema(data);
  expect(issues, JSON.stringify(issues)).to.have.length(1);
  return issues[0]!.message;
}

function withScope(scope: Record<string, unknown>): unknown {
  return { version: 1, scopes: [{ name: "s", ...scope }] };
}

describe("rules/schema", () => {
  describe("the schema file", () => {
    it("describes every property, so editors can show help for it", () => {
      const undocumented = subschemas(RULES_SCHEMA)
        .filter(([path]) => /\/(properties|definitions)\/[^/]+$|\/items$|\/additionalProperties$/.test(path))
        .filter(([, schema]) => typeof schema.description !== "string" || schema.description.length === 0)
        .map(([path]) => path);
      expect(undocumented).to.deep.equal([]);
    });

    it("closes every mapping with additionalProperties: false, except tags which maps any key", () => {
      const open = subschemas(RULES_SCHEMA)
        .filter(([, schema]) => schema.properties !== undefined && schema.additionalProperties !== false)
        .map(([path]) => path);
      expect(open).to.deep.equal([]);
      const tags = (RULES_SCHEMA.definitions as Record<string, SchemaNode>).matchConditions!.properties as Record<
        string,
        SchemaNode
      >;
      expect(tags.tags!.additionalProperties).to.deep.include({ type: ["string", "array"] });
    });

    it("uses only keywords whose errors are translated into plain words", () => {
      const annotations = new Set([
        "$schema",
        "title",
        "description",
        "examples",
        "default",
        "$ref",
        "properties",
        "definitions",
        "items",
        LEVEL_PAIRS_KEYWORD,
      ]);
      const used = new Set<string>();
      for (const [, schema] of subschemas(RULES_SCHEMA)) {
        for (const key of Object.keys(schema)) if (!annotations.has(key)) used.add(key);
      }
      expect([...used].filter((keyword) => !TRANSLATED_KEYWORDS.includes(keyword))).to.deep.equal([]);
    });

    it("accepts every valid fixture on its own", () => {
      for (const file of readdirSync(VALID_DIR).filter((f) => f.endsWith(".yaml"))) {
        const data: unknown = parse(readFileSync(join(VALID_DIR, file), "utf8"), { merge: true });
        expect(validateRulesSchema(data), file).to.deep.equal([]);
      }
    });
  });

  describe("formatPath", () => {
    it("joins keys with dots and list indexes with brackets", () => {
      expect(formatPath(["scopes", 1, "thresholds", "critical"])).to.equal("scopes[1].thresholds.critical");
    });

    it("quotes keys that are not plain identifiers", () => {
      expect(formatPath(["scopes", 0, "match", "tags", "aws:cloudformation:stack-name"])).to.equal(
        'scopes[0].match.tags["aws:cloudformation:stack-name"]',
      );
    });

    it("gives the root as an empty path", () => {
      expect(formatPath([])).to.equal("");
    });
  });

  describe("validateRulesSchema", () => {
    it("returns nothing for a valid document", () => {
      expect(validateRulesSchema(withScope({ thresholds: { warning: 70 } }))).to.deep.equal([]);
    });

    it("names a missing required key at the mapping that lacks it", () => {
      const issues = validateRulesSchema({ version: 1, scopes: [{ name: "a" }, { description: "b" }] });
      expect(issues).to.deep.equal([
        { path: ["scopes", 1], at: "value", message: 'scopes[1] is missing the required key "name"' },
      ]);
    });

    it("calls the top level of the file 'the rules file'", () => {
      expect(onlyMessage({ scopes: [{ name: "a" }] })).to.equal('the rules file is missing the required key "version"');
    });

    it("points an unknown key at the key itself and suggests the closest known key", () => {
      const issues = validateRulesSchema(withScope({ match: { resourceType: ["subnet"] } }));
      expect(issues).to.deep.equal([
        {
          path: ["scopes", 0, "match", "resourceType"],
          at: "key",
          message: 'scopes[0].match has an unknown key "resourceType"; did you mean "resourceTypes"?',
        },
      ]);
    });

    it("suggests nothing for an unknown key far from every known one", () => {
      expect(onlyMessage(withScope({ match: { color: "blue" } }))).to.equal(
        'scopes[0].match has an unknown key "color"',
      );
    });

    it("says where a match condition put directly on a scope belongs", () => {
      expect(onlyMessage(withScope({ regions: ["us-east-1"] }))).to.equal(
        'scopes[0] has an unknown key "regions"; match conditions go under "match"',
      );
    });

    it("says where a threshold put directly on a scope belongs", () => {
      expect(onlyMessage(withScope({ critical: 90 }))).to.equal(
        'scopes[0] has an unknown key "critical"; thresholds go under "thresholds"',
      );
    });

    it("says where thresholds put at the top level belong", () => {
      expect(onlyMessage({ version: 1, scopes: [{ name: "a" }], thresholds: {} })).to.equal(
        'the rules file has an unknown key "thresholds"; default thresholds go under "defaults"',
      );
    });

    it("says where a threshold put directly under defaults belongs", () => {
      expect(onlyMessage({ version: 1, scopes: [{ name: "a" }], defaults: { warning: 70 } })).to.equal(
        'defaults has an unknown key "warning"; thresholds go under "thresholds"',
      );
    });

    it("reports a percent out of range with its value and the range", () => {
      expect(onlyMessage(withScope({ thresholds: { critical: 120 } }))).to.equal(
        "scopes[0].thresholds.critical (120) must be between 0 and 100",
      );
    });

    it("reports a negative address count with its lower bound", () => {
      expect(onlyMessage(withScope({ thresholds: { minFreeCritical: -1 } }))).to.equal(
        "scopes[0].thresholds.minFreeCritical (-1) must be at least 0",
      );
    });

    it("reports a fractional address count as not a whole number", () => {
      expect(onlyMessage(withScope({ thresholds: { minFreeWarning: 2.5 } }))).to.equal(
        "scopes[0].thresholds.minFreeWarning must be a whole number, not 2.5",
      );
    });

    it("tells to quote an account id that YAML read as a number", () => {
      expect(onlyMessage(withScope({ match: { accounts: [111122223333] } }))).to.equal(
        'scopes[0].match.accounts[0] must be a string, not 111122223333; quote it: "111122223333"',
      );
    });

    it("quotes numbers as written in the file when a lookup is given", () => {
      const issues = validateRulesSchema(withScope({ match: { accounts: [12345678901] } }), () => "012345678901");
      expect(issues[0]!.message).to.equal(
        'scopes[0].match.accounts[0] must be a string, not 012345678901; quote it: "012345678901"',
      );
    });

    it("reports an account id without 12 digits", () => {
      expect(onlyMessage(withScope({ match: { accounts: ["1234"] } }))).to.equal(
        'scopes[0].match.accounts[0] ("1234") must be a 12-digit AWS account id',
      );
    });

    it("explains the scope name format and why it matters", () => {
      expect(onlyMessage(withScope({ name: "prod subnets" }))).to.match(
        /^scopes\[0\]\.name \("prod subnets"\) must be 1 to 64 letters, digits, "-" or "_" \(it becomes a metric dimension/,
      );
    });

    it("rejects a scope name longer than 64 characters", () => {
      expect(validateRulesSchema(withScope({ name: "a".repeat(65) }))).to.have.length(1);
      expect(validateRulesSchema(withScope({ name: "a".repeat(64), thresholds: {} }))).to.deep.equal([]);
    });

    it("reports Region and VPC id formats by example", () => {
      expect(onlyMessage(withScope({ match: { regions: ["us-east-1a"] } }))).to.equal(
        'scopes[0].match.regions[0] ("us-east-1a") must be a Region code such as us-east-1',
      );
      expect(onlyMessage(withScope({ match: { vpcIds: ["0abc"] } }))).to.equal(
        'scopes[0].match.vpcIds[0] ("0abc") must be a VPC id such as vpc-0123456789abcdef0',
      );
    });

    it("suggests the lower-case resource type for one written in capitals", () => {
      expect(onlyMessage(withScope({ match: { resourceTypes: ["Subnet"] } }))).to.equal(
        'scopes[0].match.resourceTypes[0] ("Subnet") must be a resource type in lower case, such as subnet; did you mean "subnet"?',
      );
    });

    it("lists the allowed values of an enum and suggests the closest", () => {
      expect(onlyMessage(withScope({ match: { addressFamily: "IPv6" } }))).to.equal(
        'scopes[0].match.addressFamily ("IPv6") must be ipv4 or ipv6; did you mean "ipv6"?',
      );
    });

    it("names the expected and the actual kind of value", () => {
      expect(onlyMessage(withScope({ match: ["subnet"] }))).to.equal(
        "scopes[0].match must be a mapping (key: value), not a list",
      );
      expect(onlyMessage(withScope({ resourceMetrics: "yes" }))).to.equal(
        'scopes[0].resourceMetrics must be true or false, not "yes"',
      );
      expect(onlyMessage({ version: 1, scopes: "all" })).to.equal('scopes must be a list, not "all"');
    });

    it("accepts an empty match, which matches everything", () => {
      expect(validateRulesSchema(withScope({ match: null }))).to.deep.equal([]);
      expect(validateRulesSchema(withScope({ match: {} }))).to.deep.equal([]);
    });

    it("rejects an empty exclude, which would exclude everything", () => {
      expect(onlyMessage(withScope({ exclude: {} }))).to.equal(
        "scopes[0].exclude is empty, which would exclude every resource; give at least one condition or remove it",
      );
    });

    it("rejects an empty condition list, which would match nothing", () => {
      expect(onlyMessage(withScope({ match: { regions: [] } }))).to.equal(
        "scopes[0].match.regions is an empty list, which would match nothing; list at least one value or remove it",
      );
    });

    it("rejects a file without scopes", () => {
      expect(onlyMessage({ version: 1, scopes: [] })).to.equal("scopes is empty; define at least one scope");
    });

    it("rejects any version but 1", () => {
      expect(onlyMessage({ version: 2, scopes: [{ name: "a" }] })).to.equal("version must be 1, not 2");
      expect(onlyMessage({ version: "1", scopes: [{ name: "a" }] })).to.equal('version must be 1, not "1"');
    });

    it("rejects an empty name glob", () => {
      expect(onlyMessage(withScope({ match: { names: [""] } }))).to.equal("scopes[0].match.names[0] must not be empty");
    });

    it("reports every problem at once", () => {
      const issues = validateRulesSchema({
        version: 3,
        scopes: [{ name: "a b", thresholds: { warning: 101, critical: -1 } }],
        extra: 1,
      });
      expect(issues).to.have.length(5);
    });

    it("never lets Ajv's own wording through", () => {
      const messages = validateRulesSchema({
        version: 0,
        defaults: { thresholds: { warning: "x", oops: 1 } },
        scopes: [
          null,
          {
            name: "",
            match: { accounts: [1, "2"], regions: [], tags: [], addressFamily: "v4", names: [""] },
            exclude: {},
            x: 1,
          },
          { description: 1, match: { resourceTypes: ["A"], vpcIds: ["x"], resourceIds: ["a b"], cidrWithin: [1] } },
        ],
      }).map((issue) => issue.message);
      expect(messages.length).to.be.greaterThan(15);
      for (const message of messages) {
        expect(message).not.to.match(
          /must NOT|must match pattern|must be (>=|<=|<|>|equal to|object|array|string|number|integer|boolean|null)\b/,
        );
      }
    });
  });

  describe("suggestResourceType", () => {
    it("suggests the known type for a plural", () => {
      expect(suggestResourceType("subnets")).to.equal('; did you mean "subnet"?');
    });

    it("says nothing for a known type, including newer API types", () => {
      for (const type of RESOURCE_TYPE_NAMES) expect(suggestResourceType(type), type).to.equal("");
      expect(RESOURCE_TYPE_NAMES).to.include.members(["eni", "anycast-ip-list"]);
    });

    it("lets a type far from every known one pass through, so future API types work", () => {
      expect(suggestResourceType("ipam-pool")).to.equal("");
      expect(suggestResourceType("transit-gateway-attachment")).to.equal("");
    });
  });
});
