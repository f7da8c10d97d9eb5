// Pure functions over the editor's graph: conversion to and from the workflow JSON, the
// connection rules, ids and auto-layout. No React, no store: unit-tested directly.
import type { Edge, Node } from "@xyflow/react";
import type { NodeSpec, PortType, WorkflowDoc } from "../api/types";

/** What a canvas node carries: only the JSON-serialisable part of the workflow node. */
export type FlowNodeData = { type: string; params: Record<string, unknown> };
export type FlowNode = Node<FlowNodeData, "flowza">;
export type Catalog = Record<string, NodeSpec>;

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 110;

export function edgeId(source: string, sourcePort: string, target: string, targetPort: string): string {
  return `${source}:${sourcePort}->${target}:${targetPort}`;
}

export function makeEdge(source: string, sourcePort: string, target: string, targetPort: string): Edge {
  return { id: edgeId(source, sourcePort, target, targetPort), source, target, sourceHandle: sourcePort, targetHandle: targetPort };
}

/** Picks the port an edge without an explicit port refers to: the only one, or the first of the matching type. */
function defaultPort(ports: { name: string; type: PortType }[], type?: PortType): string | undefined {
  if (type) return ports.find((p) => p.type === type)?.name;
  return ports[0]?.name;
}

export function docToFlow(doc: WorkflowDoc, catalog: Catalog): { nodes: FlowNode[]; edges: Edge[] } {
  const nodes: FlowNode[] = doc.nodes.map((n, i) => ({
    id: n.id,
    type: "flowza",
    position: n.position ? { x: n.position.x, y: n.position.y } : { x: i * 260, y: 0 },
    data: { type: n.type, params: { ...(n.params ?? {}) } },
  }));
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const edges: Edge[] = [];
  for (const e of doc.edges) {
    const src = catalog[byId.get(e.source)?.type ?? ""];
    const dst = catalog[byId.get(e.target)?.type ?? ""];
    let sourcePort = e.source_port ?? undefined;
    let targetPort = e.target_port ?? undefined;
    if (!sourcePort && src) {
      const wanted = targetPort && dst ? dst.inputs.find((p) => p.name === targetPort)?.type : undefined;
      sourcePort = defaultPort(src.outputs, wanted) ?? (dst ? src.outputs.find((o) => dst.inputs.some((i) => i.type === o.type))?.name : undefined);
    }
    if (!targetPort && dst) {
      const type = src?.outputs.find((p) => p.name === sourcePort)?.type;
      targetPort = defaultPort(dst.inputs, type);
    }
    edges.push(makeEdge(e.source, sourcePort ?? "out", e.target, targetPort ?? "in"));
  }
  return { nodes, edges };
}

export function flowToDoc(
  meta: { name: string; description?: string; extra?: Record<string, unknown> },
  nodes: FlowNode[],
  edges: Edge[],
): WorkflowDoc {
  return {
    ...(meta.extra ?? {}),
    schema_version: 1,
    name: meta.name,
    description: meta.description ?? "",
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.data.type,
      params: n.data.params,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    })),
    edges: edges.map((e) => ({
      source: e.source,
      target: e.target,
      source_port: e.sourceHandle ?? null,
      target_port: e.targetHandle ?? null,
    })),
  };
}

export interface ConnectionCandidate {
  source: string | null;
  target: string | null;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export type ConnectionVerdict = { ok: true } | { ok: false; reason: string };

/** True when `to` can be reached from `from` along the edges. */
export function reaches(edges: Edge[], from: string, to: string): boolean {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const cur = stack.pop() as string;
    if (cur === to) return true;
    if (seen.has(cur)) continue;
    seen.add(cur);
    stack.push(...(out.get(cur) ?? []));
  }
  return false;
}

