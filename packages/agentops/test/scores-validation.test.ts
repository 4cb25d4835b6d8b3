/**
 * What `session.score()` checks before anything is sent, and that no input makes it throw or
 * reject: the same rules as the server's, so a score the SDK sends is never a 400.
 */
import { MAX_SCORE_COMMENT_LENGTH, MAX_SCORE_NAME_LENGTH, recordScore, scoreBody, scoresSettled } from "../src/scores";

const session = (config: Partial<{ apiKey: string; exporter: unknown }> = {}) => ({
  id: "6f0e2c1a-0000-4000-8000-000000000001",
  // Port 9 on loopback: nothing listens, so nothing is stored whatever happens.
  config: { endpoint: "http://127.0.0.1:9", apiKey: undefined, exporter: undefined, maxWaitTime: 200, ...config },
});

describe("scoreBody", () => {
  it("trims the name, turns booleans into 1 / 0, keeps a comment, and gives each score its own id", () => {
    const body = scoreBody("  quality ", 0.25, { comment: "fine" });
    expect(body).toMatchObject({ name: "quality", value: 0.25, comment: "fine", source: "sdk" });
    expect(scoreBody("ok", true, undefined)).toMatchObject({ value: 1 });
    expect(scoreBody("ok", false, {})).toMatchObject({ value: 0 });
    expect(scoreBody("ok", 1, { comment: "" })).not.toHaveProperty("comment");
    const a = scoreBody("ok", 1, undefined) as { id: string };
    const b = scoreBody("ok", 1, undefined) as { id: string };
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
    expect(scoreBody("n".repeat(MAX_SCORE_NAME_LENGTH), -1e308, { comment: "c".repeat(MAX_SCORE_COMMENT_LENGTH) })).toHaveProperty("id");
  });

  it("says what is wrong with an invalid score", () => {
    const refused: Array<[unknown, unknown, unknown, RegExp]> = [
      ["", 1, undefined, /non-empty/],
      [undefined, 1, undefined, /non-empty/],
      ["n".repeat(MAX_SCORE_NAME_LENGTH + 1), 1, undefined, /at most 200/],
      ["tab\there", 1, undefined, /control/],
      ["q", Number.POSITIVE_INFINITY, undefined, /Infinity/],
      ["q", "0.9", undefined, /string/],
      ["q", 10n, undefined, /bigint/],
      ["q", 1, "comment", /options/],
      ["q", 1, { comment: 5 }, /comment must be a string/],
      ["q", 1, { comment: "c".repeat(MAX_SCORE_COMMENT_LENGTH + 1) }, /at most 2000/],
    ];
    for (const [name, value, options, message] of refused) expect(scoreBody(name, value, options)).toMatch(message);
  });
});

describe("recordScore", () => {
  it("resolves false, without sending, when there is no API key or a custom exporter", async () => {
    await expect(recordScore(session(), "q", 1)).resolves.toBe(false);
    await expect(recordScore(session({ apiKey: "ak_x", exporter: {} }), "q", 1)).resolves.toBe(false);
    await expect(scoresSettled(10)).resolves.toBe(true);
  });

  it("never throws or rejects, whatever it is given", async () => {
    const hostile = {
      get comment(): string {
        throw new Error("a getter that throws");
      },
    };
    const answers = await Promise.all([
      recordScore(session({ apiKey: "ak_x" }), Symbol("name"), 1),
      recordScore(session({ apiKey: "ak_x" }), "q", 1, hostile),
      recordScore(session({ apiKey: "ak_x" }), { toString: () => "x" }, {}),
      recordScore({ id: "x", config: null } as never, "q", 1),
    ]);
    expect(answers).toEqual([false, false, false, false]);
  });
});
