// The log's public status: /healthz (size, publication, witnesses) and /log/checkpoint (the published note), refreshed often.
import { useQuery } from '@tanstack/react-query';
import { fetchPublic } from './audit-queries.ts';

export interface WitnessHealth {
  readonly name: string;
  readonly url: string;
  readonly up: boolean;
  readonly lastCosignedSize: number | null;
  readonly lastCosignedAt: string | null;
  readonly lastError: string | null;
  readonly consecutiveFailures: number;
}

export interface Health {
  readonly status: string;
  readonly treeSize: number;
  readonly publication?: {
    readonly quorum: string;
    readonly signedSize: number;
    readonly publishedSize: number;
    readonly unpublishedForSeconds: number;
    readonly witnesses: readonly WitnessHealth[];
  };
}

export const LEDGER_REFRESH_MS = 10_000;

export function useHealth() {
  return useQuery({ queryKey: ['healthz'], queryFn: async ({ signal }) => (await (await fetchPublic('/healthz', signal)).json()) as Health, refetchInterval: LEDGER_REFRESH_MS });
}

export function usePublishedCheckpoint() {
  return useQuery({ queryKey: ['log-checkpoint'], queryFn: async ({ signal }) => (await fetchPublic('/log/checkpoint', signal)).text(), refetchInterval: LEDGER_REFRESH_MS });
}
