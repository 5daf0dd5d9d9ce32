/** NOTIFY channel for route-table invalidation (team brief); payload: an app id or "*". */
export const ROUTE_TABLE_CHANNEL = "picloud_route_table";
