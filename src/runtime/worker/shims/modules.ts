// Lazy shim modules: each evaluates on first use of one of its globals, so a
// fresh context pays only for the bootstrap (DESIGN §2's per-context budget).
// Each source is `(function (I) { … return exports })`, I = the bootstrap's internals.
import blob from "./js/blob.qjs" with { type: "text" };
import clone from "./js/clone.qjs" with { type: "text" };
import crypto from "./js/crypto.qjs" with { type: "text" };
import events from "./js/events.qjs" with { type: "text" };
import fetch from "./js/fetch.qjs" with { type: "text" };
import formdata from "./js/formdata.qjs" with { type: "text" };
import headers from "./js/headers.qjs" with { type: "text" };
import request from "./js/request.qjs" with { type: "text" };
import response from "./js/response.qjs" with { type: "text" };
import streams from "./js/streams.qjs" with { type: "text" };
import subtle from "./js/subtle.qjs" with { type: "text" };
import text from "./js/text.qjs" with { type: "text" };
import url from "./js/url.qjs" with { type: "text" };
import urlpattern from "./js/urlpattern.qjs" with { type: "text" };
import writable from "./js/writable.qjs" with { type: "text" };

export const MODULES: Record<string, string> = { blob, clone, crypto, events, fetch, formdata, headers, request, response, streams, subtle, text, url, urlpattern, writable };
