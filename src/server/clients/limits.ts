// What one sync WebSocket client may cost the emulator (sync-server.ts applies them).

export interface SyncLimits {
  /** Largest client message. Fidelity: tungstenite's default max_message_size (64 MiB), which the backend keeps. */
  maxMessageBytes: number;
  /** Unsent bytes a client may leave queued before it is dropped (a client that never reads). */
  maxBufferedBytes: number;
  /** Open sync sockets at once; one more is accepted and closed with 1013 (try again later). */
  maxConnections: number;
  /** Idle time before a `Ping` message. Fidelity: crates/sync/src/worker.rs HEARTBEAT_INTERVAL (15 s). */
  pingIntervalMs: number;
}

export const DEFAULT_SYNC_LIMITS: SyncLimits = {
  maxMessageBytes: 64 * 1024 * 1024,
  maxBufferedBytes: 64 * 1024 * 1024,
  maxConnections: 10_000,
  pingIntervalMs: 15_000,
};
