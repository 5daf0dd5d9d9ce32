// The two PiCloud scripts, in the platform's own handler form.
export const HELLO = `export default {
  fetch() {
    return new Response("Hello, world!", { headers: { "content-type": "text/plain" } });
  },
};
`;
export const ECHO = `export default {
  async fetch(request) {
    return Response.json(await request.json());
  },
};
`;
