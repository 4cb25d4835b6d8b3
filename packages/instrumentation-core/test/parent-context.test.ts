import { createContextKey, ROOT_CONTEXT } from "@opentelemetry/api";
import { addParentContextProvider, resolveParentContext } from "@agentops/instrumentation-core";

const STEPS = createContextKey("steps");
const steps = (value: unknown) => (Array.isArray(value) ? (value as string[]) : []);

it("refines the active context through the providers in the order added, skipping faulty ones, until removed", () => {
  const removeFirst = addParentContextProvider((active) => active.setValue(STEPS, [...steps(active.getValue(STEPS)), "first"]));
  const removeFaulty = addParentContextProvider(() => {
    throw new Error("faulty");
  });
  const removeAbstaining = addParentContextProvider(() => undefined);
  const removeSecond = addParentContextProvider((active) => active.setValue(STEPS, [...steps(active.getValue(STEPS)), "second"]));
  try {
    expect(resolveParentContext(ROOT_CONTEXT).getValue(STEPS)).toEqual(["first", "second"]);
    removeFirst();
    expect(resolveParentContext(ROOT_CONTEXT).getValue(STEPS)).toEqual(["second"]);
  } finally {
    for (const remove of [removeFirst, removeFaulty, removeAbstaining, removeSecond]) remove();
  }
  expect(resolveParentContext(ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
});
