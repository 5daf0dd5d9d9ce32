// Workers-style module handler using route parameters:
// bind it with a param route such as GET /greet/:name.
export default {
  fetch(request: Request, ctx: { params: Record<string, string>; app: { slug: string } }) {
    const name = ctx.params.name ?? "world";
    console.log(`greeting ${name}`);
    return Response.json({ hello: name, app: ctx.app.slug, at: new Date().toISOString() });
  },
};
