import type { ModelList } from '@sluice/contracts';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, isAbortError } from '../api/api-error';
import { useApi } from '../auth/AuthProvider';

export interface Models {
  list: ModelList | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** The models the API's upstreams offer (`GET /api/models`), fetched once per session. */
export function useModels(): Models {
  const api = useApi();
  const [list, setList] = useState<ModelList | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    api
      .listModels(controller.signal)
      .then(setList)
      .catch((caught: unknown) => {
        if (!isAbortError(caught)) setError(caught instanceof ApiError ? caught : ApiError.network(caught));
      });
    return () => controller.abort();
  }, [api, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { list, error, loading: list === null && error === null, reload };
}
