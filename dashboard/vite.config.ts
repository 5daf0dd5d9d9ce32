import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// Served by the PiCloud binary under /admin/; `vite dev` proxies the API to a local server.
export default defineConfig({
  base: "/admin/",
  plugins: [svelte()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    // CodeMirror is most of the bundle and changes rarely: its own hashed chunk stays cached across releases.
    rollupOptions: { output: { manualChunks: (id) => (id.includes("@codemirror") || id.includes("@lezer") ? "codemirror" : undefined) } },
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { "/api": process.env.PICLOUD_URL ?? "http://127.0.0.1:8080" },
  },
});
