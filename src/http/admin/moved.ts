// A request that named an app by a slug it has since left: 308 to the same
// path under the new slug (permanent, method and body kept), DESIGN §5.
// Thrown, so handlers keep one success type; the error boundary answers it.
export class Redirect extends Error {
  constructor(readonly location: string) {
    super(`moved to ${location}`);
    this.name = "Redirect";
  }
}

export function movedTo(request: Request, oldSlug: string, newSlug: string): Redirect {
  const url = new URL(request.url);
  const segment = `/apps/${encodeURIComponent(oldSlug)}`;
  const at = url.pathname.indexOf(segment);
  const tail = url.pathname.slice(at + segment.length);
  return new Redirect(`${url.pathname.slice(0, at)}/apps/${encodeURIComponent(newSlug)}${tail}${url.search}`);
}
