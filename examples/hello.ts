// The smallest PiCloud program: answers every request with a greeting.
//   picloud scripts deploy examples/hello.ts --app default
//   picloud routes add hello GET /hi && curl localhost:8080/hi
Deno.serve((req: Request) => new Response(`Hello from PiCloud! You asked for ${new URL(req.url).pathname}\n`));
