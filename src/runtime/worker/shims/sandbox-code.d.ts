// Sandbox-side JavaScript lives in *.qjs files, imported as text so the
// compiled binary embeds them; they run inside QuickJS, never on the host.
declare module "*.qjs" { const source: string; export default source; }
