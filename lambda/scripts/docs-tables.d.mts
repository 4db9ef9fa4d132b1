/** Types for docs-tables.mjs, for the TypeScript tests that import it. */
export declare const BEGIN: string;
export declare const END: string;
export declare class DocsError extends Error {}
export interface Block {
  name: string;
  attributes: Record<string, unknown>;
}
export interface Sink {
  write(text: string): void;
}
export declare function readBlocks(text: string, file: string, type: string): Promise<Block[]>;
export declare function descriptionText(value: unknown, where: string): string;
export declare function typeText(value: unknown): string;
export declare function hclValue(value: unknown): string;
export declare function generate(root: string): Promise<string>;
export declare function splitAtMarkers(text: string, file: string): { before: string; inside: string; after: string };
export declare function main(argv: string[], io: { root: string; out: Sink; err: Sink }): Promise<number>;
