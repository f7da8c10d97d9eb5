/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

// The build lands inside the Python package so that `flowza serve` serves it at `/`.
const outDir = fileURLToPath(new URL("../src/flowza/web", import.meta.url));

export default defineConfig({
  plugins: [react()],
  build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { "/api": { target: process.env.FLOWZA_API ?? "http://127.0.0.1:8000", changeOrigin: true } },
  },
  test: { include: ["test/**/*.test.{ts,tsx}"], environment: "node" },
});