/** The editor's connection rules: matching port types, one edge per input, no cycles. */
export function checkConnection(conn: ConnectionCandidate, nodes: FlowNode[], edges: Edge[], catalog: Catalog): ConnectionVerdict {
  const { source, target, sourceHandle, targetHandle } = conn;
  if (!source || !target) return { ok: false, reason: "Drop the connection on a node's input." };
  if (source === target) return { ok: false, reason: "A node cannot feed itself." };
  const srcNode = nodes.find((n) => n.id === source);
  const dstNode = nodes.find((n) => n.id === target);
  const srcSpec = srcNode && catalog[srcNode.data.type];
  const dstSpec = dstNode && catalog[dstNode.data.type];
  if (!srcSpec || !dstSpec) return { ok: false, reason: "Unknown node type." };
  const out = srcSpec.outputs.find((p) => p.name === sourceHandle) ?? (sourceHandle ? undefined : srcSpec.outputs[0]);
  const inp = dstSpec.inputs.find((p) => p.name === targetHandle) ?? (targetHandle ? undefined : dstSpec.inputs[0]);
  if (!out) return { ok: false, reason: `${srcSpec.title} has no such output.` };
  if (!inp) return { ok: false, reason: `${dstSpec.title} has no such input.` };
  if (out.type !== inp.type) {
    return { ok: false, reason: `Type mismatch: ${srcSpec.title} outputs ${out.type}, but ${dstSpec.title}'s “${inp.name}” input takes ${inp.type}.` };
  }
  if (edges.some((e) => e.target === target && (e.targetHandle ?? inp.name) === inp.name)) {
    return { ok: false, reason: `${dstSpec.title}'s “${inp.name}” input is already connected; delete that edge first.` };
  }
  if (reaches(edges, target, source)) return { ok: false, reason: "That connection would create a cycle." };
  return { ok: true };
}

/** A readable, unique node id derived from the type: load_csv, load_csv_2, … */
export function uniqueId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const clean = base.replace(/[^A-Za-z0-9_]/g, "_") || "node";
  if (!used.has(clean)) return clean;
  for (let i = 2; ; i++) if (!used.has(`${clean}_${i}`)) return `${clean}_${i}`;
}

/** Left-to-right layered layout: a node's column is its longest path from a source. */
export function autoLayout(nodes: FlowNode[], edges: Edge[]): Record<string, { x: number; y: number }> {
  const ids = nodes.map((n) => n.id);
  const parents = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) if (parents.has(e.target) && parents.has(e.source)) parents.get(e.target)!.push(e.source);
  const layer = new Map<string, number>();
  const depth = (id: string, guard: Set<string>): number => {
    if (layer.has(id)) return layer.get(id)!;
    if (guard.has(id)) return 0;
    guard.add(id);
    const ps = parents.get(id) ?? [];
    const d = ps.length ? Math.max(...ps.map((p) => depth(p, guard) + 1)) : 0;
    layer.set(id, d);
    return d;
  };
  ids.forEach((id) => depth(id, new Set()));
  const columns: string[][] = [];
  for (const id of ids) (columns[layer.get(id)!] ??= []).push(id);
  const row = new Map<string, number>();
  const positions: Record<string, { x: number; y: number }> = {};
  columns.forEach((col, c) => {
    // order by the average row of the parents, so edges cross as little as possible
    const key = (id: string) => {
      const ps = (parents.get(id) ?? []).map((p) => row.get(p) ?? 0);
      return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : 0;
    };
    const original = new Map(col.map((id, i) => [id, i]));
    col.sort((a, b) => key(a) - key(b) || original.get(a)! - original.get(b)!);
    col.forEach((id, r) => {
      row.set(id, r);
      positions[id] = { x: c * (NODE_WIDTH + 60), y: (r - (col.length - 1) / 2) * (NODE_HEIGHT + 40) };
    });
  });
  return positions;
}

/** The nodes upstream of `id` (all ancestors), nearest first. */
export function ancestors(edges: Edge[], id: string): string[] {
  const order: string[] = [];
  const seen = new Set<string>([id]);
  let frontier = [id];
  while (frontier.length) {
    const next: string[] = [];
    for (const cur of frontier) {
      for (const e of edges) {
        if (e.target === cur && !seen.has(e.source)) {
          seen.add(e.source);
          order.push(e.source);
          next.push(e.source);
        }
      }
    }
    frontier = next;
  }
  return order;
}

/** True when some nodes sit on top of each other (e.g. a template written with tight positions). */
export function overlapping(nodes: FlowNode[]): boolean {
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i].position;
      const b = nodes[j].position;
      if (Math.abs(a.x - b.x) < NODE_WIDTH + 30 && Math.abs(a.y - b.y) < NODE_HEIGHT + 10) return true;
    }
  }
  return false;
}
