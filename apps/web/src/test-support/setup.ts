import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Testing Library unmounts after each test on its own only when the runner has globals; these tests import them.
afterEach(() => {
  cleanup();
  window.localStorage.clear();
  window.location.hash = '';
});
