/**
 * The rules file's JSON Schema (schema/rules.schema.json, also what editors
 * use for completion and hover help), compiled once, with its errors turned
 * into sentences a person can act on. Ajv's own messages ("must NOT have
 * additional properties") never reach the user.
 */

import type { IpamResourceType } from "@aws-sdk/client-ec2";
import Ajv, { type ErrorObject } from "ajv";
import rulesSchemaJson from "../../schema/rules.schema.json";
import { LEVEL_PAIRS_DEFINITION } from "./levels";
import { didYouMean } from "./suggest";

export const RULES_SCHEMA: Readonly<Record<string, unknown>> = rulesSchemaJson;

/** A step into the parsed rules: a mapping key or a list index. */
export type PathSegment = string | number;

/** A schema violation in plain words, at a place in the document. */
export interface SchemaIssue {
  path: PathSegment[];
  /** "key" points at the key of the last path segment (an unknown key), "value" at the value. */
  at: "key" | "value";
  message: string;
}

/** Finds how a value was written in the file (e.g. "012345678901" for a number that lost its zero). */
export type SourceLookup = (path: readonly PathSegment[]) => string | undefined;

/**
 * Every resource type GetIpamResourceCidrs can return. `satisfies` makes the
 * compiler flag this list when the SDK learns a new type.
 */
const API_RESOURCE_TYPES = {
  vpc: true,
  subnet: true,
  eip: true,
  "public-ipv4-pool": true,
  "ipv6-pool": true,
  eni: true,
  "anycast-ip-list": true,
} as const satisfies Record<IpamResourceType, true>;

export const RESOURCE_TYPE_NAMES: readonly string[] = Object.keys(API_RESOURCE_TYPES);

/**
 * A close known type for a resource type that is not one, e.g. "subnet" for
 * "subnets". Unknown types far from every known one pass through silently,
 * so a type AWS adds later works without a new release; hence the tight
 * distance (one edit, two for long names).
 */
export function suggestResourceType(value: string): string {
  if (RESOURCE_TYPE_NAMES.includes(value)) return "";
  return didYouMean(value, RESOURCE_TYPE_NAMES, value.length >= 10 ? 2 : 1);
}

// Union types: a tag value is a glob or a list of them.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
// Strict mode refuses unknown keywords; the level pairs are an annotation the module and the
// validator's order checks read (see levels.ts).
ajv.addKeyword(LEVEL_PAIRS_DEFINITION);
const validate = ajv.compile(rulesSchemaJson);

/** `scopes[1].match.tags["aws:cloudformation:stack-name"]`; "" for the root. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Turns Ajv's JSON pointer into path segments, with numbers for list indexes. */
function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === "") return [];
  const path: PathSegment[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) {
      const index = Number(key);
      path.push(index);
      node = node[index];
    } else {
      path.push(key);
      node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}

const TYPE_WORDS: Record<string, string> = {
  object: "a mapping (key: value)",
  array: "a list",
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
};

/** How a value reads in a message: strings quoted, numbers as written in the file. */
function describe(value: unknown, source: string | undefined): string {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return source ?? String(value);
}

function expectedTypes(type: unknown): string {
  const types = (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === "string" && t !== "null");
  return types.map((t) => TYPE_WORDS[t] ?? t).join(" or ");
}

/** The last mapping key on the path: the field a list item belongs to. */
function fieldName(path: readonly PathSegment[]): string | undefined {
  for (let i = path.length - 1; i >= 0; i -= 1) {
    const segment = path[i];
    if (typeof segment === "string") return segment;
  }
  return undefined;
}

const PATTERN_WORDS: Record<string, (value: string) => string> = {
  name: () => 'must be 1 to 64 letters, digits, "-" or "_" (it becomes a metric dimension and part of alarm names)',
  accounts: () => "must be a 12-digit AWS account id",
  regions: () => "must be a Region code such as us-east-1",
  vpcIds: () => "must be a VPC id such as vpc-0123456789abcdef0",
  resourceIds: () => "must be a resource id without spaces",
  resourceTypes: (value) => `must be a resource type in lower case, such as subnet${suggestResourceType(value)}`,
};

