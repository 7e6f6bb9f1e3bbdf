import { defineConfig } from "vite";

// Tauri serves the built files itself; the dev server only matters for `tauri dev`.
export default defineConfig({
  clearScreen: false,
  // React's JSX through esbuild's automatic runtime: no extra plugin needed.
  esbuild: { jsx: "automatic" },
  server: { port: 5173, strictPort: true },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
} as never);
