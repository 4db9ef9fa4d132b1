/**
 * The RulesFile a valid rules file describes: each scope's thresholds merged over the defaults (less
 * those it switches off), its conditions as match specs, and the forecast settings filled in.
 */
import { DEFAULT_FORECAST_SETTINGS, type ForecastSettings } from "../forecast/forecast";
import { type MatchSpec, type RulesFile, type ScopeRule, THRESHOLD_KEYS, type Thresholds } from "../types";
import { type Data, isRecord, own, switchedOff } from "./data";

function thresholdsOf(value: unknown): Thresholds {
  const thresholds: Thresholds = {};
  if (!isRecord(value)) return thresholds;
  for (const key of THRESHOLD_KEYS) {
    const level = own(value, key);
    if (typeof level === "number") thresholds[key] = level;
  }
  return thresholds;
}

const LIST_CONDITIONS = [
  "resourceTypes",
  "accounts",
  "regions",
  "vpcIds",
  "resourceIds",
  "cidrWithin",
  "names",
] as const;

function matchSpecOf(value: unknown): MatchSpec {
  const spec: MatchSpec = {};
  if (!isRecord(value)) return spec;
  for (const key of LIST_CONDITIONS) {
    const list = own(value, key);
    if (Array.isArray(list)) spec[key] = list.map(String);
  }
  const tags = own(value, "tags");
  if (isRecord(tags)) {
    spec.tags = Object.fromEntries(
      Object.entries(tags).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
    );
  }
  const family = own(value, "addressFamily");
  if (family === "ipv4" || family === "ipv6") spec.addressFamily = family;
  return spec;
}

export function buildRules(data: Data, file: string): RulesFile {
  const defaults = thresholdsOf(own(own(data, "defaults") as Data | undefined, "thresholds"));
  const scopes = (own(data, "scopes") as Data[]).map((scope): ScopeRule => {
    const description = own(scope, "description");
    const exclude = own(scope, "exclude");
    const off = switchedOff(own(scope, "thresholds"));
    const thresholds: Thresholds = { ...defaults, ...thresholdsOf(own(scope, "thresholds")) };
    for (const key of off) delete thresholds[key];
    return {
      name: String(own(scope, "name")),
      ...(typeof description === "string" ? { description } : {}),
      match: matchSpecOf(own(scope, "match")),
      ...(isRecord(exclude) ? { exclude: matchSpecOf(exclude) } : {}),
      thresholds,
      ...(off.length > 0 ? { thresholdsOff: off } : {}),
      resourceMetrics: own(scope, "resourceMetrics") === true,
      ...(own(scope, "capacity") === true ? { capacity: true } : {}),
    };
  });
  const rules: RulesFile = { version: 1, file, defaults: { thresholds: defaults }, scopes };
  const forecast = own(data, "forecast");
  if (isRecord(forecast)) {
    const settings: ForecastSettings = { ...DEFAULT_FORECAST_SETTINGS };
    for (const key of Object.keys(settings) as (keyof ForecastSettings)[]) {
      const value = own(forecast, key);
      if (typeof value === "number") settings[key] = value;
    }
    rules.forecast = settings;
  }
  return rules;
}
