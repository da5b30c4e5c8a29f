import type { UsageReport } from '@sluice/contracts';
import { useEffect, useState } from 'react';
import { ApiError, isAbortError } from '../api/api-error';
import { useApi } from '../auth/AuthProvider';

const number = new Intl.NumberFormat();

interface ModelTotals {
  model: string;
  messages: number;
  totalTokens: number;
}

/** Per model over the whole period, most tokens first. */
export function totalsByModel(report: UsageReport): ModelTotals[] {
  const byModel = new Map<string, ModelTotals>();
  for (const row of report.days) {
    const entry = byModel.get(row.model) ?? { model: row.model, messages: 0, totalTokens: 0 };
    entry.messages += row.messages;
    entry.totalTokens += row.totalTokens;
    byModel.set(row.model, entry);
  }
  return [...byModel.values()].sort((a, b) => b.totalTokens - a.totalTokens);
}

export interface UsagePanelProps {
  /** Changes whenever an answer finished, to fetch the new numbers. */
  refreshKey: number;
}

/** The caller's usage over the API's default period (the last 30 days). */
export function UsagePanel({ refreshKey }: UsagePanelProps) {
  const api = useApi();
  const [report, setReport] = useState<UsageReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    api
      .usage({}, controller.signal)
      .then((next) => {
        setReport(next);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!isAbortError(caught)) setError(caught instanceof ApiError ? caught : ApiError.network(caught));
      });
    return () => controller.abort();
  }, [api, refreshKey, attempt]);

  return (
    <section className="usage" aria-labelledby="usage-heading">
      <h2 id="usage-heading" className="usage__heading">
        Your usage
      </h2>
      {report ? (
        <>
          <p className="usage__summary">
            <span className="usage__figure">{number.format(report.totals.totalTokens)}</span> tokens in{' '}
            <span className="usage__figure">{number.format(report.totals.messages)}</span>{' '}
            {report.totals.messages === 1 ? 'answer' : 'answers'}
            <span className="usage__period">
              {' '}
              ({report.from} to {report.to})
            </span>
          </p>
          {report.days.length > 0 ? (
            <details className="usage__details">
              <summary>By model</summary>
              <table className="usage__table">
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">Answers</th>
                    <th scope="col">Tokens</th>
                  </tr>
                </thead>
                <tbody>
                  {totalsByModel(report).map((row) => (
                    <tr key={row.model}>
                      <th scope="row">{row.model}</th>
                      <td>{number.format(row.messages)}</td>
                      <td>{number.format(row.totalTokens)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          ) : null}
        </>
      ) : error ? (
        <p className="usage__error">
          Usage is unavailable.{' '}
          <button type="button" className="link-button" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        </p>
      ) : (
        <p className="usage__loading">Loading usage…</p>
      )}
    </section>
  );
}
