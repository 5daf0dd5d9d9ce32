// multipart/form-data parsing for Request/Response.formData(), on the host
// (Buffer.indexOf is native) so the sandbox receives only offsets and names.

/** [name, filename|null, contentType|null, text value (non-file parts)|null, start, end] */
export type MultipartPart = [string, string | null, string | null, string | null, number, number];

export function boundaryOf(contentType: string): string | null {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

const param = (header: string, name: string): string | null => {
  const re = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i");
  const m = re.exec(header);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? "");
};

/** Parses a multipart body; null when it is malformed (the sandbox throws a TypeError). */
export function parseMultipart(body: Uint8Array, contentType: string): MultipartPart[] | null {
  const boundary = boundaryOf(contentType);
  if (!boundary) return null;
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delim = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  let pos = buf.indexOf(delim);
  if (pos < 0) return null;
  const parts: MultipartPart[] = [];
  for (;;) {
    pos += delim.length;
    if (buf[pos] === 45 && buf[pos + 1] === 45) return parts; // closing delimiter
    while (buf[pos] === 32 || buf[pos] === 9) pos++; // transport padding
    if (buf[pos] !== 13 || buf[pos + 1] !== 10) return null;
    pos += 2;
    const headerEnd = buf.indexOf("\r\n\r\n", pos);
    if (headerEnd < 0) return null;
    let name: string | null = null, filename: string | null = null, type: string | null = null;
    for (const line of buf.toString("utf8", pos, headerEnd).split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === "content-disposition") {
        if (!/^form-data\b/i.test(value)) return null;
        name = param(value, "name");
        filename = param(value, "filename");
      } else if (key === "content-type") type = value;
    }
    if (name === null) return null;
    const start = headerEnd + 4;
    const end = buf.indexOf(next, start);
    if (end < 0) return null;
    parts.push([name, filename, type, filename === null ? buf.toString("utf8", start, end) : null, start, end]);
    pos = end + 2;
  }
}
