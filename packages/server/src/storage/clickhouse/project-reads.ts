import { encodeCursor, encodeScoreCursor, resolveListQuery, toSessionStats } from "../session-view";
import type { ListSessionsPage, ListSessionsQuery, UsageQuery, UsageRow } from "../types";
import { NS_PER_DAY, resolveUsageQuery, toUsageRow } from "../usage-view";
import type { ClickHouseConnection } from "./connection";
import { valueOfBits, type ClickHouseScores } from "./scores";
import { allRows, finalSpans, saturatedCostSum, sessionAggregates, toSessionRow, type SessionAggregateRow } from "./session-sql";
import { joinSql, raw, sql, type Sql } from "./sql";

/** A row of the usage query. */
interface UsageSums {
  day: string;
  model: string | null;
  u_calls: string;
  u_prompt: string;
  u_completion: string;
  u_cached: string;
  u_reasoning: string;
  u_cost: string;
  u_rows: string;
  u_keys: string;
}

/**
 * The reads over a whole project: the session list and usage. Both are aggregates over the
 * project's spans, first read as stored (no `FINAL`, several times faster on 18.16), in one
 * statement that also tells whether any (trace, span) key is stored twice in the very parts it
 * read. Only then, until ClickHouse merges the copies, is the read done again over `FINAL`.
 * Doing the check in the same statement matters: a separate query could see a merge or an
 * insert that the read did not.
 */
