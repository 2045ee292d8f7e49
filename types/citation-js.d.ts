// citation-js ships no type declarations; only the entry points the reference parser uses are declared.
declare module "@citation-js/core" {
  export const plugins: {
    input: {
      chain(data: unknown, options?: { target?: string; generateGraph?: boolean }): unknown;
      type(data: unknown): string;
    };
  };
}
declare module "@citation-js/plugin-ris";
declare module "@citation-js/plugin-bibtex";
