/**
 * Every pagination of every collector, bounded. The server decides when a pagination ends, and a
 * faulty one never does: a NextToken that is new on every page, or a cycle A → B → A. So each
 * pagination remembers every token it was given (not only the last) and stops at a page ceiling
 * derived from what the unit needed last time; either way it fails, naming the call, and the
 * scan is partial instead of endless.
 */
import { ScanError } from "../errors";
import { checkDeadline, type Deadline } from "./deadline";

/** Pages any unit may take when no earlier complete scan says how many it needs: 1,000,000 CIDRs at 1,000 a page. */
export const DEFAULT_PAGE_CEILING_MIN = 1000;

export interface PageCeilingOptions {
  /** Pages every unit may take whatever its history (the floor). */
  min: number;
  /** Multiple of the pages the unit's last complete scan needed. */
  factor: number;
}

/** The page ceiling of a unit whose last complete scan needed `previousPages` (undefined: no history). */
export function pageCeiling(previousPages: number | undefined, options: PageCeilingOptions): number {
  const fromHistory = previousPages === undefined ? 0 : previousPages * options.factor;
  return Math.max(options.min, fromHistory);
}

/** A pagination the scanner stopped: the server repeated a token, or it went past the ceiling. */
export class PaginationError extends ScanError {
  constructor(action: string, code: "PaginationLoop" | "PageCeiling", message: string) {
    super(action, message, { code });
  }
}

export interface Pagination<Page> {
  /** The API action, for messages: "GetIpamResourceCidrs". */
  action: string;
  /** Asks for one page; `nextToken` is undefined for the first. */
  fetchPage(nextToken: string | undefined): Promise<Page>;
  tokenOf(page: Page): string | undefined;
  /** Handed each page as it arrives, so a failure on a later page keeps what earlier pages returned. */
  onPage(page: Page): void;
  /** Most pages this pagination may read, the first included. */
  ceiling: number;
  deadline: Deadline;
  /** Counts the pages read, shared by the unit's paginations. */
  counter: { pages: number };
}

/**
 * Follows NextToken to the last page. Fails with PaginationError when a token comes back that
 * was seen before in this pagination (`PaginationLoop`) or when one more page would pass the
 * ceiling (`PageCeiling`), and with ScanTimeoutError when the deadline has passed.
 */
export async function paginate<Page>(p: Pagination<Page>): Promise<void> {
  const seen = new Set<string>();
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (pages >= p.ceiling) {
      throw new PaginationError(
        p.action,
        "PageCeiling",
        `${p.action} still had more after ${pages} pages, the most this unit may take ` +
          `(PAGE_CEILING_MIN, or PAGE_CEILING_FACTOR times the pages of its last complete scan); stopped there`,
      );
    }
    checkDeadline(p.deadline, p.action);
    const page = await p.fetchPage(nextToken);
    pages += 1;
    p.counter.pages += 1;
    p.onPage(page);
    const token = p.tokenOf(page);
    nextToken = token === undefined || token === "" ? undefined : token;
    if (nextToken !== undefined) {
      if (seen.has(nextToken)) {
        throw new PaginationError(
          p.action,
          "PaginationLoop",
          `${p.action} returned a NextToken on page ${pages} that it had already returned; stopped instead of looping`,
        );
      }
      seen.add(nextToken);
    }
  } while (nextToken !== undefined);
}
