import { z } from 'zod';

// The page's Content-Security-Policy allows no eval: zod would probe for it (`Function('')`) at its
// first object schema, which the browser reports as a violation. Without the probe zod parses the
// same way, interpreted. Imported first by main.tsx, before any schema runs.
z.config({ jitless: true });
