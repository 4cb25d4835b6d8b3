/**
 * Splits a streamed JSON document into the objects of its arrays, as they arrive: for
 * `{"session_id":"…","spans":[{…},{…}]}` it hands over each span object as soon as its closing
 * brace is read, so a page can draw the first events of a large session before the rest arrive.
 * It tracks nesting and strings (with escapes) exactly, so braces inside strings never split.
 */
export class JsonArrayObjectSplitter {
  private buffer = "";
  /** Position in `buffer` up to which characters were scanned. */
  private position = 0;
  /** Open containers: `{` or `[`. */
  private readonly stack: string[] = [];
  private inString = false;
  private escaped = false;
  /** Start in `buffer` of the array element object being read, or -1. */
  private objectStart = -1;

  constructor(private readonly onObject: (value: unknown) => void) {}

  /** Feeds the next piece of text; calls `onObject` for each element object it completes. */
  push(text: string): void {
    this.buffer += text;
    const buffer = this.buffer;
    const stack = this.stack;
    for (let i = this.position; i < buffer.length; i++) {
      const code = buffer.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (code === 0x5c /* \ */) this.escaped = true;
        else if (code === 0x22 /* " */) this.inString = false;
        continue;
      }
      switch (code) {
        case 0x22: // "
          this.inString = true;
          break;
        case 0x7b: // {
          // An object directly inside an array that is inside the top-level object.
          if (stack.length === 2 && stack[1] === "[" && stack[0] === "{") this.objectStart = i;
          stack.push("{");
          break;
        case 0x5b: // [
          stack.push("[");
          break;
        case 0x7d: // }
        case 0x5d: // ]
          stack.pop();
          if (code === 0x7d && stack.length === 2 && this.objectStart >= 0) {
            this.onObject(JSON.parse(buffer.slice(this.objectStart, i + 1)) as unknown);
            this.objectStart = -1;
          }
          break;
      }
    }
    // Keep only the object being read: memory stays at one object, not the whole document.
    if (this.objectStart >= 0) {
      this.buffer = buffer.slice(this.objectStart);
      this.objectStart = 0;
    } else {
      this.buffer = "";
    }
    this.position = this.buffer.length;
  }
}
