// Files imported `with { type: "file" }` resolve to a path (on disk, or inside the compiled binary).
declare module "*.wasm" { const path: string; export default path; }
declare module "*/wasm" { const path: string; export default path; }
declare module "*.data" { const path: string; export default path; }
declare module "*.sql" { const text: string; export default text; }
