import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: [".next/**", ".next-*/**", "node_modules/**", "test-results/**", "data/**", "db/migrations/**", "next-env.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name='only']", message: "No .only in tests." },
      ],
    },
  },
  {
    // The analysis module, the screening libraries and the digitiser maths are pure (the browser imports the latter
    // two): no database, Next.js or React.
    files: ["server/analysis/**/*.ts", "server/screening/**/*.ts", "server/digitiser/**/*.ts", "server/report/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["react", "react-*", "next", "next/*", "drizzle-orm", "drizzle-orm/*", "better-sqlite3", "@/db/*", "@/server/services/*", "@/app/*", "server-only"] },
      ],
    },
  },
  { files: ["**/*.mjs", "**/*.js"], languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", fetch: "readonly" } } },
);
