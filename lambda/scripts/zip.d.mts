/** Types for zip.mjs, for the TypeScript tests that import it. */
export interface ZipEntry {
  name: string;
  data: Uint8Array | string;
}
export declare const FILE_MODE: number;
export declare const DEFLATE_LEVEL: number;
export declare function zipBytes(entries: ZipEntry[]): Promise<Buffer>;
export declare function makeZip(entries: ZipEntry[], outPath: string): Promise<Buffer>;