/** Keys that people put one level too high or too low, and where they belong. */
function misplacedKeyHint(kind: string, key: string): string {
  const definitions = RULES_SCHEMA.definitions as Record<string, { properties?: Record<string, unknown> }>;
  const inDefinition = (name: string): boolean => Object.hasOwn(definitions[name]?.properties ?? {}, key);
  if (kind === "scope") {
    if (inDefinition("matchConditions")) return '; match conditions go under "match"';
    if (inDefinition("thresholds")) return '; thresholds go under "thresholds"';
  }
  if (kind === "root") {
    if (key === "thresholds") return '; default thresholds go under "defaults"';
    if (inDefinition("scope")) return '; scope settings go in an item of "scopes"';
  }
  if (kind === "defaults" && inDefinition("thresholds")) return '; thresholds go under "thresholds"';
  return "";
}

/** Which kind of mapping a path leads to: "root", "defaults", "scope", or "" for the others. */
function mappingKind(path: readonly PathSegment[]): string {
  if (path.length === 0) return "root";
  if (path.length === 1 && path[0] === "defaults") return "defaults";
  if (path.length === 2 && path[0] === "scopes" && typeof path[1] === "number") return "scope";
  return "";
}

function translate(error: ErrorObject, data: unknown, sourceOf: SourceLookup): SchemaIssue {
  const path = pointerToPath(error.instancePath, data);
  const where = formatPath(path) || "the rules file";
  const value: unknown = error.data;
  const shown = describe(value, typeof value === "number" || typeof value === "boolean" ? sourceOf(path) : undefined);
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const params = error.params as Record<string, unknown>;

  switch (error.keyword) {
    case "required":
      return { path, at: "value", message: `${where} is missing the required key "${String(params.missingProperty)}"` };
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const known = Object.keys((parent.properties as Record<string, unknown> | undefined) ?? {});
      const hint = didYouMean(key, known) || misplacedKeyHint(mappingKind(path), key);
      return { path: [...path, key], at: "key", message: `${where} has an unknown key "${key}"${hint}` };
    }
    case "type": {
      const expected = expectedTypes(params.type);
      if (params.type === "string" && (typeof value === "number" || typeof value === "boolean")) {
        return { path, at: "value", message: `${where} must be a string, not ${shown}; quote it: "${shown}"` };
      }
      return { path, at: "value", message: `${where} must be ${expected}, not ${shown}` };
    }
    case "minimum":
    case "maximum": {
      const { minimum, maximum } = parent;
      const range =
        typeof minimum === "number" && typeof maximum === "number"
          ? `between ${minimum} and ${maximum}`
          : typeof minimum === "number"
            ? `at least ${minimum}`
            : `at most ${String(maximum)}`;
      return { path, at: "value", message: `${where} (${shown}) must be ${range}` };
    }
    case "const":
      return { path, at: "value", message: `${where} must be ${JSON.stringify(params.allowedValue)}, not ${shown}` };
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof value === "string" ? didYouMean(value, allowed) : "";
      return { path, at: "value", message: `${where} (${shown}) must be ${allowed.join(" or ")}${hint}` };
    }
    case "minItems":
      if (path.length === 1 && path[0] === "scopes") {
        return { path, at: "value", message: "scopes is empty; define at least one scope" };
      }
      return {
        path,
        at: "value",
        message: `${where} is an empty list, which would match nothing; list at least one value or remove it`,
      };
    case "minProperties":
      return {
        path,
        at: "value",
        message: `${where} is empty, which would exclude every resource; give at least one condition or remove it`,
      };
    case "minLength":
      return { path, at: "value", message: `${where} must not be empty` };
    case "pattern": {
      const words = PATTERN_WORDS[fieldName(path) ?? ""];
      const text = typeof value === "string" && words ? words(value) : "is not in the expected format";
      return { path, at: "value", message: `${where} (${shown}) ${text}` };
    }
    default:
      // Only reached if the schema gains a keyword this file does not translate yet (a test guards that).
      return { path, at: "value", message: `${where} ${error.message ?? "is invalid"}` };
  }
}

/** Keywords translated above; the schema must use no others that can fail. */
export const TRANSLATED_KEYWORDS: readonly string[] = [
  "required",
  "additionalProperties",
  "type",
  "minimum",
  "maximum",
  "const",
  "enum",
  "minItems",
  "minProperties",
  "minLength",
  "pattern",
];

/**
 * Checks parsed rules against the schema and returns every violation in
 * plain words (empty when valid). `sourceOf` lets messages quote numbers as
 * they were written.
 */
export function validateRulesSchema(data: unknown, sourceOf: SourceLookup = () => undefined): SchemaIssue[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => translate(error, data, sourceOf));
}
