// The gateway's tables as Kysely sees them.

/** One short-lived gateway password, kept only as its SCRAM-SHA-256 verifier. */
export interface GatewayCredentialsTable {
  id: string;
  user_id: string;
  resource_id: string;
  grant_id: string;
  level: string;
  scram_salt: Buffer;
  scram_iterations: number;
  scram_stored_key: Buffer;
  scram_server_key: Buffer;
  created_at_ms: number;
  expires_at_ms: number;
}

export interface GatewayTables {
  gateway_credentials: GatewayCredentialsTable;
}
