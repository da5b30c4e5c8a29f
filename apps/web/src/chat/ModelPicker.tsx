import { useId } from 'react';
import type { Models } from './use-models';

export interface ModelPickerProps {
  models: Models;
  /** `''`: the API's default model. */
  value: string;
  onChange: (model: string) => void;
  disabled?: boolean;
}

export function ModelPicker({ models, value, onChange, disabled = false }: ModelPickerProps) {
  const id = useId();
  const available = models.list?.models ?? [];
  const known = value === '' || available.some((model) => model.id === value);
  return (
    <div className="model-picker">
      <label htmlFor={`${id}-model`}>Model</label>
      <select
        id={`${id}-model`}
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={models.error ? `${id}-error` : undefined}
      >
        <option value="">Default model</option>
        {available.map((model) => (
          <option key={model.id} value={model.id}>
            {model.id}
          </option>
        ))}
        {known ? null : <option value={value}>{value} (not listed)</option>}
      </select>
      {models.loading ? <span className="model-picker__status">Loading models…</span> : null}
      {models.error ? (
        <span className="model-picker__status model-picker__status--error" id={`${id}-error`}>
          Models unavailable.{' '}
          <button type="button" className="link-button" onClick={models.reload}>
            Retry
          </button>
        </span>
      ) : null}
      {models.list && models.list.unavailable.length > 0 ? (
        <span
          className="model-picker__status"
          title={models.list.unavailable.map((u) => `${u.provider}: ${u.message}`).join('\n')}
        >
          {models.list.unavailable.map((u) => u.provider).join(', ')} unavailable
        </span>
      ) : null}
    </div>
  );
}
