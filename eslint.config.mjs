// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", ".gen/", ".local/", "coverage/"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@cdktf/provider-aws",
              message: "Import from the submodule (@cdktf/provider-aws/lib/...).",
            },
            {
              name: "@cdktf/provider-github",
              message: "Import from the submodule (@cdktf/provider-github/lib/...).",
            },
          ],
        },
      ],
    },
  },
  {
    // Plain CommonJS launchers.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The browser test's page script runs in Chromium.
    files: ["test/e2e/browser/**/*.mjs"],
    languageOptions: { sourceType: "module", globals: globals.browser },
  },
  {
    // Tests walk synthesized Terraform JSON, whose shape is the thing under test.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
