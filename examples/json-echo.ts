// Echoes a JSON body back with a digest of it: shows request bodies,
// TextEncoder and crypto.subtle inside the sandbox.
export default {
  async fetch(request: Request) {
    if (request.method !== "POST") return new Response("POST some JSON\n", { status: 405 });
    const body = await request.json();
    const bytes = new TextEncoder().encode(JSON.stringify(body));
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return Response.json({ echo: body, sha256: hex });
  },
};