export class ClickHouseProjectReads {
  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly spans: Sql,
    private readonly scores: ClickHouseScores,
    private readonly timeoutMs: number,
  ) {}

  async listSessions(projectId: string, query: ListSessionsQuery, now: number): Promise<ListSessionsPage> {
    const resolved = resolveListQuery(query, now, this.timeoutMs);
    const where: Sql[] = [raw("1")];
    const scoreJoin = resolved.score && this.scores.listJoin(projectId, resolved.score);
    if (scoreJoin) where.push(...scoreJoin.where);
    if (resolved.cursor) {
      const { startMs, traceId } = resolved.cursor;
      where.push(sql`(s_start_ms < ${startMs} OR (s_start_ms = ${startMs} AND trace_id < ${traceId}))`);
    }
    if (resolved.fromMs !== null) where.push(sql`s_start_ms >= ${resolved.fromMs}`);
    if (resolved.toMs !== null) where.push(sql`s_start_ms < ${resolved.toMs}`);
    if (resolved.tag !== null) where.push(sql`s_tags_key != '' AND has(s_tags, ${resolved.tag})`);
    const timedOutBefore = resolved.timedOutBeforeMs;
    if (resolved.endState === "running") {
      where.push(sql`s_end_state_key = '' AND s_last_seen_ms >= ${timedOutBefore}`);
    } else if (resolved.endState === "Indeterminate") {
      where.push(
        sql`((s_end_state_key != '' AND s_end_state = 'Indeterminate') OR (s_end_state_key = '' AND s_last_seen_ms < ${timedOutBefore}))`,
      );
    } else if (resolved.endState !== null) {
      where.push(sql`s_end_state_key != '' AND s_end_state = ${resolved.endState}`);
    }
    const order = scoreJoin?.order ?? raw("s_start_ms DESC, trace_id DESC");
    const page = (source: Sql, repeatsFirst: boolean) => {
      // A session with a span stored twice passes every filter and sorts first: if there is one
      // anywhere in the project, the first row says so, and the page is read again over FINAL.
      const repeated = raw("s_rows != s_span_ids");
      return this.connection.rows<SessionAggregateRow & { l_bits?: string }>(
        sql`SELECT * FROM (${sessionAggregates(source)})
          ${scoreJoin ? sql`ANY INNER JOIN ${scoreJoin.source} USING trace_id` : raw("")}
          WHERE ${repeatsFirst ? sql`${repeated} OR ` : raw("")}(${joinSql(where, " AND ")})
          ORDER BY ${repeatsFirst ? sql`${repeated} DESC, ` : raw("")}${order} LIMIT ${resolved.limit + 1}`,
      );
    };
    let rows = await page(allRows(this.spans, projectId), true);
    if (rows[0] !== undefined && rows[0].s_rows !== rows[0].s_span_ids) rows = await page(finalSpans(this.spans, projectId), false);

    const shown = rows.slice(0, resolved.limit);
    const sessions = shown.map(toSessionRow);
    const scores = await this.scores.latestOf(projectId, sessions.map((row) => row.traceId));
    const last = sessions[sessions.length - 1];
    let nextCursor: string | null = null;
    if (rows.length > resolved.limit && last) {
      const lastBits = shown[shown.length - 1]!.l_bits;
      nextCursor =
        resolved.score !== null && resolved.score.order !== null && lastBits !== undefined
          ? encodeScoreCursor({ score: valueOfBits(lastBits), traceId: last.traceId })
          : encodeCursor(last);
    }
    return {
      sessions: sessions.map((row) => toSessionStats(row, projectId, now, this.timeoutMs, scores.get(row.traceId) ?? {})),
      next_cursor: nextCursor,
    };
  }

  async usage(projectId: string, query: UsageQuery): Promise<UsageRow[]> {
    const resolved = resolveUsageQuery(query);
    const selected: Sql[] = [raw("kind = 'llm'")];
    // start_ns is unsigned: a bound before 1970 selects what 0 selects.
    if (resolved.fromNs !== null) selected.push(sql`start_ns >= ${resolved.fromNs < 0n ? 0n : resolved.fromNs}`);
    if (resolved.toNs !== null) selected.push(sql`start_ns < ${resolved.toNs < 0n ? 0n : resolved.toNs}`);
    const tagged = (source: Sql) =>
      sql`trace_id IN (SELECT trace_id FROM (${sessionAggregates(source)}) WHERE s_tags_key != '' AND has(s_tags, ${resolved.tag}))`;

    let sums: UsageSums[];
    if (resolved.tag === null) {
      // Every row of the project is read and the LLM calls in range are summed with -If: the
      // totals row then counts rows and distinct keys of the whole project, in the same parts.
      // Copies of a key hash alike, so a repeated key always shows; a hash collision can only
      // send the read to FINAL for nothing.
      const condition = joinSql(selected, " AND ");
      const result = await this.connection.rowsWithTotals<UsageSums>(
        sql`SELECT intDiv(start_ns, ${raw(NS_PER_DAY)}) AS day, model, countIf(${condition}) AS u_calls,
            sumIf(prompt_tokens, ${condition}) AS u_prompt, sumIf(completion_tokens, ${condition}) AS u_completion,
            sumIf(cached_tokens, ${condition}) AS u_cached, sumIf(reasoning_tokens, ${condition}) AS u_reasoning,
            ${saturatedCostSum("cost_pico", condition)} AS u_cost,
            count() AS u_rows, uniqExact(cityHash64(trace_id, span_id)) AS u_keys
          FROM ${allRows(this.spans, projectId)}
          GROUP BY day, model WITH TOTALS ORDER BY day, isNotNull(model), model`,
      );
      const repeated = result.totals !== undefined && result.totals.u_rows !== result.totals.u_keys;
      sums = repeated ? await this.usageSums(finalSpans(this.spans, projectId), selected) : result.rows.filter((row) => row.u_calls !== "0");
    } else {
      // The tag of a session is an aggregate too; with a tag filter the whole read is over FINAL.
      sums = await this.usageSums(finalSpans(this.spans, projectId), [...selected, tagged(finalSpans(this.spans, projectId))]);
    }
    return sums.map((row) =>
      toUsageRow({
        day: row.day,
        model: row.model,
        llm_calls: row.u_calls,
        prompt_tokens: row.u_prompt,
        completion_tokens: row.u_completion,
        cached_tokens: row.u_cached,
        reasoning_tokens: row.u_reasoning,
        cost_pico: row.u_cost,
      }),
    );
  }

  /**
   * One group per (UTC day of the start, model) of the selected spans; a call without a model
   * first, bytewise order. Aliases are not column names: ClickHouse 18.16 would read `cost_pico`
   * inside the sum as the alias.
   */
  private usageSums(source: Sql, selected: Sql[]): Promise<UsageSums[]> {
    return this.connection.rows<UsageSums>(
      sql`SELECT intDiv(start_ns, ${raw(NS_PER_DAY)}) AS day, model, count() AS u_calls,
          sum(prompt_tokens) AS u_prompt, sum(completion_tokens) AS u_completion,
          sum(cached_tokens) AS u_cached, sum(reasoning_tokens) AS u_reasoning,
          ${saturatedCostSum("cost_pico")} AS u_cost
        FROM ${source} AND ${joinSql(selected, " AND ")}
        GROUP BY day, model ORDER BY day, isNotNull(model), model`,
    );
  }
}
