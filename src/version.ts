// What `GET /version` reports; the CLI and SDK check `api` and `wire` for compatibility.
import pkg from "../package.json" with { type: "json" };

export const PRODUCT = "picloud";
export const PRODUCT_VERSION: string = pkg.version;
/** Version of the `picloud` module scripts import (DESIGN §3). */
export const SDK_VERSION = "0.1.0";
/** Admin/data-plane HTTP API version: the `/api/v1` prefix. */
export const API_VERSION = 1;
/** Version of the main-thread ↔ worker message protocol. */
export const WIRE_VERSION = 1;
