// citation-js ships no type declarations; only what the reference parsers use is declared.
declare module "@citation-js/core" {
  export const plugins: {
    input: {
      chain(data: unknown, options?: { target?: string; generateGraph?: boolean }): unknown;
      type(data: unknown): string;
    };
  };
  export class Cite {
    constructor(data: unknown, options?: Record<string, unknown>);
    data: unknown[];
    format(format: string, options?: Record<string, unknown>): string;
  }
}
declare module "@citation-js/plugin-ris";
declare module "@citation-js/plugin-bibtex";
