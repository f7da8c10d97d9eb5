import catalogJson from "./fixtures/catalog.json";
import type { NodeSpec } from "../src/api/types";
import { useEditor } from "../src/editor/store";

export const specs = catalogJson as unknown as NodeSpec[];
export const catalog = Object.fromEntries(specs.map((s) => [s.type, s]));

export function freshStore(): void {
  useEditor.getState().setCatalog(specs);
  useEditor.getState().newWorkflow();
}
