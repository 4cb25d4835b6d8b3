import { JsonArrayObjectSplitter } from "../src/api/json-array-stream";

function split(chunks: string[]): unknown[] {
  const objects: unknown[] = [];
  const splitter = new JsonArrayObjectSplitter((value) => objects.push(value));
  for (const chunk of chunks) splitter.push(chunk);
  return objects;
}

describe("JsonArrayObjectSplitter", () => {
  const spans = [
    { span_id: "a", name: 'tricky "}] {[ name', attributes: { nested: { deep: [1, { x: "}" }] } } },
    { span_id: "b", name: "back\\slash\\", attributes: {} },
    { span_id: "c", name: "unicode ✓ \u2028", events: [{ name: "exception", attributes: {} }] },
  ];
  const document = JSON.stringify({ session_id: "s", spans });

  it("hands over each element object of the top-level object's array", () => {
    expect(split([document])).toEqual(spans);
  });

  it("gives the same objects however the text is cut", () => {
    for (const size of [1, 2, 3, 7, 64]) {
      const chunks: string[] = [];
      for (let at = 0; at < document.length; at += size) chunks.push(document.slice(at, at + size));
      expect(split(chunks)).toEqual(spans);
    }
  });

  it("ignores objects that are not elements of an array of the top-level object", () => {
    expect(split(['{"meta":{"a":1},"spans":[],"other":[{"x":1}]}'])).toEqual([{ x: 1 }]);
    expect(split(['{"spans":[]}'])).toEqual([]);
  });
});
