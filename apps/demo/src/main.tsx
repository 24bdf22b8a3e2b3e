import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { registerServiceWorker } from './service-worker';
import './styles.css';

// Registered on load (that asks nothing); the push section reports a failure when it needs the worker.
const serviceWorker = registerServiceWorker(import.meta.env.BASE_URL);
serviceWorker.catch(() => undefined);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App serviceWorker={serviceWorker} />
  </StrictMode>,
);
