/** NOTIFY channel telling every node to drop cached sessions and API-key verifications (payload: "*"). */
export const AUTH_INVALIDATE_CHANNEL = "picloud_auth";
