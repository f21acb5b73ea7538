// ESLint flat config: typescript-eslint recommended rules over the TypeScript tooling.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "deps/**",
      "artifacts/**",
      "cache/**",
      "cache_forge/**",
      "out/**",
      "out_analysis/**",
      "typechain-types/**",
      "dist/**",
      "sdk/dist/**",
      "sdk/src/generated/**",
      ".venv/**",
      "scripts/solc.cjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);
