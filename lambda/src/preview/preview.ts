/**
 * `ipam-monitor preview`: evaluates the base and head rules files against one inventory — the latest
 * snapshot of the scan history, or a live read — and compares the two. Reads only: no metric, no
 * notification, no history is written.
 */
import { evaluate } from "../evaluate";
import { DEFAULT_FORECAST_SETTINGS } from "../forecast/forecast";
import { type DaysLevel, dayOf, decodeDay, type HistoryDay, latestScan } from "../history/format";
import { resourcesOf } from "../history/snapshot";
import type { HistoryStore } from "../history/store";
import { forecastFromHistory } from "../history/window";
import type { CollectResult, ResourceCidr, RulesFile, ScanFailure, SourceName } from "../types";
import { comparePreview, type PreviewJson } from "./compare";

const DAY_MS = 86_400_000;
/** How far back the latest snapshot is looked for: the module keeps 400 days by default. */
const LOOKBACK_DAYS = 400;

export class PreviewInventoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PreviewInventoryError";
  }
}

/** Where the inventory comes from. */
export type InventorySource =
  | { kind: "history"; store: HistoryStore; now: Date }
  | { kind: "live"; source: SourceName; collect: () => Promise<CollectResult>; now: Date };

interface Inventory {
  json: PreviewJson["inventory"];
  failures: ScanFailure[];
  /** The resources for one rules file, with forecasts when the inventory is the history. */
  resourcesFor(rules: RulesFile): Promise<ResourceCidr[]>;
  previousLevels(): Map<string, Map<string, DaysLevel>> | undefined;
}

async function latestDay(store: HistoryStore, now: Date): Promise<HistoryDay> {
  const days = await store.listDays(dayOf(new Date(now.getTime() - LOOKBACK_DAYS * DAY_MS)), dayOf(now));
  const last = days[days.length - 1];
  const object = last === undefined ? undefined : await store.readDay(last);
  if (last === undefined || object === undefined) {
    throw new PreviewInventoryError(
      `${store.location} holds no scan history from the last ${LOOKBACK_DAYS} days: let the monitor (or ` +
        "`ipam-monitor scan --history`) record a scan first, or leave out --history to read the network live",
    );
  }
  return decodeDay(object.bytes, store.whereIs(last));
}

async function historyInventory(store: HistoryStore, now: Date): Promise<Inventory> {
  const day = await latestDay(store, now);
  const scannedAt = new Date(latestScan(day).scannedAt);
  const where = store.whereIs(day.day);
  let levels: Map<string, Map<string, DaysLevel>> | undefined;
  const bySettings = new Map<string, ResourceCidr[]>();
  return {
    json: {
      source: "history",
      location: store.location,
      scannedAt: scannedAt.toISOString(),
      resources: day.resources.resourceId.length,
      complete: true,
    },
    failures: [],
    async resourcesFor(rules) {
      // Each rules file forecasts with its own settings; the same settings share one forecast.
      const settings = rules.forecast ?? DEFAULT_FORECAST_SETTINGS;
      const key = JSON.stringify(settings);
      let resources = bySettings.get(key);
      if (resources === undefined) {
        resources = resourcesOf(day, where);
        const read = await forecastFromHistory(store, resources, scannedAt, settings);
        levels ??= read.previousLevels;
        bySettings.set(key, resources);
      }
      return resources;
    },
    previousLevels: () => levels,
  };
}

async function liveInventory(source: SourceName, collect: () => Promise<CollectResult>, now: Date): Promise<Inventory> {
  const collected = await collect();
  return {
    json: {
      source,
      scannedAt: now.toISOString(),
      resources: collected.resources.length,
      complete: collected.failures.length === 0 && collected.units.every((u) => u.complete),
    },
    failures: collected.failures,
    resourcesFor: async () => collected.resources,
    previousLevels: () => undefined,
  };
}

export interface PreviewOutcome {
  preview: PreviewJson;
  /** Collection failures of a live read: the preview covers only what was read. */
  failures: ScanFailure[];
}

export async function runPreview(base: RulesFile, head: RulesFile, source: InventorySource): Promise<PreviewOutcome> {
  const inventory =
    source.kind === "history"
      ? await historyInventory(source.store, source.now)
      : await liveInventory(source.source, source.collect, source.now);
  const baseResources = await inventory.resourcesFor(base);
  const headResources = await inventory.resourcesFor(head);
  const levels = inventory.previousLevels();
  const options = levels !== undefined ? { previousLevels: levels } : {};
  const preview = comparePreview(
    { file: base.file, scopes: base.scopes, evaluation: evaluate(baseResources, base, options) },
    { file: head.file, scopes: head.scopes, evaluation: evaluate(headResources, head, options) },
    inventory.json,
  );
  return { preview, failures: inventory.failures };
}
