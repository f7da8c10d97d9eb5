// Which columns reach a node: the profile of every dataset loaded upstream, minus dropped columns.
import { useQueries, useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import type { Dataset } from "../api/types";
import { keys } from "../app/query";
import { outputReadable } from "../app/runState";
import { ancestors } from "../editor/graph";
import { useEditor } from "../editor/store";
import { useShallow } from "zustand/react/shallow";

export function useDatasets() {
  return useQuery({ queryKey: keys.datasets, queryFn: api.datasets });
}

export function findDataset(datasets: Dataset[] | undefined, name: unknown): Dataset | undefined {
  if (typeof name !== "string" || !name) return undefined;
  return datasets?.find((d) => d.name === name || d.id === name);
}

export function useProfile(id: string | undefined) {
  return useQuery({ queryKey: keys.profile(id ?? ""), queryFn: () => api.datasetProfile(id!), enabled: !!id, staleTime: 60_000 });
}

export interface UpstreamColumns {
  columns: string[];
  known: boolean;
  loading: boolean;
}

/** The node feeding this node's table input, when the last run's output of it can be read. */
function useParentOutput(nodeId: string): { runId: string; parentId: string } | null {
  return useEditor(
    useShallow((s) => {
      const node = s.nodes.find((n) => n.id === nodeId);
      const spec = node && s.catalog[node.data.type];
      const input = spec?.inputs.find((p) => p.type === "data");
      const edge = input && s.edges.find((e) => e.target === nodeId && e.targetHandle === input.name);
      if (!edge || !s.run || !outputReadable(s.run, edge.source)) return null;
      return { runId: s.run.id, parentId: edge.source };
    }),
  );
}

/** Columns that reach a node: exact from the last run's output of the node feeding it (after
 * encoding, dropping, …), else from the profile of the datasets loaded upstream. */
export function useUpstreamColumns(nodeId: string): UpstreamColumns {
  const parent = useParentOutput(nodeId);
  const fromRun = useQuery({
    queryKey: ["run", parent?.runId ?? "", "node", parent?.parentId ?? "", "columns"],
    queryFn: () => api.nodeOutput(parent!.runId, parent!.parentId, null, 0, 1),
    enabled: !!parent,
    staleTime: Infinity,
    retry: false,
  });
  const fromProfile = useProfileColumns(nodeId);
  const ran = fromRun.data?.table?.columns;
  if (parent && ran?.length) return { columns: ran, known: true, loading: false };
  return fromProfile;
}

function useProfileColumns(nodeId: string): UpstreamColumns {
  const info = useEditor(
    useShallow((s) => {
      const up = ancestors(s.edges, nodeId);
      const byId = new Map(s.nodes.map((n) => [n.id, n]));
      const datasets: string[] = [];
      const dropped: string[] = [];
      for (const id of up) {
        const n = byId.get(id);
        if (!n) continue;
        if (n.data.type === "load_csv" && typeof n.data.params.dataset === "string") datasets.push(n.data.params.dataset);
        if (n.data.type === "drop_columns" && Array.isArray(n.data.params.columns)) dropped.push(...(n.data.params.columns as string[]));
      }
      return [...datasets, "\u0000", ...dropped];
    }),
  );
  const split = info.indexOf("\u0000");
  const names = info.slice(0, split);
  const dropped = new Set(info.slice(split + 1));
  const { data: datasets, isLoading } = useDatasets();
  const ids = names.map((n) => findDataset(datasets, n)?.id).filter((x): x is string => !!x);
  const profiles = useQueries({
    queries: ids.map((id) => ({ queryKey: keys.profile(id), queryFn: () => api.datasetProfile(id), staleTime: 60_000 })),
  });
  const columns: string[] = [];
  for (const p of profiles) for (const c of p.data?.columns ?? []) if (!columns.includes(c.name) && !dropped.has(c.name)) columns.push(c.name);
  return { columns, known: ids.length > 0 && profiles.every((p) => p.isSuccess), loading: isLoading || profiles.some((p) => p.isLoading) };
}
