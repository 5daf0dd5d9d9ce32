// The handler every peer serves: GET → hello world, POST → JSON echo.
// PiCloud runs the same two bodies as two scripts behind GET /hello and POST /echo.
export default {
  async fetch(request) {
    if (request.method === "POST") return Response.json(await request.json());
    return new Response("Hello, world!", { headers: { "content-type": "text/plain" } });
  },
};
