// The server-state cache (TanStack Query) and its keys, shared by the panels and the actions.
import { QueryClient } from "@tanstack/react-query";

export const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 5_000 } },
});

export const keys = {
  nodes: ["nodes"] as const,
  templates: ["templates"] as const,
  datasets: ["datasets"] as const,
  dataset: (id: string) => ["dataset", id] as const,
  profile: (id: string) => ["dataset", id, "profile"] as const,
  preview: (id: string, offset: number, limit: number) => ["dataset", id, "preview", offset, limit] as const,
  workflows: ["workflows"] as const,
  versions: (id: string) => ["workflow", id, "versions"] as const,
  runs: (id: string) => ["workflow", id, "runs"] as const,
  output: (runId: string, nodeId: string, offset: number, limit: number) => ["run", runId, "node", nodeId, offset, limit] as const,
};
