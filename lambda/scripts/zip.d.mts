/** Types for zip.mjs, for the TypeScript tests that import it. */
export interface ZipEntry {
  name: string;
  data: Uint8Array | string;
}
export declare const DOS_DATE_1980_01_01: number;
export declare const DOS_TIME_MIDNIGHT: number;
export declare const FILE_MODE: number;
export declare const DEFLATE_LEVEL: number;
export declare function crc32(bytes: Uint8Array): number;
export declare function zipBytes(entries: ZipEntry[]): Buffer;
export declare function makeZip(entries: ZipEntry[], outPath: string): Buffer;
